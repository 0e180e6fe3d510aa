#include "mappings/catalogue.h"

namespace casebridge::mappings {
namespace {

struct RuleInfo {
  std::string_view name;
  std::string_view description;
};

constexpr std::array<RuleInfo, kRuleCount> kRules = {{
    {"response_4bh", "Respond to every customer contact within 4 business hours"},
    {"tier_update_24h", "Tier 1/2: update the customer within 24 hours"},
    {"manager_notified", "Tier 4: notify a manager immediately"},
    {"relations_missing", "Installer complaint: case related to installer and homeowner"},
    {"outreach_note_missing", "Installer complaint: case-feed note that outreach was made"},
    {"back_office_handoff", "Installer complaint: reassigned to the back-office queue"},
    {"installer_contact_2d", "Installer contacts the homeowner within 2 days of the complaint"},
    {"sales_referral_2d", "Refer to Sales 2 days after an installer call without contact"},
    {"followup_5d", "Follow up with the homeowner at least every 5 days after referral"},
    {"am_response_5d", "Account manager responds to the Sales referral within 5 days"},
    {"beam_followup_1w", "Beam/Concert: e-mail the homeowner 1 week after handoff/request"},
    {"case_not_required", "Pre-M3 PTO complaint: no Salesforce case was required"},
}};

constexpr std::array<std::string_view, kActionCount> kActionNames = {
    "reassign_back_office", "call_installer",       "sales_referral_reminder", "homeowner_followup",
    "beam_followup",        "tier_followup",        "escalate_am_silence",     "notify_manager",
    "forge_document",       "forge_service_ticket",
};

}  // namespace

std::string_view RuleName(RuleId id) { return kRules.at(static_cast<std::size_t>(id)).name; }
std::string_view RuleDescription(RuleId id) {
  return kRules.at(static_cast<std::size_t>(id)).description;
}
std::optional<RuleId> ParseRuleId(std::string_view name) {
  for (auto id : kAllRules) {
    if (RuleName(id) == name) return id;
  }
  return std::nullopt;
}

std::string_view ActionName(ActionId id) { return kActionNames.at(static_cast<std::size_t>(id)); }
std::optional<ActionId> ParseActionId(std::string_view name) {
  for (auto id : kAllActions) {
    if (ActionName(id) == name) return id;
  }
  return std::nullopt;
}

ActionKind KindOf(ActionId id) {
  switch (id) {
    case ActionId::kReassignBackOffice:
      return ActionKind::kReassign;
    case ActionId::kEscalateAmSilence:
    case ActionId::kNotifyManager:
      return ActionKind::kFeedPost;
    case ActionId::kForgeDocument:
    case ActionId::kForgeServiceTicket:
      return ActionKind::kForgeRecord;
    default:
      return ActionKind::kTask;
  }
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kReassign:
      return "reassign";
    case ActionKind::kTask:
      return "task";
    case ActionKind::kFeedPost:
      return "feed_post";
    case ActionKind::kForgeRecord:
      return "forge_record";
  }
  return "task";
}

}  // namespace casebridge::mappings
