// Business-hours edge cases seen through the engine's response_4bh clock (SPEC 1.1 on the seed
// calendar: America/New_York, Mon-Fri 09:00-18:00). US DST 2026: starts Sunday 03-08, ends
// Sunday 11-01. EST = UTC-5, EDT = UTC-4.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using ::testing::ElementsAre;
using testing_util::CaseBuilder;
using testing_util::Describe;
using testing_util::Eval;
using RuleId = mappings::RuleId;
using enum EventType;

// Due of the response clock of a case created at `created` (no other events).
std::string CreationDue(std::string_view created) {
  auto e = Eval(CaseBuilder(created), "2030-01-01T00:00:00Z");
  return e.flags.empty() || !e.flags.front().due ? "none" : FormatInstant(*e.flags.front().due);
}

// Due of the response clock of a customer message at `at` on a case created long before.
std::string MessageDue(std::string_view at) {
  auto e =
      Eval(CaseBuilder("2026-01-05T15:00:00Z").On(kCustomerMessage, at), "2030-01-01T00:00:00Z");
  return e.flags.size() != 2 || !e.flags[1].due ? "none" : FormatInstant(*e.flags[1].due);
}

TEST(BusinessHours, FridayEveningContactIsDueMondayNoon) {
  // Friday 17:00 EDT -> 1 h on Friday + 3 h on Monday = Monday 12:00 EDT.
  EXPECT_EQ(MessageDue("2026-03-13T21:00:00Z"), "2026-03-16T16:00:00Z");
  EXPECT_EQ(CreationDue("2026-03-13T21:00:00Z"), "2026-03-16T16:00:00Z");
}

TEST(BusinessHours, FridayEveningContactAcrossTheSpringForwardWeekendIsDueMondayNoonLocal) {
  // Friday 03-06 17:00 EST (22:00Z) -> Monday 03-09 12:00 EDT (16:00Z).
  EXPECT_EQ(MessageDue("2026-03-06T22:00:00Z"), "2026-03-09T16:00:00Z");
}

TEST(BusinessHours, FridayEveningContactAcrossTheFallBackWeekendIsDueMondayNoonLocal) {
  // Friday 10-30 17:00 EDT (21:00Z) -> Monday 11-02 12:00 EST (17:00Z).
  EXPECT_EQ(MessageDue("2026-10-30T21:00:00Z"), "2026-11-02T17:00:00Z");
}

TEST(BusinessHours, SaturdayContactIsDueMondayAtOne) {
  EXPECT_EQ(MessageDue("2026-03-14T14:00:00Z"), "2026-03-16T17:00:00Z");  // Sat 10:00 EDT
}

TEST(BusinessHours, AfternoonContactIsDueTheSameEvening) {
  EXPECT_EQ(MessageDue("2026-03-18T18:00:00Z"), "2026-03-18T22:00:00Z");  // Wed 14:00 -> 18:00
}

TEST(BusinessHours, ContactsOutsideOpeningHoursStartCountingAtTheNextOpening) {
  EXPECT_EQ(MessageDue("2026-03-16T11:00:00Z"), "2026-03-16T17:00:00Z");  // Mon 07:00 -> 13:00
  EXPECT_EQ(MessageDue("2026-03-16T13:00:00Z"), "2026-03-16T17:00:00Z");  // Mon 09:00 -> 13:00
  EXPECT_EQ(MessageDue("2026-03-16T22:00:00Z"), "2026-03-17T17:00:00Z");  // Mon 18:00 -> Tue 13:00
  EXPECT_EQ(MessageDue("2026-03-16T22:30:00Z"), "2026-03-17T17:00:00Z");  // Mon 18:30 -> Tue 13:00
}

TEST(BusinessHours, FridayAfternoonContactSpillsIntoMondayMorning) {
  EXPECT_EQ(MessageDue("2026-03-13T19:00:00Z"), "2026-03-16T14:00:00Z");  // Fri 15:00 -> Mon 10:00
}

TEST(BusinessHours, FridayEveningCaseAnsweredMondayMorningIsMet) {
  auto e = Eval(CaseBuilder("2026-03-13T21:00:00Z").On(kHomeownerContacted, "2026-03-16T15:59:00Z"),
                "2026-03-16T20:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-13T21:00:00Z due 2026-03-16T16:00:00Z met_at "
                          "2026-03-16T15:59:00Z met event 0"));
}

TEST(BusinessHours, LatenessIsCountedInRealMinutesFromTheDue) {
  // Unanswered over the weekend: pending all weekend, breached from Monday noon.
  EXPECT_THAT(Describe(Eval(CaseBuilder("2026-03-13T21:00:00Z"), "2026-03-15T12:00:00Z"),
                       RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-13T21:00:00Z due 2026-03-16T16:00:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(CaseBuilder("2026-03-13T21:00:00Z"), "2026-03-16T17:00:00Z"),
                       RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-13T21:00:00Z due 2026-03-16T16:00:00Z met_at "
                          "null breached late 60"));
  // Met late on Monday evening, after hours: still real minutes (18:30 EDT - 12:00 EDT).
  EXPECT_THAT(
      Describe(
          Eval(CaseBuilder("2026-03-13T21:00:00Z").On(kHomeownerContacted, "2026-03-16T22:30:00Z"),
               "2026-03-17T00:00:00Z"),
          RuleId::kResponse4bh),
      ElementsAre("response_4bh 2026-03-13T21:00:00Z due 2026-03-16T16:00:00Z met_at "
                  "2026-03-16T22:30:00Z breached late 390 event 0"));
}

TEST(BusinessHours, AgentStepClocksShareTheCreationDue) {
  auto e = Eval(CaseBuilder("2026-03-13T21:00:00Z").InstallerComplaint(), "2026-03-14T00:00:00Z");
  for (auto rule : {RuleId::kResponse4bh, RuleId::kRelationsMissing, RuleId::kOutreachNoteMissing,
                    RuleId::kBackOfficeHandoff}) {
    auto flags = testing_util::FlagsOf(e, rule);
    ASSERT_EQ(flags.size(), 1U) << mappings::RuleName(rule);
    EXPECT_EQ(flags[0].due, testing_util::T("2026-03-16T16:00:00Z")) << mappings::RuleName(rule);
  }
}

TEST(BusinessHours, CalendarDayClocksIgnoreBusinessHoursAndDst) {
  // installer_contact_2d is 48 h of real time, also across the spring-forward night.
  auto e = Eval(CaseBuilder("2026-03-07T15:00:00Z")
                    .InstallerComplaint()
                    .AgentStepsDone("2026-03-07T16:00:00Z"),
                "2026-03-08T00:00:00Z");
  auto flags = testing_util::FlagsOf(e, RuleId::kInstallerContact2d);
  ASSERT_EQ(flags.size(), 1U);
  EXPECT_EQ(flags[0].due, testing_util::T("2026-03-09T15:00:00Z"));
}

}  // namespace
}  // namespace casebridge::engine
