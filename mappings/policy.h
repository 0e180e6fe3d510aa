// The configuration model: everything an org names (reasons, queues, relations, quick replies,
// people, calendar, rule durations) as loaded from the files in a mappings directory.
//
// Flow: mappings/default/*.json (shipped, embedded in the binary) or a --policy DIR
//   -> LoadPolicy() (validates, reports every problem)  -> Policy  -> engine / adapters.
// The structs carry no org-specific defaults: the shipped files are the defaults.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mappings/catalogue.h"

namespace casebridge::mappings {

enum class DurationKind : std::uint8_t { kCalendar, kBusiness };

/// A rule's clock length. Calendar: start + length. Business: `length` of business time
/// counted by the business calendar (SPEC 1.1).
struct RuleDuration {
  std::chrono::seconds length{0};
  DurationKind kind = DurationKind::kCalendar;
};

/// Business calendar (SPEC 1.1). Local wall-clock opening hours in an IANA zone.
struct CalendarPolicy {
  std::string time_zone;                        // e.g. "America/New_York"
  std::array<bool, 7> open_days{};              // index 0 = Monday … 6 = Sunday
  std::chrono::minutes opens{0};                // minutes after local midnight
  std::chrono::minutes closes{0};               // > opens
  std::vector<std::chrono::sys_days> holidays;  // local dates, as day numbers; sorted, unique
};

struct ReasonsPolicy {
  std::string installer_complaint;                     // primary reason value
  std::vector<std::string> secondary_reasons;          // allowed secondary values
  std::map<std::string, std::string> complaint_types;  // complaint type -> secondary reason
};

struct QueuesPolicy {
  std::map<std::string, std::string> developer_names;  // mapping key -> Group DeveloperName
  std::string back_office;                             // the key of the back-office queue
};

/// Where a Salesforce org keeps the facts the snapshot needs (field API names).
struct RelationsPolicy {
  std::string installer_field;                          // Case lookup to the installer Account
  std::string homeowner_field;                          // Case lookup to the homeowner Contact
  std::string financing_field;                          // Case field naming the financing partner
  std::map<std::string, std::string> financing_values;  // raw value -> "beam" | "concert"
  std::string pre_m3_pto_field;                  // Case checkbox: complaint is pre-M3 PTO related
  std::string tier_field;                        // Case field holding the escalation tier 1-4
  std::string installer_escalation_phone_field;  // Account field: installer escalation number
};

struct QuickRepliesPolicy {
  std::string unresponsive_install;    // "Unresponsive Install"
  std::string unresponsive_beam_ho;    // "Unresponsive Beam HO"
  std::string install_complaint_done;  // "Install-Complnt Done"
};

struct Person {
  std::string name;
  std::string user_id;  // Salesforce User id; may be empty until the org fills it in
  std::string email;
};

struct PeoplePolicy {
  Person escalation_contact;     // tagged when the AM is silent (seed: Cassandra Mercado)
  std::vector<Person> managers;  // notified for tier 4 (seed: Tom O'Hearen, Alex)
  std::string beam_risk_email;   // partner risk team (seed: risk@greentechrenewables.com)
};

struct TemplatesPolicy {
  std::string referral_comment;  // Referral Comment Template; "{complaint}" is replaced
};

struct Policy {
  CalendarPolicy calendar;
  ReasonsPolicy reasons;
  QueuesPolicy queues;
  RelationsPolicy relations;
  QuickRepliesPolicy quick_replies;
  PeoplePolicy people;
  TemplatesPolicy templates;
  std::array<RuleDuration, kRuleCount> durations{};  // indexed by RuleId

  [[nodiscard]] RuleDuration const& Duration(RuleId id) const {
    return durations.at(static_cast<std::size_t>(id));
  }
};

}  // namespace casebridge::mappings
