#include "connector/engine/snapshot.h"

#include <array>

namespace casebridge::engine {
namespace {

constexpr std::array<std::string_view, 14> kEventNames = {
    "customer_message",
    "homeowner_contacted",
    "installer_emailed",
    "outreach_note",
    "reassigned",
    "installer_contacted_homeowner",
    "homeowner_satisfied",
    "installer_called",
    "sales_referral",
    "am_responded",
    "homeowner_requested_followup",
    "homeowner_unresponsive",
    "manager_notified",
    "task_created",
};

}  // namespace

EventType ParseEventType(std::string_view name) {
  for (std::size_t i = 0; i < kEventNames.size(); ++i) {
    if (kEventNames[i] == name) return static_cast<EventType>(i);
  }
  return EventType::kUnknown;
}

std::string_view EventTypeName(EventType type) {
  auto const i = static_cast<std::size_t>(type);
  return i < kEventNames.size() ? kEventNames[i] : std::string_view("unknown");
}

void Snapshot::Clear() {
  id.clear();
  source.clear();
  number.clear();
  created_at = Instant{};
  closed_at.reset();
  primary_reason.clear();
  secondary_reason.clear();
  tier = 0;
  owner.clear();
  financing = Financing::kNone;
  pre_m3_pto = false;
  homeowner_id.clear();
  installer_id.clear();
  events.clear();
}

}  // namespace casebridge::engine
