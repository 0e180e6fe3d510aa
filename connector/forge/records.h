// Typed Forge records and write requests, independent of Forge's JSON field names (those come
// from the mapping: record_codec.h converts). Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/time.h"

namespace casebridge::forge {

struct User {
  std::string id;
  std::string email;
  std::string name;
};

/// A support ticket. Strings are empty when Forge sent null or the field is not mapped.
struct Ticket {
  std::string id;
  std::string number;
  std::string status;
  int tier = 0;  // 0 = not triaged, else 1-4
  std::string primary_reason;
  std::string secondary_reason;
  std::string customer_id;
  std::string installer_id;
  std::string assigned_to;
  std::string team;
  std::string financing;  // raw value
  bool pre_m3_pto = false;
  std::string salesforce_case_id;
  Instant created_at{};
  Instant updated_at{};
  /// `closed_at`, or `updated_at` when the status is one of the mapping's closed statuses.
  std::optional<Instant> closed_at;
};

/// A documented e-mail, call, note or message. Values are Forge's raw values.
struct Interaction {
  std::string id;
  std::string ticket_id;
  std::string customer_id;
  std::string kind;
  std::string direction;
  std::string party;
  std::string outcome;
  std::vector<std::string> tags;
  std::string subject;
  std::string body;
  Instant occurred_at{};
  Instant updated_at{};
  std::string source;
  std::string source_ref;
  std::string external_key;
};

struct ServiceTicket {
  std::string id;
  std::string number;
  std::string ticket_id;
  std::string customer_id;
  std::string salesforce_case_id;
  std::string summary;
  std::string description;
  std::string status;
  std::string external_key;
  std::optional<Instant> created_at;
  std::optional<Instant> updated_at;
};

struct Task {
  std::string id;
  std::string title;
  std::string description;
  std::string status;
  std::string assigned_to;
  std::optional<Instant> due_at;
  std::string ticket_id;
  std::string external_key;
};

// ---- queries ------------------------------------------------------------------------------

struct TicketQuery {
  std::optional<Instant> updated_since;  // inclusive
  std::string customer_id;               // "" = any
};

struct InteractionQuery {
  std::optional<Instant> updated_since;  // inclusive
  std::string ticket_id;                 // "" = any
  std::string customer_id;               // "" = any
};

struct ServiceTicketQuery {
  std::optional<Instant> updated_since;
  std::string ticket_id;
  std::string salesforce_case_id;
};

enum class TaskStatus : std::uint8_t { kAny, kOpen, kInProgress };

struct TaskQuery {
  std::string assigned_to;  // "" = any
  TaskStatus status = TaskStatus::kAny;
};

// ---- writes -------------------------------------------------------------------------------

enum class DocumentKind : std::uint8_t { kEmail, kCall, kNote };
enum class Direction : std::uint8_t { kInbound, kOutbound, kInternal };
enum class Party : std::uint8_t { kNone, kCustomer, kInstaller, kSales, kManager, kInternal };

/// `forge_document`: a Salesforce interaction (e-mail, call, note) mirrored into Forge.
struct DocumentRequest {
  std::string idempotency_key;  // `<case id>:forge_document:<n>`; required
  DocumentKind kind = DocumentKind::kNote;
  Direction direction = Direction::kInternal;
  Party party = Party::kNone;
  std::string outcome;  // calls: "reached" | "voicemail" | ""
  Instant occurred_at{};
  std::string subject;
  std::string body;
  std::string ticket_id;  // at least one of ticket_id and customer_id
  std::string customer_id;
  std::string source_ref;  // the Salesforce record id
  std::vector<std::string> tags;
};

/// `forge_service_ticket`: a field-service ticket for a tier-3 case.
struct ServiceTicketRequest {
  std::string idempotency_key;  // `<case id>:forge_service_ticket:<n>`; required
  std::string customer_id;      // required
  std::string ticket_id;
  std::string salesforce_case_id;
  std::string summary;  // required
  std::string description;
};

/// A Forge task (where the policy says so).
struct TaskRequest {
  std::string idempotency_key;  // `<case id>:<action id>:<n>`; required
  std::string title;            // required
  std::string description;
  std::string assigned_to;  // Forge user id; required
  std::optional<Instant> due_at;
  std::string ticket_id;
  TaskStatus status = TaskStatus::kOpen;
};

/// Result of a create: the record's id; `created` is false when Forge answered a repeated
/// idempotency key with the record created first (200) instead of creating one (201).
struct WriteOutcome {
  std::string id;
  bool created = false;
};

}  // namespace casebridge::forge
