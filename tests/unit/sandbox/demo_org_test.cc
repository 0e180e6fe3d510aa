// The sample org of the sandbox (connector/sandbox/demo_org.h): determinism, coverage of every
// branch of both procedures (checked through the engine, reading the records the way the shipped
// mappings/default/signals.json describes), record integrity, and seeding into both emulators,
// including a relationship-subquery read over loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "connector/sandbox/api_message.h"
#include "connector/sandbox/demo_org.h"
#include "connector/sandbox/forge_emulator.h"
#include "connector/sandbox/forge_service.h"
#include "connector/sandbox/salesforce_emulator.h"
#include "connector/sandbox/sf_ids.h"
#include "mappings/catalogue.h"
#include "mappings/defaults.h"
#include "mappings/loader.h"
#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

// Wednesday 15:00 in New York, three days after the spring DST change of 2026.
constexpr std::string_view kNow = "2026-03-11T19:00:00Z";

DemoOrgOptions Options(int cases = 300, std::string_view now = kNow, std::uint64_t seed = 2026) {
  DemoOrgOptions o;
  o.cases = cases;
  o.now = ParseInstant(now).value();
  o.seed = seed;
  return o;
}

json Shipped(std::string_view name) {
  auto text = mappings::ShippedMappingFile(name);
  EXPECT_TRUE(text.has_value()) << name;
  json doc = json::parse(text.value_or("{}"), nullptr, false, /*ignore_comments=*/true);
  EXPECT_FALSE(doc.is_discarded()) << name;
  return doc;
}

std::string Text(json const& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string Field(json const& record, std::string const& field) {
  return record.contains(field) ? Text(record.at(field)) : std::string();
}

bool ContainsIgnoringCase(std::string haystack, std::string needle) {
  auto lower = [](std::string& s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  lower(haystack);
  lower(needle);
  return haystack.find(needle) != std::string::npos;
}

Instant At(json const& record, std::string const& field) {
  return ParseInstant(Field(record, field)).value();
}

// The lookup field behind a relationship name: Installer__r -> Installer__c, Contact -> ContactId.
std::string LookupField(std::string const& relationship) {
  if (relationship.size() > 3 && relationship.ends_with("__r")) {
    return relationship.substr(0, relationship.size() - 3) + "__c";
  }
  return relationship + "Id";
}

// Child relationship -> (object, field on the child naming the case), as in the emulator schema.
std::map<std::string, std::pair<std::string, std::string>> const& ChildRelationships() {
  static auto const* const k = new std::map<std::string, std::pair<std::string, std::string>>{
      {"EmailMessages", {"EmailMessage", "ParentId"}},
      {"Tasks", {"Task", "WhatId"}},
      {"Feeds", {"FeedItem", "ParentId"}},
      {"Histories", {"CaseHistory", "CaseId"}},
  };
  return *k;
}

// Turns the generated Salesforce records into engine snapshots exactly as the shipped
// signals.json, relations.json and queues.json describe (a test oracle, written from those files,
// independent of the sync's adapter).
class SignalsOracle {
 public:
  explicit SignalsOracle(json const& org)
      : org_(org),
        signals_(Shipped("signals.json").at("salesforce")),
        relations_(Shipped("relations.json")),
        queues_(Shipped("queues.json")) {
    for (char const* object : {"Contact", "Account"}) {
      for (auto const& r : org.at(object)) by_id_[r.at("Id").get<std::string>()] = &r;
    }
    for (auto const& [key, developer_name] : queues_.at("queues").items()) {
      for (auto const& g : org.at("Group")) {
        if (Field(g, "DeveloperName") == developer_name.get<std::string>()) {
          queue_key_by_id_[g.at("Id").get<std::string>()] = key;
        }
      }
    }
    for (auto const& [relationship, target] : ChildRelationships()) {
      for (auto const& r : org.at(target.first)) {
        children_[Field(r, target.second)][relationship].push_back(&r);
      }
    }
  }

  [[nodiscard]] std::vector<engine::Snapshot> Snapshots() const {
    std::vector<engine::Snapshot> out;
    for (auto const& c : org_.at("Case")) out.push_back(SnapshotOf(c));
    return out;
  }

 private:
  [[nodiscard]] json Path(json const& c, std::string const& path) const {
    auto const dot = path.find('.');
    if (dot == std::string::npos) return c.contains(path) ? c.at(path) : json();
    std::string const id = Field(c, LookupField(path.substr(0, dot)));
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return {};
    std::string const field = path.substr(dot + 1);
    return it->second->contains(field) ? it->second->at(field) : json();
  }

  [[nodiscard]] engine::Snapshot SnapshotOf(json const& c) const {
    json const& cs = signals_.at("case");
    engine::Snapshot s;
    s.id = Field(c, "Id");
    s.source = "salesforce";
    s.number = Field(c, cs.at("number_field"));
    s.created_at = At(c, cs.at("created_field"));
    if (!Field(c, cs.at("closed_field")).empty()) s.closed_at = At(c, cs.at("closed_field"));
    s.primary_reason = Field(c, cs.at("primary_reason_field"));
    s.secondary_reason = Field(c, cs.at("secondary_reason_field"));
    json const tier = Path(c, relations_.at("tier_field"));
    s.tier = tier.is_number() ? tier.get<int>() : 0;
    std::string const owner = Field(c, cs.at("owner_field"));
    s.owner =
        queue_key_by_id_.contains(owner) ? "queue:" + queue_key_by_id_.at(owner) : "user:" + owner;
    std::string const financing = Field(c, relations_.at("financing_field"));
    json const& financing_values = relations_.at("financing_values");
    if (financing_values.contains(financing)) {
      s.financing = financing_values.at(financing) == "beam" ? engine::Financing::kBeam
                                                             : engine::Financing::kConcert;
    }
    s.pre_m3_pto = Path(c, relations_.at("pre_m3_pto_field")) == json(true);
    s.homeowner_id = Field(c, relations_.at("homeowner_field"));
    s.installer_id = Field(c, relations_.at("installer_field"));
    std::string const homeowner_email = Text(Path(c, cs.at("homeowner_email_field")));
    std::string const installer_email = Text(Path(c, cs.at("installer_email_field")));

    static std::vector<json const*> const kNone;
    auto related = [&](std::string const& relationship) -> std::vector<json const*> const& {
      auto it = children_.find(s.id);
      if (it == children_.end()) return kNone;
      auto jt = it->second.find(relationship);
      return jt == it->second.end() ? kNone : jt->second;
    };
    for (auto const& spec : signals_.at("events")) {
      for (json const* r : related(spec.at("from"))) {
        if (!Matches(*r, spec, s, homeowner_email, installer_email)) continue;
        engine::Event e;
        e.type = engine::ParseEventType(spec.at("event").get<std::string>());
        for (auto const& f : spec.at("at")) {
          if (!Field(*r, f).empty()) {
            e.at = At(*r, f);
            break;
          }
        }
        if (spec.contains("to_field")) {
          std::string const to = Field(*r, spec.at("to_field"));
          e.to = queue_key_by_id_.contains(to) ? "queue:" + queue_key_by_id_.at(to) : "user:" + to;
        }
        if (spec.contains("outcome_field")) {
          std::string const raw = Field(*r, spec.at("outcome_field"));
          if (spec.at("outcome_values").contains(raw)) {
            e.outcome = spec.at("outcome_values").at(raw) == "reached"
                            ? engine::CallOutcome::kReached
                            : engine::CallOutcome::kVoicemail;
          }
        }
        s.events.push_back(e);
      }
    }
    // Records casebridge wrote: Tasks by their key field, feed posts by their marker.
    std::string const key_field = signals_.at("task_key_field");
    for (json const* t : related("Tasks")) {
      if (std::string const key = Field(*t, key_field); !key.empty()) {
        s.events.push_back(TaskCreated(key, At(*t, "CreatedDate")));
      }
    }
    std::string const marker = signals_.at("feed_key_marker");
    std::string const prefix = marker.substr(0, marker.find("{key}"));
    for (json const* f : related("Feeds")) {
      std::string const body = Field(*f, "Body");
      if (auto pos = body.find(prefix); pos != std::string::npos) {
        auto const end = body.find(']', pos);
        s.events.push_back(TaskCreated(body.substr(pos + prefix.size(), end - pos - prefix.size()),
                                       At(*f, "CreatedDate")));
      }
    }
    return s;
  }

  static engine::Event TaskCreated(std::string const& key, Instant at) {
    engine::Event e;
    e.type = engine::EventType::kTaskCreated;
    e.at = at;
    e.key = key;
    auto const first = key.find(':');
    e.action = key.substr(first + 1, key.rfind(':') - first - 1);
    return e;
  }

  [[nodiscard]] static bool Matches(json const& r, json const& spec, engine::Snapshot const& s,
                                    std::string const& homeowner_email,
                                    std::string const& installer_email) {
    if (spec.contains("when")) {
      for (auto const& [field, accepted] : spec.at("when").items()) {
        std::string const value = Field(r, field);
        if (std::find(accepted.begin(), accepted.end(), json(value)) == accepted.end()) {
          return false;
        }
      }
    }
    if (spec.contains("contains")) {
      for (auto const& [field, text] : spec.at("contains").items()) {
        if (!ContainsIgnoringCase(Field(r, field), text.get<std::string>())) return false;
      }
    }
    if (spec.contains("recipient")) {
      for (auto const& [field, who] : spec.at("recipient").items()) {
        std::string const email = who == "homeowner" ? homeowner_email : installer_email;
        if (email.empty() || !ContainsIgnoringCase(Field(r, field), email)) return false;
      }
    }
    if (spec.contains("who")) {
      for (auto const& [field, who] : spec.at("who").items()) {
        EXPECT_EQ(who, "homeowner");
        if (s.homeowner_id.empty() || Field(r, field) != s.homeowner_id) return false;
      }
    }
    return true;
  }

  json const& org_;
  json signals_;
  json relations_;
  json queues_;
  std::map<std::string, json const*> by_id_;
  std::map<std::string, std::string> queue_key_by_id_;
  std::map<std::string, std::map<std::string, std::vector<json const*>>> children_;
};

struct EngineFixture {
  mappings::Policy policy = mappings::LoadPolicyOrError("").value();
  engine::BusinessCalendar calendar = engine::BusinessCalendar::Create(policy.calendar).value();
  engine::Engine engine{policy, calendar};
};

// Case id -> its scenario.
std::map<std::string, std::string> ScenarioById(json const& org, DemoOrgStats const& stats) {
  std::map<std::string, std::string> out;
  auto const& cases = org.at("Case");
  EXPECT_EQ(cases.size(), stats.case_scenarios.size());
  for (std::size_t i = 0; i < cases.size() && i < stats.case_scenarios.size(); ++i) {
    out[cases[i].at("Id").get<std::string>()] = stats.case_scenarios[i];
  }
  return out;
}

// The instants of every dated field of a record.
std::vector<Instant> Instants(json const& record) {
  std::vector<Instant> out;
  for (char const* f : {"CreatedDate", "MessageDate", "CompletedDateTime", "ClosedDate",
                        "LastModifiedDate", "SystemModstamp"}) {
    if (!Field(record, f).empty()) out.push_back(At(record, f));
  }
  return out;
}

// ---- determinism ---------------------------------------------------------------------------

TEST(DemoOrg, SameOptionsGiveByteIdenticalDocuments) {
  EXPECT_EQ(GenerateSalesforceDemoOrg(Options()).dump(),
            GenerateSalesforceDemoOrg(Options()).dump());
  EXPECT_EQ(GenerateForgeDemoOrg(Options()).dump(), GenerateForgeDemoOrg(Options()).dump());
  EXPECT_EQ(DescribeDemoOrg(Options()).case_scenarios, DescribeDemoOrg(Options()).case_scenarios);
}

// `casebridge sandbox --demo-org N` seeds the org in parts: together they are the document.
TEST(DemoOrg, ThePartsMakeUpTheWholeDocument) {
  json merged = json::object();
  int parts = 0;
  Status const s = GenerateSalesforceDemoOrgInParts(Options(), 70, [&](json part) {
    ++parts;
    for (auto& [key, value] : part.items()) {
      if (!value.is_array()) {
        merged[key] = std::move(value);
        continue;
      }
      if (!merged.contains(key)) merged[key] = json::array();
      for (auto& record : value) merged[key].push_back(std::move(record));
    }
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(parts, 1 + (Options().cases + 69) / 70);
  EXPECT_EQ(merged, GenerateSalesforceDemoOrg(Options()));
}

TEST(DemoOrg, DifferentSeedsGiveDifferentDocuments) {
  auto const other = Options(300, kNow, 7);
  EXPECT_NE(GenerateSalesforceDemoOrg(Options()).dump(), GenerateSalesforceDemoOrg(other).dump());
  EXPECT_NE(GenerateForgeDemoOrg(Options()).dump(), GenerateForgeDemoOrg(other).dump());
  EXPECT_NE(DescribeDemoOrg(Options()).case_scenarios, DescribeDemoOrg(other).case_scenarios);
}

// ---- coverage ------------------------------------------------------------------------------

TEST(DemoOrg, ThreeHundredCasesCoverEveryScenario) {
  std::set<std::string> const expected = {
      "ic_agent_steps_in_progress",
      "ic_relations_missing",
      "ic_outreach_note_missing",
      "ic_not_handed_off",
      "ic_back_office_within_2d",
      "ic_back_office_call_task_exists",
      "ic_back_office_past_2d",
      "ic_installer_called_reached",
      "ic_installer_called_voicemail",
      "ic_installer_contacted_homeowner",
      "ic_homeowner_satisfied_closed",
      "ic_sales_referral_recent",
      "ic_sales_referral_am_silent",
      "ic_sales_referral_am_responded",
      "ic_followup_chain_broken",
      "ic_sales_referral_resolved_closed",
      "beam_not_handed_off",
      "beam_handed_off",
      "beam_followup_sent",
      "beam_homeowner_requested_followup",
      "beam_unresponsive_closed",
      "ic_pre_m3_pto",
      "general_tier_1",
      "general_tier_1_followup_task_exists",
      "general_tier_2",
      "general_tier_3",
      "general_tier_4_manager_notified",
      "general_tier_4_manager_not_notified",
      "general_tier_4_casebridge_post_exists",
      "general_no_tier",
      "general_closed",
      "followup_email_answered_in_time",
      "followup_email_answered_late",
      "followup_email_friday_evening",
      "followup_email_before_opening",
      "followup_email_weekend",
      "followup_email_holiday",
      "followup_email_dst_change",
      "followup_email_unanswered",
      "forge_tier_1",
      "forge_tier_2",
      "forge_tier_3",
      "forge_tier_4",
      "forge_no_tier",
      "forge_installer_complaint",
  };
  DemoOrgStats const stats = DescribeDemoOrg(Options());
  std::set<std::string> seen;
  int salesforce_cases = 0;
  for (auto const& [name, count] : stats.by_scenario) {
    EXPECT_GE(count, 2) << name;
    seen.insert(name);
    if (!name.starts_with("forge_")) salesforce_cases += count;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(salesforce_cases, 300);
  EXPECT_EQ(stats.case_scenarios.size(), 300U);
}

TEST(DemoOrg, EveryEscalationStepOfTheSignalsMappingIsUsed) {
  std::set<std::string> wanted;
  json const signals = Shipped("signals.json");
  for (auto const& e : signals.at("salesforce").at("events")) {
    if (!e.contains("when") || !e.at("when").contains("Escalation_Step__c")) continue;
    for (auto const& v : e.at("when").at("Escalation_Step__c")) {
      if (!v.get<std::string>().empty()) wanted.insert(v.get<std::string>());
    }
  }
  ASSERT_EQ(wanted.size(), 8U);
  std::map<std::string, int> used;
  json const org = GenerateSalesforceDemoOrg(Options());
  for (auto const& t : org.at("Task")) {
    if (!Field(t, "Escalation_Step__c").empty()) ++used[Field(t, "Escalation_Step__c")];
  }
  for (auto const& step : wanted) EXPECT_GT(used[step], 0) << step;
  for (auto const& [step, count] : used) EXPECT_TRUE(wanted.contains(step)) << step;
}

TEST(DemoOrg, CoversTiersFinancingPartnersPreM3ClosedCasesAndExistingCasebridgeRecords) {
  json const org = GenerateSalesforceDemoOrg(Options());
  json const reasons = Shipped("reasons.json");
  std::set<std::string> const secondary(reasons.at("secondary_reasons").begin(),
                                        reasons.at("secondary_reasons").end());
  std::map<std::string, int> tiers;
  std::map<std::string, int> financing;
  std::set<std::string> secondary_used;
  int pre_m3 = 0;
  int closed = 0;
  int complaints = 0;
  for (auto const& c : org.at("Case")) {
    ++tiers[Field(c, "Escalation_Tier__c")];
    ++financing[Field(c, "Financing_Partner__c")];
    pre_m3 += c.at("Pre_M3_PTO__c") == json(true) ? 1 : 0;
    if (Field(c, "Status") == "Closed") {
      ++closed;
      EXPECT_FALSE(Field(c, "ClosedDate").empty()) << c.at("Id");
    }
    if (Field(c, "Reason") == reasons.at("installer_complaint")) {
      ++complaints;
      EXPECT_TRUE(secondary.contains(Field(c, "Secondary_Reason__c"))) << c.at("Id");
      secondary_used.insert(Field(c, "Secondary_Reason__c"));
    }
  }
  for (char const* tier : {"", "1", "2", "3", "4"}) EXPECT_GT(tiers[tier], 0) << "tier " << tier;
  EXPECT_GT(financing["Beam"], 0);
  EXPECT_GT(financing["Concert"], 0);
  EXPECT_GT(pre_m3, 0);
  EXPECT_GT(closed, 20);
  EXPECT_GT(complaints, 100);
  EXPECT_EQ(secondary_used, secondary);

  std::map<std::string, int> keys;
  std::set<std::string> case_ids;
  for (auto const& c : org.at("Case")) case_ids.insert(c.at("Id").get<std::string>());
  for (auto const& t : org.at("Task")) {
    std::string const key = Field(t, "Casebridge_Key__c");
    if (key.empty()) continue;
    // <case id>:<action>:1 on the Task of that case.
    std::regex const shape("([0-9A-Za-z]{18}):([a-z_]+):1");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(key, m, shape)) << key;
    EXPECT_EQ(m[1].str(), Field(t, "WhatId"));
    EXPECT_TRUE(case_ids.contains(m[1].str()));
    ++keys[m[2].str()];
  }
  EXPECT_GT(keys["call_installer"], 0);
  EXPECT_GT(keys["tier_followup"], 0);
  EXPECT_GT(keys["beam_followup"], 0);
  int posts = 0;
  for (auto const& f : org.at("FeedItem")) {
    if (Field(f, "Body").find("[casebridge:" + Field(f, "ParentId") + ":notify_manager:1]") !=
        std::string::npos) {
      ++posts;
    }
  }
  EXPECT_GT(posts, 0);
}

void ExpectEveryOutcome(DemoOrgOptions const& opts) {
  json const org = GenerateSalesforceDemoOrg(opts);
  EngineFixture f;
  Instant const now = opts.now;
  std::set<std::pair<std::string, std::string>> outcomes;
  std::set<std::string> stages;
  std::map<std::string, int> actions;
  for (auto const& s : SignalsOracle(org).Snapshots()) {
    engine::Evaluation const e = f.engine.Evaluate(s, now);
    stages.insert(std::string(engine::StageName(e.stage)));
    for (auto const& flag : e.flags) {
      outcomes.emplace(mappings::RuleName(flag.rule), engine::FlagStatusName(flag.status));
    }
    for (auto const& a : e.actions) ++actions[std::string(mappings::ActionName(a.action))];
  }
  std::set<std::pair<std::string, std::string>> const expected = {
      {"response_4bh", "met"},
      {"response_4bh", "breached"},
      {"response_4bh", "pending"},
      {"tier_update_24h", "met"},
      {"tier_update_24h", "breached"},
      {"tier_update_24h", "pending"},
      {"manager_notified", "met"},
      {"manager_notified", "breached"},
      {"relations_missing", "met"},
      {"relations_missing", "breached"},
      {"outreach_note_missing", "met"},
      {"outreach_note_missing", "breached"},
      {"outreach_note_missing", "pending"},
      {"back_office_handoff", "met"},
      {"back_office_handoff", "breached"},
      {"back_office_handoff", "pending"},
      {"installer_contact_2d", "met"},
      {"installer_contact_2d", "breached"},
      {"installer_contact_2d", "pending"},
      {"sales_referral_2d", "met"},
      {"sales_referral_2d", "breached"},
      {"sales_referral_2d", "pending"},
      {"followup_5d", "met"},
      {"followup_5d", "breached"},
      {"followup_5d", "pending"},
      {"am_response_5d", "met"},
      {"am_response_5d", "breached"},
      {"am_response_5d", "pending"},
      {"beam_followup_1w", "met"},
      {"beam_followup_1w", "breached"},
      {"beam_followup_1w", "pending"},
      {"case_not_required", "info"},
  };
  // A running 2-day clock after an installer call needs a call in the last two days: none can
  // exist when those days held no business hours (a Monday before opening).
  bool const recent_business = f.calendar.Elapsed(now - hours(40), now) >= hours(2);
  for (auto const& o : expected) {
    if (o == std::pair<std::string, std::string>{"sales_referral_2d", "pending"} &&
        !recent_business) {
      continue;
    }
    EXPECT_TRUE(outcomes.contains(o)) << o.first << " " << o.second;
  }
  for (auto stage :
       {engine::Stage::kClosed, engine::Stage::kCaseNotRequired, engine::Stage::kAgentSteps,
        engine::Stage::kBeamFollowup, engine::Stage::kBackOffice, engine::Stage::kInstallerCalled,
        engine::Stage::kSalesReferral, engine::Stage::kInstallerContacted,
        engine::Stage::kExecutiveEscalation, engine::Stage::kFieldService,
        engine::Stage::kAgentAssisted, engine::Stage::kSelfService, engine::Stage::kOpen}) {
    EXPECT_TRUE(stages.contains(std::string(engine::StageName(stage)))) << engine::StageName(stage);
  }
  for (char const* action :
       {"reassign_back_office", "call_installer", "sales_referral_reminder", "homeowner_followup",
        "beam_followup", "tier_followup", "escalate_am_silence", "notify_manager"}) {
    EXPECT_GT(actions[action], 0) << action;
  }
}

// Through the engine: every rule outcome, stage and engine action the procedures have shows up
// somewhere in 300 cases, whatever the time of the week and the seed (a Wednesday afternoon,
// Sunday evening, Monday before opening after a weekend, Saturday, Friday night, a Tuesday
// after a holiday weekend).
TEST(DemoOrg, TheEngineSeesEveryRuleOutcomeStageAndActionAtThreeHundredCases) {
  for (auto const& [now_text, seed] :
       std::vector<std::pair<std::string, std::uint64_t>>{{std::string(kNow), 2026},
                                                          {"2026-11-22T22:36:00Z", 1},
                                                          {"2026-11-23T13:30:00Z", 2},
                                                          {"2026-03-07T15:00:00Z", 3},
                                                          {"2026-05-29T21:30:00Z", 4},
                                                          {"2026-09-08T14:00:00Z", 5},
                                                          {"2026-12-28T23:00:00Z", 6},
                                                          {"2027-01-04T14:05:00Z", 7},
                                                          {"2026-10-10T16:00:00Z", 8},
                                                          {"2026-07-06T14:00:00Z", 9},
                                                          {"2026-11-22T22:36:00Z", 10},
                                                          {"2026-11-23T13:30:00Z", 11},
                                                          {"2026-11-23T13:30:00Z", 12},
                                                          {"2026-03-11T19:00:00Z", 13},
                                                          {"2026-03-11T19:00:00Z", 14}}) {
    SCOPED_TRACE(now_text + " seed " + std::to_string(seed));
    ExpectEveryOutcome(Options(300, now_text, seed));
  }
}

// The Tasks and the feed post casebridge "already wrote" are exactly the ones the engine would
// plan: without them the engine plans those keys, with them it does not.
TEST(DemoOrg, ExistingCasebridgeRecordsSuppressActionsTheEngineWouldOtherwisePlan) {
  json const org = GenerateSalesforceDemoOrg(Options());
  EngineFixture f;
  Instant const now = Options().now;
  int checked = 0;
  for (auto const& s : SignalsOracle(org).Snapshots()) {
    std::vector<std::string> existing;
    engine::Snapshot without = s;
    std::erase_if(without.events, [&](engine::Event const& e) {
      if (e.type != engine::EventType::kTaskCreated) return false;
      existing.push_back(e.key);
      return true;
    });
    if (existing.empty()) continue;
    engine::Evaluation const with_records = f.engine.Evaluate(s, now);
    engine::Evaluation const without_records = f.engine.Evaluate(without, now);
    for (auto const& key : existing) {
      if (key.find(":notify_manager:") != std::string::npos) {
        // The post itself is also the manager_notified signal: nothing to plan either way.
        continue;
      }
      ++checked;
      auto planned = [&](engine::Evaluation const& e) {
        return std::any_of(e.actions.begin(), e.actions.end(),
                           [&](engine::PlannedAction const& a) { return a.key == key; });
      };
      EXPECT_TRUE(planned(without_records)) << key;
      EXPECT_FALSE(planned(with_records)) << key;
    }
  }
  EXPECT_GE(checked, 10);
}

// ---- time ----------------------------------------------------------------------------------

TEST(DemoOrg, EasternTimeAgreesWithTheTzDatabase) {
  // The engine's calendar opens at 09:00 America/New_York per the OS tzdb; the generator's own
  // rule must give the same instants across many DST changes.
  EngineFixture f;
  auto const first = std::chrono::sys_days(std::chrono::year(2021) / 1 / 4);
  for (auto d = first; d < first + days(7 * 52 * 8); d += days(1)) {
    std::chrono::weekday const wd(d);
    if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) continue;
    Instant const opening =
        f.calendar.Due(Instant(d), std::chrono::seconds(1)) - std::chrono::seconds(1);
    ASSERT_EQ(demo_org_internal::EasternToUtc(d, hours(9)), opening) << FormatDate(d);
    ASSERT_EQ(demo_org_internal::IsEasternDst(opening),
              opening - Instant(d) == hours(13))  // 09:00 EDT is 13:00Z
        << FormatDate(d);
  }
}

TEST(DemoOrg, FederalHolidaysMatchTheExampleListOfTheShippedCalendar) {
  std::string const text(mappings::ShippedMappingFile("calendar.json").value());
  std::regex const date("\"(20[0-9]{2}-[0-9]{2}-[0-9]{2})\"");
  std::map<int, std::vector<std::string>> by_year;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), date); it != std::sregex_iterator();
       ++it) {
    std::string const d = (*it)[1].str();
    by_year[std::stoi(d.substr(0, 4))].push_back(d);
  }
  ASSERT_FALSE(by_year.empty());
  for (auto const& [year, dates] : by_year) {
    std::vector<std::string> generated;
    for (auto d : demo_org_internal::UsFederalHolidays(year)) generated.push_back(FormatDate(d));
    EXPECT_EQ(generated, dates) << year;
  }
}

// The business-hours edge cases: each follow-up e-mail is answered 30 minutes before or after its
// due time as the engine computes it (the holiday one by a calendar that lists the holiday).
TEST(DemoOrg, BusinessHoursEdgeCasesAreAnsweredHalfAnHourFromTheirDueTime) {
  auto const options = Options();
  json const org = GenerateSalesforceDemoOrg(options);
  auto const scenario = ScenarioById(org, DescribeDemoOrg(options));
  EngineFixture f;
  std::map<std::string, std::vector<json const*>> emails;
  for (auto const& e : org.at("EmailMessage")) emails[Field(e, "ParentId")].push_back(&e);
  std::map<std::string, std::set<std::int64_t>> offsets;  // scenario -> reply - due, minutes
  for (auto const& c : org.at("Case")) {
    std::string const id = c.at("Id");
    std::string const& name = scenario.at(id);
    if (!name.starts_with("followup_email_")) continue;
    // The homeowner's follow-up is the last incoming e-mail; the answer the next outgoing one.
    std::optional<Instant> message;
    std::optional<Instant> reply;
    for (json const* e : emails[id]) {
      if ((*e).at("Incoming") == json(true)) {
        message = At(*e, "MessageDate");
        reply.reset();
      } else if (message && !reply && At(*e, "MessageDate") > *message) {
        reply = At(*e, "MessageDate");
      }
    }
    ASSERT_TRUE(message.has_value()) << id;
    EXPECT_LT(*message, options.now);
    if (name == "followup_email_unanswered") {
      EXPECT_FALSE(reply.has_value()) << id;
      continue;
    }
    ASSERT_TRUE(reply.has_value()) << id << " " << name;
    Instant const due = f.calendar.Due(*message, hours(4));
    bool const edge =
        name != "followup_email_answered_in_time" && name != "followup_email_answered_late";
    if (edge) {
      // Before opening and at weekends: outside business hours. Friday evening and the Friday
      // before a DST change: in the last hour before closing. A holiday is a business day for the
      // shipped calendar, which lists none.
      bool const outside = f.calendar.Elapsed(*message, *message + minutes(1)).count() == 0;
      bool const last_hour = !outside && f.calendar.Elapsed(*message, *message + hours(1)) <
                                             std::chrono::seconds(hours(1));
      if (name == "followup_email_before_opening" || name == "followup_email_weekend") {
        EXPECT_TRUE(outside) << id << " " << name;
      } else if (name == "followup_email_holiday") {
        EXPECT_FALSE(outside) << id << " " << name;
      } else {
        EXPECT_TRUE(last_hour || outside) << id << " " << name;
      }
    }
    if (name == "followup_email_holiday") {
      mappings::CalendarPolicy with_holiday = f.policy.calendar;
      with_holiday.holidays.push_back(std::chrono::floor<days>(*message - hours(5)));
      auto const holiday_calendar = engine::BusinessCalendar::Create(with_holiday).value();
      EXPECT_EQ(*reply, holiday_calendar.Due(*message, hours(4)) - minutes(30)) << id;
      EXPECT_GT(*reply, due) << id;  // late for the shipped calendar, which lists no holidays
      offsets[name].insert(0);
    } else if (name == "followup_email_answered_in_time") {
      EXPECT_LE(*reply, due) << id;
      offsets[name].insert(0);
    } else if (name == "followup_email_answered_late") {
      EXPECT_GT(*reply, due) << id;
      offsets[name].insert(0);
    } else {
      auto const off = std::chrono::duration_cast<minutes>(*reply - due).count();
      EXPECT_TRUE(off == -30 || off == 30) << id << " " << name << " " << off;
      offsets[name].insert(off);
    }
    if (name == "followup_email_friday_evening") {
      EXPECT_GE(due - *message, hours(60)) << id;  // answered after the weekend
    }
    if (name == "followup_email_dst_change") {
      // The weekend between the message and the answer changes the UTC offset.
      EXPECT_NE(demo_org_internal::IsEasternDst(*message), demo_org_internal::IsEasternDst(*reply))
          << id;
    }
  }
  for (char const* name : {"followup_email_friday_evening", "followup_email_weekend"}) {
    EXPECT_EQ(offsets[name], (std::set<std::int64_t>{-30, 30})) << name;
  }
  for (char const* name :
       {"followup_email_before_opening", "followup_email_holiday", "followup_email_dst_change",
        "followup_email_answered_in_time", "followup_email_answered_late"}) {
    EXPECT_FALSE(offsets[name].empty()) << name;
  }
}

// History lies before `now`, inside the window (except the calendar-anchored cases), and a Case's
// modstamp is its latest activity.
TEST(DemoOrg, EveryRecordLiesBeforeNowAndCaseModstampIsItsLatestActivity) {
  for (std::string_view now :
       std::array<std::string_view, 5>{kNow, "2026-11-22T22:36:00Z", "2026-09-08T12:30:00Z",
                                       "2027-01-04T13:00:00Z", "2026-03-06T23:10:00Z"}) {
    SCOPED_TRACE(now);
    auto const options = Options(300, now);
    json const org = GenerateSalesforceDemoOrg(options);
    auto const scenario = ScenarioById(org, DescribeDemoOrg(options));
    std::map<std::string, Instant> created;
    for (auto const& c : org.at("Case")) created[c.at("Id")] = At(c, "CreatedDate");
    std::map<std::string, Instant> latest = created;
    for (auto const& [relationship, target] : ChildRelationships()) {
      for (auto const& r : org.at(target.first)) {
        for (Instant t : Instants(r)) {
          EXPECT_LT(t, options.now) << r.at("Id");
          auto& l = latest[Field(r, target.second)];
          l = std::max(l, t);
        }
        EXPECT_GE(At(r, "CreatedDate"), created.at(Field(r, target.second))) << r.at("Id");
      }
    }
    Instant const window_start = options.now - days(options.history_days);
    for (auto const& c : org.at("Case")) {
      std::string const id = c.at("Id");
      EXPECT_EQ(At(c, "SystemModstamp"), latest[id]) << id;
      EXPECT_EQ(At(c, "LastModifiedDate"), latest[id]) << id;
      EXPECT_LT(At(c, "CreatedDate"), options.now) << id;
      std::string const& name = scenario.at(id);
      if (name != "followup_email_holiday" && name != "followup_email_dst_change") {
        EXPECT_GE(At(c, "CreatedDate"), window_start - days(7)) << id << " " << name;
      }
    }
    // All scenarios exist at every time of the week.
    EXPECT_EQ(DescribeDemoOrg(options).by_scenario.size(), 45U);
  }
}

// ---- record integrity ----------------------------------------------------------------------

TEST(DemoOrg, OutgoingEmailsAddressTheContactOrTheInstallerEscalationEmail) {
  json const org = GenerateSalesforceDemoOrg(Options());
  std::map<std::string, json const*> by_id;
  for (char const* object : {"Case", "Contact", "Account"}) {
    for (auto const& r : org.at(object)) by_id[r.at("Id")] = &r;
  }
  std::set<std::string> installer_emails;
  for (auto const& a : org.at("Account")) installer_emails.insert(Field(a, "Escalation_Email__c"));
  int to_homeowner = 0;
  int to_installer = 0;
  int to_partner = 0;
  for (auto const& e : org.at("EmailMessage")) {
    json const& c = *by_id.at(Field(e, "ParentId"));
    std::string const to = Field(e, "ToAddress");
    if (e.at("Incoming") == json(true)) {
      EXPECT_EQ(to, "support@sunnyside.example");
      continue;
    }
    if (installer_emails.contains(to)) {
      ++to_installer;
      if (!Field(c, "Installer__c").empty()) {
        EXPECT_EQ(to, Field(*by_id.at(Field(c, "Installer__c")), "Escalation_Email__c"));
      }
    } else if (to == "risk@greentechrenewables.com") {
      ++to_partner;
      EXPECT_FALSE(Field(c, "Financing_Partner__c").empty());
    } else {
      ++to_homeowner;
      std::string const contact = Field(c, "ContactId");
      std::string const expected =
          contact.empty() ? Field(c, "SuppliedEmail") : Field(*by_id.at(contact), "Email");
      EXPECT_EQ(to, expected) << e.at("Id");
    }
  }
  EXPECT_GT(to_homeowner, 100);
  EXPECT_GT(to_installer, 50);
  EXPECT_GT(to_partner, 5);
}

TEST(DemoOrg, OwnerChangesAreRecordedAsTextAndEntityIdHistoryPairs) {
  json const org = GenerateSalesforceDemoOrg(Options());
  std::string back_office;
  for (auto const& g : org.at("Group")) {
    if (Field(g, "DeveloperName") == "Back_Office") back_office = g.at("Id");
  }
  std::map<std::string, std::string> owner_by_case;  // from the last EntityId row
  std::map<std::string, int> created_rows;
  auto const& rows = org.at("CaseHistory");
  int to_back_office = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json const& r = rows[i];
    if (Field(r, "Field") == "created") ++created_rows[Field(r, "CaseId")];
    if (Field(r, "Field") != "Owner") continue;
    if (Field(r, "DataType") == "Text") {
      ASSERT_LT(i + 1, rows.size());
      json const& ids = rows[i + 1];
      EXPECT_EQ(Field(ids, "Field"), "Owner");
      EXPECT_EQ(Field(ids, "DataType"), "EntityId");
      EXPECT_EQ(Field(ids, "CaseId"), Field(r, "CaseId"));
      EXPECT_EQ(Field(ids, "CreatedDate"), Field(r, "CreatedDate"));
    } else {
      EXPECT_EQ(Field(r, "DataType"), "EntityId");
      EXPECT_TRUE(NormalizeId(Field(r, "NewValue")).has_value());
      owner_by_case[Field(r, "CaseId")] = Field(r, "NewValue");
      to_back_office += Field(r, "NewValue") == back_office ? 1 : 0;
    }
  }
  EXPECT_GT(to_back_office, 100);
  for (auto const& c : org.at("Case")) {
    EXPECT_EQ(created_rows[c.at("Id")], 1) << c.at("Id");
    if (owner_by_case.contains(c.at("Id"))) {
      EXPECT_EQ(Field(c, "OwnerId"), owner_by_case[c.at("Id")]) << c.at("Id");
    }
  }
}

TEST(DemoOrg, IdsAreValidAndUniqueAndChildrenReferenceExistingCasesAt20000Cases) {
  auto const options = Options(20000);
  json const org = GenerateSalesforceDemoOrg(options);
  ASSERT_EQ(org.at("Case").size(), 20000U);
  std::set<std::string> ids;
  std::set<std::string> keys;  // 15-character keys: unique regardless of case
  std::map<std::string, std::string> object_of;
  std::set<std::string> numbers;
  for (auto const& [object, records] : org.items()) {
    if (object == "_fields") continue;
    for (auto const& r : records) {
      std::string const id = r.at("Id");
      ASSERT_EQ(id.size(), 18U) << id;
      EXPECT_EQ(NormalizeId(id), id) << id;
      EXPECT_TRUE(ids.insert(id).second) << id;
      EXPECT_TRUE(keys.insert(id.substr(0, 15)).second) << id;
      object_of[id] = object;
    }
  }
  for (auto const& c : org.at("Case")) {
    EXPECT_EQ(Field(c, "Id").substr(0, 3), "500");
    EXPECT_TRUE(numbers.insert(Field(c, "CaseNumber")).second);
    for (char const* ref : {"ContactId", "Installer__c", "OwnerId", "CreatedById"}) {
      std::string const v = Field(c, ref);
      if (!v.empty()) {
        EXPECT_TRUE(object_of.contains(v)) << ref << " " << v;
      }
    }
  }
  for (auto const& [relationship, target] : ChildRelationships()) {
    for (auto const& r : org.at(target.first)) {
      EXPECT_EQ(object_of[Field(r, target.second)], "Case") << r.at("Id");
      for (char const* ref : {"WhoId", "OwnerId", "CreatedById"}) {
        std::string const v = Field(r, ref);
        if (!v.empty()) {
          EXPECT_TRUE(object_of.contains(v)) << ref << " " << v;
        }
      }
    }
  }
}

TEST(DemoOrg, DescribeMatchesTheDocuments) {
  auto const options = Options();
  DemoOrgStats const stats = DescribeDemoOrg(options);
  json const sf = GenerateSalesforceDemoOrg(options);
  json const forge = GenerateForgeDemoOrg(options);
  for (auto const& [object, count] : stats.salesforce_records) {
    EXPECT_EQ(sf.at(object).size(), static_cast<std::size_t>(count)) << object;
  }
  EXPECT_EQ(stats.salesforce_records.size() + 1, sf.size());  // + _fields
  for (auto const& [collection, count] : stats.forge_records) {
    EXPECT_EQ(forge.at(collection).size(), static_cast<std::size_t>(count)) << collection;
  }
  EXPECT_EQ(stats.forge_records.size(), forge.size());
  EXPECT_TRUE(DescribeDemoOrg(Options(0)).by_scenario.empty());
  EXPECT_TRUE(GenerateSalesforceDemoOrg(Options(0)).at("Case").empty());
  EXPECT_TRUE(GenerateForgeDemoOrg(Options(-5)).at("tickets").empty());
}

// ---- seeding -------------------------------------------------------------------------------

TEST(DemoOrg, SeedsIntoTheSalesforceEmulatorWithMatchingRecordCounts) {
  auto const options = Options();
  json const org = GenerateSalesforceDemoOrg(options);
  SalesforceEmulator emulator;
  Status const seeded = emulator.SeedFromJson(org);
  ASSERT_TRUE(seeded.ok()) << seeded;
  for (auto const& [object, records] : org.items()) {
    if (object == "_fields") continue;
    EXPECT_EQ(emulator.Records(object).size(), records.size()) << object;
  }
  // Stored as given: the modstamp and derived fields are not replaced by the emulator's clock.
  auto const& c = org.at("Case").at(0);
  auto const stored = emulator.FindRecord(c.at("Id").get<std::string>());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(At(*stored, "SystemModstamp"), At(c, "SystemModstamp"));
  EXPECT_EQ(At(*stored, "CreatedDate"), At(c, "CreatedDate"));
  for (auto const& t : emulator.Records("Task")) {
    if (Field(t, "Status") == "Completed") {
      EXPECT_FALSE(Field(t, "CompletedDateTime").empty()) << t.at("Id");
    }
  }
}

TEST(DemoOrg, SeedsIntoTheForgeEmulatorAndLinksTicketsToSalesforceCases) {
  auto const options = Options();
  json const sf = GenerateSalesforceDemoOrg(options);
  json const forge = GenerateForgeDemoOrg(options);
  ForgeEmulatorOptions forge_options;
  forge_options.users.push_back({"u-someone", "someone@example.test", "pw", "Someone", "agent"});
  ForgeService service(forge_options);
  Status const seeded = service.Seed(forge);
  ASSERT_TRUE(seeded.ok()) << seeded;
  for (char const* collection : {"tickets", "interactions", "service_tickets", "tasks"}) {
    EXPECT_EQ(service.Records(collection).size(), forge.at(collection).size()) << collection;
  }
  // The integration user of the document logs in with the published constants.
  ApiRequest login;
  login.method = "POST";
  ASSERT_TRUE(SetTarget(login, "/api/auth/login"));
  login.headers["content-type"] = "application/json";
  login.body =
      json{{"email", std::string(kDemoForgeEmail)}, {"password", std::string(kDemoForgePassword)}}
          .dump();
  ApiResponse const response = service.Handle(login);
  EXPECT_EQ(response.status, 200) << response.body;

  std::map<std::string, json const*> cases;
  for (auto const& c : sf.at("Case")) cases[c.at("Id")] = &c;
  std::map<std::string, std::string> child_case;  // Salesforce record id -> its case
  for (auto const& [relationship, target] : ChildRelationships()) {
    for (auto const& r : sf.at(target.first)) child_case[r.at("Id")] = Field(r, target.second);
  }
  std::map<std::string, std::string> ticket_case;
  std::set<std::string> tiers;
  std::set<std::string> linked_tier3;
  for (auto const& t : forge.at("tickets")) {
    tiers.insert(Field(t, "escalation_tier"));
    std::string const case_id = Field(t, "salesforce_case_id");
    ticket_case[t.at("id")] = case_id;
    if (case_id.empty()) continue;
    ASSERT_TRUE(cases.contains(case_id)) << case_id;
    EXPECT_EQ(Field(t, "escalation_tier"), Field(*cases.at(case_id), "Escalation_Tier__c"));
    if (Field(t, "escalation_tier") == "3") linked_tier3.insert(case_id);
  }
  EXPECT_EQ(tiers, (std::set<std::string>{"", "1", "2", "3", "4"}));
  for (auto const& [id, c] : cases) {
    if (Field(*c, "Escalation_Tier__c") == "3") {
      EXPECT_TRUE(linked_tier3.contains(id)) << id;
    }
  }
  int mirrored = 0;
  std::set<std::string> tags;
  for (auto const& i : forge.at("interactions")) {
    for (auto const& tag : i.at("tags")) tags.insert(tag.get<std::string>());
    if (Field(i, "source") != "salesforce") continue;
    ++mirrored;
    std::string const ref = Field(i, "source_ref");
    ASSERT_TRUE(child_case.contains(ref)) << ref;
    EXPECT_EQ(child_case.at(ref), ticket_case.at(i.at("ticket_id"))) << ref;
  }
  EXPECT_GT(mirrored, 20);
  // Tags of forge.json's signals that Forge-only tickets and mirrored steps use.
  for (char const* tag :
       {"outreach", "manager_notified", "installer_contacted_homeowner", "sales_referral"}) {
    EXPECT_TRUE(tags.contains(tag)) << tag;
  }
  int service_for_cases = 0;
  for (auto const& s : forge.at("service_tickets")) {
    if (!Field(s, "salesforce_case_id").empty()) {
      ++service_for_cases;
      EXPECT_EQ(ticket_case.at(s.at("ticket_id")), Field(s, "salesforce_case_id"));
    }
  }
  EXPECT_GT(service_for_cases, 0);
}

// Over loopback: one relationship-subquery read returns every case with all of its children,
// ordered for an incremental sync.
class DemoOrgSoqlTest : public testing::EmulatorTest {
 protected:
  void Customize(SalesforceEmulatorOptions& options) override {
    for (auto& app : options.apps) {
      app.client_credentials_username = kDemoSalesforceUsername;
      for (auto& [token, user] : app.refresh_tokens) user = kDemoSalesforceUsername;
    }
  }
  json Seed() override {
    org_ = GenerateSalesforceDemoOrg(Options(300, "2026-03-06T18:00:00Z"));
    return org_;
  }
  json org_;
};

TEST_F(DemoOrgSoqlTest, SubqueryReadReturnsEveryCaseWithItsChildrenInModstampOrder) {
  std::map<std::string, std::map<std::string, std::size_t>> expected;
  for (auto const& [relationship, target] : ChildRelationships()) {
    for (auto const& r : org_.at(target.first)) ++expected[Field(r, target.second)][relationship];
  }
  std::map<std::string, Instant> modstamp;
  for (auto const& c : org_.at("Case")) modstamp[c.at("Id")] = At(c, "SystemModstamp");

  testing::HttpResult page = Query(
      "SELECT Id, (SELECT Id FROM EmailMessages), (SELECT Id FROM Tasks), (SELECT Id FROM Feeds), "
      "(SELECT Id FROM Histories) FROM Case ORDER BY SystemModstamp, Id",
      {{"Sforce-Query-Options", "batchSize=200"}});
  std::vector<std::string> order;
  int pages = 0;
  while (true) {
    ASSERT_EQ(page.status, 200) << page.body.substr(0, 400);
    ++pages;
    json const j = page.Json();
    for (auto const& r : j.at("records")) {
      std::string const id = r.at("Id");
      order.push_back(id);
      for (auto const& [relationship, target] : ChildRelationships()) {
        std::size_t const want = expected[id][relationship];
        json const& sub = r.at(relationship);
        if (want == 0) {
          EXPECT_TRUE(sub.is_null()) << id << " " << relationship;
        } else {
          ASSERT_TRUE(sub.is_object()) << id << " " << relationship;
          EXPECT_EQ(sub.at("records").size(), want) << id << " " << relationship;
        }
      }
    }
    if (j.at("done").get<bool>()) break;
    page = http_->Send("GET", j.at("nextRecordsUrl").get<std::string>(), "",
                       {{"Authorization", "Bearer " + AccessToken()}});
  }
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(order.size(), org_.at("Case").size());
  EXPECT_EQ(std::set<std::string>(order.begin(), order.end()).size(), order.size());
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_LE(modstamp[order[i - 1]], modstamp[order[i]]) << order[i];
  }
}

// Not run by default (about 35 s and 6 GB): the figures of the 100,000-case org. Run with
// --gtest_also_run_disabled_tests --gtest_filter='*HundredThousand*'.
TEST(DemoOrg, DISABLED_HundredThousandCasesGenerateAndSeedInBothEmulators) {
  auto const options = Options(100000, "2026-11-22T22:00:00Z");
  auto ms = [](auto from) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 from)
        .count();
  };
  auto t = std::chrono::steady_clock::now();
  json const sf = GenerateSalesforceDemoOrg(options);
  auto const sf_ms = ms(t);
  t = std::chrono::steady_clock::now();
  json const forge = GenerateForgeDemoOrg(options);
  auto const forge_ms = ms(t);
  SalesforceEmulator salesforce;
  t = std::chrono::steady_clock::now();
  ASSERT_TRUE(salesforce.SeedFromJson(sf).ok());
  auto const seed_sf_ms = ms(t);
  ForgeEmulator forge_emulator;
  t = std::chrono::steady_clock::now();
  ASSERT_TRUE(forge_emulator.SeedFromJson(forge).ok());
  auto const seed_forge_ms = ms(t);
  EXPECT_EQ(salesforce.Records("Case").size(), 100000U);
  std::size_t records = 0;
  for (auto const& [object, list] : sf.items()) records += object == "_fields" ? 0 : list.size();
  std::cout << "[ demo org ] 100,000 cases, " << records << " Salesforce records: generated in "
            << sf_ms << " ms, seeded in " << seed_sf_ms
            << " ms; Forge: " << forge.at("tickets").size() << " tickets generated in " << forge_ms
            << " ms, seeded in " << seed_forge_ms << " ms\n";
  EXPECT_LT(sf_ms, 10000);
}

}  // namespace
}  // namespace casebridge::sandbox
