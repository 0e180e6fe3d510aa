#include "connector/engine/evaluation_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "connector/common/time.h"

namespace casebridge::engine {
namespace {

using mappings::ActionId;
using mappings::ActionKind;
using mappings::RuleId;
using ::testing::HasSubstr;
using ::testing::Not;

Instant At(std::string_view iso) {
  auto t = ParseInstant(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(Instant{});
}

Flag MakeFlag(RuleId rule, std::string_view started, std::optional<std::string_view> due,
              std::optional<std::string_view> met_at, FlagStatus status,
              std::int64_t late_minutes = 0) {
  Flag f;
  f.rule = rule;
  f.started = At(started);
  if (due) f.due = At(*due);
  if (met_at) f.met_at = At(*met_at);
  f.status = status;
  f.late_minutes = late_minutes;
  return f;
}

PlannedAction MakeAction(ActionId id, std::string key, std::optional<std::string_view> due) {
  PlannedAction a;
  a.action = id;
  a.kind = mappings::KindOf(id);
  a.key = std::move(key);
  if (due) a.due = At(*due);
  return a;
}

std::string Json(std::string_view id, Evaluation const& e) {
  std::string out;
  AppendEvaluationJson(out, id, e);
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(EvaluationJson, WritesTheSpecExampleExactly) {
  Evaluation e;
  e.stage = Stage::kBackOffice;
  e.flags.push_back(MakeFlag(RuleId::kResponse4bh, "2026-03-02T14:05:00Z", "2026-03-02T18:05:00Z",
                             "2026-03-02T15:00:00Z", FlagStatus::kMet));
  e.actions.push_back(MakeAction(ActionId::kCallInstaller, "500Dn00000AbCdE:call_installer:1",
                                 "2026-03-04T14:05:00Z"));
  EXPECT_EQ(Json("500Dn00000AbCdE", e),
            R"({"id":"500Dn00000AbCdE","stage":"back_office",)"
            R"("flags":[{"rule":"response_4bh","started":"2026-03-02T14:05:00Z",)"
            R"("due":"2026-03-02T18:05:00Z","met_at":"2026-03-02T15:00:00Z","status":"met"}],)"
            R"("actions":[{"action":"call_installer","kind":"task",)"
            R"("key":"500Dn00000AbCdE:call_installer:1","due":"2026-03-04T14:05:00Z"}]})");
}

TEST(EvaluationJson, NoFlagsAndNoActionsAreEmptyArrays) {
  Evaluation e;
  e.stage = Stage::kClosed;
  EXPECT_EQ(Json("C1", e), R"({"id":"C1","stage":"closed","flags":[],"actions":[]})");
}

TEST(EvaluationJson, LateMinutesAppearOnBreachedFlagsOnly) {
  Evaluation e;
  e.stage = Stage::kAgentSteps;
  // A pending flag with a stray late_minutes value must not print it.
  e.flags.push_back(MakeFlag(RuleId::kOutreachNoteMissing, "2026-03-06T22:00:00Z",
                             "2026-03-09T16:00:00Z", std::nullopt, FlagStatus::kPending, 7));
  e.flags.push_back(MakeFlag(RuleId::kResponse4bh, "2026-03-06T22:00:00Z", "2026-03-09T16:00:00Z",
                             std::nullopt, FlagStatus::kBreached, 90));
  e.flags.push_back(MakeFlag(RuleId::kBackOfficeHandoff, "2026-03-06T22:00:00Z",
                             "2026-03-09T16:00:00Z", "2026-03-09T17:30:59Z", FlagStatus::kBreached,
                             90));
  EXPECT_EQ(Json("C1", e),
            R"({"id":"C1","stage":"agent_steps","flags":[)"
            R"({"rule":"outreach_note_missing","started":"2026-03-06T22:00:00Z",)"
            R"("due":"2026-03-09T16:00:00Z","met_at":null,"status":"pending"},)"
            R"({"rule":"response_4bh","started":"2026-03-06T22:00:00Z",)"
            R"("due":"2026-03-09T16:00:00Z","met_at":null,"status":"breached","late_minutes":90},)"
            R"({"rule":"back_office_handoff","started":"2026-03-06T22:00:00Z",)"
            R"("due":"2026-03-09T16:00:00Z","met_at":"2026-03-09T17:30:59Z",)"
            R"("status":"breached","late_minutes":90}],"actions":[]})");
}

TEST(EvaluationJson, InfoFlagAndImmediateActionHaveNullDue) {
  Evaluation e;
  e.stage = Stage::kCaseNotRequired;
  e.flags.push_back(MakeFlag(RuleId::kCaseNotRequired, "2026-03-02T14:05:00Z", std::nullopt,
                             std::nullopt, FlagStatus::kInfo));
  e.flags.push_back(MakeFlag(RuleId::kRelationsMissing, "2026-03-02T14:05:00Z",
                             "2026-03-02T18:05:00Z", std::nullopt, FlagStatus::kMet));
  e.actions.push_back(MakeAction(ActionId::kNotifyManager, "C1:notify_manager:1", std::nullopt));
  e.actions.push_back(MakeAction(ActionId::kReassignBackOffice, "C1:reassign_back_office:1",
                                 "2026-03-02T14:05:00Z"));
  EXPECT_EQ(Json("C1", e),
            R"({"id":"C1","stage":"case_not_required","flags":[)"
            R"({"rule":"case_not_required","started":"2026-03-02T14:05:00Z","due":null,)"
            R"("met_at":null,"status":"info"},)"
            R"({"rule":"relations_missing","started":"2026-03-02T14:05:00Z",)"
            R"("due":"2026-03-02T18:05:00Z","met_at":null,"status":"met"}],"actions":[)"
            R"({"action":"notify_manager","kind":"feed_post","key":"C1:notify_manager:1",)"
            R"("due":null},)"
            R"({"action":"reassign_back_office","kind":"reassign",)"
            R"("key":"C1:reassign_back_office:1","due":"2026-03-02T14:05:00Z"}]})");
}

TEST(EvaluationJson, ADueBeyondYear9999IsWrittenAsNull) {
  Evaluation e;
  Flag f = MakeFlag(RuleId::kResponse4bh, "9999-12-31T20:00:00Z", std::nullopt, std::nullopt,
                    FlagStatus::kPending);
  f.due = Instant::max();  // BusinessCalendar::kNever
  e.flags.push_back(f);
  EXPECT_EQ(Json("C1", e),
            R"({"id":"C1","stage":"open","flags":[{"rule":"response_4bh",)"
            R"("started":"9999-12-31T20:00:00Z","due":null,"met_at":null,"status":"pending"}],)"
            R"("actions":[]})");
}

TEST(EvaluationJson, AppendsWithoutTouchingWhatIsAlreadyInTheBuffer) {
  Evaluation e;
  std::string out = "previous line\n";
  AppendEvaluationJson(out, "C9", e);
  EXPECT_EQ(out,
            "previous line\n"
            R"({"id":"C9","stage":"open","flags":[],"actions":[]})");
}

TEST(EvaluationJson, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(JsonString(std::string("x\ny\t\x01\x1f", 6)), R"("x\u000ay\u0009\u0001\u001f")");
  EXPECT_EQ(JsonString(std::string("nul\0byte", 8)), R"("nul\u0000byte")");
  EXPECT_EQ(JsonString(""), R"("")");
}

TEST(EvaluationJson, Utf8AndDelPassThrough) {
  EXPECT_EQ(JsonString("Caf\xC3\xA9 \xE2\x98\x80 \x7F"), "\"Caf\xC3\xA9 \xE2\x98\x80 \x7F\"");
}

TEST(EvaluationJson, CaseIdAndKeysAreEscaped) {
  Evaluation e;
  e.actions.push_back(MakeAction(ActionId::kTierFollowup, "a\"b:tier_followup:1", std::nullopt));
  std::string const out = Json("a\"b", e);
  EXPECT_THAT(out, HasSubstr(R"({"id":"a\"b",)"));
  EXPECT_THAT(out, HasSubstr(R"("key":"a\"b:tier_followup:1")"));
}

TEST(EvaluationJson, OutputIsValidJsonThatRoundTrips) {
  Evaluation e;
  e.stage = Stage::kSalesReferral;
  for (int i = 0; i < 3; ++i) {
    e.flags.push_back(MakeFlag(RuleId::kFollowup5d, "2026-03-02T14:05:00Z", "2026-03-07T14:05:00Z",
                               std::nullopt, FlagStatus::kBreached, 1000 + i));
    e.actions.push_back(MakeAction(ActionId::kHomeownerFollowup,
                                   "\x01weird\\id:homeowner_followup:" + std::to_string(i + 1),
                                   "2026-03-07T14:05:00Z"));
  }
  std::string const id = "\x01weird\\id\xC3\xA9";
  auto const j = nlohmann::json::parse(Json(id, e), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j.at("id").get<std::string>(), id);
  ASSERT_EQ(j.at("flags").size(), 3U);
  EXPECT_EQ(j.at("flags").at(2).at("late_minutes").get<int>(), 1002);
  ASSERT_EQ(j.at("actions").size(), 3U);
  EXPECT_EQ(j.at("actions").at(1).at("key").get<std::string>(),
            "\x01weird\\id:homeowner_followup:2");
  EXPECT_EQ(j.at("actions").at(1).at("kind").get<std::string>(), "task");
}

// --- text form --------------------------------------------------------------------------------

Evaluation SampleEvaluation() {
  Evaluation e;
  e.stage = Stage::kAgentSteps;
  e.flags.push_back(MakeFlag(RuleId::kResponse4bh, "2026-03-06T22:00:00Z", "2026-03-09T16:00:00Z",
                             std::nullopt, FlagStatus::kBreached, 1530));
  e.flags.push_back(MakeFlag(RuleId::kOutreachNoteMissing, "2026-03-06T22:00:00Z",
                             "2026-03-12T16:00:00Z", std::nullopt, FlagStatus::kPending));
  e.flags.push_back(MakeFlag(RuleId::kRelationsMissing, "2026-03-06T22:00:00Z",
                             "2026-03-09T16:00:00Z", std::nullopt, FlagStatus::kMet));
  e.actions.push_back(MakeAction(ActionId::kReassignBackOffice, "C1:reassign_back_office:1",
                                 "2026-03-09T16:00:00Z"));
  return e;
}

TEST(EvaluationText, ShowsEveryFlagThatIsNotMetAndEveryAction) {
  Snapshot s;
  s.id = "C1";
  s.number = "00012345";
  std::string out;
  AppendEvaluationText(out, s, SampleEvaluation());
  EXPECT_THAT(out, HasSubstr("case C1 (#00012345)"));
  EXPECT_THAT(out, HasSubstr("stage: agent_steps"));
  EXPECT_THAT(out, HasSubstr("breached"));
  EXPECT_THAT(out, HasSubstr("response_4bh"));
  EXPECT_THAT(out, HasSubstr("due 2026-03-09T16:00:00Z  late 1d 1h 30m (still not done)"));
  EXPECT_THAT(out, HasSubstr("pending   outreach_note_missing"));
  EXPECT_THAT(out, HasSubstr("due 2026-03-12T16:00:00Z"));
  EXPECT_THAT(out, HasSubstr("1 flag met on time"));
  EXPECT_THAT(out, Not(HasSubstr("relations_missing")));  // met flags are only counted
  EXPECT_THAT(out, HasSubstr("reassign_back_office"));
  EXPECT_THAT(out, HasSubstr("key C1:reassign_back_office:1"));
  EXPECT_EQ(out.back(), '\n');
}

TEST(EvaluationText, ControlCharactersInIdsCannotBreakTheLayout) {
  Snapshot s;
  s.id = "C1\nfake line";
  std::string out;
  AppendEvaluationText(out, s, Evaluation{});
  EXPECT_THAT(out, HasSubstr("case C1?fake line"));
}

TEST(EvaluationText, TotalsCountFlagsByRuleAndStatusAndActionsById) {
  EvaluationTotals totals;
  totals.Add(SampleEvaluation());
  totals.Add(SampleEvaluation());
  Evaluation closed;
  closed.stage = Stage::kClosed;
  totals.Add(closed);
  EXPECT_EQ(totals.cases(), 3);
  EXPECT_EQ(totals.flags(RuleId::kResponse4bh, FlagStatus::kBreached), 2);
  EXPECT_EQ(totals.flags(RuleId::kResponse4bh, FlagStatus::kMet), 0);
  EXPECT_EQ(totals.flags(RuleId::kRelationsMissing, FlagStatus::kMet), 2);
  EXPECT_EQ(totals.actions(ActionId::kReassignBackOffice), 2);

  std::string out;
  totals.AppendText(out, 1);
  EXPECT_THAT(out, HasSubstr("cases evaluated: 3  (bad lines skipped: 1)"));
  EXPECT_THAT(out, HasSubstr("  response_4bh                    0        2        0        0"));
  EXPECT_THAT(out, HasSubstr("  relations_missing               2        0        0        0"));
  EXPECT_THAT(out, HasSubstr("  reassign_back_office            2"));
  EXPECT_THAT(out, Not(HasSubstr("tier_update_24h")));  // rules that never applied are left out
}

TEST(EvaluationText, EmptyTotalsSayNone) {
  EvaluationTotals totals;
  std::string out;
  totals.AppendText(out, 0);
  EXPECT_THAT(out, HasSubstr("cases evaluated: 0\n"));
  EXPECT_THAT(out, Not(HasSubstr("bad lines")));
  EXPECT_THAT(out, HasSubstr("(none)"));
}

}  // namespace
}  // namespace casebridge::engine
