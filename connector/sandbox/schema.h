// The emulated org's data model: which sObjects exist, their key prefixes, fields (standard
// ones plus custom fields declared by a seed) and relationships (lookups by `…Id` field,
// parent-to-child relationship names for subqueries). Names resolve case-insensitively, as
// in Salesforce; output uses each field's canonical API name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"

namespace casebridge::sandbox {

enum class FieldType {
  kId,         // the record's own Id
  kReference,  // lookup to one or more objects (polymorphic when several)
  kString,     // text, picklist, email, phone, url, textarea
  kBoolean,
  kNumber,  // number, currency, percent, integer (printed as JSON numbers)
  kDate,
  kDateTime,
  kAny,  // anyType (CaseHistory.OldValue/NewValue)
};

/// "string", "reference", "dateTime", … (describe-style names).
std::string_view FieldTypeName(FieldType type);

struct FieldDef {
  std::string name;  // canonical API name
  FieldType type = FieldType::kString;
  std::vector<std::string> reference_to;  // kReference: target object names
  std::string relationship_name;          // kReference: e.g. "Owner", "Installer__r"
  bool createable = true;
  bool updateable = true;
  bool required = false;       // must be present (non-null) on create when no default exists
  bool external_id = false;    // usable for upsert-by-external-id
  bool unique = false;         // describe `unique` (duplicates are not rejected by the emulator)
  std::size_t max_length = 0;  // kString: 0 = unlimited
  /// The describe `type` when it is more specific than the stored one ("picklist", "email",
  /// "phone", "textarea", "url", "int", "currency", "percent", …); empty = FieldTypeName(type).
  std::string describe_type;
  std::vector<std::string> picklist_values;  // describe `picklistValues` (all active)
};

struct ChildRelationship {
  std::string name;          // e.g. "Tasks"
  std::string child_object;  // e.g. "Task"
  std::string field;         // the lookup on the child, e.g. "WhatId"
};

class ObjectSchema {
 public:
  ObjectSchema(std::string name, std::string key_prefix);

  [[nodiscard]] std::string const& name() const { return name_; }
  [[nodiscard]] std::string const& key_prefix() const { return key_prefix_; }
  [[nodiscard]] std::vector<FieldDef> const& fields() const { return fields_; }
  [[nodiscard]] std::vector<ChildRelationship> const& children() const { return children_; }

  /// Field by API name (case-insensitive), or nullptr.
  [[nodiscard]] FieldDef const* FindField(std::string_view name) const;
  /// Lookup field by relationship name (case-insensitive), e.g. "owner" -> OwnerId.
  [[nodiscard]] FieldDef const* FindRelationship(std::string_view name) const;
  /// Child relationship by name (case-insensitive), or nullptr.
  [[nodiscard]] ChildRelationship const* FindChild(std::string_view name) const;

  /// Adds a field; fails when a field of that name already exists with another type.
  Status AddField(FieldDef field);
  /// Field by API name for changing its describe facts, or nullptr.
  [[nodiscard]] FieldDef* FindFieldMutable(std::string_view name);
  void AddChild(ChildRelationship child);

 private:
  std::string name_;
  std::string key_prefix_;
  std::vector<FieldDef> fields_;
  std::unordered_map<std::string, std::size_t> by_name_;  // lower-case name -> index
  std::unordered_map<std::string, std::size_t> by_relationship_;
  std::vector<ChildRelationship> children_;
};

/// Options that shape the standard schema.
struct SchemaOptions {
  std::string task_external_id_field = "Casebridge_Key__c";
};

class Schema {
 public:
  /// The standard objects casebridge uses: Case, Task, EmailMessage, FeedItem, CaseHistory,
  /// CaseComment, Account, Contact, User, Group, QueueSobject.
  static Schema Standard(SchemaOptions const& options);

  [[nodiscard]] ObjectSchema const* Find(std::string_view name) const;
  [[nodiscard]] ObjectSchema* FindMutable(std::string_view name);
  /// The object whose key prefix starts `id`, or nullptr.
  [[nodiscard]] ObjectSchema const* FindByIdPrefix(std::string_view id) const;
  [[nodiscard]] std::vector<ObjectSchema> const& objects() const { return objects_; }

  /// Declares custom fields from a seed's `_fields` member:
  /// `{"Case": {"Tier__c": "number", "Installer__c": {"type": "reference",
  ///   "referenceTo": "Account", "relationshipName": "Installer__r",
  ///   "childRelationshipName": "Installer_Cases__r"},
  ///   "Secondary_Reason__c": {"type": "picklist", "values": ["A", "B"]}},
  ///  "Task": {"Casebridge_Key__c": {"type": "text", "externalId": true, "unique": true}}}`.
  /// Declaration members: type, length, required, externalId, unique, values (picklist),
  /// createable, updateable (what describe reports for the calling user), referenceTo,
  /// relationshipName, childRelationshipName. Declaring a field that exists (a standard one such
  /// as Case.Reason, or the Task external-id field) with the same stored type redefines what
  /// describe says of it: its picklist values, flags and describe type.
  /// Errors name the object and field.
  Status DeclareFields(nlohmann::json const& declarations);

 private:
  Status DeclareField(ObjectSchema& object, std::string const& name, nlohmann::json const& decl);

  std::vector<ObjectSchema> objects_;
};

}  // namespace casebridge::sandbox
