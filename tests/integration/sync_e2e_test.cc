// `casebridge sync` end to end over loopback: a small org whose expected actions are worked out
// by hand from SPEC 1.4 (see each case's comment), the state in the emulator after the run, the
// flags in the store, a second run that writes nothing, a dry run, faults, and the API budget.
// Runs against SQLite and a real PostgreSQL server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/sandbox/sf_ids.h"
#include "connector/store/state_store.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"
#include "tests/support/postgres_server.h"

namespace casebridge {
namespace {

using nlohmann::json;
using sandbox::MakeId;
using ::testing::HasSubstr;
using testing_util::PostgresServer;
using testing_util::RunCli;

constexpr char kNow[] = "2026-03-05T15:00:00Z";  // a Thursday, 10:00 in New York

std::string const kBackOffice = MakeId("00G", 1);
std::string const kSupport = MakeId("00G", 2);
std::string const kAgent = MakeId("005", 2);
std::string const kInstaller = MakeId("001", 1);
std::string const kHomeowner = MakeId("003", 1);
std::string const kCaseA = MakeId("500", 1);  // agent steps done, never handed off
std::string const kCaseB = MakeId("500", 2);  // in back office, installer silent > 2 days
std::string const kCaseC = MakeId("500", 3);  // tier 4, no manager notified
std::string const kCaseD = MakeId("500", 4);  // tier 1, nobody contacted the customer
std::string const kCaseE = MakeId("500", 5);  // closed
std::string const kCaseF = MakeId("500", 6);  // like B, but casebridge already made the task

json Complaint(std::string const& id, std::string const& number, std::string const& created,
               std::string const& owner) {
  return sync_test::Complaint({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner}, id, number,
                              created, owner);
}

json General(std::string const& id, std::string const& number, std::string const& created,
             int tier) {
  return {{"Id", id},
          {"CaseNumber", number},
          {"Subject", "Inverter offline"},
          {"Status", "New"},
          {"Reason", "General Inquiry"},
          {"OwnerId", kSupport},
          {"ContactId", kHomeowner},
          {"Escalation_Tier__c", tier},
          {"Pre_M3_PTO__c", false},
          {"CreatedDate", created}};
}

json Org() {
  json org = sync_test::BaseOrg({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner});
  json b = Complaint(kCaseB, "00001002", "2026-03-02T15:00:00Z", kBackOffice);
  json f = Complaint(kCaseF, "00001006", "2026-03-02T15:00:00Z", kBackOffice);
  json e = Complaint(kCaseE, "00001005", "2026-03-01T15:00:00Z", kAgent);
  e["Status"] = "Closed";
  e["ClosedDate"] = "2026-03-02T15:00:00Z";
  org["Case"] = json::array({Complaint(kCaseA, "00001001", "2026-03-02T14:05:00Z", kSupport), b,
                             General(kCaseC, "00001003", "2026-03-05T13:00:00Z", 4),
                             General(kCaseD, "00001004", "2026-03-05T10:00:00Z", 1), e, f});
  json feed = json::array();
  for (auto const& id : {kCaseA, kCaseB, kCaseF}) {
    feed.push_back({{"ParentId", id},
                    {"Body", "Outreach note: called the homeowner and e-mailed the installer."},
                    {"Type", "TextPost"},
                    {"CreatedDate", "2026-03-02T16:00:00Z"}});
  }
  org["FeedItem"] = feed;
  json history = json::array();
  for (auto const& id : {kCaseB, kCaseF}) {
    history.push_back({{"CaseId", id},
                       {"Field", "Owner"},
                       {"DataType", "EntityId"},
                       {"OldValue", kSupport},
                       {"NewValue", kBackOffice},
                       {"CreatedDate", "2026-03-02T16:30:00Z"}});
  }
  org["CaseHistory"] = history;
  org["Task"] = json::array({{{"Subject", "Call installer"},
                              {"Status", "Not Started"},
                              {"WhatId", kCaseF},
                              {"CreatedDate", "2026-03-04T16:00:00Z"},
                              {"Casebridge_Key__c", kCaseF + ":call_installer:1"}}});
  return org;
}

// The store under test: a SQLite file, or a database on a PostgreSQL server of this process.
class SyncE2e : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {}

  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    emulator_ = sync_test::StartEmulator(Org(), clock_);
    if (GetParam() == "postgresql") {
      if (!pg_) {
        auto server = PostgresServer::Start();
        ASSERT_TRUE(server.ok()) << server.status();
        pg_ = std::move(*server);
      }
      auto db = pg_->CreateDatabase();
      ASSERT_TRUE(db.ok()) << db.status();
      store_url_ = *db;
    } else {
      store_url_ = "sqlite:" + dir_.path() + "/state.db";
    }
    config_ = sync_test::WriteConfig(dir_, *emulator_, store_url_);
  }

  testing_util::CliResult Sync(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync",  "--once", "--config",     config_,
                                     "--now", kNow,     "--log-format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  std::unique_ptr<store::StateStore> OpenStore() {
    auto s = store::OpenStateStore(store_url_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::string CaseOwner(std::string const& id) {
    auto r = emulator_->FindRecord(id);
    return r ? r->value("OwnerId", "") : "";
  }

  static inline std::unique_ptr<PostgresServer> pg_;
  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  std::string store_url_;
  std::string config_;
};

TEST_P(SyncE2e, WritesExactlyTheActionsTheProceduresCallFor) {
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // A is read once and evaluated twice: once changed, once after its reassignment (applied in
  // memory, not read again).
  EXPECT_THAT(r.out, HasSubstr("6 read, 7 evaluated (0 because a clock came due, 1 again after"));
  // The summary counts each case once, as last evaluated: B and F were handed off in time, E
  // closed before its due, A was handed off (by this run) days late.
  EXPECT_THAT(r.out, HasSubstr("back_office_handoff     3 / 1 / 0 / 0"));

  // Tasks: B gets call_installer (2 days after the complaint, no installer contact); D gets the
  // tier 1 24-hour update; F's call_installer task already exists and is not duplicated. A is
  // handed to the back office (below) and, read again after that write, gets its
  // call_installer task in the same run.
  EXPECT_EQ(sync_test::TaskKeys(*emulator_),
            (std::map<std::string, int>{{kCaseA + ":call_installer:1", 1},
                                        {kCaseB + ":call_installer:1", 1},
                                        {kCaseD + ":tier_followup:1", 1},
                                        {kCaseF + ":call_installer:1", 1}}));
  // The call_installer task names the installer's escalation number and is due 2 days after
  // the complaint (a local date in New York).
  for (auto const& t : emulator_->Records("Task")) {
    if (t.value("Casebridge_Key__c", "") != kCaseB + ":call_installer:1") continue;
    EXPECT_THAT(t.value("Subject", ""), HasSubstr("+1 512 555 9000"));
    EXPECT_EQ(t.value("ActivityDate", ""), "2026-03-04");
    EXPECT_EQ(t.value("WhatId", ""), kCaseB);
  }
  // A (agent steps done, never handed off) is reassigned to the back office, with
  // Sforce-Auto-Assign: FALSE so no assignment rule overrides it.
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  EXPECT_EQ(CaseOwner(kCaseC), kSupport);
  auto writes = emulator_->OwnerWrites();
  ASSERT_EQ(writes.size(), 1u);
  // C (tier 4) gets the manager notification post; nothing else is posted.
  EXPECT_EQ(sync_test::FeedKeys(*emulator_),
            (std::map<std::string, int>{{kCaseC + ":notify_manager:1", 1}}));

  // Flags in the store, with evidence.
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto flags_a = store->GetCaseFlags(kCaseA);
  ASSERT_TRUE(flags_a.ok());
  std::map<std::string, std::string> status;
  for (auto const& f : *flags_a) status[f.rule_id] = f.status;
  EXPECT_EQ(status["response_4bh"], "breached");  // nobody contacted the homeowner
  EXPECT_EQ(status["outreach_note_missing"], "met");
  EXPECT_EQ(status["relations_missing"], "met");
  EXPECT_EQ(status["back_office_handoff"], "breached");
  auto flags_c = store->GetCaseFlags(kCaseC);
  ASSERT_TRUE(flags_c.ok());
  bool manager_breached = false;
  for (auto const& f : *flags_c) {
    if (f.rule_id == "manager_notified") manager_breached = f.status == "breached";
  }
  EXPECT_TRUE(manager_breached);
  EXPECT_TRUE(store->GetCaseFlags(kCaseE)->size() > 0u);

  // Every write is in the ledger and the audit trail.
  auto written = store->ListActions({{store::ActionState::kWritten}, "", 100, std::nullopt, ""});
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->size(), 5u);  // A reassign + task, B task, C post, D task
  int audited = 0;
  ASSERT_TRUE(store
                  ->ForEachAudit({},
                                 [&](store::AuditEntry const& e) {
                                   ++audited;
                                   EXPECT_EQ(e.result, store::AuditResult::kOk)
                                       << e.action_key << e.reason;
                                   return OkStatus();
                                 })
                  .ok());
  EXPECT_EQ(audited, 5);
}

TEST_P(SyncE2e, SecondRunWritesNothing) {
  ASSERT_EQ(Sync().exit_code, 0);
  auto const tasks = sync_test::TaskKeys(*emulator_);
  auto const posts = sync_test::FeedKeys(*emulator_);
  emulator_->ResetRequestCounts();
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 newly planned"));
  EXPECT_THAT(r.out, HasSubstr("nothing new to write"));
  EXPECT_EQ(sync_test::TaskKeys(*emulator_), tasks);
  EXPECT_EQ(sync_test::FeedKeys(*emulator_), posts);
  EXPECT_EQ(emulator_->RequestCount(sandbox::EndpointKind::kCollections), 0);
  EXPECT_EQ(emulator_->OwnerWrites().size(), 1u);
}

TEST_P(SyncE2e, DryRunWritesNothingAnywhere) {
  auto r = Sync({"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("4 would be planned"));
  EXPECT_TRUE(sync_test::TaskKeys(*emulator_).size() == 1u);  // only F's own
  EXPECT_EQ(emulator_->OwnerWrites().size(), 0u);
  auto store = OpenStore();
  auto rows = store->ListActions(
      {{store::ActionState::kPlanned, store::ActionState::kWritten}, "", 100, std::nullopt, ""});
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  // The real run afterwards still does everything.
  ASSERT_EQ(Sync().exit_code, 0);
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
}

TEST_P(SyncE2e, CompletesThroughServerErrorsLockErrorsAndTokenExpiry) {
  using sandbox::EndpointKind;
  using sandbox::FaultKind;
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kHttp503, 2});
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kTokenExpired, 1});
  emulator_->InjectFault({EndpointKind::kCollections, FaultKind::kUnableToLockRow, 1});
  emulator_->InjectFault({EndpointKind::kCollections, FaultKind::kHttp503, 1});
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  EXPECT_EQ(sync_test::FeedKeys(*emulator_).size(), 1u);
  EXPECT_TRUE(emulator_->PendingFaults().empty());
}

TEST_P(SyncE2e, RequestLimitExceededExitsFiveAndTheNextRunFinishes) {
  using sandbox::EndpointKind;
  using sandbox::FaultKind;
  emulator_->InjectFault({EndpointKind::kCollections, FaultKind::kRequestLimitExceeded, 1});
  auto r = Sync();
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("progress is saved"));
  auto store = OpenStore();
  auto planned = store->ListActions({{store::ActionState::kPlanned}, "", 100, std::nullopt, ""});
  ASSERT_TRUE(planned.ok());
  EXPECT_FALSE(planned->empty());  // planned, waiting for the next run
  store.reset();
  r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  EXPECT_EQ(sync_test::FeedKeys(*emulator_).size(), 1u);
}

TEST_P(SyncE2e, ALaterRunReevaluatesCasesWhoseClocksCameDueWithoutTheirRecordsChanging) {
  // 13:10: the tier 4 case C is 10 minutes old, manager_notified is pending (due 14:00); the run
  // posts the manager notification (at 13:10 on the emulator's clock).
  clock_->Set(*ParseInstant("2026-03-05T13:10:00Z"));
  auto r = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-05T13:10:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto status_of = [&](std::string const& case_id, std::string const& rule) {
    auto store = OpenStore();
    auto flags = store->GetCaseFlags(case_id);
    EXPECT_TRUE(flags.ok());
    for (auto const& f : *flags) {
      if (f.rule_id == rule) return f.status;
    }
    return std::string("absent");
  };
  EXPECT_EQ(status_of(kCaseC, "manager_notified"), "pending");
  EXPECT_EQ(status_of(kCaseD, "tier_update_24h"), "pending");
  // The next day, 10:00:01: neither C nor D changed, but both had a clock come due, so both are
  // re-read by id: C's notification (13:10) met its clock, D's 24-hour update is breached.
  clock_->Set(*ParseInstant("2026-03-06T10:00:01Z"));
  r = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-06T10:00:01Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("(0 because a clock came due")));
  EXPECT_EQ(status_of(kCaseC, "manager_notified"), "met");
  EXPECT_EQ(status_of(kCaseD, "tier_update_24h"), "breached");
}

TEST_P(SyncE2e, ASecondSchedulerExitsZeroWhileTheLockIsHeld) {
  auto store = OpenStore();
  auto lock = store->TryLock({*ParseInstant(kNow), "other-run"});
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto r = Sync();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("another casebridge run holds the lock"));
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 1u);
}

TEST_P(SyncE2e, BackfillIsADryRunUnlessApplied) {
  auto r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
                   "--now", kNow, "--chunk", "1d", "--progress", "lines"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("dry run: nothing written"));
  EXPECT_THAT(r.out, HasSubstr("4 would be planned"));
  EXPECT_THAT(r.err, HasSubstr("backfill: 6/6 cases (100%), chunk 5/5"));
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 1u);
  EXPECT_EQ(emulator_->OwnerWrites().size(), 0u);

  r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
              "--now", kNow, "--apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  auto flags = OpenStore()->GetCaseFlags(kCaseE);
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->empty());  // the closed case's flags are stored for the reports

  // Re-running a backfill never writes twice.
  emulator_->ResetRequestCounts();
  r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
              "--now", kNow, "--apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(emulator_->RequestCount(sandbox::EndpointKind::kCollections), 0);
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
}

TEST_P(SyncE2e, ALargeBackfillReadsWithBulkJobsAndWritesTheSameActions) {
  // --bulk-above 5: the range's 6 cases in one chunk are above it. (One chunk: the client waits
  // a real second before its first poll of each job.)
  auto r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
                   "--now", kNow, "--chunk", "5d", "--bulk-above", "5", "--apply"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("with Bulk API 2.0 query jobs"));
  EXPECT_GT(emulator_->RequestCount(sandbox::EndpointKind::kBulk), 0);
  // The same Tasks, reassignment and flags as the REST read of the backfill above.
  EXPECT_EQ(sync_test::TaskKeys(*emulator_),
            (std::map<std::string, int>{{kCaseA + ":call_installer:1", 1},
                                        {kCaseB + ":call_installer:1", 1},
                                        {kCaseD + ":tier_followup:1", 1},
                                        {kCaseF + ":call_installer:1", 1}}));
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  auto flags = OpenStore()->GetCaseFlags(kCaseE);
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->empty());

  auto bad = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
                     "--bulk-above", "-1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--bulk-above"));
}

TEST_P(SyncE2e, BackfillStoppedByTheBudgetResumesAfterItsLastChunk) {
  // Leave room for a few calls only: the queues, the count, the first chunks.
  emulator_->SetApiUsage(100000 - 4);
  auto r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
                   "--now", kNow, "--chunk", "1d", "--apply"});
  ASSERT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("--resume"));
  emulator_->SetApiUsage(0);  // a new day
  r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
              "--now", kNow, "--chunk", "1d", "--apply", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("resumed after chunk"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("resumed after chunk 0")));
  EXPECT_EQ(sync_test::TaskKeys(*emulator_).size(), 4u);
  EXPECT_EQ(CaseOwner(kCaseA), kBackOffice);
  EXPECT_EQ(sync_test::FeedKeys(*emulator_).size(), 1u);
  // A resume of a finished backfill does nothing.
  r = RunCli({"backfill", "--from", "2026-03-01", "--to", "2026-03-06", "--config", config_,
              "--now", kNow, "--chunk", "1d", "--apply", "--resume"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// `casebridge explain` reads what the sync stored (issue 15): B's snapshot, with the ids of the
// records its events came from, and the ledger row of the task the run wrote. Hand-worked: B
// was created Mon 03-02 10:00 EST and nobody contacted the homeowner, so response_4bh (due Mon
// 14:00 EST = 19:00Z) is 4080 min late at Thu 03-05 15:00Z and installer_contact_2d (due
// Wed 03-04 15:00Z) 1440 min late.
TEST_P(SyncE2e, ExplainReadsTheSnapshotAndLedgerTheSyncStored) {
  auto dry = Sync({"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  auto none = RunCli({"explain", kCaseB, "--config", config_, "--now", kNow});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("the state store has no snapshot of case " + kCaseB));

  ASSERT_EQ(Sync().exit_code, 0);
  auto r = RunCli({"explain", kCaseB, "--config", config_, "--now", kNow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("from         state store "));
  EXPECT_THAT(r.out, HasSubstr("response_4bh: BREACHED 4080 min late"));
  EXPECT_THAT(r.out, HasSubstr("due           Mon 2026-03-02 14:00 EST [2026-03-02T19:00:00Z]"));
  EXPECT_THAT(r.out, HasSubstr("installer_contact_2d: BREACHED 1440 min late"));
  int records = 0;  // B's outreach note (FeedItem) and its handoff (CaseHistory)
  for (auto const& [object, parent] :
       {std::pair<char const*, char const*>{"FeedItem", "ParentId"}, {"CaseHistory", "CaseId"}}) {
    for (auto const& rec : emulator_->Records(object)) {
      if (rec.value(parent, "") != kCaseB) continue;
      EXPECT_THAT(r.out, HasSubstr("(record " + rec.value("Id", "") + ")")) << object;
      ++records;
    }
  }
  EXPECT_EQ(records, 2);
  std::string task_id;
  for (auto const& t : emulator_->Records("Task")) {
    if (t.value("Casebridge_Key__c", "") == kCaseB + ":call_installer:1") {
      task_id = t.value("Id", "");
    }
  }
  ASSERT_FALSE(task_id.empty());
  EXPECT_THAT(r.out, HasSubstr(kCaseB +
                               ":call_installer:1  task, due Wed 2026-03-04 10:00 EST, "
                               "for installer_contact_2d; ledger: written as " +
                               task_id));
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncE2e, ::testing::Values("sqlite", "postgresql"),
                         [](auto const& info) { return info.param; });

}  // namespace
}  // namespace casebridge
