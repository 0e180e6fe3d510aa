#include "connector/engine/evaluation.h"

#include <array>

namespace casebridge::engine {

std::string_view StageName(Stage stage) {
  static constexpr std::array<std::string_view, 13> kNames = {
      "closed",         "case_not_required",   "agent_steps",
      "beam_followup",  "back_office",         "installer_called",
      "sales_referral", "installer_contacted", "executive_escalation",
      "field_service",  "agent_assisted",      "self_service",
      "open",
  };
  return kNames.at(static_cast<std::size_t>(stage));
}

std::string_view FlagStatusName(FlagStatus status) {
  switch (status) {
    case FlagStatus::kMet:
      return "met";
    case FlagStatus::kBreached:
      return "breached";
    case FlagStatus::kPending:
      return "pending";
    case FlagStatus::kInfo:
      return "info";
  }
  return "pending";
}

}  // namespace casebridge::engine
