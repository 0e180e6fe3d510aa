// Evaluates every case of tests/data/samples.jsonl at the documented `now` and checks what
// tests/data/samples.md claims about it: stage, breached rules, planned actions and the exact
// flags that make each case interesting. Also proves the file covers every rule, every action
// the engine plans, every flag status and every stage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/engine/snapshot_codec.h"
#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using ::testing::IsSupersetOf;
using json = nlohmann::json;

constexpr char kSamplesPath[] = CASEBRIDGE_SOURCE_DIR "/tests/data/samples.jsonl";
constexpr char kNow[] = "2026-03-20T15:00:00Z";  // documented in samples.md

std::string Str(json const& o, char const* key) {
  return o.contains(key) && o.at(key).is_string() ? o.at(key).get<std::string>() : std::string();
}

std::optional<Instant> Time(json const& o, char const* key) {
  if (!o.contains(key) || o.at(key).is_null()) return std::nullopt;
  return ParseInstant(o.at(key).get<std::string>());
}

// A deliberately independent reader of the SPEC 2 format (nlohmann), so the sample file is
// checked against the spec rather than against the production reader alone.
::testing::AssertionResult ToSnapshot(json const& o, Snapshot& s) {
  if (!o.is_object() || !o.contains("id") || !Time(o, "created_at")) {
    return ::testing::AssertionFailure() << "not a snapshot: " << o.dump();
  }
  s.id = Str(o, "id");
  s.source = Str(o, "source");
  s.number = Str(o, "number");
  s.created_at = *Time(o, "created_at");
  s.closed_at = Time(o, "closed_at");
  s.primary_reason = Str(o, "primary_reason");
  s.secondary_reason = Str(o, "secondary_reason");
  s.tier = o.contains("tier") && o.at("tier").is_number_integer() ? o.at("tier").get<int>() : 0;
  s.owner = Str(o, "owner");
  std::string const financing = Str(o, "financing");
  s.financing = financing == "beam"      ? Financing::kBeam
                : financing == "concert" ? Financing::kConcert
                                         : Financing::kNone;
  s.pre_m3_pto =
      o.contains("pre_m3_pto") && o.at("pre_m3_pto").is_boolean() && o.at("pre_m3_pto").get<bool>();
  s.homeowner_id = Str(o, "homeowner_id");
  s.installer_id = Str(o, "installer_id");
  if (o.contains("events")) {
    for (json const& j : o.at("events")) {
      Event e;
      e.type = ParseEventType(Str(j, "type"));
      if (e.type == EventType::kUnknown) continue;  // SPEC 2: unknown types are ignored
      auto at = Time(j, "at");
      if (!at) return ::testing::AssertionFailure() << s.id << ": event without `at`";
      e.at = *at;
      e.to = Str(j, "to");
      std::string const outcome = Str(j, "outcome");
      e.outcome = outcome == "reached"     ? CallOutcome::kReached
                  : outcome == "voicemail" ? CallOutcome::kVoicemail
                                           : CallOutcome::kNone;
      e.action = Str(j, "action");
      e.key = Str(j, "key");
      s.events.push_back(std::move(e));
    }
  }
  return ::testing::AssertionSuccess();
}

struct Sample {
  std::string line;
  json raw;
  Snapshot snapshot;
};

std::vector<Sample> LoadSamples() {
  std::vector<Sample> out;
  std::ifstream in(kSamplesPath);
  EXPECT_TRUE(in.is_open()) << kSamplesPath;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Sample s;
    s.line = line;
    s.raw = json::parse(line, nullptr, false);
    EXPECT_FALSE(s.raw.is_discarded()) << line;
    if (s.raw.is_discarded()) continue;
    EXPECT_TRUE(ToSnapshot(s.raw, s.snapshot));
    out.push_back(std::move(s));
  }
  return out;
}

struct Expected {
  Stage stage;
  std::set<std::string> breached;       // rule ids with at least one breached flag
  std::vector<std::string> actions;     // planned keys without the "<case id>:" prefix, in order
  std::vector<std::string> highlights;  // Describe() of flags that must be present
};

// One entry per line of samples.jsonl; samples.md explains each.
std::map<std::string, Expected> const& Expectations() {
  static auto const* const table = new std::map<std::string, Expected>{
      {"500S000000000001", {Stage::kClosed, {}, {}, {}}},
      {"500S000000000002",
       {Stage::kBackOffice,
        {},
        {"call_installer:1"},
        {"installer_contact_2d 2026-03-19T14:00:00Z due 2026-03-21T14:00:00Z met_at null "
         "pending"}}},
      {"500S000000000003",
       {Stage::kInstallerCalled,
        {"installer_contact_2d"},
        {"sales_referral_reminder:1"},
        {"sales_referral_2d 2026-03-18T15:00:00Z due 2026-03-20T15:00:00Z met_at null pending"}}},
      {"500S000000000004",
       {Stage::kInstallerCalled,
        {"installer_contact_2d", "sales_referral_2d"},
        {"sales_referral_reminder:2"},
        {"sales_referral_2d 2026-03-13T16:00:00Z due 2026-03-15T16:00:00Z met_at null breached "
         "late 7140",
         "sales_referral_2d 2026-03-16T14:00:00Z due 2026-03-18T14:00:00Z met_at null breached "
         "late 2940"}}},
      {"500S000000000005",
       {Stage::kSalesReferral,
        {"installer_contact_2d"},
        {"homeowner_followup:4"},
        {"sales_referral_2d 2026-03-04T16:00:00Z due 2026-03-06T16:00:00Z met_at "
         "2026-03-06T16:00:00Z met event 5",
         "am_response_5d 2026-03-06T16:00:00Z due 2026-03-11T16:00:00Z met_at "
         "2026-03-09T14:00:00Z met event 7",
         "followup_5d 2026-03-06T16:00:00Z due 2026-03-11T16:00:00Z met_at 2026-03-10T14:00:00Z "
         "met event 8",
         "followup_5d 2026-03-10T14:00:00Z due 2026-03-15T14:00:00Z met_at 2026-03-14T14:00:00Z "
         "met event 10",
         "followup_5d 2026-03-14T14:00:00Z due 2026-03-19T14:00:00Z met_at 2026-03-19T14:00:00Z "
         "met event 12",
         "followup_5d 2026-03-19T14:00:00Z due 2026-03-24T14:00:00Z met_at null pending"}}},
      {"500S000000000006",
       {Stage::kSalesReferral,
        {"am_response_5d", "followup_5d", "installer_contact_2d"},
        {"homeowner_followup:3", "escalate_am_silence:1"},
        {"am_response_5d 2026-03-07T14:00:00Z due 2026-03-12T14:00:00Z met_at null breached "
         "late 11580",
         "followup_5d 2026-03-11T14:00:00Z due 2026-03-16T14:00:00Z met_at 2026-03-17T15:00:00Z "
         "breached late 1500 event 7",
         "followup_5d 2026-03-17T15:00:00Z due 2026-03-22T15:00:00Z met_at null pending"}}},
      {"500S000000000007",
       {Stage::kInstallerContacted,
        {"installer_contact_2d", "sales_referral_2d"},
        {"homeowner_followup:2"},
        {"installer_contact_2d 2026-03-09T14:00:00Z due 2026-03-11T14:00:00Z met_at "
         "2026-03-17T18:00:00Z breached late 8880 event 7",
         "sales_referral_2d 2026-03-11T15:00:00Z due 2026-03-13T15:00:00Z met_at "
         "2026-03-13T16:00:00Z breached late 60 event 5"}}},
      {"500S000000000008",
       {Stage::kBeamFollowup,
        {"beam_followup_1w"},
        {"beam_followup:2"},
        {"beam_followup_1w 2026-03-05T16:00:00Z due 2026-03-12T16:00:00Z met_at "
         "2026-03-12T15:00:00Z met event 5",
         "beam_followup_1w 2026-03-13T14:00:00Z due 2026-03-20T14:00:00Z met_at null breached "
         "late 60"}}},
      {"500S000000000009",
       {Stage::kBeamFollowup,
        {},
        {"beam_followup:1"},
        {"beam_followup_1w 2026-03-16T14:45:00Z due 2026-03-23T14:45:00Z met_at null pending"}}},
      {"500S000000000010", {Stage::kClosed, {}, {}, {}}},
      {"500S000000000011",
       {Stage::kBeamFollowup,
        {"beam_followup_1w"},
        {},
        {"beam_followup_1w 2026-03-10T15:00:00Z due 2026-03-17T15:00:00Z met_at null breached "
         "late 4320"}}},
      {"500S000000000012",
       {Stage::kAgentSteps,
        {},
        {"reassign_back_office:1"},
        {"back_office_handoff 2026-03-20T13:30:00Z due 2026-03-20T17:30:00Z met_at null "
         "pending"}}},
      {"500S000000000013",
       {Stage::kAgentSteps,
        {"back_office_handoff", "installer_contact_2d", "outreach_note_missing",
         "relations_missing"},
        {},
        {"relations_missing 2026-03-18T14:00:00Z due 2026-03-18T18:00:00Z met_at null breached "
         "late 2700"}}},
      {"500S000000000014",
       {Stage::kCaseNotRequired,
        {},
        {},
        {"response_4bh 2026-03-19T19:00:00Z due 2026-03-20T14:00:00Z met_at 2026-03-19T20:00:00Z "
         "met event 0",
         "case_not_required 2026-03-19T19:00:00Z due null met_at null info"}}},
      {"500S000000000015",
       {Stage::kCaseNotRequired, {"response_4bh", "tier_update_24h"}, {"tier_followup:1"}, {}}},
      {"500S000000000016",
       {Stage::kSelfService,
        {},
        {},
        {"response_4bh 2026-03-18T20:00:00Z due 2026-03-19T15:00:00Z met_at 2026-03-19T13:30:00Z "
         "met event 2"}}},
      {"500S000000000017",
       {Stage::kAgentAssisted,
        {},
        {"tier_followup:1"},
        {"response_4bh 2026-03-20T13:00:00Z due 2026-03-20T17:00:00Z met_at null pending",
         "tier_update_24h 2026-03-20T13:00:00Z due 2026-03-21T13:00:00Z met_at null pending"}}},
      {"500S000000000018",
       {Stage::kFieldService,
        {"response_4bh"},
        {},
        {"response_4bh 2026-03-17T15:00:00Z due 2026-03-17T19:00:00Z met_at 2026-03-17T20:30:00Z "
         "breached late 90 event 2"}}},
      {"500S000000000019",
       {Stage::kExecutiveEscalation,
        {"manager_notified"},
        {"notify_manager:1"},
        {"manager_notified 2026-03-19T14:00:00Z due 2026-03-19T15:00:00Z met_at null breached "
         "late 1440"}}},
      {"500S000000000020", {Stage::kClosed, {}, {}, {}}},
      {"500S000000000021",
       {Stage::kClosed,
        {"tier_update_24h"},
        {},
        {"response_4bh 2026-03-13T21:00:00Z due 2026-03-16T16:00:00Z met_at 2026-03-16T15:30:00Z "
         "met event 0",
         "tier_update_24h 2026-03-13T21:00:00Z due 2026-03-14T21:00:00Z met_at "
         "2026-03-16T15:30:00Z breached late 2550 event 0"}}},
      {"500S000000000022",
       {Stage::kOpen,
        {"response_4bh"},
        {},
        {"response_4bh 2026-03-14T14:00:00Z due 2026-03-16T17:00:00Z met_at 2026-03-16T18:00:00Z "
         "breached late 60 event 2",
         "response_4bh 2026-03-19T21:30:00Z due 2026-03-20T16:30:00Z met_at null pending"}}},
      {"500S000000000023",
       {Stage::kClosed,
        {"response_4bh"},
        {},
        {"response_4bh 2026-03-06T22:00:00Z due 2026-03-09T16:00:00Z met_at 2026-03-09T16:30:00Z "
         "breached late 30 event 0"}}},
      {"500S000000000024",
       {Stage::kInstallerContacted,
        {},
        {"sales_referral_reminder:1"},
        {"response_4bh 2026-03-18T14:00:00Z due 2026-03-18T18:00:00Z met_at 2026-03-18T15:00:00Z "
         "met event 8",
         "sales_referral_2d 2026-03-19T15:00:00Z due 2026-03-21T15:00:00Z met_at null pending"}}},
      {"500S000000000025",
       {Stage::kClosed,
        {"back_office_handoff", "outreach_note_missing", "response_4bh"},
        {},
        {"response_4bh 2026-03-09T14:00:00Z due 2026-03-09T18:00:00Z met_at null breached late "
         "1320",
         "outreach_note_missing 2026-03-09T14:00:00Z due 2026-03-09T18:00:00Z met_at "
         "2026-03-10T14:00:00Z breached late 1200 event 1",
         "installer_contact_2d 2026-03-09T14:00:00Z due 2026-03-11T14:00:00Z met_at "
         "2026-03-10T16:00:00Z met by_close"}}},
      {"500S000000000026",
       {Stage::kClosed,
        {},
        {},
        // The unknown `email_opened` event is dropped, so the 15:00 contact is event 2.
        {"response_4bh 2026-03-16T14:00:00Z due 2026-03-16T18:00:00Z met_at 2026-03-16T15:00:00Z "
         "met event 2",
         "response_4bh 2026-03-16T20:00:00Z due 2026-03-17T15:00:00Z met_at 2026-03-17T15:00:00Z "
         "met by_close"}}},
      {"500S000000000027", {Stage::kInstallerContacted, {}, {}, {}}},
  };
  return *table;
}

class Samples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { samples_ = new std::vector<Sample>(LoadSamples()); }
  static void TearDownTestSuite() {
    delete samples_;
    samples_ = nullptr;
  }
  static std::vector<Sample> const& samples() { return *samples_; }

 private:
  static std::vector<Sample>* samples_;
};
std::vector<Sample>* Samples::samples_ = nullptr;

TEST_F(Samples, EveryLineHasAnExpectationAndEveryExpectationALine) {
  std::set<std::string> ids;
  for (auto const& s : samples()) {
    EXPECT_TRUE(ids.insert(s.snapshot.id).second) << "duplicate id " << s.snapshot.id;
    EXPECT_TRUE(Expectations().count(s.snapshot.id)) << "no expectation for " << s.snapshot.id;
  }
  for (auto const& [id, expected] : Expectations()) {
    EXPECT_TRUE(ids.count(id)) << "expected case missing from samples.jsonl: " << id;
  }
}

TEST_F(Samples, EachCaseEvaluatesAsDocumented) {
  for (auto const& s : samples()) {
    SCOPED_TRACE(s.snapshot.id);
    auto it = Expectations().find(s.snapshot.id);
    if (it == Expectations().end()) continue;
    Expected const& want = it->second;
    auto e = testing_util::Eval(s.snapshot, kNow);

    EXPECT_EQ(StageName(e.stage), StageName(want.stage));

    std::set<std::string> breached;
    for (Flag const& f : e.flags) {
      if (f.status == FlagStatus::kBreached)
        breached.insert(std::string(mappings::RuleName(f.rule)));
    }
    EXPECT_EQ(breached, want.breached);

    std::vector<std::string> keys;
    for (auto const& a : e.actions) {
      ASSERT_EQ(a.key.rfind(s.snapshot.id + ":", 0), 0U) << a.key;
      keys.push_back(a.key.substr(s.snapshot.id.size() + 1));
    }
    EXPECT_EQ(keys, want.actions);

    std::vector<std::string> flags;
    for (Flag const& f : e.flags) flags.push_back(testing_util::Describe(f));
    EXPECT_THAT(flags, IsSupersetOf(want.highlights));
  }
}

TEST_F(Samples, CoverEveryRuleActionStatusAndStage) {
  std::set<mappings::RuleId> rules;
  std::set<mappings::ActionId> actions;
  std::set<FlagStatus> statuses;
  std::set<Stage> stages;
  for (auto const& s : samples()) {
    auto e = testing_util::Eval(s.snapshot, kNow);
    for (Flag const& f : e.flags) {
      rules.insert(f.rule);
      statuses.insert(f.status);
    }
    for (auto const& a : e.actions) actions.insert(a.action);
    stages.insert(e.stage);
  }
  for (auto rule : mappings::kAllRules) {
    EXPECT_TRUE(rules.count(rule)) << "no sample exercises " << mappings::RuleName(rule);
  }
  for (auto action : mappings::kAllActions) {
    if (action == mappings::ActionId::kForgeDocument ||
        action == mappings::ActionId::kForgeServiceTicket) {
      EXPECT_FALSE(actions.count(action)) << "the engine never plans Forge records";
      continue;
    }
    EXPECT_TRUE(actions.count(action)) << "no sample plans " << mappings::ActionName(action);
  }
  for (auto status :
       {FlagStatus::kMet, FlagStatus::kBreached, FlagStatus::kPending, FlagStatus::kInfo}) {
    EXPECT_TRUE(statuses.count(status)) << "no flag is " << FlagStatusName(status);
  }
  for (int i = 0; i <= static_cast<int>(Stage::kOpen); ++i) {
    EXPECT_TRUE(stages.count(static_cast<Stage>(i)))
        << "no sample is in stage " << StageName(static_cast<Stage>(i));
  }
}

TEST_F(Samples, CoverBothBranchesAndBothCallOutcomesAndEveryEventType) {
  std::set<Financing> financing;
  std::set<CallOutcome> outcomes;
  std::set<EventType> types;
  int pre_m3 = 0;
  int closed = 0;
  std::set<std::string> sources;
  for (auto const& s : samples()) {
    financing.insert(s.snapshot.financing);
    if (s.snapshot.pre_m3_pto) ++pre_m3;
    if (s.snapshot.closed_at) ++closed;
    sources.insert(s.snapshot.source);
    for (Event const& e : s.snapshot.events) {
      types.insert(e.type);
      if (e.type == EventType::kInstallerCalled) outcomes.insert(e.outcome);
    }
  }
  EXPECT_EQ(financing,
            (std::set<Financing>{Financing::kNone, Financing::kBeam, Financing::kConcert}));
  EXPECT_EQ(outcomes, (std::set<CallOutcome>{CallOutcome::kReached, CallOutcome::kVoicemail}));
  EXPECT_GE(pre_m3, 2);
  EXPECT_GE(closed, 5);
  EXPECT_EQ(sources, (std::set<std::string>{"forge", "salesforce"}));
  for (int i = 0; i < static_cast<int>(EventType::kUnknown); ++i) {
    EXPECT_TRUE(types.count(static_cast<EventType>(i)))
        << "no sample has a " << EventTypeName(static_cast<EventType>(i)) << " event";
  }
}

TEST_F(Samples, AreReadTheSameByTheProductionReader) {
  SnapshotReader reader;
  Snapshot parsed;
  for (auto const& s : samples()) {
    SCOPED_TRACE(s.snapshot.id);
    ASSERT_TRUE(reader.Parse(s.line, parsed).ok());
    auto a = testing_util::Eval(s.snapshot, kNow);
    auto b = testing_util::Eval(parsed, kNow);
    std::vector<std::string> fa;
    std::vector<std::string> fb;
    for (Flag const& f : a.flags) fa.push_back(testing_util::Describe(f));
    for (Flag const& f : b.flags) fb.push_back(testing_util::Describe(f));
    EXPECT_EQ(fa, fb);
    EXPECT_EQ(testing_util::DescribeActions(a), testing_util::DescribeActions(b));
    EXPECT_EQ(a.stage, b.stage);
  }
}

}  // namespace
}  // namespace casebridge::engine
