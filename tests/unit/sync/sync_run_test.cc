// The sync's steps through fake ports (fake_ports.h): what it reads, evaluates, plans, heals
// and writes, without any vendor or HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "connector/store/state_store.h"
#include "connector/sync/sync_job.h"
#include "tests/unit/engine/test_policy.h"
#include "tests/unit/sync/fake_ports.h"

namespace casebridge::sync_test {
namespace {

using engine::EventType;
using engine::testing_util::CaseBuilder;
using engine::testing_util::T;
using sync::BackfillSpec;
using sync::SyncJob;
using sync::SyncOptions;
using sync::SyncOutcome;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kCase[] = "500S000000000001";

// An installer complaint whose outreach note is on file: the back-office hand-off is due.
engine::Snapshot ReadyForHandoff() {
  return CaseBuilder("2026-03-02T14:05:00Z", kCase)
      .InstallerComplaint()
      .On(EventType::kOutreachNote, "2026-03-02T14:30:00Z")
      .Build();
}

class SyncRunTest : public ::testing::Test {
 protected:
  SyncRunTest() : policy_(engine::testing_util::MakeSeedPolicy()) {
    auto store = store::OpenStateStore("sqlite::memory:");
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    source_ = std::make_unique<FakeCaseSource>(remote_);
    sink_ = std::make_unique<FakeActionSink>(remote_, *store_);
  }

  SyncOutcome Sync(std::string const& now, bool dry_run = false) {
    SyncJob job(*source_, *sink_, *store_, policy_, nullptr);
    if (forge_source_) job.AddLinkedSystem(*forge_source_, *forge_sink_);
    SyncOptions o;
    o.now = T(now);
    o.wall_now = o.now;
    o.run_id = "run-" + std::to_string(++runs_);
    o.dry_run = dry_run;
    return job.RunOnce(o);
  }

  std::vector<store::LedgerEntry> Ledger() {
    store::ActionQuery q;
    q.states = {store::ActionState::kPlanned, store::ActionState::kWritten,
                store::ActionState::kFailed};
    q.limit = 1000;
    auto rows = store_->ListActions(q);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<store::LedgerEntry>{};
  }

  mappings::Policy policy_;
  std::unique_ptr<store::StateStore> store_;
  FakeRemote remote_;
  std::unique_ptr<FakeCaseSource> source_;
  std::unique_ptr<FakeActionSink> sink_;
  // The linked system, when a test adds it.
  void AddForge() {
    forge_source_ = std::make_unique<FakeCaseSource>(forge_remote_, "forge");
    forge_sink_ = std::make_unique<FakeActionSink>(forge_remote_, *store_, "forge");
  }
  FakeRemote forge_remote_;
  std::unique_ptr<FakeCaseSource> forge_source_;
  std::unique_ptr<FakeActionSink> forge_sink_;
  int runs_ = 0;
};

TEST_F(SyncRunTest, PlansRendersAndWritesTheActionsOnce) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  auto first = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_EQ(first.stats.cases_evaluated, 2);  // again after its reassignment was written
  EXPECT_EQ(first.stats.cases_reread, 1);
  EXPECT_EQ(first.stats.actions_planned, 2);  // the hand-off, then the call that follows it
  EXPECT_EQ(first.stats.actions_written, 2);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
  EXPECT_EQ(remote_.sends["500S000000000001:call_installer:1"], 1);
  auto rows = Ledger();
  ASSERT_EQ(rows.size(), 2U);
  for (auto const& row : rows) {
    EXPECT_EQ(row.state, store::ActionState::kWritten) << row.action.key;
    EXPECT_EQ(row.action.target_system, "salesforce");
    EXPECT_THAT(row.action.payload, ::testing::HasSubstr(kCase));
  }

  // The case changes again: evaluated again, nothing written twice.
  source_->SetVersion(kCase, "2026-03-02T15:10:00Z");
  auto second = Sync("2026-03-02T15:20:00Z");
  ASSERT_TRUE(second.status.ok()) << second.status;
  EXPECT_EQ(second.stats.cases_evaluated, 1);
  EXPECT_EQ(second.stats.actions_planned, 0);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
}

TEST_F(SyncRunTest, OverlapReReadsOfAnUnchangedCaseAreSkipped) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  ASSERT_TRUE(Sync("2026-03-02T15:00:00Z").status.ok());
  // The next run reads from the watermark minus the overlap, so it sees the case again.
  auto again = Sync("2026-03-02T15:05:00Z");
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_EQ(again.stats.cases_read, 1);
  EXPECT_EQ(again.stats.cases_unchanged, 1);
  EXPECT_EQ(again.stats.cases_evaluated, 0);
  EXPECT_EQ(source_->changed_since.back(), T("2026-03-02T14:20:00Z"));  // 14:30 - 10 min
}

TEST_F(SyncRunTest, TheWatermarkNeverMovesBack) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  ASSERT_TRUE(Sync("2026-03-02T15:00:00Z").status.ok());
  // Nothing changed since: the watermark stays at the last case read.
  source_->SetVersion(kCase, "2026-03-01T10:00:00Z");
  ASSERT_TRUE(Sync("2026-03-02T16:00:00Z").status.ok());
  auto mark = store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(mark.ok() && *mark);
  EXPECT_EQ((*mark)->modstamp, "2026-03-02T14:30:00Z");
  EXPECT_EQ(source_->changed_since.back(), T("2026-03-02T14:20:00Z"));
}

TEST_F(SyncRunTest, AFailedReadKeepsTheWatermarkAndEndsTheRunWithItsError) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  source_->fail = ResourceExhaustedError("REQUEST_LIMIT_EXCEEDED");
  auto run = Sync("2026-03-02T15:00:00Z");
  EXPECT_EQ(run.status.code(), StatusCode::kResourceExhausted);
  auto mark = store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(mark.ok());
  EXPECT_FALSE(*mark);
  auto recorded = store_->GetRun("run-1");
  ASSERT_TRUE(recorded.ok() && *recorded);
  EXPECT_EQ((*recorded)->status, store::RunStatus::kBudgetExhausted);
}

TEST_F(SyncRunTest, ACrashAfterTheRemoteWriteIsHealedNotWrittenAgain) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  sink_->crash_after_remote_write = true;
  auto crashed = Sync("2026-03-02T15:00:00Z");
  EXPECT_FALSE(crashed.status.ok());
  ASSERT_EQ(Ledger().size(), 1U);
  EXPECT_EQ(Ledger()[0].state, store::ActionState::kPlanned);

  // The next run reads the case with the record the crashed run made: the row is healed.
  sink_->crash_after_remote_write = false;
  source_->SetVersion(kCase, "2026-03-02T15:01:00Z");
  auto healed = Sync("2026-03-02T15:10:00Z");
  ASSERT_TRUE(healed.status.ok()) << healed.status;
  EXPECT_EQ(healed.stats.actions_healed, 1);
  EXPECT_EQ(healed.stats.actions_written, 0);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
  EXPECT_EQ(Ledger()[0].state, store::ActionState::kWritten);
}

// The org after the owner change (what a case read again would show).
void ReassignInSource(FakeCaseSource& source, std::string const& id, std::string const& at) {
  auto& s = source.Snapshot(id);
  s.owner = "queue:back_office";
  engine::Event e;
  e.type = EventType::kReassigned;
  e.at = T(at);
  e.to = "queue:back_office";
  s.events.push_back(e);
  source.SetVersion(id, at);
}

TEST_F(SyncRunTest, CasesThisRunReassignedGetTheirNextStepsWithoutBeingReadAgain) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  sink_->on_reassign = [&](std::string const& id) {
    ReassignInSource(*source_, id, "2026-03-02T15:00:00Z");
  };
  auto run = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_THAT(source_->by_id, IsEmpty());  // planned from the evaluation, reassignment applied
  EXPECT_EQ(source_->reads, 1);            // the changed read only
  EXPECT_EQ(run.stats.cases_reread, 1);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
  EXPECT_EQ(remote_.sends["500S000000000001:call_installer:1"], 1);
  // What the next run reads is what the sync assumed: nothing more to write.
  auto next = Sync("2026-03-02T15:05:00Z");
  ASSERT_TRUE(next.status.ok()) << next.status;
  EXPECT_EQ(next.stats.actions_planned, 0);
  EXPECT_EQ(remote_.sends.size(), 2U);
}

TEST_F(SyncRunTest, AReassignmentTheServerRejectsPlansNoStepsOfTheNewQueue) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  sink_->refuse = {"reassign_back_office"};
  auto run = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.stats.actions_failed, 1);
  EXPECT_EQ(run.stats.cases_reread, 0);
  EXPECT_THAT(source_->by_id, IsEmpty());
  auto rows = Ledger();
  ASSERT_EQ(rows.size(), 1U);  // no call_installer planned for a hand-off that did not happen
  EXPECT_EQ(rows[0].action.action_id, "reassign_back_office");
  EXPECT_EQ(rows[0].state, store::ActionState::kFailed);
  EXPECT_EQ(remote_.sends.count("500S000000000001:call_installer:1"), 0U);
}

TEST_F(SyncRunTest, AReassignmentPlannedByAnEarlierRunIsFollowedByReadingTheCaseAgain) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  sink_->refuse = {"reassign_back_office"};
  ASSERT_TRUE(Sync("2026-03-02T15:00:00Z").status.ok());
  // The retry succeeds in a run that does not evaluate the case (it did not change): there is
  // no evaluation to apply the reassignment to, so the case is read again.
  sink_->refuse.clear();
  sink_->on_reassign = [&](std::string const& id) {
    ReassignInSource(*source_, id, "2026-03-02T16:00:00Z");
  };
  source_->SetVersion(kCase, "2026-03-01T00:00:00Z");
  auto retry = Sync("2026-03-02T16:00:00Z");
  ASSERT_TRUE(retry.status.ok()) << retry.status;
  EXPECT_EQ(retry.stats.cases_due, 0);
  ASSERT_EQ(source_->by_id.size(), 1U);
  EXPECT_THAT(source_->by_id[0], ElementsAre(kCase));
  EXPECT_EQ(retry.stats.cases_reread, 1);
  EXPECT_EQ(remote_.sends["500S000000000001:call_installer:1"], 1);
}

TEST_F(SyncRunTest, ASinkThatCannotApplyAReassignmentGetsTheCaseReadAgain) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  sink_->apply_reassignment = false;
  sink_->on_reassign = [&](std::string const& id) {
    ReassignInSource(*source_, id, "2026-03-02T15:00:00Z");
  };
  auto run = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_FALSE(source_->by_id.empty());
  EXPECT_THAT(source_->by_id.back(), ElementsAre(kCase));
  EXPECT_EQ(remote_.sends["500S000000000001:call_installer:1"], 1);
}

TEST_F(SyncRunTest, PendingRowsReachTheSinkOneKindAtATime) {
  // 2,400 cases whose ledger keys alternate between a reassignment and a tier-4 feed post: each
  // Write() call holds one kind, so only each kind's last 200-record batch is partial.
  for (int i = 0; i < 2400; ++i) {
    char id[20];
    std::snprintf(id, sizeof id, "500S%011d", i);
    auto builder = CaseBuilder("2026-03-02T14:05:00Z", id);
    if (i % 2 == 0) {
      builder.InstallerComplaint().On(EventType::kOutreachNote, "2026-03-02T14:30:00Z");
    } else {
      builder.Tier(4);
    }
    source_->Put(builder.Build(), "2026-03-02T14:30:00Z");
  }
  source_->page_size = 2000;
  auto run = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_GE(run.stats.actions_written, 2400);
  std::set<std::string> all;
  for (auto const& kinds : sink_->write_kinds) {
    EXPECT_EQ(kinds.size(), 1U);
    all.insert(kinds.begin(), kinds.end());
  }
  EXPECT_GE(all.size(), 2U);
}

TEST_F(SyncRunTest, CasesWhoseClockCameDueAreReadByIdThoughUnchanged) {
  source_->Put(CaseBuilder("2026-03-02T14:05:00Z", kCase).Build(), "2026-03-02T14:05:00Z");
  auto first = Sync("2026-03-02T15:00:00Z");  // response_4bh pending until 18:05
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_THAT(source_->by_id, IsEmpty());
  source_->SetVersion(kCase, "2026-03-01T00:00:00Z");  // not changed since
  auto later = Sync("2026-03-02T19:00:00Z");
  ASSERT_TRUE(later.status.ok()) << later.status;
  ASSERT_EQ(source_->by_id.size(), 1U);
  EXPECT_THAT(source_->by_id[0], ElementsAre(kCase));
  EXPECT_EQ(later.stats.cases_due, 1);
  EXPECT_EQ(later.stats.flags["response_4bh"]["breached"], 1);
  auto flags = store_->GetCaseFlags(kCase);
  ASSERT_TRUE(flags.ok());
  ASSERT_FALSE(flags->empty());
  EXPECT_EQ((*flags)[0].status, "breached");
}

TEST_F(SyncRunTest, ARecordStampedAfterNowIsLookedAtAgainOnceItIsPast) {
  // The org's clock runs ahead: the outreach note is stamped two minutes after this run's now,
  // and the case is closed later still. Both are ignored now, and the case is due again then.
  source_->Put(CaseBuilder("2026-03-02T14:05:00Z", kCase)
                   .InstallerComplaint()
                   .On(EventType::kOutreachNote, "2026-03-02T15:02:00Z")
                   .Closed("2026-03-02T15:10:00Z")
                   .Build(),
               "2026-03-02T15:02:00Z");
  auto first = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_THAT(remote_.sends, IsEmpty());  // no hand-off yet: the note is not there at 15:00
  std::vector<std::string> const ids = {kCase};
  auto tracked = store_->GetTrackedCases("salesforce", ids);
  ASSERT_TRUE(tracked.ok() && tracked->size() == 1U);
  EXPECT_EQ((*tracked)[0].next_check, T("2026-03-02T15:02:01Z"));
  source_->SetVersion(kCase, "2026-03-01T00:00:00Z");  // nothing changes in between
  auto later = Sync("2026-03-02T15:05:00Z");
  ASSERT_TRUE(later.status.ok()) << later.status;
  EXPECT_EQ(later.stats.cases_due, 1);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
}

TEST_F(SyncRunTest, ADryRunWritesNothingAnywhere) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  auto run = Sync("2026-03-02T15:00:00Z", /*dry_run=*/true);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.stats.actions_planned, 1);
  EXPECT_THAT(remote_.sends, IsEmpty());
  EXPECT_THAT(Ledger(), IsEmpty());
  auto mark = store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(mark.ok());
  EXPECT_FALSE(*mark);
}

TEST_F(SyncRunTest, ABackfillEvaluatesTheRangeAndCheckpointsIt) {
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  SyncJob job(*source_, *sink_, *store_, policy_, nullptr);
  SyncOptions o;
  o.now = T("2026-03-02T15:00:00Z");
  o.run_id = "backfill-1";
  BackfillSpec spec;
  spec.from = T("2026-03-01T00:00:00Z");
  spec.to = T("2026-03-08T00:00:00Z");
  spec.chunk = std::chrono::hours(24);
  o.backfill = spec;
  auto run = job.RunOnce(o);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.stats.cases_evaluated - run.stats.cases_reread, 1);
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
  auto cp = store_->LoadCheckpoint("backfill");
  ASSERT_TRUE(cp.ok() && *cp);
  EXPECT_EQ((*cp)->chunk, 7);
  EXPECT_TRUE((*cp)->completed);
  auto mark = store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(mark.ok());
  EXPECT_FALSE(*mark);  // a backfill leaves the incremental watermark alone
}

TEST_F(SyncRunTest, ALinkedSystemFailingDoesNotStopThePrimarySide) {
  AddForge();
  source_->Put(ReadyForHandoff(), "2026-03-02T14:30:00Z");
  forge_source_->fail = UnavailableError("Forge is down");
  auto run = Sync("2026-03-02T15:00:00Z");
  EXPECT_EQ(run.status.code(), StatusCode::kUnavailable);  // the run ends with Forge's error
  EXPECT_EQ(remote_.sends["500S000000000001:reassign_back_office:1"], 1);
  auto mark = store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(mark.ok() && *mark);
  auto forge_mark = store_->GetWatermark("forge", "Case");
  ASSERT_TRUE(forge_mark.ok());
  EXPECT_FALSE(*forge_mark);
}

TEST_F(SyncRunTest, CasesOnlyTheLinkedSystemHasAreEvaluatedAndGetTheirActionsThere) {
  AddForge();
  forge_source_->Put(CaseBuilder("2026-03-02T14:05:00Z", "TCK-1")
                         .InstallerComplaint()
                         .On(EventType::kOutreachNote, "2026-03-02T14:30:00Z")
                         .Build(),
                     "2026-03-02T14:30:00Z");
  auto run = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_EQ(run.stats.forge_only_evaluated, 1);
  EXPECT_EQ(forge_remote_.sends["TCK-1:reassign_back_office:1"], 1);
  EXPECT_THAT(remote_.sends, IsEmpty());
  EXPECT_EQ(run.stats.actions_by_system["forge"]["written"], 1);
  auto flags = store_->GetCaseFlags("TCK-1");
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->empty());
  auto tracked = store_->GetTrackedCases("forge", std::vector<std::string>{"TCK-1"});
  ASSERT_TRUE(tracked.ok());
  EXPECT_EQ(tracked->size(), 1U);
}

TEST_F(SyncRunTest, ALinkedRecordNamingAPrimaryCaseGetsItsInteractionsMirroredOnce) {
  AddForge();
  auto snap = ReadyForHandoff();
  source_->Put(snap, "2026-03-02T14:30:00Z");
  adapters::Interaction mail;
  mail.id = "02sS00000000001";
  mail.link_key = mail.id;
  mail.kind = "email";
  mail.direction = "inbound";
  mail.at = T("2026-03-02T14:10:00Z");
  // The ticket is the same case as the Salesforce one: not evaluated on its own.
  forge_source_->Put(CaseBuilder("2026-03-02T14:05:00Z", "TCK-9").Build(), "2026-03-02T14:40:00Z",
                     kCase);
  forge_source_->links = {{"ticket", "TCK-9", kCase, "TCK-9", "C-1"}};
  source_->AddInteraction(kCase, mail);
  auto first = Sync("2026-03-02T15:00:00Z");
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_EQ(first.stats.forge_only_evaluated, 0);
  EXPECT_EQ(forge_remote_.sends["500S000000000001:forge_document:1"], 1);
  auto second = Sync("2026-03-02T15:30:00Z");
  ASSERT_TRUE(second.status.ok()) << second.status;
  EXPECT_EQ(forge_remote_.sends.size(), 1U);  // planned once, written once
}

}  // namespace
}  // namespace casebridge::sync_test
