// The rule and action catalogue of SPEC 1.4: stable ids shared by the engine, the mappings
// (durations are keyed by rule id), the store and the reports.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace casebridge::mappings {

enum class RuleId : std::uint8_t {
  kResponse4bh,
  kTierUpdate24h,
  kManagerNotified,
  kRelationsMissing,
  kOutreachNoteMissing,
  kBackOfficeHandoff,
  kInstallerContact2d,
  kSalesReferral2d,
  kFollowup5d,
  kAmResponse5d,
  kBeamFollowup1w,
  kCaseNotRequired,
};
inline constexpr std::size_t kRuleCount = 12;

enum class ActionId : std::uint8_t {
  kReassignBackOffice,
  kCallInstaller,
  kSalesReferralReminder,
  kHomeownerFollowup,
  kBeamFollowup,
  kTierFollowup,
  kEscalateAmSilence,
  kNotifyManager,
  kForgeDocument,
  kForgeServiceTicket,
};
inline constexpr std::size_t kActionCount = 10;

enum class ActionKind : std::uint8_t { kReassign, kTask, kFeedPost, kForgeRecord };

/// `response_4bh`, … exactly as in SPEC 1.4.
std::string_view RuleName(RuleId id);
std::optional<RuleId> ParseRuleId(std::string_view name);
/// One-line human description of the rule (for reports and text output).
std::string_view RuleDescription(RuleId id);

/// `reassign_back_office`, … exactly as in SPEC 1.4.
std::string_view ActionName(ActionId id);
std::optional<ActionId> ParseActionId(std::string_view name);
ActionKind KindOf(ActionId id);
/// `reassign`, `task`, `feed_post`, `forge_record`.
std::string_view ActionKindName(ActionKind kind);

constexpr std::array<RuleId, kRuleCount> kAllRules = {
    RuleId::kResponse4bh,        RuleId::kTierUpdate24h,       RuleId::kManagerNotified,
    RuleId::kRelationsMissing,   RuleId::kOutreachNoteMissing, RuleId::kBackOfficeHandoff,
    RuleId::kInstallerContact2d, RuleId::kSalesReferral2d,     RuleId::kFollowup5d,
    RuleId::kAmResponse5d,       RuleId::kBeamFollowup1w,      RuleId::kCaseNotRequired,
};
constexpr std::array<ActionId, kActionCount> kAllActions = {
    ActionId::kReassignBackOffice, ActionId::kCallInstaller, ActionId::kSalesReferralReminder,
    ActionId::kHomeownerFollowup,  ActionId::kBeamFollowup,  ActionId::kTierFollowup,
    ActionId::kEscalateAmSilence,  ActionId::kNotifyManager, ActionId::kForgeDocument,
    ActionId::kForgeServiceTicket,
};

}  // namespace casebridge::mappings
