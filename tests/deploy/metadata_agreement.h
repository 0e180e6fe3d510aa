// Does the metadata source of deploy/salesforce declare exactly what casebridge uses?
//
//   * every custom field casebridge reads or writes is declared, with a type that fits its role,
//     the lookup target the relations give, exactly the picklist values the mappings name, and
//     the upsert key as a unique external id; no other field is declared;
//   * the permission set Casebridge_Integration grants exactly: read (and view all) on every
//     object read that has object permissions — Case and the parents reached through its
//     lookups; Task, EmailMessage, FeedItem and CaseHistory follow their Case — edit/create where
//     a payload writes; read on every custom field, edit on those written; API Enabled, Edit
//     Tasks when Tasks are written, Transfer Cases when a Case owner is written;
//   * the queues of queues.json are declared and support Cases, and no other queue is;
//   * sfdx-project.json's API version is casebridge's default;
//   * the README lists every value of an admin-edited standard picklist casebridge relies on
//     (Case Reason, Task Status, …), which the package cannot deploy without replacing the
//     org's whole list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connector/adapters/salesforce/org_usage.h"
#include "tests/deploy/metadata_source.h"

namespace casebridge::deploy_test {

using adapters::FieldUse;
using adapters::kPermissionSetName;
using adapters::SalesforceUsage;

/// Every disagreement, one message each (naming the field, value or permission and the file).
std::vector<std::string> CheckAgreement(SalesforceUsage const& usage, MetadataSource const& source,
                                        std::string const& readme);

/// ReadMetadataSource(source_dir) + adapters::DeriveSalesforceUsage(mappings_dir) +
/// CheckAgreement() with the source's README.md: every problem of the three.
std::vector<std::string> CheckMetadataAgainstMappings(std::string const& source_dir,
                                                      std::string const& mappings_dir);

}  // namespace casebridge::deploy_test
