// The three readings of SPEC 1.4 (issue 16) that every path (`evaluate`, `report --input`, the
// sync) gets from the engine:
//  * a customer_message at or before created_at is the contact that opened the case: the
//    creation clock covers it;
//  * the case is evaluated as it stood at `now`: later events and a later closed_at are ignored;
//  * events at one instant keep their input order and none is lost.
//
// Base case: created Monday 2026-03-02 14:05Z = 09:05 EST; its response clock is due 18:05Z.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using mappings::ActionId;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using testing_util::CaseBuilder;
using testing_util::Describe;
using testing_util::Eval;
using testing_util::Keys;
using testing_util::Summary;
using testing_util::T;
using RuleId = mappings::RuleId;
using enum EventType;

constexpr char kCreated[] = "2026-03-02T14:05:00Z";

CaseBuilder Plain() { return CaseBuilder(kCreated); }

// Every flag and action of an evaluation, one line each.
std::vector<std::string> Everything(Evaluation const& e) {
  std::vector<std::string> out;
  for (Flag const& f : e.flags) out.push_back(Describe(f));
  for (PlannedAction const& a : e.actions) out.push_back(testing_util::Describe(a));
  out.push_back(std::string("stage ") + std::string(StageName(e.stage)));
  return out;
}

// ---- the contact that opened the case -------------------------------------------------------

TEST(OpeningContact, AMessageAtTheCreationInstantStartsNoClockOfItsOwn) {
  // Email-to-Case: the incoming e-mail and the case carry the same instant.
  auto e =
      Eval(Plain().On(kCustomerMessage, kCreated).On(kHomeownerContacted, "2026-03-02T15:00:00Z"),
           "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 1"));
}

TEST(OpeningContact, AMessageDatedBeforeCreationIsCoveredByTheCreationClock) {
  // A web form or an e-mail received a few minutes before an agent created the case by hand.
  auto e = Eval(Plain().On(kCustomerMessage, "2026-03-02T13:40:00Z"), "2026-03-02T20:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null breached late 115"));
}

TEST(OpeningContact, AMessageOneSecondAfterCreationStartsItsOwnClock) {
  auto e = Eval(Plain().On(kCustomerMessage, "2026-03-02T14:05:01Z"), "2026-03-02T15:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null pending",
                          "response_4bh 2026-03-02T14:05:01Z due 2026-03-02T18:05:01Z met_at "
                          "null pending"));
}

TEST(OpeningContact, TheOpeningMessageStillCountsAsAnEventOfTheCase) {
  // Only its clock is folded into the creation clock; later messages still start theirs.
  auto e = Eval(Plain()
                    .On(kCustomerMessage, "2026-03-03T15:00:00Z")
                    .On(kCustomerMessage, kCreated)
                    .On(kHomeownerContacted, "2026-03-03T16:00:00Z"),
                "2026-03-04T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-03T16:00:00Z breached late 1315 event 2",
                          "response_4bh 2026-03-03T15:00:00Z due 2026-03-03T19:00:00Z met_at "
                          "2026-03-03T16:00:00Z met event 2"));
}

// ---- as it stood at `now` -------------------------------------------------------------------

TEST(AsOfNow, AnEventLaterThanNowIsIgnored) {
  auto e = Eval(Plain().On(kHomeownerContacted, "2026-03-02T16:00:00Z"), "2026-03-02T15:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null pending"));
  EXPECT_THAT(e.later_than_now, Optional(T("2026-03-02T16:00:00Z")));
}

TEST(AsOfNow, AnEventExactlyAtNowCounts) {
  auto e = Eval(Plain().On(kHomeownerContacted, "2026-03-02T16:00:00Z"), "2026-03-02T16:00:00Z");
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:met"));
  EXPECT_EQ(e.later_than_now, std::nullopt);
}

TEST(AsOfNow, AMessageLaterThanNowStartsNoClock) {
  auto e = Eval(Plain().On(kCustomerMessage, "2026-03-03T15:00:00Z"), "2026-03-02T15:00:00Z");
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:pending"));
}

TEST(AsOfNow, AClosingLaterThanNowHasNotHappenedYet) {
  auto snapshot = Plain().Tier(1).Closed("2026-03-04T12:00:00Z");
  auto e = Eval(snapshot, "2026-03-03T20:00:00Z");
  EXPECT_EQ(e.stage, Stage::kSelfService);
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null breached late 1555"));
  EXPECT_THAT(Describe(e, RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "null breached late 355"));
  // Open as of now: the follow-up is still planned.
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:tier_followup:1"));
  EXPECT_THAT(e.later_than_now, Optional(T("2026-03-04T12:00:00Z")));
}

TEST(AsOfNow, AClosingExactlyAtNowCloses) {
  auto e = Eval(Plain().Tier(1).Closed("2026-03-02T16:00:00Z"), "2026-03-02T16:00:00Z");
  EXPECT_EQ(e.stage, Stage::kClosed);
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:met", "tier_update_24h:met"));
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(AsOfNow, ATaskCreatedLaterThanNowDoesNotStopItsPlanning) {
  auto e = Eval(Plain().Tier(1).TaskCreated("2026-03-02T16:00:00Z", ActionId::kTierFollowup,
                                            "500S000000000001:tier_followup:1"),
                "2026-03-02T15:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:tier_followup:1"));
  auto later = Eval(Plain().Tier(1).TaskCreated("2026-03-02T16:00:00Z", ActionId::kTierFollowup,
                                                "500S000000000001:tier_followup:1"),
                    "2026-03-02T16:00:00Z");
  EXPECT_THAT(later.actions, IsEmpty());
}

TEST(AsOfNow, LaterThanNowIsTheEarliestIgnoredInstant) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-05T15:00:00Z")
                    .On(kCustomerMessage, "2026-03-04T15:00:00Z")
                    .Closed("2026-03-06T15:00:00Z"),
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(e.later_than_now, Optional(T("2026-03-04T15:00:00Z")));
  // A reused Evaluation does not keep the previous case's instant.
  testing_util::Seed().engine.Evaluate(Plain(), T("2026-03-03T00:00:00Z"), e);
  EXPECT_EQ(e.later_than_now, std::nullopt);
}

TEST(AsOfNow, EvaluatingTheWholeHistoryAtAnInstantEqualsEvaluatingWhatWasKnownThen) {
  // `--now` replays of history are exact: at every instant, the full snapshot gives the same
  // flags, actions and stage as the snapshot cut at that instant. Events are in time order, so
  // cutting removes a suffix and the evidence indices stay comparable.
  auto history = CaseBuilder(kCreated)
                     .InstallerComplaint()
                     .On(kCustomerMessage, kCreated)
                     .On(kHomeownerContacted, "2026-03-02T15:00:00Z")
                     .AgentStepsDone("2026-03-02T16:00:00Z")
                     .Called("2026-03-04T15:00:00Z")
                     .On(kCustomerMessage, "2026-03-05T14:00:00Z")
                     .On(kCustomerMessage, "2026-03-05T14:00:00Z")
                     .On(kSalesReferral, "2026-03-06T15:00:00Z")
                     .On(kHomeownerContacted, "2026-03-09T15:00:00Z")
                     .On(kAmResponded, "2026-03-12T15:00:00Z")
                     .Closed("2026-03-20T15:00:00Z")
                     .Build();
  for (char const* now : {"2026-03-02T14:05:00Z", "2026-03-02T15:30:00Z", "2026-03-03T12:00:00Z",
                          "2026-03-05T14:00:00Z", "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z",
                          "2026-03-19T00:00:00Z", "2026-03-20T15:00:00Z", "2026-04-01T00:00:00Z"}) {
    Snapshot known = history;
    std::erase_if(known.events, [&](Event const& e) { return e.at > T(now); });
    if (known.closed_at && *known.closed_at > T(now)) known.closed_at.reset();
    EXPECT_EQ(Everything(Eval(history, now)), Everything(Eval(known, now))) << "now " << now;
  }
}

// ---- events at one instant ------------------------------------------------------------------

TEST(SameInstant, TwoCustomerMessagesAtTheSameSecondAreTwoClocks) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-03T18:00:00Z")  // 0
                    .On(kCustomerMessage, "2026-03-03T15:00:00Z")     // 1
                    .On(kCustomerMessage, "2026-03-03T15:00:00Z"),    // 2
                "2026-03-04T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-03T18:00:00Z breached late 1435 event 0",
                          "response_4bh 2026-03-03T15:00:00Z due 2026-03-03T19:00:00Z met_at "
                          "2026-03-03T18:00:00Z met event 0",
                          "response_4bh 2026-03-03T15:00:00Z due 2026-03-03T19:00:00Z met_at "
                          "2026-03-03T18:00:00Z met event 0"));
}

TEST(SameInstant, TwoCallsAtTheSameSecondAreTwoReminders) {
  auto e = Eval(CaseBuilder(kCreated)
                    .InstallerComplaint()
                    .AgentStepsDone("2026-03-02T15:00:00Z")
                    .Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail)
                    .Called("2026-03-04T15:00:00Z", CallOutcome::kReached),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null pending",
                          "sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:sales_referral_reminder:1",
                                   "500S000000000001:sales_referral_reminder:2"));
}

TEST(SameInstant, TheFirstOfSimultaneousMeetingEventsInInputOrderIsTheEvidence) {
  // Given in either order, the message and the two answers at 16:00 keep their input order.
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-02T16:00:00Z")   // 0
                    .On(kCustomerMessage, "2026-03-02T16:00:00Z")      // 1
                    .On(kHomeownerContacted, "2026-03-02T16:00:00Z")   // 2
                    .On(kHomeownerContacted, "2026-03-02T14:00:00Z"),  // 3: before creation
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T16:00:00Z met event 0",
                          "response_4bh 2026-03-02T16:00:00Z due 2026-03-02T20:00:00Z met_at "
                          "2026-03-02T16:00:00Z met event 0"));
}

}  // namespace
}  // namespace casebridge::engine
