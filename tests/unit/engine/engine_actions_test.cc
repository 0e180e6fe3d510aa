// Planned actions (SPEC 1.4): when each is planned and when not, its due, kind, rule and key,
// recurrence numbering, nothing on closed cases, and no re-planning of a task already created.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::ActionsOf;
using testing_util::CaseBuilder;
using testing_util::DescribeActions;
using testing_util::Eval;
using testing_util::Keys;
using ActionId = mappings::ActionId;
using enum EventType;

constexpr char kCreated[] = "2026-03-02T14:05:00Z";  // Monday 09:05 EST

CaseBuilder Plain() { return CaseBuilder(kCreated); }
CaseBuilder Complaint() { return std::move(CaseBuilder(kCreated).InstallerComplaint()); }
CaseBuilder InBackOffice() {
  return std::move(Complaint().AgentStepsDone("2026-03-02T15:00:00Z"));  // events 0, 1
}
CaseBuilder Referred() {
  return std::move(InBackOffice()
                       .Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail)
                       .On(kSalesReferral, "2026-03-06T15:00:00Z"));
}
CaseBuilder BeamInBackOffice() {
  return std::move(Complaint().Financing(Financing::kBeam).AgentStepsDone("2026-03-02T16:00:00Z"));
}

// ---- reassign_back_office -------------------------------------------------------------------

TEST(ReassignBackOffice, PlannedOnceTheAgentStepsAreDone) {
  auto e = Eval(Complaint().On(kOutreachNote, "2026-03-02T14:30:00Z"), "2026-03-02T15:00:00Z");
  EXPECT_THAT(DescribeActions(e),
              ElementsAre("500S000000000001:reassign_back_office:1 reassign due "
                          "2026-03-02T18:05:00Z rule back_office_handoff"));
}

TEST(ReassignBackOffice, AlsoForBeamCustomers) {
  auto e = Eval(Complaint().Financing(Financing::kBeam).On(kOutreachNote, "2026-03-02T14:30:00Z"),
                "2026-03-02T15:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:reassign_back_office:1"));
}

TEST(ReassignBackOffice, NotPlannedWithoutTheOutreachNote) {
  EXPECT_THAT(Eval(Complaint(), "2026-03-02T15:00:00Z").actions, IsEmpty());
}

TEST(ReassignBackOffice, NotPlannedWhileARelationIsMissing) {
  auto e =
      Eval(Complaint().Relations("001S000000000001", "").On(kOutreachNote, "2026-03-02T14:30:00Z"),
           "2026-03-02T15:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(ReassignBackOffice, NotPlannedOnceHandedOffEvenIfABackOfficeUserOwnsTheCase) {
  auto e = Eval(InBackOffice().Owner("user:005S000000000009"), "2026-03-02T16:00:00Z");
  EXPECT_THAT(ActionsOf(e, ActionId::kReassignBackOffice), IsEmpty());
}

TEST(ReassignBackOffice, NotPlannedWhenTheBackOfficeQueueAlreadyOwnsTheCase) {
  auto e = Eval(Complaint().Owner("queue:back_office").On(kOutreachNote, "2026-03-02T14:30:00Z"),
                "2026-03-02T15:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(ReassignBackOffice, NotPlannedForPreM3Complaints) {
  auto e =
      Eval(Complaint().PreM3().On(kOutreachNote, "2026-03-02T14:30:00Z"), "2026-03-02T15:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

// ---- call_installer -------------------------------------------------------------------------

TEST(CallInstaller, PlannedForANonBeamComplaintInBackOffice) {
  auto e = Eval(InBackOffice(), "2026-03-03T00:00:00Z");
  EXPECT_THAT(DescribeActions(e),
              ElementsAre("500S000000000001:call_installer:1 task due 2026-03-04T14:05:00Z rule "
                          "installer_contact_2d"));
}

TEST(CallInstaller, NotPlannedBeforeTheHandoff) {
  auto e = Eval(Complaint().Reassigned("2026-03-02T15:00:00Z", "user:005S000000000009"),
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(ActionsOf(e, ActionId::kCallInstaller), IsEmpty());
}

TEST(CallInstaller, NotPlannedOnceTheInstallerContactedTheHomeowner) {
  auto e = Eval(InBackOffice().On(kInstallerContactedHomeowner, "2026-03-03T12:00:00Z"),
                "2026-03-03T13:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(CallInstaller, NotPlannedOnceTheInstallerWasCalledOrTheCaseReferred) {
  EXPECT_THAT(ActionsOf(Eval(InBackOffice().Called("2026-03-04T15:00:00Z"), "2026-03-05T00:00:00Z"),
                        ActionId::kCallInstaller),
              IsEmpty());
  EXPECT_THAT(ActionsOf(Eval(InBackOffice().On(kSalesReferral, "2026-03-04T15:00:00Z"),
                             "2026-03-05T00:00:00Z"),
                        ActionId::kCallInstaller),
              IsEmpty());
}

TEST(CallInstaller, NotPlannedForBeamOrConcert) {
  for (auto financing : {Financing::kBeam, Financing::kConcert}) {
    EXPECT_THAT(ActionsOf(Eval(InBackOffice().Financing(financing), "2026-03-03T00:00:00Z"),
                          ActionId::kCallInstaller),
                IsEmpty());
  }
}

// ---- sales_referral_reminder ----------------------------------------------------------------

TEST(SalesReferralReminder, OnePerUnansweredCallNumberedByCall) {
  auto one = Eval(InBackOffice().Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail),
                  "2026-03-05T00:00:00Z");
  EXPECT_THAT(DescribeActions(one),
              ElementsAre("500S000000000001:sales_referral_reminder:1 task due "
                          "2026-03-06T15:00:00Z rule sales_referral_2d"));

  auto two = Eval(InBackOffice()
                      .Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail)
                      .Called("2026-03-06T16:00:00Z", CallOutcome::kReached),
                  "2026-03-07T00:00:00Z");
  EXPECT_THAT(DescribeActions(two),
              ElementsAre("500S000000000001:sales_referral_reminder:1 task due "
                          "2026-03-06T15:00:00Z rule sales_referral_2d",
                          "500S000000000001:sales_referral_reminder:2 task due "
                          "2026-03-08T16:00:00Z rule sales_referral_2d"));
}

TEST(SalesReferralReminder, OnlyCallsStillWithoutContactOrReferralKeepTheirReminder) {
  auto e = Eval(InBackOffice()
                    .Called("2026-03-04T15:00:00Z")
                    .On(kSalesReferral, "2026-03-05T10:00:00Z")
                    .Called("2026-03-06T16:00:00Z"),
                "2026-03-07T00:00:00Z");
  // The first call was followed by the referral; the second (after it) was not.
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:sales_referral_reminder:2",
                                   "500S000000000001:homeowner_followup:1"));
}

TEST(SalesReferralReminder, NoneOnceTheInstallerContactedTheHomeowner) {
  auto e = Eval(InBackOffice()
                    .Called("2026-03-04T15:00:00Z")
                    .On(kInstallerContactedHomeowner, "2026-03-05T10:00:00Z"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

// ---- homeowner_followup ---------------------------------------------------------------------

TEST(HomeownerFollowup, RecursWithTheNextNumberEachTimeALinkIsMet) {
  auto first = Eval(Referred(), "2026-03-07T00:00:00Z");
  EXPECT_THAT(DescribeActions(first),
              ElementsAre("500S000000000001:homeowner_followup:1 task due 2026-03-11T15:00:00Z "
                          "rule followup_5d"));

  auto second =
      Eval(Referred().On(kHomeownerContacted, "2026-03-10T15:00:00Z"), "2026-03-10T16:00:00Z");
  EXPECT_THAT(DescribeActions(second),
              ElementsAre("500S000000000001:homeowner_followup:2 task due 2026-03-15T15:00:00Z "
                          "rule followup_5d"));

  auto third = Eval(Referred()
                        .On(kHomeownerContacted, "2026-03-10T15:00:00Z")
                        .On(kHomeownerContacted, "2026-03-16T15:00:00Z"),
                    "2026-03-16T16:00:00Z");
  EXPECT_THAT(ActionsOf(third, ActionId::kHomeownerFollowup).size(), 1U);
  EXPECT_THAT(Keys(third), ::testing::Contains("500S000000000001:homeowner_followup:3"));
}

TEST(HomeownerFollowup, NoneBeforeTheReferral) {
  EXPECT_THAT(ActionsOf(Eval(InBackOffice().Called("2026-03-04T15:00:00Z"), "2026-03-05T00:00:00Z"),
                        ActionId::kHomeownerFollowup),
              IsEmpty());
}

// ---- beam_followup --------------------------------------------------------------------------

TEST(BeamFollowup, PlannedAWeekAfterTheHandoff) {
  auto e = Eval(BeamInBackOffice(), "2026-03-03T00:00:00Z");
  EXPECT_THAT(DescribeActions(e),
              ElementsAre("500S000000000001:beam_followup:1 task due 2026-03-09T16:00:00Z rule "
                          "beam_followup_1w"));
}

TEST(BeamFollowup, EachFollowupRequestPlansTheNextReminder) {
  auto e = Eval(BeamInBackOffice()
                    .On(kHomeownerContacted, "2026-03-05T15:00:00Z")
                    .On(kHomeownerRequestedFollowup, "2026-03-06T12:00:00Z"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(DescribeActions(e),
              ElementsAre("500S000000000001:beam_followup:2 task due 2026-03-13T12:00:00Z rule "
                          "beam_followup_1w"));
}

TEST(BeamFollowup, UnansweredRemindersStayPlannedSideBySide) {
  auto e = Eval(Complaint()
                    .Financing(Financing::kConcert)
                    .AgentStepsDone("2026-03-02T16:00:00Z")
                    .On(kHomeownerRequestedFollowup, "2026-03-04T12:00:00Z"),
                "2026-03-05T00:00:00Z");
  EXPECT_THAT(Keys(e),
              ElementsAre("500S000000000001:beam_followup:1", "500S000000000001:beam_followup:2"));
}

TEST(BeamFollowup, NoneOnceTheHomeownerIsUnresponsive) {
  auto e = Eval(BeamInBackOffice().On(kHomeownerUnresponsive, "2026-03-09T10:00:00Z"),
                "2026-03-10T00:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

// ---- tier_followup --------------------------------------------------------------------------

TEST(TierFollowup, PlannedForTiersOneAndTwoUntilTheCustomerIsUpdated) {
  for (int tier : {1, 2}) {
    EXPECT_THAT(DescribeActions(Eval(Plain().Tier(tier), "2026-03-02T15:00:00Z")),
                ElementsAre("500S000000000001:tier_followup:1 task due 2026-03-03T14:05:00Z rule "
                            "tier_update_24h"))
        << "tier " << tier;
  }
  EXPECT_THAT(
      Eval(Plain().Tier(1).On(kHomeownerContacted, "2026-03-02T16:00:00Z"), "2026-03-02T17:00:00Z")
          .actions,
      IsEmpty());
}

TEST(TierFollowup, NotPlannedForTierThreeOrNoTier) {
  EXPECT_THAT(Eval(Plain().Tier(3), "2026-03-02T15:00:00Z").actions, IsEmpty());
  EXPECT_THAT(Eval(Plain(), "2026-03-02T15:00:00Z").actions, IsEmpty());
}

// ---- escalate_am_silence --------------------------------------------------------------------

TEST(EscalateAmSilence, PlannedOnlyOnceTheAmResponseIsOverdue) {
  EXPECT_THAT(ActionsOf(Eval(Referred(), "2026-03-11T15:00:00Z"), ActionId::kEscalateAmSilence),
              IsEmpty());
  auto e = Eval(Referred().On(kHomeownerContacted, "2026-03-10T15:00:00Z"), "2026-03-12T15:00:00Z");
  EXPECT_THAT(DescribeActions(e),
              ElementsAre("500S000000000001:homeowner_followup:2 task due 2026-03-15T15:00:00Z "
                          "rule followup_5d",
                          "500S000000000001:escalate_am_silence:1 feed_post due "
                          "2026-03-11T15:00:00Z rule am_response_5d"));
}

TEST(EscalateAmSilence, NotPlannedOnceTheAmResponded) {
  auto e = Eval(Referred().On(kAmResponded, "2026-03-12T10:00:00Z"), "2026-03-12T15:00:00Z");
  EXPECT_THAT(ActionsOf(e, ActionId::kEscalateAmSilence), IsEmpty());
}

// ---- notify_manager -------------------------------------------------------------------------

TEST(NotifyManager, PlannedForTierFourUntilAManagerIsNotified) {
  EXPECT_THAT(DescribeActions(Eval(Plain().Tier(4), "2026-03-02T14:10:00Z")),
              ElementsAre("500S000000000001:notify_manager:1 feed_post due 2026-03-02T15:05:00Z "
                          "rule manager_notified"));
  // Still planned when overdue: the manager must be told.
  EXPECT_THAT(Keys(Eval(Plain().Tier(4), "2026-03-03T14:10:00Z")),
              ElementsAre("500S000000000001:notify_manager:1"));
  EXPECT_THAT(
      Eval(Plain().Tier(4).On(kManagerNotified, "2026-03-02T14:20:00Z"), "2026-03-02T14:30:00Z")
          .actions,
      IsEmpty());
}

// ---- across actions -------------------------------------------------------------------------

TEST(Actions, ClosedCasesGetNone) {
  std::vector<Snapshot> cases = {
      Plain().Tier(1).Closed("2026-03-02T15:00:00Z"),
      Plain().Tier(4).Closed("2026-03-02T15:00:00Z"),
      Complaint().On(kOutreachNote, "2026-03-02T14:30:00Z").Closed("2026-03-02T15:00:00Z"),
      InBackOffice().Closed("2026-03-02T16:00:00Z"),
      InBackOffice().Called("2026-03-04T15:00:00Z").Closed("2026-03-04T16:00:00Z"),
      Referred().Closed("2026-03-20T00:00:00Z"),
      BeamInBackOffice().Closed("2026-03-03T00:00:00Z"),
  };
  for (auto const& c : cases) {
    auto e = Eval(c, "2026-03-25T00:00:00Z");
    EXPECT_THAT(e.actions, IsEmpty());
    EXPECT_EQ(e.stage, Stage::kClosed);
  }
}

TEST(Actions, NotPlannedAgainWhenATaskCreatedEventCarriesTheKey) {
  auto e = Eval(InBackOffice().TaskCreated("2026-03-02T15:01:00Z", ActionId::kCallInstaller,
                                           "500S000000000001:call_installer:1"),
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(Actions, ATaskForAnEarlierRecurrenceDoesNotHideTheNextOne) {
  auto e = Eval(Referred()
                    .TaskCreated("2026-03-06T15:01:00Z", ActionId::kHomeownerFollowup,
                                 "500S000000000001:homeowner_followup:1")
                    .On(kHomeownerContacted, "2026-03-10T15:00:00Z"),
                "2026-03-10T16:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:homeowner_followup:2"));
}

TEST(Actions, ATaskKeyOfAnotherCaseDoesNotHideThisCasesAction) {
  auto e = Eval(InBackOffice().TaskCreated("2026-03-02T15:01:00Z", ActionId::kCallInstaller,
                                           "500S000000000002:call_installer:1"),
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:call_installer:1"));
}

TEST(Actions, OnlyTheCreatedOneOfSeveralIsSkipped) {
  auto e = Eval(InBackOffice()
                    .Called("2026-03-04T15:00:00Z", CallOutcome::kVoicemail)
                    .Called("2026-03-06T16:00:00Z", CallOutcome::kReached)
                    .TaskCreated("2026-03-04T15:01:00Z", ActionId::kSalesReferralReminder,
                                 "500S000000000001:sales_referral_reminder:1"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:sales_referral_reminder:2"));
}

TEST(Actions, ComeInCatalogueOrderThenByOccurrence) {
  auto e = Eval(CaseBuilder(kCreated, "500S000000000042")
                    .InstallerComplaint()
                    .Tier(1)
                    .AgentStepsDone("2026-03-02T15:00:00Z")
                    .Called("2026-03-06T16:00:00Z")
                    .Called("2026-03-04T15:00:00Z"),
                "2026-03-07T00:00:00Z");
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000042:sales_referral_reminder:1",
                                   "500S000000000042:sales_referral_reminder:2",
                                   "500S000000000042:tier_followup:1"));
  EXPECT_EQ(e.actions[0].due, testing_util::T("2026-03-06T15:00:00Z"));
  EXPECT_EQ(e.actions[1].due, testing_util::T("2026-03-08T16:00:00Z"));
  EXPECT_EQ(e.actions[0].n, 1);
  EXPECT_EQ(e.actions[1].n, 2);
}

TEST(Actions, ForgeRecordsAreNeverPlannedByTheEngine) {
  // Tier 3 needs a Forge service ticket, but only the sync (which sees Forge) plans it.
  EXPECT_THAT(Eval(Plain().Tier(3), "2026-03-02T15:00:00Z").actions, IsEmpty());
}

}  // namespace
}  // namespace casebridge::engine
