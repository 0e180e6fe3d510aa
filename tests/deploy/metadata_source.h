// Reads the Salesforce CLI source of deploy/salesforce (sfdx-project.json and the metadata files
// of its package directory) into a model the agreement check compares with the mappings.
//
// Every XML file is parsed strictly (strict_xml.h) and must have the root element of its kind
// (CustomField, PermissionSet, Queue) in the metadata namespace, only known child elements, in
// the order the Metadata API schema requires (a deploy refuses another order), and the elements
// each field type needs. Any other file in the package directory is a problem: the package
// declares custom fields, permission sets and queues, nothing else.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace casebridge::deploy_test {

inline constexpr std::string_view kMetadataNamespace = "http://soap.sforce.com/2006/04/metadata";

struct DeclaredField {
  std::string file;    // relative to the source root
  std::string folder;  // objects/<folder>: "Case", "Account", "Activity" (Task and Event)
  std::string name;    // "Installer__c"
  std::string type;    // "Text", "Picklist", "Lookup", …
  std::vector<std::string> values;  // picklist values, in file order
  std::string reference_to;
  bool external_id = false;
  bool unique = false;
};

struct ObjectAccess {
  bool create = false, read = false, edit = false, remove = false;
  bool view_all = false, modify_all = false;
  bool operator==(ObjectAccess const&) const = default;
};

struct FieldAccess {
  bool readable = false, editable = false;
  bool operator==(FieldAccess const&) const = default;
};

struct DeclaredPermissionSet {
  std::string file;
  std::string name;                              // file stem
  std::map<std::string, ObjectAccess> objects;   // sObject -> access
  std::map<std::string, FieldAccess> fields;     // "Task.Casebridge_Key__c" -> access
  std::map<std::string, bool> user_permissions;  // "ApiEnabled" -> enabled
};

struct DeclaredQueue {
  std::string file;
  std::string developer_name;  // file stem
  std::vector<std::string> sobjects;
};

struct MetadataSource {
  std::string api_version;  // sfdx-project.json sourceApiVersion
  std::vector<DeclaredField> fields;
  std::vector<DeclaredPermissionSet> permission_sets;
  std::vector<DeclaredQueue> queues;
  std::vector<std::string> xml_files;  // every XML file read (relative paths)
};

/// The whole content of a file ("" when it cannot be read).
std::string ReadTextFile(std::string const& path);

/// Reads the source rooted at `root` (the directory of sfdx-project.json). Every problem is
/// appended as "<relative file>: <message>" (with the line for XML errors).
MetadataSource ReadMetadataSource(std::string const& root, std::vector<std::string>& problems);

}  // namespace casebridge::deploy_test
