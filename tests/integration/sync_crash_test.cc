// Crash consistency of `casebridge sync`: the process is killed with SIGKILL at many points of a
// sync with hundreds of actions (named failpoints: before/after a page's store commit, after a
// write call returned but before the ledger knew, after the ledger update; and at timed
// moments), then a normal run follows. The emulator's state is the truth: every planned action
// must exist exactly once remotely and be `written` in the ledger with that record's id.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "connector/sandbox/sf_ids.h"
#include "connector/store/state_store.h"
#include "tests/integration/sync_state_digest.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"
#include "tests/support/postgres_server.h"

extern char** environ;

namespace casebridge {
namespace {

using nlohmann::json;
using sandbox::MakeId;

constexpr char kNow[] = "2026-03-05T15:00:00Z";
constexpr int kTier1 = 250;      // tier_followup task each
constexpr int kComplaints = 60;  // reassign_back_office, then call_installer each
constexpr int kTier4 = 40;       // notify_manager feed post each
constexpr int kActions = kTier1 + 2 * kComplaints + kTier4;

std::string const kBackOffice = MakeId("00G", 1);
std::string const kSupport = MakeId("00G", 2);
std::string const kInstaller = MakeId("001", 1);
std::string const kHomeowner = MakeId("003", 1);
std::string const kAgent = MakeId("005", 7);  // a person who takes cases over

json Org(int tier1 = kTier1, int tier4 = kTier4, int complaints = kComplaints) {
  json org;
  org["_fields"] = sync_test::OrgFields();
  org["Group"] = json::array({{{"Id", kBackOffice},
                               {"Name", "Back Office"},
                               {"DeveloperName", "Back_Office"},
                               {"Type", "Queue"}},
                              {{"Id", kSupport},
                               {"Name", "Support"},
                               {"DeveloperName", "Customer_Support"},
                               {"Type", "Queue"}}});
  org["Account"] = json::array(
      {{{"Id", kInstaller}, {"Name", "SunPeak"}, {"Escalation_Phone__c", "+1 512 555 9000"}}});
  org["Contact"] =
      json::array({{{"Id", kHomeowner}, {"LastName", "Gonzalez"}, {"Email", "maria@example.com"}}});
  org["User"] = json::array({{{"Id", kAgent},
                              {"Username", "dana@example.com"},
                              {"FirstName", "Dana"},
                              {"LastName", "Agent"},
                              {"Email", "dana@example.com"},
                              {"IsActive", true}}});
  json cases = json::array();
  json feed = json::array();
  std::uint64_t seq = 1;
  for (int i = 0; i < tier1 + tier4; ++i) {
    bool const is_tier4 = i >= tier1;
    cases.push_back({{"Id", MakeId("500", seq++)},
                     {"Subject", "Inverter offline"},
                     {"Status", "New"},
                     {"Reason", "General Inquiry"},
                     {"OwnerId", kSupport},
                     {"ContactId", kHomeowner},
                     {"Escalation_Tier__c", is_tier4 ? 4 : 1},
                     {"CreatedDate", "2026-03-05T10:00:00Z"}});
  }
  for (int i = 0; i < complaints; ++i) {
    std::string const id = MakeId("500", seq++);
    cases.push_back({{"Id", id},
                     {"Subject", "Installer silent"},
                     {"Status", "New"},
                     {"Reason", "Installer Complaints"},
                     {"Secondary_Reason__c", "Unresponsive Installer"},
                     {"OwnerId", kSupport},
                     {"ContactId", kHomeowner},
                     {"Installer__c", kInstaller},
                     {"CreatedDate", "2026-03-02T14:05:00Z"}});
    feed.push_back({{"ParentId", id},
                    {"Body", "Outreach note: called the homeowner."},
                    {"Type", "TextPost"},
                    {"CreatedDate", "2026-03-02T15:00:00Z"}});
  }
  org["Case"] = cases;
  org["FeedItem"] = feed;
  return org;
}

struct Scenario {
  std::string store;      // "sqlite" | "postgresql"
  std::string failpoint;  // CASEBRIDGE_FAILPOINT value
};

class SyncCrash : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    emulator_ = sync_test::StartEmulator(Seed(), clock_);
    if (GetParam().store == "postgresql") {
      if (!pg_) {
        auto server = testing_util::PostgresServer::Start();
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

  [[nodiscard]] virtual json Seed() const { return Org(); }

  std::vector<std::string> Args() const {
    return {CASEBRIDGE_BINARY,
            "sync",
            "--once",
            "--config",
            config_,
            "--now",
            kNow,
            "--log-format",
            "json",
            "--in-flight-grace",
            "1s"};
  }

  // Starts the sync as a child process (optionally with a failpoint) and returns its pid.
  pid_t Spawn(std::string const& failpoint) const {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string_view(*e).starts_with("CASEBRIDGE_FAILPOINT=")) continue;
      env_strings.emplace_back(*e);
    }
    if (!failpoint.empty()) env_strings.push_back("CASEBRIDGE_FAILPOINT=" + failpoint);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    auto args = Args();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::string const err_path = dir_.path() + "/stderr.log";
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    pid_t pid = -1;
    int const rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0);
    return pid;
  }

  std::string StderrLog() const {
    std::ifstream in(dir_.path() + "/stderr.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str().substr(0, 4000);
  }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
  }

  std::vector<store::LedgerEntry> Ledger() const {
    auto store = store::OpenStateStore(store_url_);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return {};
    auto rows = (*store)->ListActions(
        {{store::ActionState::kPlanned, store::ActionState::kWritten, store::ActionState::kFailed},
         "",
         100000,
         std::nullopt,
         ""});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<store::LedgerEntry>{};
  }

  // What people do after the crash, before the next run (at the same emulated instant as the
  // runs, the worst case for telling their change from ours): an agent completes a
  // Task the dead run created without recording it, and takes over a Case it reassigned without
  // recording it (when the crash left such records; else any such record). The runs that
  // follow must keep both changes.
  void PeopleChangeWhatTheDeadRunWrote() {
    std::set<std::string> unrecorded;
    for (auto const& row : Ledger()) {
      if (row.state != store::ActionState::kWritten) unrecorded.insert(row.action.key);
    }
    std::string task_id;
    for (auto const& t : emulator_->Records("Task")) {
      std::string const key = t.value("Casebridge_Key__c", "");
      if (key.empty() || (!task_id.empty() && unrecorded.count(key) == 0)) continue;
      task_id = t.value("Id", "");
      if (unrecorded.count(key) != 0) break;
    }
    for (auto const& row : Ledger()) {
      auto c = emulator_->FindRecord(row.action.case_id);
      if (row.action.kind != "reassign" || !c || c->value("OwnerId", "") != kBackOffice) continue;
      if (!taken_case_.empty() && unrecorded.count(row.action.key) == 0) continue;
      taken_case_ = row.action.case_id;
      if (unrecorded.count(row.action.key) != 0) break;
    }
    if (!task_id.empty()) {
      sync_test::PersonEdits(*emulator_, "Task", task_id, {{"Status", "Completed"}});
      completed_task_ = task_id;
    }
    if (!taken_case_.empty()) {
      sync_test::PersonEdits(*emulator_, "Case", taken_case_, {{"OwnerId", kAgent}});
    }
  }

  // Nothing a person changed after the crash was overwritten.
  void ExpectPeoplesChangesKept() const {
    if (!completed_task_.empty()) {
      auto t = emulator_->FindRecord(completed_task_);
      ASSERT_TRUE(t.has_value());
      EXPECT_EQ(t->value("Status", ""), "Completed") << "task " << completed_task_ << " reopened";
    }
    if (!taken_case_.empty()) {
      auto c = emulator_->FindRecord(taken_case_);
      ASSERT_TRUE(c.has_value());
      EXPECT_EQ(c->value("OwnerId", ""), kAgent) << "case " << taken_case_ << " taken back";
    }
  }

  // Case id -> owner.
  std::map<std::string, std::string> Owners() const {
    std::map<std::string, std::string> out;
    for (auto const& c : emulator_->Records("Case"))
      out[c.value("Id", "")] = c.value("OwnerId", "");
    return out;
  }

  // The emulator holds every action exactly once, and the ledger agrees.
  void ExpectExactlyOnce() {
    auto const rows = Ledger();
    EXPECT_EQ(rows.size(), static_cast<std::size_t>(kActions));
    auto const tasks = sync_test::TaskKeys(*emulator_);
    auto const posts = sync_test::FeedKeys(*emulator_);
    std::map<std::string, std::string> task_ids;
    for (auto const& t : emulator_->Records("Task")) {
      task_ids[t.value("Casebridge_Key__c", "")] = t.value("Id", "");
    }
    std::size_t n_tasks = 0;
    std::size_t n_posts = 0;
    for (auto const& row : rows) {
      auto const& a = row.action;
      EXPECT_EQ(row.state, store::ActionState::kWritten) << a.key << " " << row.last_error << "\n"
                                                         << StderrLog();
      if (a.kind == "task") {
        ++n_tasks;
        EXPECT_EQ(tasks.count(a.key) ? tasks.at(a.key) : 0, 1) << a.key;
        EXPECT_EQ(row.remote_id, task_ids[a.key]) << a.key;
      } else if (a.kind == "feed_post") {
        ++n_posts;
        EXPECT_EQ(posts.count(a.key) ? posts.at(a.key) : 0, 1) << a.key;
      } else if (a.kind == "reassign") {
        auto c = emulator_->FindRecord(a.case_id);
        ASSERT_TRUE(c.has_value());
        EXPECT_EQ(c->value("OwnerId", ""), a.case_id == taken_case_ ? kAgent : kBackOffice)
            << a.key;
      }
    }
    EXPECT_EQ(tasks.size(), n_tasks);  // no task the ledger does not know
    EXPECT_EQ(posts.size(), n_posts);
    EXPECT_EQ(n_tasks, static_cast<std::size_t>(kTier1 + kComplaints));
    EXPECT_EQ(n_posts, static_cast<std::size_t>(kTier4));
  }

  static inline std::unique_ptr<testing_util::PostgresServer> pg_;
  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  std::string store_url_;
  std::string config_;
  std::string completed_task_;  // set by PeopleChangeWhatTheDeadRunWrote()
  std::string taken_case_;
};

TEST_P(SyncCrash, KilledAtAFailpointThenRerunConvergesToExactlyOnce) {
  int const killed = Wait(Spawn(GetParam().failpoint));
  EXPECT_EQ(killed, -SIGKILL) << "the failpoint " << GetParam().failpoint << " was not reached";
  PeopleChangeWhatTheDeadRunWrote();
  // Feed posts the dead run may have had in flight wait out the grace period.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  int const finished = Wait(Spawn(""));
  EXPECT_EQ(finished, 0) << StderrLog();
  ExpectExactlyOnce();
  ExpectPeoplesChangesKept();
  // And a further run writes nothing.
  auto const before = emulator_->RequestCount(sandbox::EndpointKind::kCollections);
  EXPECT_EQ(Wait(Spawn("")), 0);
  EXPECT_EQ(emulator_->RequestCount(sandbox::EndpointKind::kCollections), before);
  ExpectPeoplesChangesKept();
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> out;
  for (auto const* p :
       {"sync.before_page_commit:1", "sync.after_page_commit:1", "sync.after_remote_write:1",
        "sync.after_remote_write:2", "sync.after_remote_write:3", "sync.after_remote_write:4",
        "sync.after_remote_write:5", "sync.after_record:1", "sync.after_record:3",
        "sync.after_record:5"}) {
    out.push_back({"sqlite", p});
  }
  for (auto const* p :
       {"sync.after_remote_write:2", "sync.after_remote_write:4", "sync.after_record:2"}) {
    out.push_back({"postgresql", p});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Points, SyncCrash, ::testing::ValuesIn(Scenarios()), [](auto const& info) {
  std::string name = info.param.store + "_" + info.param.failpoint;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

// Kills at timed moments, one after another on the same org and store, with every write call
// slowed down so the kills land inside the writes; then one run finishes the work.
class SyncCrashTimed : public SyncCrash {};

TEST_P(SyncCrashTimed, RepeatedKillsAtTimedMomentsThenOneCleanRun) {
  emulator_->InjectFault({sandbox::EndpointKind::kCollections, sandbox::FaultKind::kLatency, 0, 1.0,
                          std::chrono::milliseconds(40)});
  for (int i = 0; i < 12; ++i) {
    pid_t const pid = Spawn("");
    std::this_thread::sleep_for(std::chrono::milliseconds(60 + 45 * i));
    kill(pid, SIGKILL);
    Wait(pid);
  }
  emulator_->ClearFaults();
  PeopleChangeWhatTheDeadRunWrote();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the in-flight grace
  EXPECT_EQ(Wait(Spawn("")), 0);
  ExpectExactlyOnce();
  ExpectPeoplesChangesKept();
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncCrashTimed,
                         ::testing::Values(Scenario{"sqlite", ""}, Scenario{"postgresql", ""}),
                         [](auto const& info) { return info.param.store; });

// Failed rows retried by later runs: the first run's write is refused (REQUEST_LIMIT_EXCEEDED:
// the rows fail), the second one's reaches the server but its answer is cut (the rows stay
// failed), then a person changes what it wrote, then a clean run retries the failed rows.
class SyncRetry : public SyncCrash {
 protected:
  // Each run as one process; its exit code.
  int Run() const { return Wait(Spawn("")); }

  void RefusedThenCutOff() {
    emulator_->InjectFault({sandbox::EndpointKind::kCollections,
                            sandbox::FaultKind::kRequestLimitExceeded,
                            1,
                            1.0,
                            {}});
    EXPECT_NE(Run(), 0);
    auto const refused = Ledger();
    EXPECT_FALSE(refused.empty());
    for (auto const& row : refused) {
      if (row.state == store::ActionState::kFailed) ++failed_after_first_;
    }
    emulator_->ClearFaults();
    emulator_->InjectFault(
        {sandbox::EndpointKind::kCollections, sandbox::FaultKind::kMalformedBody, 1, 1.0, {}});
    EXPECT_NE(Run(), 0);
    emulator_->ClearFaults();
  }

  int failed_after_first_ = 0;
};

class SyncRetryTasks : public SyncRetry {
 protected:
  [[nodiscard]] json Seed() const override { return Org(3, 0, 0); }
};

TEST_P(SyncRetryTasks, AFailedTaskRetriedLaterStaysAsAPersonCompletedIt) {
  RefusedThenCutOff();
  EXPECT_EQ(failed_after_first_, 3);
  auto const tasks = emulator_->Records("Task");
  ASSERT_EQ(tasks.size(), 3U) << "the cut-off write did not reach the server";
  std::string const completed = tasks.front().value("Id", "");
  sync_test::PersonEdits(*emulator_, "Task", completed, {{"Status", "Completed"}});

  EXPECT_EQ(Run(), 0) << StderrLog();
  EXPECT_EQ(emulator_->FindRecord(completed)->value("Status", ""), "Completed");
  std::map<std::string, std::string> ids;
  for (auto const& t : emulator_->Records("Task")) {
    ids[t.value("Casebridge_Key__c", "")] = t.value("Id", "");
  }
  EXPECT_EQ(ids.size(), 3U);
  for (auto const& row : Ledger()) {
    EXPECT_EQ(row.state, store::ActionState::kWritten) << row.action.key;
    EXPECT_EQ(row.remote_id, ids[row.action.key]) << row.action.key;
  }
}

class SyncRetryReassign : public SyncRetry {
 protected:
  [[nodiscard]] json Seed() const override { return Org(0, 0, 3); }
};

TEST_P(SyncRetryReassign, AFailedReassignmentRetriedLaterKeepsTheOwnerAPersonGave) {
  RefusedThenCutOff();
  EXPECT_EQ(failed_after_first_, 3);
  std::vector<std::string> cases;
  for (auto const& row : Ledger()) {
    if (row.action.kind != "reassign") continue;
    EXPECT_EQ(row.state, store::ActionState::kFailed) << row.action.key;
    cases.push_back(row.action.case_id);
  }
  ASSERT_EQ(cases.size(), 3U);
  ASSERT_EQ(emulator_->FindRecord(cases[0])->value("OwnerId", ""), kBackOffice)
      << "the cut-off write did not reach the server";
  sync_test::PersonEdits(*emulator_, "Case", cases[0], {{"OwnerId", kAgent}});
  // And one the person takes over before any reassignment landed would be kept too: the
  // change comes after the reassignment was planned.

  EXPECT_EQ(Run(), 0) << StderrLog();
  EXPECT_EQ(emulator_->FindRecord(cases[0])->value("OwnerId", ""), kAgent);
  EXPECT_EQ(emulator_->FindRecord(cases[1])->value("OwnerId", ""), kBackOffice);
  EXPECT_EQ(emulator_->FindRecord(cases[2])->value("OwnerId", ""), kBackOffice);
  for (auto const& row : Ledger()) {
    EXPECT_EQ(row.state, store::ActionState::kWritten) << row.action.key << " " << row.last_error;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncRetryTasks, ::testing::Values(Scenario{"sqlite", ""}),
                         [](auto const& info) { return info.param.store; });
INSTANTIATE_TEST_SUITE_P(Stores, SyncRetryReassign, ::testing::Values(Scenario{"sqlite", ""}),
                         [](auto const& info) { return info.param.store; });

// Random kills (issue 12): trials, each on a fresh org and store: one run killed at a moment
// drawn from a seeded generator (a failpoint and which pass through it, or a timed SIGKILL while
// the writes are slowed down), then one clean run, after which the state must equal an
// uninterrupted run's (ExpectExactlyOnce). The seed is fixed so CI is repeatable; by hand,
// CASEBRIDGE_CRASH_SEED=<n> CASEBRIDGE_CRASH_TRIALS=50 explore more (each trial's kill point is
// printed).
class SyncCrashRandom : public SyncCrash {
 protected:
  // A fresh org, store and config for trial `n`.
  void Fresh(int n) {
    emulator_->Stop();
    emulator_ = sync_test::StartEmulator(Org(), clock_);
    if (GetParam().store == "postgresql") {
      auto db = pg_->CreateDatabase();
      ASSERT_TRUE(db.ok()) << db.status();
      store_url_ = *db;
    } else {
      store_url_ = "sqlite:" + dir_.path() + "/state-" + std::to_string(n) + ".db";
    }
    config_ = sync_test::WriteConfig(dir_, *emulator_, store_url_);
  }

  // Runs one sync killed at a moment drawn from `rng`; returns what was drawn and what happened.
  // `must_reach`: the failpoint drawn must be reached (a fresh org has the work for it; in a
  // series of kills, earlier runs may have done that work already).
  std::string KillOnce(std::mt19937_64& rng, bool must_reach = true) {
    struct Point {
      char const* name;
      std::uint64_t passes;  // the pass is drawn among 1..passes
    };
    std::array<Point, 4> const points = {{{"sync.before_page_commit", 2},
                                          {"sync.after_page_commit", 2},
                                          {"sync.after_remote_write", 4},
                                          {"sync.after_record", 3}}};
    std::uint64_t const pick = rng() % (points.size() + 1);
    if (pick == points.size()) {  // a timed kill inside the slowed-down writes
      auto const after = std::chrono::milliseconds(50 + rng() % 500);
      emulator_->InjectFault({sandbox::EndpointKind::kCollections, sandbox::FaultKind::kLatency, 0,
                              1.0, std::chrono::milliseconds(40)});
      pid_t const pid = Spawn("");
      std::this_thread::sleep_for(after);
      kill(pid, SIGKILL);
      int const rc = Wait(pid);
      emulator_->ClearFaults();
      return "kill after " + std::to_string(after.count()) + " ms (" + std::to_string(rc) + ")";
    }
    Point const& p = points[pick];
    std::string const point = std::string(p.name) + ":" + std::to_string(1 + rng() % p.passes);
    int const rc = Wait(Spawn(point));
    if (must_reach) {
      EXPECT_EQ(rc, -SIGKILL) << "the failpoint " << point << " was not reached";
    } else {
      EXPECT_TRUE(rc == -SIGKILL || rc == 0) << point << " exit " << rc << "\n" << StderrLog();
    }
    return point + " (" + std::to_string(rc) + ")";
  }
};

std::uint64_t EnvNumber(char const* name, std::uint64_t fallback) {
  char const* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::stoull(v);
}

TEST_P(SyncCrashRandom, SeededRandomKillsThenOneCleanRunEqualAnUninterruptedRun) {
  std::uint64_t const seed = EnvNumber("CASEBRIDGE_CRASH_SEED", 20261207);
  auto const trials =
      static_cast<int>(EnvNumber("CASEBRIDGE_CRASH_TRIALS", GetParam().store == "sqlite" ? 3 : 2));
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < trials; ++trial) {
    if (trial > 0) Fresh(trial);
    std::string const what = KillOnce(rng);
    std::cout << "random kills (" << GetParam().store << ", seed " << seed << ") trial " << trial
              << ": " << what << "\n";
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial) + ": " + what);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the in-flight grace
    EXPECT_EQ(Wait(Spawn("")), 0) << StderrLog();
    ExpectExactlyOnce();
  }
}

// Kills in a row (issue 12, "prove it" 3): one org and store, CASEBRIDGE_CRASH_KILLS runs each
// killed at a seeded random moment, then one clean run; the state must equal an uninterrupted
// run's over a twin org: the remote records, the flags, the ledger and the watermarks. CI kills
// 5 times per store; by hand CASEBRIDGE_CRASH_KILLS=50 (bash bench/prove_it.sh kills).
TEST_P(SyncCrashRandom, KillsInARowThenOneCleanRunEqualAnUninterruptedRun) {
  std::uint64_t const seed = EnvNumber("CASEBRIDGE_CRASH_SEED", 20261208);
  auto const kills = static_cast<int>(EnvNumber("CASEBRIDGE_CRASH_KILLS", 5));
  auto const started = std::chrono::steady_clock::now();
  // The uninterrupted sync, on the fixture's org and store: one run, and the run after it that
  // reads back the Cases the first one reassigned (then nothing changes any more).
  ASSERT_EQ(Wait(Spawn("")), 0) << StderrLog();
  ASSERT_EQ(Wait(Spawn("")), 0) << StderrLog();
  auto const twin = sync_test::ReadDigest(store_url_);
  auto const twin_tasks = sync_test::TaskKeys(*emulator_);
  auto const twin_posts = sync_test::FeedKeys(*emulator_);
  auto const twin_owners = Owners();

  Fresh(1);
  std::mt19937_64 rng(seed);
  std::map<std::string, int> phases;  // where the kills landed
  for (int k = 0; k < kills; ++k) {
    std::string const what = KillOnce(rng, /*must_reach=*/false);
    bool const finished = what.ends_with("(0)");  // the run was done before the kill came
    ++phases[what.substr(0, what.find_first_of(":0123456789")) + (finished ? " [done]" : "")];
    std::cout << "kills in a row (" << GetParam().store << ", seed " << seed << ") kill " << k
              << ": " << what << "\n";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the in-flight grace
  EXPECT_EQ(Wait(Spawn("")), 0) << StderrLog();
  ExpectExactlyOnce();
  EXPECT_EQ(Wait(Spawn("")), 0) << StderrLog();  // as the uninterrupted sync: settled
  auto const after = sync_test::ReadDigest(store_url_);
  EXPECT_EQ(after.ledger, twin.ledger) << sync_test::Differences(after.ledger, twin.ledger);
  EXPECT_EQ(after.flags, twin.flags) << sync_test::Differences(after.flags, twin.flags);
  EXPECT_EQ(after.watermarks, twin.watermarks)
      << sync_test::Differences(after.watermarks, twin.watermarks);
  EXPECT_FALSE(after.watermarks.empty());
  EXPECT_EQ(sync_test::TaskKeys(*emulator_), twin_tasks);
  EXPECT_EQ(sync_test::FeedKeys(*emulator_), twin_posts);
  EXPECT_EQ(Owners(), twin_owners);
  std::ostringstream where;
  for (auto const& [phase, n] : phases) where << phase << " " << n << ", ";
  std::cout << "kills in a row (" << GetParam().store << ", seed " << seed << "): " << kills
            << " kills (" << where.str() << "), "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                started)
                   .count()
            << " s\n";
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncCrashRandom,
                         ::testing::Values(Scenario{"sqlite", ""}, Scenario{"postgresql", ""}),
                         [](auto const& info) { return info.param.store; });

}  // namespace
}  // namespace casebridge
