// `casebridge doctor`, Salesforce part: checks a live org against what the mappings need
// (org_usage.h), through few calls — the identity, one describe per sObject used (cached for the
// run), one query for the queues and their supported objects, and /limits.
//
// Access is read from describe, which answers for the calling (integration) user: an object's
// createable/updateable and each field's createable/updateable already combine the user's
// profile, permission sets and field-level security. That costs no call beyond the describes
// the field checks need, and covers every object and field casebridge writes. What describe
// cannot show (record sharing, the Transfer Cases permission on a particular case) would need
// UserRecordAccess per record; the sync reports such refusals per record instead.
#pragma once

#include <vector>

#include "connector/adapters/doctor_check.h"
#include "connector/adapters/salesforce/org_usage.h"
#include "connector/salesforce/client.h"

namespace casebridge::adapters {

/// Every check of the org behind `client` against `usage`, one DoctorCheck each, in the order
/// login, fields (existence and type, per object), the external id, picklist values, access,
/// queues, API budget. `budget_share` is the share of the daily API limit a run may use
/// (casebridge.json `api_budget_share`). A failed login yields that one failed check (nothing
/// else can be checked). Never fails as a whole.
std::vector<DoctorCheck> CheckSalesforceOrg(salesforce::Client const& client,
                                            SalesforceUsage const& usage, double budget_share);

}  // namespace casebridge::adapters
