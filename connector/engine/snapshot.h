// The normalized case snapshot (SPEC section 2, v1): what adapters produce from Salesforce and
// Forge records and what the engine evaluates. Plain data; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/time.h"

namespace casebridge::engine {

enum class EventType : std::uint8_t {
  kCustomerMessage,
  kHomeownerContacted,
  kInstallerEmailed,
  kOutreachNote,
  kReassigned,
  kInstallerContactedHomeowner,
  kHomeownerSatisfied,
  kInstallerCalled,
  kSalesReferral,
  kAmResponded,
  kHomeownerRequestedFollowup,
  kHomeownerUnresponsive,
  kManagerNotified,
  kTaskCreated,
  kUnknown,  // unknown types are kept out of evaluation (SPEC 2: ignored)
};

/// `customer_message`, … ; kUnknown for anything else.
EventType ParseEventType(std::string_view name);
std::string_view EventTypeName(EventType type);

enum class CallOutcome : std::uint8_t { kNone, kReached, kVoicemail };
enum class Financing : std::uint8_t { kNone, kBeam, kConcert };

struct Event {
  EventType type = EventType::kUnknown;
  Instant at{};
  std::string to;                            // kReassigned: "queue:<key>" or "user:<id>"
  CallOutcome outcome = CallOutcome::kNone;  // kInstallerCalled
  std::string action;                        // kTaskCreated: action id
  std::string key;                           // kTaskCreated: idempotency key
  /// The source record the event was read from (Task, EmailMessage, FeedItem, Forge interaction
  /// id, …); "" when unknown. Evidence only: the engine never looks at it.
  std::string record;
};

struct Snapshot {
  std::string id;
  std::string source;  // "salesforce" | "forge"
  std::string number;
  Instant created_at{};
  std::optional<Instant> closed_at;
  std::string primary_reason;
  std::string secondary_reason;
  int tier = 0;       // 0 = null, else 1-4
  std::string owner;  // "queue:<key>" | "user:<id>" | ""
  Financing financing = Financing::kNone;
  bool pre_m3_pto = false;
  std::string homeowner_id;
  std::string installer_id;
  std::vector<Event> events;  // any order; the engine sorts by `at`, ties keep input order

  /// Empties every field but keeps the capacity, so a reader can reuse one Snapshot per line.
  void Clear();
};

}  // namespace casebridge::engine
