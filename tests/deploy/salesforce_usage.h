// What casebridge reads and writes in a Salesforce org under a mappings directory, derived through
// the code that does it: the real loaders (LoadPolicy, LoadSignals), the adapter's queries
// (SalesforceCaseAdapter::BulkQueries: the same fields as the REST query) and the ledger payloads
// of every Salesforce action (adapters::RenderSalesforceAction). Each mapping key that gives a
// field a role also gives it a type (mappings/README.md): relations.json tier_field is a Number,
// pre_m3_pto_field a Checkbox, installer_field a Lookup to Account, signals.json task_key_field a
// unique external-id Text field, a field matched in `when` against values a Picklist with them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace casebridge::deploy_test {

struct FieldUse {
  std::string object;              // the sObject casebridge reads it on: "Case", "Account", "Task"
  std::string field;               // "Installer__c"
  std::set<std::string> types;     // the declared types that fit (empty: any)
  std::string reference_to;        // a Lookup's target, when a role says
  std::set<std::string> values;    // picklist values named (a Picklist declares exactly these)
  bool external_id = false;        // the upsert key: a unique external id
  bool written = false;            // casebridge writes it
  std::set<std::string> named_by;  // "relations.json tier_field", … (for messages)
};

struct SalesforceUsage {
  std::map<std::string, FieldUse> custom_fields;  // "Case.Installer__c" -> use
  /// Values of standard picklists whose value sets an admin can edit, that the mappings or the
  /// payloads name: "Case.Reason" -> {"Installer Complaints"}.
  std::map<std::string, std::set<std::string>> standard_values;
  std::set<std::string> objects_read;  // every sObject read, relationship targets included
  std::map<std::string, std::set<std::string>> writes;          // sObject -> {"create", …}
  std::map<std::string, std::set<std::string>> fields_written;  // sObject -> fields
  std::set<std::string> queues;                                 // queues.json Group DeveloperNames
  std::string api_version;  // casebridge.json's default salesforce.api_version
};

/// Derives the usage under `mappings_dir` ("" = the shipped defaults). Problems (mappings that do
/// not load, a relationship whose target no role names, …) are appended.
SalesforceUsage DeriveUsage(std::string const& mappings_dir, std::vector<std::string>& problems);

}  // namespace casebridge::deploy_test
