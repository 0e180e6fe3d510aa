// What casebridge reads and writes in a Salesforce org under a mappings directory, derived through
// the code that does it: the real loaders (LoadPolicy, LoadSignals), the adapter's queries
// (SalesforceCaseAdapter::BulkQueries: the same fields as the REST query) and the ledger payloads
// of every Salesforce action (adapters::RenderSalesforceAction). Each mapping key that gives a
// field a role also gives it a type (mappings/README.md): relations.json tier_field is a Number,
// pre_m3_pto_field a Checkbox, installer_field a Lookup to Account, signals.json task_key_field a
// unique external-id Text field, a field matched in `when` against values a Picklist with them.
//
// Shared by `casebridge doctor` (which checks a live org against it) and tests/deploy (which
// checks the metadata source of deploy/salesforce against it).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace casebridge::adapters {

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
  /// Every field read or written, standard ones included: sObject -> API names.
  std::map<std::string, std::set<std::string>> fields_used;
  std::set<std::string> queues;  // queues.json Group DeveloperNames
  std::string api_version;       // casebridge.json's default salesforce.api_version
};

/// Derives the usage under `mappings_dir` ("" = the shipped defaults). Problems (mappings that do
/// not load, a relationship whose target no role names, …) are appended.
SalesforceUsage DeriveSalesforceUsage(std::string const& mappings_dir,
                                      std::vector<std::string>& problems);

// Where the Salesforce CLI source of deploy/salesforce declares what casebridge needs (the fix an
// admin deploys). Paths are relative to kMetadataSourceDir.
inline constexpr std::string_view kMetadataSourceDir = "deploy/salesforce";
inline constexpr std::string_view kPermissionSetName = "Casebridge_Integration";

/// "force-app/main/default/objects/Activity/fields/Casebridge_Key__c.field-meta.xml" for
/// Task.Casebridge_Key__c (Task and Event fields live under Activity).
std::string FieldMetadataFile(std::string const& object, std::string const& field);
/// "force-app/main/default/queues/Back_Office.queue-meta.xml".
std::string QueueMetadataFile(std::string const& developer_name);
/// "force-app/main/default/permissionsets/Casebridge_Integration.permissionset-meta.xml".
std::string PermissionSetMetadataFile();

}  // namespace casebridge::adapters
