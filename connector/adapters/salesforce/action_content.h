// What casebridge writes to Salesforce for each planned action (SPEC 1.4 "Actions" table), as a
// self-contained payload stored in the ledger: the sink (action_sink.h) can (re)send it on any
// later run without re-reading the case. The wording comes from action_text.h.
//
// Payload JSON (opaque to the store):
//   {"op":"upsert","sobject":"Task","fields":{…, "<task key field>":"<key>"}}   tasks
//   {"op":"update","sobject":"Case","id":"500…","fields":{"OwnerId":"00G…"}}  reassignments
//   {"op":"create","sobject":"FeedItem","fields":{"ParentId":"500…","Body":"… [casebridge:<key>]"}}
// The Task due date is the action's due as a local date in the business calendar's zone.
#pragma once

#include <optional>
#include <string>

#include "connector/adapters/ports.h"
#include "connector/adapters/salesforce/case_adapter.h"
#include "connector/common/status.h"
#include "connector/engine/evaluation.h"
#include "mappings/policy.h"

namespace casebridge::adapters {

/// The ledger payload of `action` planned for `c`; nullopt for actions that are records in
/// another system (forge_document, forge_service_ticket). Errors: kFailedPrecondition when the
/// action cannot be expressed in this org (e.g. the back-office queue does not exist), naming it.
StatusOr<std::optional<std::string>> RenderSalesforceAction(SourcedCase const& c,
                                                            engine::PlannedAction const& action,
                                                            mappings::Policy const& policy,
                                                            SalesforceCaseAdapter const& adapter);

}  // namespace casebridge::adapters
