// How the engine reads a snapshot as a whole: event ordering, ignored events, closed and reopened
// cases, the stage, the Beam/Concert branch, pre-M3 PTO complaints and the escalation tiers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/unit/engine/test_policy.h"

namespace casebridge::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::CaseBuilder;
using testing_util::Describe;
using testing_util::DescribeActions;
using testing_util::Eval;
using testing_util::Keys;
using testing_util::Summary;
using RuleId = mappings::RuleId;
using enum EventType;

constexpr char kCreated[] = "2026-03-02T14:05:00Z";  // Monday 09:05 EST

CaseBuilder Plain() { return CaseBuilder(kCreated); }
CaseBuilder Complaint() { return std::move(CaseBuilder(kCreated).InstallerComplaint()); }
CaseBuilder InBackOffice() {
  return std::move(Complaint().AgentStepsDone("2026-03-02T15:00:00Z"));  // events 0, 1
}

// ---- event ordering -------------------------------------------------------------------------

TEST(EventOrder, UnsortedInputIsEvaluatedInTimeOrderWithOriginalIndicesAsEvidence) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-03T20:00:00Z")   // 0
                    .On(kCustomerMessage, "2026-03-03T15:00:00Z")      // 1
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z"),  // 2
                "2026-03-04T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 2",
                          "response_4bh 2026-03-03T15:00:00Z due 2026-03-03T19:00:00Z met_at "
                          "2026-03-03T20:00:00Z breached late 60 event 0"));
}

TEST(EventOrder, TiesKeepTheirInputOrder) {
  auto e = Eval(Plain()
                    .On(kHomeownerContacted, "2026-03-02T16:00:00Z")   // 0
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z")   // 1: first of the tie
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z"),  // 2
                "2026-03-03T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T15:00:00Z met event 1"));
}

TEST(EventOrder, SimultaneousContactsMeetOnlyOneFollowupLink) {
  // Link 2 starts at the contact that met link 1 and needs a contact strictly after it.
  auto e = Eval(InBackOffice()
                    .On(kSalesReferral, "2026-03-06T15:00:00Z")
                    .On(kHomeownerContacted, "2026-03-08T15:00:00Z")
                    .On(kHomeownerContacted, "2026-03-08T15:00:00Z"),
                "2026-03-09T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kFollowup5d),
              ElementsAre("followup_5d 2026-03-06T15:00:00Z due 2026-03-11T15:00:00Z met_at "
                          "2026-03-08T15:00:00Z met event 3",
                          "followup_5d 2026-03-08T15:00:00Z due 2026-03-13T15:00:00Z met_at "
                          "null pending"));
}

TEST(EventOrder, UnknownEventTypesAreIgnored) {
  auto base = Plain().Tier(2).On(kHomeownerContacted, "2026-03-02T15:00:00Z").Build();
  auto with_unknown = base;
  Event unknown;
  unknown.type = EventType::kUnknown;
  unknown.at = testing_util::T("2026-03-02T14:00:00Z");
  with_unknown.events.insert(with_unknown.events.begin(), unknown);
  auto a = Eval(base, "2026-03-03T00:00:00Z");
  auto b = Eval(with_unknown, "2026-03-03T00:00:00Z");
  EXPECT_EQ(Summary(a), Summary(b));
  ASSERT_EQ(b.flags.size(), 2U);
  EXPECT_EQ(b.flags[0].met_by_event, 1);  // original index in the snapshot with the unknown one
  EXPECT_EQ(b.flags[1].met_by_event, 1);
}

TEST(EventOrder, ALongReversedHistoryIsSortedAndEveryMessageAnswered) {
  // 3000 messages one hour apart, each answered 30 minutes later, given newest first.
  Snapshot s = Plain().Build();
  Instant const first = testing_util::T("2026-03-02T15:00:00Z");
  for (int i = 2999; i >= 0; --i) {
    Event answer;
    answer.type = kHomeownerContacted;
    answer.at = first + std::chrono::hours(i) + std::chrono::minutes(30);
    s.events.push_back(answer);
    Event message;
    message.type = kCustomerMessage;
    message.at = first + std::chrono::hours(i);
    s.events.push_back(message);
  }
  auto e = Eval(s, "2027-01-01T00:00:00Z");
  auto flags = testing_util::FlagsOf(e, RuleId::kResponse4bh);
  ASSERT_EQ(flags.size(), 3001U);
  for (std::size_t i = 1; i < flags.size(); ++i) {
    ASSERT_EQ(flags[i].started, first + std::chrono::hours(i - 1));
    ASSERT_EQ(flags[i].met_at, flags[i].started + std::chrono::minutes(30));
    ASSERT_EQ(flags[i].met_by_event, static_cast<int>(2 * (3000 - i)));
    ASSERT_EQ(flags[i].status, FlagStatus::kMet);
  }
}

// ---- closed and reopened cases --------------------------------------------------------------

TEST(ClosedCase, EventsAfterTheCloseAreIgnored) {
  auto e = Eval(Plain()
                    .Tier(1)
                    .On(kHomeownerContacted, "2026-03-02T17:00:00Z")
                    .On(kCustomerMessage, "2026-03-02T17:30:00Z")
                    .Closed("2026-03-02T16:00:00Z"),
                "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T16:00:00Z met by_close"));
  EXPECT_THAT(Describe(e, RuleId::kTierUpdate24h),
              ElementsAre("tier_update_24h 2026-03-02T14:05:00Z due 2026-03-03T14:05:00Z met_at "
                          "2026-03-02T16:00:00Z met by_close"));
  EXPECT_EQ(e.stage, Stage::kClosed);
  EXPECT_THAT(e.actions, IsEmpty());
}

TEST(ClosedCase, AnEventAtTheClosingInstantCounts) {
  auto e =
      Eval(Plain().On(kHomeownerContacted, "2026-03-02T16:00:00Z").Closed("2026-03-02T16:00:00Z"),
           "2026-03-10T00:00:00Z");
  EXPECT_THAT(Describe(e, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-02T16:00:00Z met event 0"));
}

TEST(ReopenedCase, IsEvaluatedAsOpenWithItsLaterActivity) {
  // Closed on 03-03 after the installer reached the homeowner, reopened by a new message on
  // 03-09: the reopened snapshot has closed_at null again.
  auto history = InBackOffice()
                     .On(kInstallerContactedHomeowner, "2026-03-03T12:00:00Z")
                     .On(kHomeownerContacted, "2026-03-03T13:00:00Z")
                     .On(kCustomerMessage, "2026-03-09T15:00:00Z")
                     .Called("2026-03-09T16:00:00Z");
  auto closed = Eval(CaseBuilder(history).Closed("2026-03-03T14:00:00Z"), "2026-03-10T00:00:00Z");
  EXPECT_EQ(closed.stage, Stage::kClosed);
  EXPECT_EQ(Describe(closed, RuleId::kResponse4bh).size(), 1U);
  EXPECT_THAT(Describe(closed, RuleId::kSalesReferral2d), IsEmpty());

  auto reopened = Eval(history, "2026-03-10T00:00:00Z");
  EXPECT_EQ(reopened.stage, Stage::kInstallerContacted);
  EXPECT_THAT(Describe(reopened, RuleId::kResponse4bh),
              ElementsAre("response_4bh 2026-03-02T14:05:00Z due 2026-03-02T18:05:00Z met_at "
                          "2026-03-03T13:00:00Z breached late 1135 event 3",
                          "response_4bh 2026-03-09T15:00:00Z due 2026-03-09T19:00:00Z met_at "
                          "null breached late 300"));
  // The call after the installer's earlier contact is still open: its reminder is planned.
  EXPECT_THAT(Keys(reopened), ElementsAre("500S000000000001:sales_referral_reminder:1"));
}

// ---- stage ----------------------------------------------------------------------------------

struct StageCase {
  std::string name;
  Snapshot snapshot;
  Stage stage;
};

TEST(Stage, FollowsTheProcedure) {
  std::vector<StageCase> cases = {
      {"closed", Plain().Tier(3).Closed("2026-03-03T00:00:00Z"), Stage::kClosed},
      {"closed complaint", InBackOffice().Closed("2026-03-03T00:00:00Z"), Stage::kClosed},
      {"pre-M3", Complaint().PreM3().AgentStepsDone("2026-03-02T15:00:00Z"),
       Stage::kCaseNotRequired},
      {"agent steps", Complaint().On(kOutreachNote, "2026-03-02T15:00:00Z"), Stage::kAgentSteps},
      {"reassigned to a user only",
       Complaint().Reassigned("2026-03-02T15:00:00Z", "user:005S000000000009"), Stage::kAgentSteps},
      {"beam", InBackOffice().Financing(Financing::kBeam), Stage::kBeamFollowup},
      {"concert", InBackOffice().Financing(Financing::kConcert), Stage::kBeamFollowup},
      {"back office", InBackOffice(), Stage::kBackOffice},
      {"self-assigned", InBackOffice().Owner("user:005S000000000009"), Stage::kBackOffice},
      {"installer called", InBackOffice().Called("2026-03-04T15:00:00Z"), Stage::kInstallerCalled},
      {"referred",
       InBackOffice().Called("2026-03-04T15:00:00Z").On(kSalesReferral, "2026-03-06T15:00:00Z"),
       Stage::kSalesReferral},
      {"installer contacted after referral",
       InBackOffice()
           .Called("2026-03-04T15:00:00Z")
           .On(kSalesReferral, "2026-03-06T15:00:00Z")
           .On(kInstallerContactedHomeowner, "2026-03-07T15:00:00Z"),
       Stage::kInstallerContacted},
      {"tier 4", Plain().Tier(4), Stage::kExecutiveEscalation},
      {"tier 3", Plain().Tier(3), Stage::kFieldService},
      {"tier 2", Plain().Tier(2), Stage::kAgentAssisted},
      {"tier 1", Plain().Tier(1), Stage::kSelfService},
      {"no tier", Plain(), Stage::kOpen},
      {"complaint with a tier follows the procedure", Complaint().Tier(4), Stage::kAgentSteps},
  };
  for (auto const& c : cases) {
    EXPECT_EQ(StageName(Eval(c.snapshot, "2026-03-10T00:00:00Z").stage), StageName(c.stage))
        << c.name;
  }
}

// ---- Beam / Concert -------------------------------------------------------------------------

TEST(BeamBranch, BeamAndConcertEvaluateIdentically) {
  auto make = [](Financing f) {
    return Eval(InBackOffice()
                    .Financing(f)
                    .On(kHomeownerContacted, "2026-03-05T15:00:00Z")
                    .On(kHomeownerRequestedFollowup, "2026-03-06T12:00:00Z"),
                "2026-03-07T00:00:00Z");
  };
  auto beam = make(Financing::kBeam);
  auto concert = make(Financing::kConcert);
  EXPECT_THAT(Summary(beam), ElementsAre("response_4bh:breached", "relations_missing:met",
                                         "outreach_note_missing:met", "back_office_handoff:met",
                                         "beam_followup_1w:met", "beam_followup_1w:pending"));
  EXPECT_EQ(Summary(beam), Summary(concert));
  EXPECT_EQ(DescribeActions(beam), DescribeActions(concert));
  EXPECT_THAT(Keys(beam), ElementsAre("500S000000000001:beam_followup:2"));
}

TEST(BeamBranch, NonBeamComplaintTakesTheInstallerBranch) {
  auto e = Eval(InBackOffice(), "2026-03-03T00:00:00Z");
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:breached", "relations_missing:met",
                                      "outreach_note_missing:met", "back_office_handoff:met",
                                      "installer_contact_2d:pending"));
}

// ---- pre-M3 PTO -----------------------------------------------------------------------------

TEST(PreM3, OnlyTheGeneralRulesAndTheInfoFlagApply) {
  auto e = Eval(Complaint()
                    .PreM3()
                    .Relations("", "")
                    .On(kHomeownerContacted, "2026-03-02T15:00:00Z")
                    .Called("2026-03-04T15:00:00Z")
                    .On(kSalesReferral, "2026-03-06T15:00:00Z"),
                "2026-03-20T00:00:00Z");
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:met", "case_not_required:info"));
  EXPECT_THAT(e.actions, IsEmpty());
  EXPECT_EQ(e.stage, Stage::kCaseNotRequired);
}

TEST(PreM3, TierRulesStillApply) {
  auto e = Eval(Complaint().PreM3().Tier(1), "2026-03-02T15:00:00Z");
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:pending", "tier_update_24h:pending",
                                      "case_not_required:info"));
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:tier_followup:1"));
}

TEST(PreM3, AClosedPreM3CaseIsClosed) {
  auto e = Eval(Complaint().PreM3().Closed("2026-03-02T15:00:00Z"), "2026-03-03T00:00:00Z");
  EXPECT_EQ(e.stage, Stage::kClosed);
  EXPECT_THAT(Summary(e), ElementsAre("response_4bh:met", "case_not_required:info"));
}

// ---- tiers ----------------------------------------------------------------------------------

TEST(Tiers, EachTierGetsItsRules) {
  EXPECT_THAT(Summary(Eval(Plain().Tier(1), "2026-03-02T15:00:00Z")),
              ElementsAre("response_4bh:pending", "tier_update_24h:pending"));
  EXPECT_THAT(Summary(Eval(Plain().Tier(2), "2026-03-03T15:00:00Z")),
              ElementsAre("response_4bh:breached", "tier_update_24h:breached"));
  EXPECT_THAT(Summary(Eval(Plain().Tier(3), "2026-03-02T15:00:00Z")),
              ElementsAre("response_4bh:pending"));
  EXPECT_THAT(Summary(Eval(Plain().Tier(4), "2026-03-02T15:00:00Z")),
              ElementsAre("response_4bh:pending", "manager_notified:pending"));
}

TEST(Tiers, AnInstallerComplaintWithATierGetsBothSetsOfRulesInCatalogueOrder) {
  auto e =
      Eval(Complaint().Tier(4).On(kOutreachNote, "2026-03-02T14:30:00Z"), "2026-03-02T14:40:00Z");
  EXPECT_THAT(Summary(e),
              ElementsAre("response_4bh:pending", "manager_notified:pending",
                          "relations_missing:met", "outreach_note_missing:met",
                          "back_office_handoff:pending", "installer_contact_2d:pending"));
  EXPECT_THAT(Keys(e), ElementsAre("500S000000000001:reassign_back_office:1",
                                   "500S000000000001:notify_manager:1"));
}

// ---- reuse ----------------------------------------------------------------------------------

TEST(Reuse, OneEvaluationReusedAcrossCasesGivesTheSameResultsAsFreshOnes) {
  auto const& engine = testing_util::Seed().engine;
  std::vector<Snapshot> cases = {
      InBackOffice().Called("2026-03-04T15:00:00Z").Called("2026-03-06T16:00:00Z"),
      Plain(),
      Plain().Tier(4),
      CaseBuilder(kCreated, "500S000000000777")
          .InstallerComplaint()
          .Tier(1)
          .AgentStepsDone("2026-03-02T15:00:00Z"),
      InBackOffice().TaskCreated("2026-03-02T15:01:00Z", mappings::ActionId::kCallInstaller,
                                 "500S000000000001:call_installer:1"),
      InBackOffice()
          .Financing(Financing::kBeam)
          .On(kHomeownerRequestedFollowup, "2026-03-04T12:00:00Z"),
  };
  Evaluation reused;
  auto const now = testing_util::T("2026-03-07T00:00:00Z");
  for (int round = 0; round < 2; ++round) {
    for (auto const& c : cases) {
      engine.Evaluate(c, now, reused);
      auto fresh = engine.Evaluate(c, now);
      EXPECT_EQ(reused.stage, fresh.stage);
      EXPECT_EQ(Summary(reused), Summary(fresh));
      std::vector<std::string> a;
      std::vector<std::string> b;
      for (Flag const& f : reused.flags) a.push_back(Describe(f));
      for (Flag const& f : fresh.flags) b.push_back(Describe(f));
      EXPECT_EQ(a, b);
      EXPECT_EQ(DescribeActions(reused), DescribeActions(fresh));
    }
  }
}

TEST(Reuse, ClearEmptiesTheResultAndTheNextEvaluationIsComplete) {
  auto const& engine = testing_util::Seed().engine;
  auto const now = testing_util::T("2026-03-07T00:00:00Z");
  Snapshot const c = InBackOffice().Called("2026-03-04T15:00:00Z");
  Evaluation e;
  engine.Evaluate(c, now, e);
  ASSERT_FALSE(e.actions.empty());
  e.Clear();
  EXPECT_TRUE(e.flags.empty());
  EXPECT_TRUE(e.actions.empty());
  EXPECT_EQ(e.stage, Stage::kOpen);
  engine.Evaluate(c, now, e);
  EXPECT_EQ(DescribeActions(e), DescribeActions(engine.Evaluate(c, now)));
}

TEST(Reuse, ConcurrentEvaluationsWithOneEngineAgree) {
  auto const& engine = testing_util::Seed().engine;
  auto const now = testing_util::T("2026-03-20T15:00:00Z");
  std::vector<Snapshot> cases = {
      InBackOffice().Called("2026-03-04T15:00:00Z").On(kSalesReferral, "2026-03-06T15:00:00Z"),
      Plain().Tier(1).On(kCustomerMessage, "2026-03-13T21:00:00Z"),
      InBackOffice()
          .Financing(Financing::kBeam)
          .On(kHomeownerRequestedFollowup, "2026-03-10T12:00:00Z"),
  };
  std::vector<std::vector<std::string>> want;
  for (auto const& c : cases) {
    auto e = engine.Evaluate(c, now);
    std::vector<std::string> lines = DescribeActions(e);
    for (Flag const& f : e.flags) lines.push_back(Describe(f));
    want.push_back(lines);
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Evaluation e;
      for (int round = 0; round < 500; ++round) {
        auto const i = static_cast<std::size_t>((round + t) % 3);
        engine.Evaluate(cases[i], now, e);
        std::vector<std::string> lines = DescribeActions(e);
        for (Flag const& f : e.flags) lines.push_back(Describe(f));
        if (lines != want[i]) ++mismatches[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

}  // namespace
}  // namespace casebridge::engine
