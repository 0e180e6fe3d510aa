// Record writes with Salesforce's rules: field conversion (request-level errors such as
// INVALID_FIELD and JSON_PARSER_ERROR), writability (INVALID_FIELD_FOR_INSERT_UPDATE),
// required fields, lookups (MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY,
// FIELD_INTEGRITY_EXCEPTION), text lengths (STRING_TOO_LONG), defaults, derived fields
// (IsClosed, ClosedDate, CaseNumber, Name, …), audit fields, CaseHistory rows for tracked
// Case fields, and an optional simulated Case assignment rule honouring
// `Sforce-Auto-Assign`.
//
// Not thread-safe: the owning SalesforceOrg holds its lock.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/time.h"
#include "connector/sandbox/record_store.h"
#include "connector/sandbox/schema.h"

namespace casebridge::sandbox {

/// A Salesforce error for one record (or a whole request).
struct WriteError {
  std::string status_code;  // e.g. "REQUIRED_FIELD_MISSING"
  std::string message;
  std::vector<std::string> fields;
};

struct WriteContext {
  std::string user_id;  // the session's user (CreatedById, default owner)
  Instant now{};
  std::optional<std::string> auto_assign;  // Sforce-Auto-Assign header, when sent
};

/// One write that set or changed OwnerId (exposed to tests).
struct OwnerWrite {
  std::string object;
  std::string id;
  std::string owner_id;                           // the owner stored after the write
  std::optional<std::string> auto_assign_header;  // as sent; nullopt when absent
  bool reassigned_by_rule = false;  // the simulated assignment rule replaced the owner
};

struct WriterOptions {
  std::vector<std::string> closed_case_statuses = {"Closed"};
  std::vector<std::string> closed_task_statuses = {"Completed"};
  std::vector<std::string> case_history_fields = {"Status", "OwnerId", "Priority"};
  /// When set, a Case create/update without `Sforce-Auto-Assign: FALSE` gets this owner,
  /// like an active assignment rule in a real org. Empty: no rule.
  std::string assignment_rule_owner_id;
};

class SObjectWriter {
 public:
  SObjectWriter(Schema const& schema, RecordStore& store, WriterOptions options);

  /// Converts a JSON body to stored values (canonical names). `attributes` is skipped; `Id`
  /// is skipped when `allow_id`. Errors: INVALID_FIELD (unknown field), JSON_PARSER_ERROR
  /// (wrong JSON type or unparseable date).
  [[nodiscard]] std::variant<nlohmann::json, WriteError> ParseBody(ObjectSchema const& object,
                                                                   nlohmann::json const& body,
                                                                   bool allow_id) const;

  /// Inserts a record; returns its id.
  std::variant<std::string, WriteError> Create(ObjectSchema const& object,
                                               nlohmann::json const& values,
                                               WriteContext const& ctx);
  /// Updates a record in place.
  std::optional<WriteError> Update(Record& record, nlohmann::json const& values,
                                   WriteContext const& ctx);
  /// Soft-deletes a record (IsDeleted = true; still visible to queryAll).
  std::optional<WriteError> Delete(Record& record, WriteContext const& ctx);

  /// Inserts a seed record: read-only fields, Id and audit fields may be given; defaults and
  /// derived fields are filled in when absent. `values` are already converted.
  std::variant<std::string, WriteError> Seed(ObjectSchema const& object, nlohmann::json values,
                                             WriteContext const& ctx);

  [[nodiscard]] std::vector<OwnerWrite> const& owner_writes() const { return owner_writes_; }
  WriterOptions& options() { return options_; }

 private:
  std::optional<WriteError> CheckValues(ObjectSchema const& object, nlohmann::json const& values,
                                        bool create) const;
  void NormalizeReferences(ObjectSchema const& object, nlohmann::json& fields) const;
  void ApplyDefaults(ObjectSchema const& object, nlohmann::json& fields,
                     WriteContext const& ctx) const;
  void ApplyDerived(ObjectSchema const& object, nlohmann::json const* before,
                    nlohmann::json& fields, WriteContext const& ctx) const;
  void ApplyAssignmentRule(ObjectSchema const& object, nlohmann::json& fields,
                           WriteContext const& ctx, bool& reassigned) const;
  void WriteCaseHistory(Record const& record, nlohmann::json const* before,
                        WriteContext const& ctx);
  [[nodiscard]] std::string DisplayName(nlohmann::json const& id) const;

  Schema const& schema_;
  RecordStore& store_;
  WriterOptions options_;
  std::vector<OwnerWrite> owner_writes_;
};

}  // namespace casebridge::sandbox
