#include "mappings/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "mappings/defaults.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge::mappings {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

MATCHER_P3(IsProblem, file_suffix, key, message_part,
           std::string("problem in *") + file_suffix + " at " + key + " saying '" + message_part +
               "'") {
  std::string const suffix = file_suffix;
  return arg.file.size() >= suffix.size() &&
         arg.file.compare(arg.file.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         arg.key == key && arg.message.find(message_part) != std::string::npos;
}

std::string Shipped(std::string const& name) {
  auto text = ShippedMappingFile(name);
  if (!text) throw std::runtime_error("no shipped file " + name);
  return std::string(*text);
}

// A mappings directory holding the shipped files, with `overrides` replacing (or, when the
// text is empty, removing) some of them.
class MappingsDir {
 public:
  using Files = std::initializer_list<std::pair<std::string, std::string>>;
  MappingsDir() : MappingsDir(Files{}) {}
  MappingsDir(Files files) {  // NOLINT(google-explicit-constructor): initializer list
    std::map<std::string, std::string> const overrides(files.begin(), files.end());
    for (auto const& f : ShippedMappingFiles()) {
      auto it = overrides.find(std::string(f.name));
      if (it == overrides.end()) {
        dir_.Write(std::string(f.name), std::string(f.content));
      } else if (!it->second.empty()) {
        dir_.Write(it->first, it->second);
      }
    }
    for (auto const& [name, text] : overrides) {
      if (!ShippedMappingFile(name) && !text.empty()) dir_.Write(name, text);
    }
  }
  [[nodiscard]] std::string const& path() const { return dir_.path(); }
  std::vector<Problem> Load() const {
    std::vector<Problem> problems;
    policy_ = LoadPolicy(dir_.path(), problems);
    return problems;
  }
  [[nodiscard]] Policy const& policy() const { return policy_; }

 private:
  testing_util::TempDir dir_;
  mutable Policy policy_;
};

// Replaces the first occurrence of `from` in `text` (which must contain it).
std::string Replace(std::string text, std::string const& from, std::string const& to) {
  auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("fixture text not found: " + from);
  return text.replace(pos, from.size(), to);
}

Policy LoadShipped() {
  std::vector<Problem> problems;
  Policy p = LoadPolicy("", problems);
  EXPECT_THAT(problems, IsEmpty());
  return p;
}

std::chrono::sys_days Day(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
}

// ---- the shipped defaults ------------------------------------------------------------------

TEST(ShippedDefaults, LoadWithoutProblems) {
  std::vector<Problem> problems;
  (void)LoadPolicy("", problems);
  EXPECT_THAT(problems, IsEmpty());
}

TEST(ShippedDefaults, EmbedEveryFileOfTheSourceTreeVerbatim) {
  std::vector<std::string> names;
  for (auto const& f : ShippedMappingFiles()) {
    names.emplace_back(f.name);
    std::ifstream in(testing_util::SourcePath("mappings/default/" + std::string(f.name)),
                     std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), f.content) << f.name << " is stale in the binary";
  }
  EXPECT_THAT(names, ElementsAre("calendar.json", "forge.json", "people.json", "queues.json",
                                 "quick_replies.json", "reasons.json", "relations.json",
                                 "rules.json", "signals.json", "templates.json"));
}

TEST(ShippedDefaults, SourceDirectoryLoadsLikeTheEmbeddedCopy) {
  std::vector<Problem> problems;
  Policy const on_disk = LoadPolicy(testing_util::SourcePath("mappings/default"), problems);
  EXPECT_THAT(problems, IsEmpty());
  Policy const embedded = LoadShipped();
  EXPECT_EQ(on_disk.calendar.time_zone, embedded.calendar.time_zone);
  EXPECT_EQ(on_disk.queues.developer_names, embedded.queues.developer_names);
  EXPECT_EQ(on_disk.templates.referral_comment, embedded.templates.referral_comment);
  for (auto id : kAllRules) {
    EXPECT_EQ(on_disk.Duration(id).length, embedded.Duration(id).length) << RuleName(id);
  }
}

TEST(ShippedDefaults, CalendarIsNewYorkWeekdaysNineToSixWithoutHolidays) {
  Policy const p = LoadShipped();
  EXPECT_EQ(p.calendar.time_zone, "America/New_York");
  EXPECT_THAT(p.calendar.open_days, ElementsAre(true, true, true, true, true, false, false));
  EXPECT_EQ(p.calendar.opens, hours(9));
  EXPECT_EQ(p.calendar.closes, hours(18));
  EXPECT_THAT(p.calendar.holidays, IsEmpty());
}

TEST(ShippedDefaults, RuleDurationsFollowTheSeeds) {
  Policy const p = LoadShipped();
  auto expect = [&](RuleId id, seconds length, DurationKind kind) {
    EXPECT_EQ(p.Duration(id).length, length) << RuleName(id);
    EXPECT_EQ(p.Duration(id).kind, kind) << RuleName(id);
  };
  expect(RuleId::kResponse4bh, hours(4), DurationKind::kBusiness);
  expect(RuleId::kTierUpdate24h, hours(24), DurationKind::kCalendar);
  expect(RuleId::kManagerNotified, hours(1), DurationKind::kCalendar);
  expect(RuleId::kRelationsMissing, hours(4), DurationKind::kBusiness);
  expect(RuleId::kOutreachNoteMissing, hours(4), DurationKind::kBusiness);
  expect(RuleId::kBackOfficeHandoff, hours(4), DurationKind::kBusiness);
  expect(RuleId::kInstallerContact2d, hours(48), DurationKind::kCalendar);
  expect(RuleId::kSalesReferral2d, hours(48), DurationKind::kCalendar);
  expect(RuleId::kFollowup5d, hours(120), DurationKind::kCalendar);
  expect(RuleId::kAmResponse5d, hours(120), DurationKind::kCalendar);
  expect(RuleId::kBeamFollowup1w, hours(168), DurationKind::kCalendar);
}

TEST(ShippedDefaults, NamesTheSeedReasonsQueuesAndQuickReplies) {
  Policy const p = LoadShipped();
  EXPECT_EQ(p.reasons.installer_complaint, "Installer Complaints");
  EXPECT_THAT(p.reasons.secondary_reasons, Contains("Unresponsive Installer"));
  EXPECT_THAT(p.reasons.secondary_reasons, Contains("PTO Delay"));
  EXPECT_EQ(p.reasons.complaint_types.at("rude_installer"), "Installer Conduct");
  EXPECT_EQ(p.queues.back_office, "back_office");
  EXPECT_EQ(p.queues.developer_names.at("back_office"), "Back_Office");
  EXPECT_EQ(p.quick_replies.unresponsive_install, "Unresponsive Install");
  EXPECT_EQ(p.quick_replies.unresponsive_beam_ho, "Unresponsive Beam HO");
  EXPECT_EQ(p.quick_replies.install_complaint_done, "Install-Complnt Done");
  EXPECT_EQ(p.relations.financing_values.at("Beam"), "beam");
  EXPECT_EQ(p.relations.financing_values.at("Concert"), "concert");
  EXPECT_EQ(p.relations.installer_field, "Installer__c");
  EXPECT_EQ(p.relations.homeowner_field, "ContactId");
}

TEST(ShippedDefaults, NamesTheSeedPeople) {
  Policy const p = LoadShipped();
  EXPECT_EQ(p.people.escalation_contact.name, "Cassandra Mercado");
  EXPECT_EQ(p.people.escalation_contact.user_id, "");
  EXPECT_THAT(p.people.managers,
              ElementsAre(Field(&Person::name, "Tom O'Hearen"), Field(&Person::name, "Alex")));
  EXPECT_EQ(p.people.beam_risk_email, "risk@greentechrenewables.com");
}

TEST(ShippedDefaults, ReferralTemplateHasTheComplaintPlaceholderAndFiveQuestions) {
  std::string const t = LoadShipped().templates.referral_comment;
  EXPECT_THAT(t, HasSubstr("resolve the homeowners concern of {complaint}. We would like"));
  EXPECT_THAT(t, HasSubstr("\n1. Do they have recent communications with the homeowner?"));
  EXPECT_THAT(t, HasSubstr("\n2. Have they addressed or contacted the homeowner"));
  EXPECT_THAT(t, HasSubstr("\n3. How do they plan to make this right"));
  EXPECT_THAT(t, HasSubstr("\n4. (Insert any other specific homeowner related concern"));
  EXPECT_THAT(t, HasSubstr("\n5. (If misrepresentation or fraud related) How did the sale"));
  EXPECT_THAT(t, HasSubstr("Thank you,\n(Agent name)"));
  EXPECT_THAT(t, Not(HasSubstr("______")));
}

TEST(ShippedDefaults, CommentedHolidayExampleParsesToTwentyTwoHolidays) {
  // Uncommenting the example in calendar.json must give a valid, sorted holiday list.
  std::string cal = Shipped("calendar.json");
  std::string uncommented;
  std::istringstream in(cal);
  for (std::string line; std::getline(in, line);) {
    auto pos = line.find("// \"20");
    if (pos != std::string::npos) line.erase(pos, 3);
    uncommented += line + "\n";
  }
  MappingsDir dir({{"calendar.json", uncommented}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  auto const& h = dir.policy().calendar.holidays;
  ASSERT_THAT(h, SizeIs(22));
  EXPECT_EQ(h.front(), Day(2026, 1, 1));
  EXPECT_EQ(h.back(), Day(2027, 12, 24));
  for (auto d : h) {
    std::chrono::weekday const wd{d};
    EXPECT_NE(wd, std::chrono::Saturday);
    EXPECT_NE(wd, std::chrono::Sunday);
  }
}

// ---- parsing ------------------------------------------------------------------------------

TEST(LoadPolicy, CopyOfTheDefaultsInADirectoryLoadsClean) {
  MappingsDir dir;
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().queues.back_office, "back_office");
}

TEST(LoadPolicy, LineAndBlockCommentsAreAccepted) {
  MappingsDir dir({{"queues.json", R"(// leading comment
{
  /* block
     comment */
  "queues": {"back_office": "Back_Office"},  // trailing
  "back_office": "back_office"
})"}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().queues.developer_names.size(), 1U);
}

TEST(LoadPolicy, MissingDirectoryIsOneProblem) {
  std::vector<Problem> problems;
  (void)LoadPolicy("/nonexistent/casebridge/mappings", problems);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_EQ(problems[0].file, "/nonexistent/casebridge/mappings");
  EXPECT_THAT(problems[0].message, HasSubstr("does not exist"));
}

TEST(LoadPolicy, MissingFileIsReportedByName) {
  MappingsDir dir({{"people.json", ""}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/people.json", "people", "missing file")));
}

TEST(LoadPolicy, InvalidJsonIsReportedWithLineAndColumn) {
  MappingsDir dir(
      {{"queues.json", "{\n  \"queues\": {\"a\": \"A\"},\n  \"back_office\" \"a\"\n}"}});
  EXPECT_THAT(
      dir.Load(),
      ElementsAre(IsProblem(
          "/queues.json", "queues",
          "invalid JSON at line 3, column 19: syntax error while parsing object separator")));
}

TEST(LoadPolicy, TopLevelArrayIsRejected) {
  MappingsDir dir({{"queues.json", "[]"}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/queues.json", "queues",
                                                "expected an object at the top level")));
}

TEST(LoadPolicy, UnknownKeyIsNamedWithASuggestion) {
  MappingsDir dir({{"calendar.json", Replace(Shipped("calendar.json"), "\"opens\"", "\"open\"")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/calendar.json", "calendar.open",
                                    "unknown key 'open'; did you mean 'opens'?"),
                          IsProblem("/calendar.json", "calendar.opens", "missing required key")));
}

TEST(LoadPolicy, DuplicateKeyIsReported) {
  MappingsDir dir({{"queues.json", R"({"queues": {"back_office": "A", "back_office": "B"},
                                       "back_office": "back_office"})"}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/queues.json", "queues.queues.back_office", "duplicate key")));
}

TEST(LoadPolicy, DuplicateKeyInsideAnArrayIsReportedWithItsIndex) {
  MappingsDir dir({{"people.json", R"({"escalation_contact": {"name": "C"},
      "managers": [{"name": "A"}, {"name": "B", "email": null, "name": "D"}],
      "beam_risk_email": "risk@example.com"})"}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/people.json", "people.managers[1].name", "duplicate key")));
}

TEST(LoadPolicy, WrongTypesAreReported) {
  MappingsDir dir({{"quick_replies.json", R"({"unresponsive_install": 3,
      "unresponsive_beam_ho": ["x"], "install_complaint_done": ""})"}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/quick_replies.json", "quick_replies.unresponsive_install",
                                    "expected a string, got a number"),
                          IsProblem("/quick_replies.json", "quick_replies.unresponsive_beam_ho",
                                    "expected a string, got an array"),
                          IsProblem("/quick_replies.json", "quick_replies.install_complaint_done",
                                    "must not be empty")));
}

TEST(LoadPolicy, NearMissFileNameIsReportedOtherExtraFilesAreIgnored) {
  MappingsDir dir({{"rule.json", Shipped("rules.json")}, {"notes.json", "{}"}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rule.json", "", "did you mean rules.json?")));
}

// ---- calendar.json ------------------------------------------------------------------------

std::string Calendar(std::string const& tz, std::string const& days, std::string const& opens,
                     std::string const& closes, std::string const& holidays = "[]") {
  return R"({"time_zone": ")" + tz + R"(", "open_days": )" + days + R"(, "opens": ")" + opens +
         R"(", "closes": ")" + closes + R"(", "holidays": )" + holidays + "}";
}

TEST(CalendarMapping, OpensAfterClosesIsImpossible) {
  MappingsDir dir(
      {{"calendar.json", Calendar("America/New_York", R"(["mon"])", "18:00", "09:00")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/calendar.json", "calendar.closes", "later than opens")));
}

TEST(CalendarMapping, EqualOpeningAndClosingIsImpossible) {
  MappingsDir dir(
      {{"calendar.json", Calendar("America/New_York", R"(["mon"])", "09:00", "09:00")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/calendar.json", "calendar.closes", "later than opens")));
}

TEST(CalendarMapping, UnknownTimeZoneIsReported) {
  MappingsDir dir({{"calendar.json", Calendar("America/Gotham", R"(["mon"])", "09:00", "18:00")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/calendar.json", "calendar.time_zone",
                                                "unknown time zone 'America/Gotham'")));
}

TEST(CalendarMapping, NoOpenDayIsReported) {
  MappingsDir dir({{"calendar.json", Calendar("UTC", "[]", "09:00", "18:00")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/calendar.json", "calendar.open_days",
                                                "at least one open day")));
}

TEST(CalendarMapping, BadAndRepeatedDayNamesAreReported) {
  MappingsDir dir(
      {{"calendar.json", Calendar("UTC", R"(["Monday", "funday", "mon", 3])", "09:00", "18:00")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/calendar.json", "calendar.open_days[1]", "unknown day"),
                          IsProblem("/calendar.json", "calendar.open_days[2]", "listed twice"),
                          IsProblem("/calendar.json", "calendar.open_days[3]",
                                    "expected a string, got a number")));
}

TEST(CalendarMapping, ImpossibleClockTimesAreReported) {
  MappingsDir dir({{"calendar.json", Calendar("UTC", R"(["mon"])", "25:00", "9:00")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/calendar.json", "calendar.opens", "invalid time '25:00'"),
                          IsProblem("/calendar.json", "calendar.closes", "invalid time '9:00'")));
}

TEST(CalendarMapping, MidnightIsAValidClosingTime) {
  MappingsDir dir({{"calendar.json", Calendar("UTC", R"(["sat", "sun"])", "00:00", "24:00")}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().calendar.closes, hours(24));
  EXPECT_THAT(dir.policy().calendar.open_days,
              ElementsAre(false, false, false, false, false, true, true));
}

TEST(CalendarMapping, BadHolidayDatesAreReported) {
  MappingsDir dir({{"calendar.json", Calendar("UTC", R"(["mon"])", "09:00", "18:00",
                                              R"(["2026-02-30", "2026-1-5", "2026-07-03"])")}});
  EXPECT_THAT(
      dir.Load(),
      ElementsAre(IsProblem("/calendar.json", "calendar.holidays[0]", "invalid date '2026-02-30'"),
                  IsProblem("/calendar.json", "calendar.holidays[1]", "invalid date '2026-1-5'")));
}

TEST(CalendarMapping, HolidaysAreSortedAndDeduplicated) {
  MappingsDir dir({{"calendar.json", Calendar("UTC", R"(["mon"])", "09:00", "18:00",
                                              R"(["2026-12-25", "2026-01-01", "2026-12-25"])")}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_THAT(dir.policy().calendar.holidays, ElementsAre(Day(2026, 1, 1), Day(2026, 12, 25)));
}

// ---- rules.json ---------------------------------------------------------------------------

std::string RulesWith(std::string const& from, std::string const& to) {
  return Replace(Shipped("rules.json"), from, to);
}

TEST(RulesMapping, NegativeDurationIsReported) {
  MappingsDir dir({{"rules.json",
                    RulesWith(R"("followup_5d": {"days": 5,)", R"("followup_5d": {"days": -5,)")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rules.json", "rules.followup_5d.days",
                                                "finite number >= 0")));
}

TEST(RulesMapping, OverflowingDurationIsReported) {
  MappingsDir dir({{"rules.json", RulesWith(R"("followup_5d": {"days": 5,)",
                                            R"("followup_5d": {"days": 1e400,)")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rules.json", "rules",
                                                "invalid JSON: number overflow parsing '1e400'")));
}

TEST(RulesMapping, TenYearsIsTheLongestDuration) {
  MappingsDir dir({{"rules.json", RulesWith(R"("followup_5d": {"days": 5,)",
                                            R"("followup_5d": {"hours": 100000,)")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rules.json", "rules.followup_5d.hours",
                                                "longer than ten years")));
}

TEST(RulesMapping, StringDurationIsAWrongType) {
  MappingsDir dir({{"rules.json", RulesWith(R"("followup_5d": {"days": 5,)",
                                            R"("followup_5d": {"days": "5",)")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rules.json", "rules.followup_5d.days",
                                                "expected a number, got a string")));
}

TEST(RulesMapping, TwoUnitsOrNoneAreReported) {
  std::string rules =
      RulesWith(R"("followup_5d": {"days": 5,)", R"("followup_5d": {"days": 5, "hours": 1,)");
  rules = Replace(rules, R"("am_response_5d": {"days": 5,)", R"("am_response_5d": {)");
  MappingsDir dir({{"rules.json", rules}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/rules.json", "rules.am_response_5d", "missing the length"),
                          IsProblem("/rules.json", "rules.followup_5d",
                                    "exactly one of minutes, hours or days")));
}

TEST(RulesMapping, UnknownKindIsReported) {
  MappingsDir dir({{"rules.json", RulesWith(R"("followup_5d": {"days": 5, "kind": "calendar"})",
                                            R"("followup_5d": {"days": 5, "kind": "weekly"})")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/rules.json", "rules.followup_5d.kind",
                                                "unknown kind 'weekly'")));
}

TEST(RulesMapping, UnknownRuleIdIsReportedWithASuggestion) {
  MappingsDir dir({{"rules.json", RulesWith(R"("followup_5d")", R"("follow_up_5d")")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/rules.json", "rules.follow_up_5d",
                                    "unknown rule id 'follow_up_5d'; did you mean 'followup_5d'?"),
                          IsProblem("/rules.json", "rules.followup_5d", "missing rule")));
}

TEST(RulesMapping, CaseNotRequiredTakesNoDuration) {
  MappingsDir dir(
      {{"rules.json", RulesWith("{\n", R"({"case_not_required": {"hours": 1, "kind": "calendar"},
)")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/rules.json", "rules.case_not_required", "has no duration")));
}

TEST(RulesMapping, BusinessDaysAreDaysTimesTheDailyOpenHours) {
  std::string rules = RulesWith(R"("followup_5d": {"days": 5, "kind": "calendar"})",
                                R"("followup_5d": {"days": 2, "kind": "business"})");
  rules = Replace(rules, R"("response_4bh": {"hours": 4, "kind": "business"})",
                  R"("response_4bh": {"minutes": 90.5, "kind": "business"})");
  MappingsDir dir(
      {{"rules.json", rules}, {"calendar.json", Calendar("UTC", R"(["mon"])", "08:30", "17:00")}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().Duration(RuleId::kFollowup5d).length, hours(17));
  EXPECT_EQ(dir.policy().Duration(RuleId::kFollowup5d).kind, DurationKind::kBusiness);
  EXPECT_EQ(dir.policy().Duration(RuleId::kResponse4bh).length, seconds(90 * 60 + 30));
}

TEST(RulesMapping, FractionalHoursAreAccepted) {
  MappingsDir dir({{"rules.json", RulesWith(R"("manager_notified": {"hours": 1,)",
                                            R"("manager_notified": {"hours": 0.25,)")}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().Duration(RuleId::kManagerNotified).length, minutes(15));
}

TEST(RulesMapping, MissingRuleIsReported) {
  MappingsDir dir({{"rules.json", R"({"response_4bh": {"hours": 4, "kind": "business"}})"}});
  auto const problems = dir.Load();
  EXPECT_THAT(problems, SizeIs(kRuleCount - 2));
  EXPECT_THAT(problems,
              Contains(IsProblem("/rules.json", "rules.beam_followup_1w", "missing rule")));
  EXPECT_THAT(problems, Each(Field(&Problem::message, HasSubstr("missing rule"))));
}

// ---- reasons.json, queues.json, relations.json -------------------------------------------

TEST(ReasonsMapping, ComplaintTypeMustMapToAKnownSecondaryReason) {
  MappingsDir dir({{"reasons.json", Replace(Shipped("reasons.json"), R"("other": "Other")",
                                            R"("other": "Misc")")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/reasons.json", "reasons.complaint_types.other",
                                                "not in reasons.secondary_reasons")));
}

TEST(ReasonsMapping, DuplicateAndMissingValuesAreReported) {
  MappingsDir dir(
      {{"reasons.json", R"({"secondary_reasons": ["A", "A"], "complaint_types": {}})"}});
  EXPECT_THAT(
      dir.Load(),
      ElementsAre(
          IsProblem("/reasons.json", "reasons.installer_complaint", "missing required key"),
          IsProblem("/reasons.json", "reasons.secondary_reasons[1]", "duplicate"),
          IsProblem("/reasons.json", "reasons.complaint_types", "at least one complaint type")));
}

TEST(QueuesMapping, BackOfficeMustBeAQueueKey) {
  MappingsDir dir({{"queues.json", R"({"queues": {"support": "Support"}, "back_office": "bo"})"}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/queues.json", "queues.back_office",
                                                "'bo' is not a key of queues.queues")));
}

TEST(QueuesMapping, InvalidKeysAndDeveloperNamesAreReported) {
  MappingsDir dir({{"queues.json", R"({"queues": {"Back Office": "Back_Office",
      "bo": "Back__Office", "x": "9x"}, "back_office": "bo"})"}});
  EXPECT_THAT(
      dir.Load(),
      ElementsAre(IsProblem("/queues.json", "queues.queues.Back Office", "invalid queue key"),
                  IsProblem("/queues.json", "queues.queues.bo", "invalid DeveloperName"),
                  IsProblem("/queues.json", "queues.queues.x", "invalid DeveloperName")));
}

TEST(RelationsMapping, FinancingValuesMustBeBeamOrConcert) {
  MappingsDir dir({{"relations.json", Replace(Shipped("relations.json"), R"("Concert": "concert")",
                                              R"("Concert": "solar_loan")")}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/relations.json", "relations.financing_values.Concert",
                                    "expected \"beam\" or \"concert\"")));
}

TEST(RelationsMapping, FieldNamesMustBeApiNames) {
  MappingsDir dir({{"relations.json", Replace(Shipped("relations.json"), R"("Installer__c")",
                                              R"("Installer c; DELETE")")}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/relations.json", "relations.installer_field",
                                                "invalid field API name")));
}

// ---- people.json, templates.json ----------------------------------------------------------

TEST(PeopleMapping, AtLeastOneManagerIsRequired) {
  MappingsDir dir({{"people.json", R"({"escalation_contact": {"name": "C"}, "managers": [],
                                       "beam_risk_email": "risk@example.com"})"}});
  EXPECT_THAT(dir.Load(),
              ElementsAre(IsProblem("/people.json", "people.managers", "at least one manager")));
}

TEST(PeopleMapping, BadAddressesAndUserIdsAreReported) {
  MappingsDir dir({{"people.json", R"({
    "escalation_contact": {"name": "C", "user_id": "0051x", "email": "c at example.com"},
    "managers": [{"name": "M", "user_id": "005000000000001AAA", "email": "m@example.com"},
                 {"user_id": null}],
    "beam_risk_email": "risk@greentech"})"}});
  EXPECT_THAT(
      dir.Load(),
      ElementsAre(
          IsProblem("/people.json", "people.escalation_contact.user_id",
                    "invalid Salesforce User id"),
          IsProblem("/people.json", "people.escalation_contact.email", "not an e-mail address"),
          IsProblem("/people.json", "people.managers[1].name", "missing required key"),
          IsProblem("/people.json", "people.beam_risk_email", "not an e-mail address")));
}

TEST(PeopleMapping, FilledInUserIdsAreKept) {
  MappingsDir dir({{"people.json", R"({
    "escalation_contact": {"name": "C", "user_id": "005000000000001", "email": "c@example.com"},
    "managers": [{"name": "M"}], "beam_risk_email": "risk@example.com"})"}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().people.escalation_contact.user_id, "005000000000001");
  EXPECT_EQ(dir.policy().people.escalation_contact.email, "c@example.com");
  EXPECT_THAT(dir.policy().people.managers, ElementsAre(Field(&Person::name, "M")));
}

TEST(TemplatesMapping, OneStringTemplateIsAccepted) {
  MappingsDir dir({{"templates.json", R"({"referral_comment": "Concern: {complaint}."})"}});
  EXPECT_THAT(dir.Load(), IsEmpty());
  EXPECT_EQ(dir.policy().templates.referral_comment, "Concern: {complaint}.");
}

TEST(TemplatesMapping, ComplaintPlaceholderIsRequired) {
  MappingsDir dir({{"templates.json", R"({"referral_comment": ["concern of ______."]})"}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/templates.json", "templates.referral_comment",
                                                "must contain the {complaint} placeholder")));
}

TEST(TemplatesMapping, UnknownPlaceholderAndNonStringLinesAreReported) {
  MappingsDir dir({{"templates.json", R"({"referral_comment": "{complaint} by {agent}"})"}});
  EXPECT_THAT(dir.Load(), ElementsAre(IsProblem("/templates.json", "templates.referral_comment",
                                                "unknown placeholder {agent}")));
  MappingsDir dir2({{"templates.json", R"({"referral_comment": ["{complaint}", 5]})"}});
  EXPECT_THAT(dir2.Load(), ElementsAre(IsProblem("/templates.json", "templates.referral_comment[1]",
                                                 "expected a string")));
}

// ---- many problems at once ----------------------------------------------------------------

TEST(LoadPolicy, EveryProblemInEveryFileIsReportedInOneRun) {
  MappingsDir dir({
      {"calendar.json", Calendar("Nowhere/Land", R"(["mon"])", "18:00", "09:00")},
      {"rules.json", RulesWith(R"("followup_5d": {"days": 5,)", R"("followup_5d": {"days": -1,)")},
      {"queues.json", R"({"queues": {"a": "A"}, "back_office": "b", "colour": "red"})"},
      {"templates.json", "{ oops }"},
      {"people.json", ""},
  });
  auto const problems = dir.Load();
  EXPECT_THAT(problems,
              ElementsAre(IsProblem("/calendar.json", "calendar.time_zone", "unknown time zone"),
                          IsProblem("/calendar.json", "calendar.closes", "later than opens"),
                          IsProblem("/rules.json", "rules.followup_5d.days", ">= 0"),
                          IsProblem("/queues.json", "queues.colour", "unknown key 'colour'"),
                          IsProblem("/queues.json", "queues.back_office", "not a key"),
                          IsProblem("/people.json", "people", "missing file"),
                          IsProblem("/templates.json", "templates", "invalid JSON at line 1")));
}

TEST(LoadPolicyOrError, ListsEveryProblemOnePerLine) {
  MappingsDir dir({{"queues.json", R"({"queues": {"a": "A"}, "back_office": "b", "x": 1})"}});
  auto result = LoadPolicyOrError(dir.path());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("2 problems"));
  EXPECT_THAT(result.status().message(),
              HasSubstr("\n" + dir.path() + "/queues.json: queues.x: unknown key 'x'"));
  EXPECT_THAT(result.status().message(),
              HasSubstr("\n" + dir.path() + "/queues.json: queues.back_office: 'b' is not a key"));
  EXPECT_THAT(result.status().info().file, HasSubstr("queues.json"));
}

TEST(LoadPolicyOrError, ShippedDefaultsAreOk) {
  auto result = LoadPolicyOrError("");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->queues.back_office, "back_office");
}

TEST(Problem, ToStringIsFileKeyMessageAndSkipsAnEmptyKey) {
  EXPECT_EQ((Problem{"m/rules.json", "rules.followup_5d.hours", "must be >= 0"}).ToString(),
            "m/rules.json: rules.followup_5d.hours: must be >= 0");
  EXPECT_EQ((Problem{"m", "", "mappings directory does not exist"}).ToString(),
            "m: mappings directory does not exist");
}

}  // namespace
}  // namespace casebridge::mappings
