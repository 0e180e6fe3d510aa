// What casebridge writes for each planned action (SPEC 1.4 "Actions" table), as a self-contained
// payload stored in the ledger: the writer (action_writer.h) can (re)send it on any later run
// without re-reading the case.
//
// Payload JSON (opaque to the store):
//   {"op":"upsert","sobject":"Task","fields":{…, "<task key field>":"<key>"}}   tasks
//   {"op":"update","sobject":"Case","id":"500…","fields":{"OwnerId":"00G…"}}  reassignments
//   {"op":"create","sobject":"FeedItem","fields":{"ParentId":"500…","Body":"… [casebridge:<key>]"}}
// Task subjects and descriptions come from the mappings (quick replies, the referral template,
// people); the due date is the action's due as a local date in the business calendar's zone.
#pragma once

#include <string>

#include "connector/adapters/salesforce_adapter.h"
#include "connector/common/status.h"
#include "connector/engine/evaluation.h"
#include "mappings/policy.h"

namespace casebridge::sync {

struct ActionContext {
  mappings::Policy const* policy = nullptr;
  adapters::SalesforceCaseAdapter const* adapter = nullptr;
};

/// The ledger payload of `action` planned for `c`. Errors: kFailedPrecondition when the action
/// cannot be expressed in this org (e.g. the back-office queue does not exist), naming it.
StatusOr<std::string> BuildActionPayload(adapters::SalesforceCase const& c,
                                         engine::PlannedAction const& action,
                                         ActionContext const& context);

/// The local calendar date of `t` in `zone` (`YYYY-MM-DD`); UTC when the zone is unknown.
std::string LocalDate(Instant t, std::string const& zone);

}  // namespace casebridge::sync
