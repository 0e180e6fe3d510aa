// SPEC 1.4 flag semantics, rule by rule: met, met late, pending, unmet past due, and closing
// (before due meets the flag, after due it stays breached), with exact instants.
//
// Base case: created Monday 2026-03-02 14:05Z = 09:05 EST, so 4 business hours end at 13:05 EST
// = 18:05Z the same day; calendar-kind clocks add whole days to the UTC instant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::CaseBuilder;
using testing_util::Describe;
using testing_util::Eval;
using testing_util::Summary;
using RuleId = mappings::RuleId;
using enum EventType;

constexpr char kCreated[] = "2026-03-02T14:05:00Z";

CaseBuilder Plain() { return CaseBuilder(kCreated); }
CaseBuilder Complaint() { return std::move(CaseBuilder(kCreated).InstallerComplaint()); }
// An installer complaint whose agent steps were done at 15:00Z (events 0 and 1).
CaseBuilder InBackOffice() {
  return std::move(
      CaseBuilder(kCreated).InstallerComplaint().AgentStepsDone("2026-03-02T15:00:00Z"));
}
CaseBuilder BeamInBackOffice() {
  return std::move(CaseBuilder(kCreated)
                       .InstallerComplaint()
                       .Financing(Financing::kBeam)
                       .AgentStepsDone("2026-03-02T16:00:00Z"));
}

// ---- response_4bh ---------------------------------------------------------------------------

TEST(Response4bh, MetWhenTheHomeownerIsContactedWithinFourBusinessHours) {
  auto e = Eval(Plain().On(kHomeownerContacted, "2026-03-02T15:00:00Z"), "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 0"));
}

TEST(Response4bh, ContactAfterDueIsBreachedByWholeMinutesRoundedDown) {
  auto e = Eval(Plain().On(kHomeownerContacted, "2026-03-02T19:35:59Z"), "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T19:35:59Z breached late 90 event 0"));
}

TEST(Response4bh, UnmetIsPendingUntilDueInclusive) {
  EXPECT_THAT(Describe(Eval(Plain(), "2026-03-02T17:00:00Z"), RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(Plain(), "2026-03-02T18:05:00Z"), RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null pending"));
}

TEST(Response4bh, UnmetPastDueIsBreachedUpToNow) {
  EXPECT_THAT(Describe(Eval(Plain(), "2026-03-02T20:00:30Z"), RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null breached late 115"));
}

TEST(Response4bh, ClosingBeforeDueMeetsItAtTheClose) {
  auto e = Eval(Plain().Closed("2026-03-02T16:00:00Z"), "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T16:00:00Z met by_close"));
}

TEST(Response4bh, ClosingExactlyAtDueMeetsIt) {
  auto e = Eval(Plain().Closed("2026-03-02T18:05:00Z"), "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T18:05:00Z met by_close"));
}

TEST(Response4bh, DuePassedBeforeTheCloseIsBreachedUpToTheClose) {
  auto e = Eval(Plain().Closed("2026-03-02T19:06:30Z"), "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null breached late 61"));
}

TEST(Response4bh, EveryCustomerMessageStartsItsOwnClock) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z")
                    .On(kCustomerMessage, "2026-03-03T15:00:00Z")
                    .On(kHomeownerContacted, "2026-03-03T20:00:00Z"),
                "2026-03-04T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 0",
                          "response_4bh 2026-03-03T15:00:00Z due 2026-03-03T19:00:00Z met_at "
                          "2026-03-03T20:00:00Z breached late 60 event 2"));
}

TEST(Response4bh, ContactAtTheSameInstantAsTheMessageMeetsIt) {
  auto e = Eval(Plain()
                    .On(kCustomerMessage, "2026-03-02T16:00:00Z")
                    .On(kHomeownerContacted, "2026-03-02T16:00:00Z"),
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T16:00:00Z met event 1",
                          "response_4bh 2026-03-02T16:00:00Z due 2026-03-02T20:00:00Z met_at "
                          "2026-03-02T16:00:00Z met event 1"));
}

TEST(Response4bh, ContactBeforeAMessageDoesNotAnswerIt) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z")
                    .On(kCustomerMessage, "2026-03-02T16:00:00Z"),
                "2026-03-02T19:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 0",
                          "response_4bh 2026-03-02T16:00:00Z due 2026-03-02T20:00:00Z met_at "
                          "null pending"));
}

TEST(Response4bh, APlainCaseHasOnlyTheResponseRule) {
  EXPECT_THAT(Summary(Eval(Plain(), "2026-03-02T15:00:00Z")), ElementsAre("response_4bh:pending"));
}

// ---- tier_update_24h ------------------------------------------------------------------------

TEST(TierUpdate24h, MetByAContactWithin24Hours) {
  auto e =
      Eval(Plain().Tier(1).On(kHomeownerContacted, "2026-03-03T10:00:00Z"), "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "2026-03-03T10:00:00Z met event 0"));
}

TEST(TierUpdate24h, ContactAfter24HoursIsBreached) {
  auto e =
      Eval(Plain().Tier(2).On(kHomeownerContacted, "2026-03-03T15:05:00Z"), "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "2026-03-03T15:05:00Z breached late 60 event 0"));
}

TEST(TierUpdate24h, PendingAtDueAndBreachedOneMinuteLater) {
  EXPECT_THAT(Describe(Eval(Plain().Tier(1), "2026-03-03T14:05:00Z"), RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(Plain().Tier(1), "2026-03-03T14:06:00Z"), RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "null breached late 1"));
}

TEST(TierUpdate24h, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(Plain().Tier(1).Closed("2026-03-03T12:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "2026-03-03T12:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Plain().Tier(2).Closed("2026-03-04T00:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "null breached late 595"));
}

TEST(TierUpdate24h, AppliesToTiersOneAndTwoOnly) {
  for (int tier : {0, 3, 4}) {
    EXPECT_THAT(Describe(Eval(Plain().Tier(tier), "2026-03-02T15:00:00Z"), RuleId::kTierUpdate24h),
                IsEmpty())
        << "tier " << tier;
  }
}

// ---- manager_notified -----------------------------------------------------------------------

TEST(ManagerNotified, MetByANotificationWithinAnHour) {
  auto e =
      Eval(Plain().Tier(4).On(kManagerNotified, "2026-03-02T14:30:00Z"), "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "2026-03-02T14:30:00Z met event 0"));
}

TEST(ManagerNotified, LateNotificationIsBreached) {
  auto e =
      Eval(Plain().Tier(4).On(kManagerNotified, "2026-03-02T16:05:00Z"), "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "2026-03-02T16:05:00Z breached late 60 event 0"));
}

TEST(ManagerNotified, PendingWithinTheHourThenBreached) {
  EXPECT_THAT(Describe(Eval(Plain().Tier(4), "2026-03-02T15:00:00Z"), RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(Plain().Tier(4), "2026-03-02T15:35:00Z"), RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "null breached late 30"));
}

TEST(ManagerNotified, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(Plain().Tier(4).Closed("2026-03-02T14:50:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "2026-03-02T14:50:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Plain().Tier(4).Closed("2026-03-02T17:05:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kManagerNotified),
              ElementsAre("manager_notified 2026-03-02T14:05:00Z due 2026-03-02T15:05:00Z met_at "
                          "null breached late 120"));
}

TEST(ManagerNotified, AppliesToTierFourOnly) {
  for (int tier : {0, 1, 2, 3}) {
    EXPECT_THAT(
        Describe(Eval(Plain().Tier(tier), "2026-03-02T15:00:00Z"), RuleId::kManagerNotified),
        IsEmpty())
        << "tier " << tier;
  }
}

// ---- relations_missing ----------------------------------------------------------------------

TEST(RelationsMissing, BothRelationsPresentIsMetWithoutAnInstant) {
  EXPECT_THAT(Describe(Eval(Complaint(), "2026-03-02T20:00:00Z"), RuleId::kRelationsMissing),
              ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null met"));
  // Also on a closed case: met by the data, not by the close.
  EXPECT_THAT(Describe(Eval(Complaint().Closed("2026-03-02T20:00:00Z"), "2026-03-03T00:00:00Z"),
                       RuleId::kRelationsMissing),
              ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null met"));
}

TEST(RelationsMissing, AMissingRelationIsPendingThenBreached) {
  auto no_homeowner = Complaint().Relations("001S000000000001", "");
  EXPECT_THAT(Describe(Eval(no_homeowner, "2026-03-02T17:00:00Z"), RuleId::kRelationsMissing),
              ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null pending"));
  auto no_installer = Complaint().Relations("", "003S000000000001");
  EXPECT_THAT(Describe(Eval(no_installer, "2026-03-02T20:05:00Z"), RuleId::kRelationsMissing),
              ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "null breached late 120"));
}

TEST(RelationsMissing, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  auto missing = Complaint().Relations("", "");
  EXPECT_THAT(
      Describe(Eval(CaseBuilder(missing).Closed("2026-03-02T16:00:00Z"), "2026-03-09T00:00:00Z"),
               RuleId::kRelationsMissing),
      ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                  "2026-03-02T16:00:00Z met by_close"));
  EXPECT_THAT(
      Describe(Eval(CaseBuilder(missing).Closed("2026-03-03T14:05:00Z"), "2026-03-09T00:00:00Z"),
               RuleId::kRelationsMissing),
      ElementsAre("relations_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                  "null breached late 1200"));
}

TEST(RelationsMissing, DoesNotApplyOutsideInstallerComplaints) {
  EXPECT_THAT(Describe(Eval(Plain().Tier(2), "2026-03-02T20:00:00Z"), RuleId::kRelationsMissing),
              IsEmpty());
}

// ---- outreach_note_missing ------------------------------------------------------------------

TEST(OutreachNoteMissing, MetByAnOutreachNote) {
  auto e = Eval(Complaint().On(kOutreachNote, "2026-03-02T14:30:00Z"), "2026-03-02T20:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-02T14:30:00Z met event 0"));
}

TEST(OutreachNoteMissing, LateNoteIsBreached) {
  auto e = Eval(Complaint().On(kOutreachNote, "2026-03-02T18:35:00Z"), "2026-03-02T20:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-02T18:35:00Z breached late 30 event 0"));
}

TEST(OutreachNoteMissing, UnmetIsPendingThenBreached) {
  EXPECT_THAT(Describe(Eval(Complaint(), "2026-03-02T17:00:00Z"), RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null pending"));
  EXPECT_THAT(Describe(Eval(Complaint(), "2026-03-03T14:00:00Z"), RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null breached late 1195"));
}

TEST(OutreachNoteMissing, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(Complaint().Closed("2026-03-02T15:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-02T15:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Complaint().Closed("2026-03-02T18:06:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kOutreachNoteMissing),
              ElementsAre("outreach_note_missing 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null breached late 1"));
}

// ---- back_office_handoff --------------------------------------------------------------------

TEST(BackOfficeHandoff, MetByAReassignmentToTheBackOfficeQueue) {
  auto e = Eval(Complaint().Reassigned("2026-03-02T16:00:00Z"), "2026-03-02T20:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-02T16:00:00Z met event 0"));
}

TEST(BackOfficeHandoff, ReassigningToAUserOrAnotherQueueDoesNotMeetIt) {
  auto e = Eval(Complaint()
                    .Reassigned("2026-03-02T15:00:00Z", "user:005S000000000001")
                    .Reassigned("2026-03-02T15:30:00Z", "queue:customer_support"),
                "2026-03-02T17:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null pending"));
}

TEST(BackOfficeHandoff, LateHandoffIsBreached) {
  auto e = Eval(Complaint().Reassigned("2026-03-03T14:30:00Z"), "2026-03-04T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-03T14:30:00Z breached late 1225 event 0"));
}

TEST(BackOfficeHandoff, UnmetPastDueIsBreachedAndClosingDecidesOnAClosedCase) {
  EXPECT_THAT(Describe(Eval(Complaint(), "2026-03-02T19:05:00Z"), RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null breached late 60"));
  EXPECT_THAT(Describe(Eval(Complaint().Closed("2026-03-02T17:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at 2026-03-02T17:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Complaint().Closed("2026-03-02T21:05:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kBackOfficeHandoff),
              ElementsAre("back_office_handoff 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z "
                          "met_at null breached late 180"));
}

// ---- installer_contact_2d -------------------------------------------------------------------

TEST(InstallerContact2d, MetWhenTheInstallerReachesTheHomeownerWithinTwoDays) {
  auto e = Eval(InBackOffice().On(kInstallerContactedHomeowner, "2026-03-03T16:00:00Z"),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at 2026-03-03T16:00:00Z met event 2"));
}

TEST(InstallerContact2d, LateContactIsBreached) {
  auto e = Eval(InBackOffice().On(kInstallerContactedHomeowner, "2026-03-04T15:05:00Z"),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at 2026-03-04T15:05:00Z breached late 60 event 2"));
}

TEST(InstallerContact2d, UnmetIsPendingThenBreached) {
  EXPECT_THAT(Describe(Eval(InBackOffice(), "2026-03-04T14:00:00Z"), RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at null pending"));
  EXPECT_THAT(Describe(Eval(InBackOffice(), "2026-03-05T14:05:00Z"), RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at null breached late 1440"));
}

TEST(InstallerContact2d, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(InBackOffice().Closed("2026-03-03T18:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at 2026-03-03T18:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(InBackOffice().Closed("2026-03-04T16:05:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kInstallerContact2d),
              ElementsAre("installer_contact_2d 2026-03-02T14:05:00Z due 2026-03-04T14:05:00Z "
                          "met_at null breached late 120"));
}

TEST(InstallerContact2d, DoesNotApplyToBeamOrConcertCustomers) {
  for (auto financing : {Financing::kBeam, Financing::kConcert}) {
    EXPECT_THAT(Describe(Eval(InBackOffice().Financing(financing), "2026-03-05T00:00:00Z"),
                         RuleId::kInstallerContact2d),
                IsEmpty());
  }
}

// ---- sales_referral_2d ----------------------------------------------------------------------

CaseBuilder Called() { return std::move(InBackOffice().Called("2026-03-04T15:00:00Z")); }

TEST(SalesReferral2d, MetByAReferralWithinTwoDaysOfTheCall) {
  auto e = Eval(Called().On(kSalesReferral, "2026-03-06T14:00:00Z"), "2026-03-07T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "2026-03-06T14:00:00Z met event 3"));
}

TEST(SalesReferral2d, MetByTheInstallerContactingTheHomeowner) {
  auto e = Eval(Called().On(kInstallerContactedHomeowner, "2026-03-05T10:00:00Z"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "2026-03-05T10:00:00Z met event 3"));
}

TEST(SalesReferral2d, LateReferralIsBreached) {
  auto e = Eval(Called().On(kSalesReferral, "2026-03-06T16:30:00Z"), "2026-03-07T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "2026-03-06T16:30:00Z breached late 90 event 3"));
}

TEST(SalesReferral2d, UnmetIsPendingThenBreached) {
  EXPECT_THAT(Describe(Eval(Called(), "2026-03-06T15:00:00Z"), RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(Called(), "2026-03-07T15:00:00Z"), RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null breached late 1440"));
}

TEST(SalesReferral2d, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(Called().Closed("2026-03-05T12:00:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "2026-03-05T12:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Called().Closed("2026-03-06T15:30:00Z"), "2026-03-09T00:00:00Z"),
                       RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null breached late 30"));
}

TEST(SalesReferral2d, EachCallStartsItsOwnClock) {
  auto e = Eval(InBackOffice()
                    .Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail)
                    .Called("2026-03-06T16:00:00Z", CallOutcome::kReached)
                    .On(kSalesReferral, "2026-03-07T10:00:00Z"),
                "2026-03-09T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "2026-03-07T10:00:00Z breached late 1140 event 4",
                          "sales_referral_2d 2026-03-06T16:00:00Z due 2026-03-08T16:00:00Z met_at "
                          "2026-03-07T10:00:00Z met event 4"));
}

TEST(SalesReferral2d, ContactBeforeTheCallDoesNotMeetIt) {
  auto e = Eval(InBackOffice()
                    .On(kInstallerContactedHomeowner, "2026-03-04T10:00:00Z")
                    .Called("2026-03-04T15:00:00Z"),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kSalesReferral2d),
              ElementsAre("sales_referral_2d 2026-03-04T15:00:00Z due 2026-03-06T15:00:00Z met_at "
                          "null pending"));
}

TEST(SalesReferral2d, DoesNotApplyToBeamCustomers) {
  EXPECT_THAT(Describe(Eval(Called().Financing(Financing::kBeam), "2026-03-05T00:00:00Z"),
                       RuleId::kSalesReferral2d),
              IsEmpty());
}

// ---- followup_5d ----------------------------------------------------------------------------

CaseBuilder Referred() {
  return std::move(Called().On(kSalesReferral, "2026-03-06T15:00:00Z"));  // events 0-3
}

TEST(Followup5d, RollingChainContinuesAfterALateLinkAndStopsAtTheFirstUnmetLink) {
  auto e = Eval(Referred()
                    .On(kHomeownerContacted, "2026-03-06T15:00:00Z")  // same instant: not after
                    .On(kHomeownerContacted, "2026-03-10T15:00:00Z")
                    .On(kHomeownerContacted, "2026-03-16T15:00:00Z"),
                "2026-03-20T15:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-10T15:00:00Z met event 5",
                          "followup_5d 2026-03-10T15:00:00Z due 2026-03-15T15:00:00Z met_at "
                          "2026-03-16T15:00:00Z breached late 1440 event 6",
                          "followup_5d 2026-03-16T15:00:00Z due 2026-03-21T15:00:00Z met_at "
                          "null pending"));
}

TEST(Followup5d, UnmetFirstLinkIsBreachedPastDue) {
  EXPECT_THAT(Describe(Eval(Referred(), "2026-03-12T15:00:00Z"), RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null breached late 1440"));
}

TEST(Followup5d, ContactBeforeTheReferralDoesNotCount) {
  auto e = Eval(Called()
                    .On(kHomeownerContacted, "2026-03-05T15:00:00Z")
                    .On(kSalesReferral, "2026-03-06T15:00:00Z"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null pending"));
}

TEST(Followup5d, ClosingMeetsTheOpenLinkBeforeItsDueAndNotAfter) {
  EXPECT_THAT(Describe(Eval(Referred()
                                .On(kHomeownerContacted, "2026-03-08T15:00:00Z")
                                .Closed("2026-03-09T15:00:00Z"),
                            "2026-03-20T00:00:00Z"),
                       RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-08T15:00:00Z met event 4",
                          "followup_5d 2026-03-08T15:00:00Z due 2026-03-13T15:00:00Z met_at "
                          "2026-03-09T15:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Referred().Closed("2026-03-12T15:00:00Z"), "2026-03-20T00:00:00Z"),
                       RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null breached late 1440"));
}

TEST(Followup5d, NoChainBeforeAReferral) {
  EXPECT_THAT(Describe(Eval(Called(), "2026-03-20T00:00:00Z"), RuleId::kFollowup5d), IsEmpty());
}

// ---- am_response_5d -------------------------------------------------------------------------

TEST(AmResponse5d, MetByAnAmResponseWithinFiveDays) {
  auto e = Eval(Referred().On(kAmResponded, "2026-03-09T12:00:00Z"), "2026-03-20T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-09T12:00:00Z met event 4"));
}

TEST(AmResponse5d, LateResponseIsBreached) {
  auto e = Eval(Referred().On(kAmResponded, "2026-03-11T16:00:00Z"), "2026-03-20T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-11T16:00:00Z breached late 60 event 4"));
}

TEST(AmResponse5d, UnmetIsPendingThenBreached) {
  EXPECT_THAT(Describe(Eval(Referred(), "2026-03-11T15:00:00Z"), RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(Referred(), "2026-03-12T15:00:00Z"), RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null breached late 1440"));
}

TEST(AmResponse5d, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(Describe(Eval(Referred().Closed("2026-03-10T15:00:00Z"), "2026-03-20T00:00:00Z"),
                       RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-10T15:00:00Z met by_close"));
  EXPECT_THAT(Describe(Eval(Referred().Closed("2026-03-11T17:00:00Z"), "2026-03-20T00:00:00Z"),
                       RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "null breached late 120"));
}

TEST(AmResponse5d, StartsAtTheFirstReferralAndAppliesToAnyCaseReferredToSales) {
  auto e = Eval(Plain()
                    .Tier(2)
                    .On(kSalesReferral, "2026-03-04T15:00:00Z")
                    .On(kSalesReferral, "2026-03-06T15:00:00Z"),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kAmResponse5d),
              ElementsAre("am_response_5d 2026-03-04T15:00:00Z due 2026-03-09T15:00:00Z met_at "
                          "null pending"));
  // followup_5d is part of the installer-complaint procedure only.
  EXPECT_THAT(Describe(e, RuleId::kFollowup5d), IsEmpty());
}

// ---- beam_followup_1w -----------------------------------------------------------------------

TEST(BeamFollowup1w, MetByAHomeownerContactWithinAWeekOfTheHandoff) {
  auto e = Eval(BeamInBackOffice().On(kHomeownerContacted, "2026-03-05T15:00:00Z"),
                "2026-03-06T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBeamFollowup1w),
              ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                          "2026-03-05T15:00:00Z met event 2"));
}

TEST(BeamFollowup1w, LateContactIsBreached) {
  auto e = Eval(BeamInBackOffice().On(kHomeownerContacted, "2026-03-09T17:00:00Z"),
                "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBeamFollowup1w),
              ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                          "2026-03-09T17:00:00Z breached late 60 event 2"));
}

TEST(BeamFollowup1w, UnmetIsPendingThenBreached) {
  EXPECT_THAT(Describe(Eval(BeamInBackOffice(), "2026-03-09T16:00:00Z"), RuleId::kBeamFollowup1w),
              ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                          "null pending"));
  EXPECT_THAT(Describe(Eval(BeamInBackOffice(), "2026-03-10T16:00:00Z"), RuleId::kBeamFollowup1w),
              ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                          "null breached late 1440"));
}

TEST(BeamFollowup1w, ClosingBeforeDueMeetsItAndAfterDueIsBreached) {
  EXPECT_THAT(
      Describe(Eval(BeamInBackOffice().Closed("2026-03-04T12:00:00Z"), "2026-03-20T00:00:00Z"),
               RuleId::kBeamFollowup1w),
      ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                  "2026-03-04T12:00:00Z met by_close"));
  EXPECT_THAT(
      Describe(Eval(BeamInBackOffice().Closed("2026-03-09T16:10:00Z"), "2026-03-20T00:00:00Z"),
               RuleId::kBeamFollowup1w),
      ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                  "null breached late 10"));
}

TEST(BeamFollowup1w, EachFollowupRequestAfterTheHandoffStartsAnotherWeek) {
  auto e = Eval(CaseBuilder(kCreated)
                    .InstallerComplaint()
                    .Financing(Financing::kConcert)
                    .On(kHomeownerRequestedFollowup, "2026-03-02T15:30:00Z")  // before handoff
                    .AgentStepsDone("2026-03-02T16:00:00Z")                   // events 1, 2
                    .On(kHomeownerContacted, "2026-03-05T15:00:00Z")
                    .On(kHomeownerRequestedFollowup, "2026-03-06T12:00:00Z")
                    .On(kHomeownerContacted, "2026-03-12T15:00:00Z")
                    .On(kHomeownerRequestedFollowup, "2026-03-13T09:00:00Z"),
                "2026-03-16T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kBeamFollowup1w),
              ElementsAre("beam_followup_1w 2026-03-02T16:00:00Z due 2026-03-09T16:00:00Z met_at "
                          "2026-03-05T15:00:00Z met event 3",
                          "beam_followup_1w 2026-03-06T12:00:00Z due 2026-03-13T12:00:00Z met_at "
                          "2026-03-12T15:00:00Z met event 5",
                          "beam_followup_1w 2026-03-13T09:00:00Z due 2026-03-20T09:00:00Z met_at "
                          "null pending"));
}

TEST(BeamFollowup1w, NoClockBeforeTheHandoffNorForNonBeamCases) {
  auto not_handed_off = CaseBuilder(kCreated).InstallerComplaint().Financing(Financing::kBeam);
  EXPECT_THAT(Describe(Eval(not_handed_off, "2026-03-05T00:00:00Z"), RuleId::kBeamFollowup1w),
              IsEmpty());
  EXPECT_THAT(Describe(Eval(InBackOffice(), "2026-03-05T00:00:00Z"), RuleId::kBeamFollowup1w),
              IsEmpty());
}

// ---- case_not_required ----------------------------------------------------------------------

TEST(CaseNotRequired, PreM3PtoComplaintIsAnInfoFlagWithoutClock) {
  auto e = Eval(Complaint().PreM3(), "2026-03-02T15:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kCaseNotRequired),
              ElementsAre("case_not_required 2026-03-02T14:05:00Z due null met_at null info"));
}

TEST(CaseNotRequired, OnlyForInstallerComplaints) {
  EXPECT_THAT(Describe(Eval(Plain().PreM3(), "2026-03-02T15:00:00Z"), RuleId::kCaseNotRequired),
              IsEmpty());
}

}  // namespace
}  // namespace casebridge::engine
