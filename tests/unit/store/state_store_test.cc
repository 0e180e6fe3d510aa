// The StateStore contract, run against SQLite (a file) and a real PostgreSQL server (started by
// tests/support/postgres_server; fails with an install hint when the package is missing).
#include "connector/store/state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace casebridge::store {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

// Each backend hands out URLs of fresh, empty databases.
struct SqliteBackend {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& dir) {
    static int counter = 0;
    return "sqlite:" + dir.path() + "/state" + std::to_string(++counter) + ".db";
  }
};

struct PostgresBackend {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& /*dir*/) {
    auto server = testing_util::SharedPostgresServer();
    if (!server.ok()) return server.status();
    return (*server)->CreateDatabase();
  }
};

class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int /*index*/) {
    if (std::is_same_v<T, SqliteBackend>) return "Sqlite";
    return "Postgres";
  }
};

template <typename Backend>
class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = Backend::NewUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<StateStore> Open() {
    auto store = OpenStateStore(url_);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    return std::move(*store);
  }

  static PlannedAction Action(std::string const& case_id, std::string const& action_id, int n) {
    PlannedAction a;
    a.key = case_id + ":" + action_id + ":" + std::to_string(n);
    a.case_id = case_id;
    a.action_id = action_id;
    a.n = n;
    a.rule_id = "installer_contact_2d";
    a.kind = "task";
    a.target_system = "salesforce";
    a.due = T("2026-03-04T14:05:00Z");
    a.payload = R"({"subject":"Call the installer"})";
    a.evidence = R"({"created_at":"2026-03-02T14:05:00Z"})";
    return a;
  }

  static FlagRecord Flag(std::string const& case_id, std::string const& rule, Instant started,
                         std::optional<Instant> due, std::string const& status) {
    FlagRecord f;
    f.case_id = case_id;
    f.case_number = "000" + case_id;
    f.source_system = "salesforce";
    f.rule_id = rule;
    f.started = started;
    f.due = due;
    f.status = status;
    if (status == "breached") f.late_minutes = 42;
    f.evidence = R"({"events":[]})";
    f.owner = "queue:back_office";
    f.installer = "Sunny Installs";
    f.tier = 2;
    return f;
  }

  std::vector<std::string> Keys(std::vector<LedgerEntry> const& entries) {
    std::vector<std::string> keys;
    for (auto const& e : entries) keys.push_back(e.action.key);
    return keys;
  }

  std::vector<FlagRecord> Flags(FlagQuery const& q) {
    std::vector<FlagRecord> out;
    Status s = store_->ForEachFlag(q, [&out](FlagRecord const& f) {
      out.push_back(f);
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  testing_util::TempDir dir_;
  std::string url_;
  std::unique_ptr<StateStore> store_;
  Instant const now_ = T("2026-03-02T15:00:00Z");
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StateStoreTest, Backends, BackendNames);

// --- Migrations -------------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, MigrationsAreRecordedOnceAndReopeningAppliesNothing) {
  auto first = this->store_->AppliedMigrations();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 6U);  // 001-005, 007
  EXPECT_EQ((*first)[0].version, 1);
  EXPECT_EQ((*first)[0].name, "001_init");
  EXPECT_EQ((*first)[1].version, 2);
  EXPECT_EQ((*first)[1].name, "002_audit_append_only");
  EXPECT_GT((*first)[0].applied_at, T("2020-01-01T00:00:00Z"));

  this->store_.reset();
  auto reopened = this->Open();
  ASSERT_NE(reopened, nullptr);
  auto second = reopened->AppliedMigrations();
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->size(), 6U);
  EXPECT_EQ((*second)[0].applied_at, (*first)[0].applied_at);
  EXPECT_EQ((*second)[1].applied_at, (*first)[1].applied_at);
}

TYPED_TEST(StateStoreTest, SchedulersStartingTogetherMigrateAFreshDatabaseExactlyOnce) {
  auto url = TypeParam::NewUrl(this->dir_);
  ASSERT_TRUE(url.ok()) << url.status();
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t const pid = fork();
    if (pid == 0) {
      auto store = OpenStateStore(*url);
      if (!store.ok()) {
        fprintf(stderr, "child: %s\n", store.status().ToString().c_str());
        _exit(1);
      }
      _exit(0);  // no destructors: the parent's connections stay untouched
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a concurrent open failed";
  }
  auto store = OpenStateStore(*url);
  ASSERT_TRUE(store.ok()) << store.status();
  auto applied = (*store)->AppliedMigrations();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->size(), 6U);
}

// --- Case snapshots ---------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, CaseSnapshotsAreReplacedPerSystemAndCaseAndStreamedByCreation) {
  auto snap = [](std::string system, std::string id, char const* created, std::string json) {
    CaseSnapshot c;
    c.system = std::move(system);
    c.case_id = std::move(id);
    c.created_at = T(created);
    c.snapshot = std::move(json);
    return c;
  };
  std::vector<CaseSnapshot> batch = {
      snap("salesforce", "500B", "2026-03-03T10:00:00Z", R"({"id":"500B","v":1})"),
      snap("salesforce", "500A", "2026-03-02T10:00:00Z", R"({"id":"500A","v":1})"),
      snap("forge", "500A", "2026-03-05T10:00:00Z", R"({"id":"500A","source":"forge"})"),
  };
  ASSERT_TRUE(this->store_->UpsertCaseSnapshots(batch, this->now_).ok());
  std::vector<CaseSnapshot> again = {
      snap("salesforce", "500B", "2026-03-03T10:00:00Z", R"({"id":"500B","v":2})")};
  ASSERT_TRUE(this->store_->UpsertCaseSnapshots(again, this->now_ + 1h).ok());

  auto a = this->store_->GetCaseSnapshots("500A");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 2U);
  EXPECT_EQ((*a)[0].system, "forge");
  EXPECT_EQ((*a)[1].snapshot, R"({"id":"500A","v":1})");
  EXPECT_EQ((*a)[1].updated_at, this->now_);
  auto b = this->store_->GetCaseSnapshots("500B");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1U);
  EXPECT_EQ((*b)[0].snapshot, R"({"id":"500B","v":2})");
  EXPECT_EQ((*b)[0].updated_at, this->now_ + 1h);
  auto none = this->store_->GetCaseSnapshots("500Z");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<std::string> seen;
  Status st = this->store_->ForEachCaseSnapshot(
      {T("2026-03-02T10:00:00Z"), T("2026-03-05T10:00:00Z")}, [&](CaseSnapshot const& c) {
        seen.push_back(c.system + "/" + c.case_id);
        return OkStatus();
      });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_THAT(seen, ElementsAre("salesforce/500A", "salesforce/500B"));
}

TYPED_TEST(StateStoreTest, ACaseSnapshotWithoutAKeyIsRefusedAndNothingIsWritten) {
  CaseSnapshot good;
  good.system = "salesforce";
  good.case_id = "500A";
  good.snapshot = "{}";
  CaseSnapshot bad = good;
  bad.case_id.clear();
  std::vector<CaseSnapshot> batch = {good, bad};
  Status const st = this->store_->UpsertCaseSnapshots(batch, this->now_);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  auto a = this->store_->GetCaseSnapshots("500A");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
}

// --- Action ledger ----------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, CaseActionsOfOneActionAreListedByCaseAndOccurrence) {
  std::vector<PlannedAction> batch = {
      this->Action("500B", "forge_document", 2), this->Action("500A", "forge_document", 1),
      this->Action("500B", "forge_document", 1), this->Action("500A", "call_installer", 1),
      this->Action("500C", "forge_document", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  std::vector<std::string> const cases = {"500B", "500A"};
  auto rows = this->store_->ListCaseActions(cases, "forge_document");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::string> keys;
  for (auto const& r : *rows) keys.push_back(r.action.key);
  EXPECT_THAT(
      keys, ElementsAre("500A:forge_document:1", "500B:forge_document:1", "500B:forge_document:2"));
}

TYPED_TEST(StateStoreTest, ForgeRefsAreReplacedByForgeIdAndFoundByRef) {
  std::vector<ForgeRef> refs = {{"ticket", "T1", "500A", "T1", "C1"},
                                {"ticket", "T2", "500B", "T2", "C2"},
                                {"mirror", "I1", "02sX", "T1", "C1"}};
  ASSERT_TRUE(this->store_->UpsertForgeRefs(refs, this->now_).ok());
  // Ticket T2 is re-linked to another case: the old link is gone.
  std::vector<ForgeRef> relinked = {{"ticket", "T2", "500C", "T2", "C2"}};
  ASSERT_TRUE(this->store_->UpsertForgeRefs(relinked, this->now_).ok());
  std::vector<std::string> const wanted = {"500A", "500B", "500C", "02sX"};
  auto tickets = this->store_->GetForgeRefs("ticket", wanted);
  ASSERT_TRUE(tickets.ok()) << tickets.status();
  ASSERT_EQ(tickets->size(), 2U);
  EXPECT_EQ((*tickets)[0].ref, "500A");
  EXPECT_EQ((*tickets)[0].customer_id, "C1");
  EXPECT_EQ((*tickets)[1].ref, "500C");
  EXPECT_EQ((*tickets)[1].forge_id, "T2");
  auto mirrors = this->store_->GetForgeRefs("mirror", wanted);
  ASSERT_TRUE(mirrors.ok()) << mirrors.status();
  ASSERT_EQ(mirrors->size(), 1U);
  EXPECT_EQ((*mirrors)[0].forge_id, "I1");
  std::vector<ForgeRef> bad = {{"ticket", "T3", "", "T3", ""}};
  EXPECT_EQ(this->store_->UpsertForgeRefs(bad, this->now_).code(), StatusCode::kInvalidArgument);
}

TYPED_TEST(StateStoreTest, PlanningAgainKeepsTheStateOfKnownKeys) {
  std::vector<PlannedAction> batch = {this->Action("500A", "call_installer", 1),
                                      this->Action("500A", "homeowner_followup", 1),
                                      this->Action("500B", "call_installer", 1)};
  auto first = this->store_->PlanActions(batch, this->now_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->new_keys, ElementsAre("500A:call_installer:1", "500A:homeowner_followup:1",
                                           "500B:call_installer:1"));
  EXPECT_EQ(first->already_known, 0U);
  ASSERT_TRUE(this->store_->MarkWritten("500A:call_installer:1", "00T1", this->now_).ok());

  batch.push_back(this->Action("500A", "homeowner_followup", 2));
  batch[0].payload = R"({"subject":"changed"})";
  auto second = this->store_->PlanActions(batch, this->now_ + std::chrono::hours(1));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(second->new_keys, ElementsAre("500A:homeowner_followup:2"));
  EXPECT_EQ(second->already_known, 3U);

  std::vector<std::string> const keys = {"500A:call_installer:1", "500A:homeowner_followup:2"};
  auto rows = this->store_->GetActions(keys);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2U);
  EXPECT_EQ((*rows)[0].state, ActionState::kWritten);
  EXPECT_EQ((*rows)[0].remote_id, "00T1");
  EXPECT_EQ((*rows)[0].action.payload, R"({"subject":"Call the installer"})");  // first plan wins
  EXPECT_EQ((*rows)[0].planned_at, this->now_);
  EXPECT_EQ((*rows)[1].state, ActionState::kPlanned);
  EXPECT_EQ((*rows)[1].planned_at, this->now_ + std::chrono::hours(1));
  EXPECT_EQ((*rows)[1].action.n, 2);
  EXPECT_EQ((*rows)[1].action.due, T("2026-03-04T14:05:00Z"));
  EXPECT_EQ((*rows)[1].action.rule_id, "installer_contact_2d");
  EXPECT_EQ((*rows)[1].action.target_system, "salesforce");
  EXPECT_EQ((*rows)[1].attempts, 0);
}

TYPED_TEST(StateStoreTest, PlanRejectsAKeyThatDoesNotMatchItsPartsAndInsertsNothing) {
  auto good = this->Action("500A", "call_installer", 1);
  auto bad = this->Action("500A", "call_installer", 2);
  bad.key = "500A:call_installer:3";
  std::vector<PlannedAction> const batch = {good, bad};
  auto r = this->store_->PlanActions(batch, this->now_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("500A:call_installer:3"));
  auto all = this->store_->ListActions(
      {{ActionState::kPlanned, ActionState::kWritten, ActionState::kFailed}, "", 100, {}, ""});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
}

TYPED_TEST(StateStoreTest, ListActionsFiltersByTargetSystem) {
  auto sf = this->Action("500A", "call_installer", 1);
  auto forge = this->Action("500A", "forge_document", 1);
  forge.target_system = "forge";
  auto other = this->Action("500B", "forge_document", 1);
  other.target_system = "forge";
  std::vector<PlannedAction> const batch = {sf, forge, other};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ActionQuery q{{ActionState::kPlanned}, "", 100, {}, "forge"};
  auto rows = this->store_->ListActions(q);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(this->Keys(*rows), ElementsAre("500A:forge_document:1", "500B:forge_document:1"));
  q.target_system = "salesforce";
  rows = this->store_->ListActions(q);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(this->Keys(*rows), ElementsAre("500A:call_installer:1"));
  q.target_system.clear();
  rows = this->store_->ListActions(q);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 3U);
}

TYPED_TEST(StateStoreTest, MarkWrittenStoresTheRemoteIdAndCountsTheAttempt) {
  std::vector<PlannedAction> const batch = {this->Action("500A", "call_installer", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  Instant const later = this->now_ + std::chrono::minutes(5);
  ASSERT_TRUE(this->store_->MarkWritten("500A:call_installer:1", "00T42", later).ok());
  // Marking again (a healed crash) only refreshes the remote id.
  ASSERT_TRUE(this->store_->MarkWritten("500A:call_installer:1", "00T43", later + 60s).ok());
  std::vector<std::string> const keys = {"500A:call_installer:1"};
  auto rows = this->store_->GetActions(keys);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1U);
  LedgerEntry const& e = (*rows)[0];
  EXPECT_EQ(e.state, ActionState::kWritten);
  EXPECT_EQ(e.remote_id, "00T43");
  EXPECT_EQ(e.attempts, 1);
  EXPECT_EQ(e.written_at, later);
  EXPECT_EQ(e.updated_at, later + 60s);

  Status unknown = this->store_->MarkWritten("500Z:call_installer:1", "00T9", later);
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
}

TYPED_TEST(StateStoreTest, FailedActionsAreListedForRetryUntilWritten) {
  std::vector<PlannedAction> const batch = {this->Action("500A", "call_installer", 1),
                                            this->Action("500B", "call_installer", 1),
                                            this->Action("500C", "call_installer", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ASSERT_TRUE(this->store_->MarkWritten("500A:call_installer:1", "00T1", this->now_).ok());
  ASSERT_TRUE(
      this->store_->MarkFailed("500B:call_installer:1", "UNABLE_TO_LOCK_ROW", this->now_).ok());

  ActionQuery retry{{ActionState::kPlanned, ActionState::kFailed}, "", 100, {}, ""};
  auto pending = this->store_->ListActions(retry);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(this->Keys(*pending), ElementsAre("500B:call_installer:1", "500C:call_installer:1"));
  EXPECT_EQ((*pending)[0].state, ActionState::kFailed);
  EXPECT_EQ((*pending)[0].last_error, "UNABLE_TO_LOCK_ROW");
  EXPECT_EQ((*pending)[0].attempts, 1);

  ASSERT_TRUE(
      this->store_->MarkFailed("500B:call_installer:1", "still locked", this->now_ + 60s).ok());
  retry.max_attempts = 2;  // give up after two failed attempts
  auto capped = this->store_->ListActions(retry);
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_THAT(this->Keys(*capped), ElementsAre("500C:call_installer:1"));

  ASSERT_TRUE(this->store_->MarkWritten("500B:call_installer:1", "00T2", this->now_ + 120s).ok());
  retry.max_attempts.reset();
  auto after = this->store_->ListActions(retry);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(this->Keys(*after), ElementsAre("500C:call_installer:1"));
  std::vector<std::string> const keys = {"500B:call_installer:1"};
  auto b = this->store_->GetActions(keys);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1U);
  EXPECT_EQ((*b)[0].attempts, 3);
  EXPECT_EQ((*b)[0].last_error, "");
}

TYPED_TEST(StateStoreTest, AFailureNeverDowngradesAWrittenAction) {
  std::vector<PlannedAction> const batch = {this->Action("500A", "call_installer", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ASSERT_TRUE(this->store_->MarkWritten("500A:call_installer:1", "00T1", this->now_).ok());
  Status s = this->store_->MarkFailed("500A:call_installer:1", "timeout", this->now_);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(this->store_->MarkFailed("500Z:x:1", "timeout", this->now_).code(),
            StatusCode::kNotFound);
  auto written = this->store_->ListActions({{ActionState::kWritten}, "", 10, {}, ""});
  ASSERT_TRUE(written.ok());
  EXPECT_THAT(this->Keys(*written), ElementsAre("500A:call_installer:1"));
}

TYPED_TEST(StateStoreTest, ASendingNoteTellsAttemptedRowsFromNeverAttemptedOnes) {
  std::vector<PlannedAction> const batch = {
      this->Action("500A", "x", 1), this->Action("500B", "x", 1), this->Action("500C", "x", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ASSERT_TRUE(this->store_->MarkWritten("500C:x:1", "00T3", this->now_).ok());
  std::vector<std::string> const keys = {"500A:x:1", "500C:x:1", "500Z:x:1"};
  ASSERT_TRUE(this->store_->MarkSending(keys, "in flight since T", this->now_ + 5s).ok());
  std::vector<std::string> const all = {"500A:x:1", "500B:x:1", "500C:x:1"};
  auto rows = this->store_->GetActions(all);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3U);
  // Sent, outcome unknown: still planned, no attempt used, but the note says it left.
  EXPECT_EQ((*rows)[0].state, ActionState::kPlanned);
  EXPECT_EQ((*rows)[0].attempts, 0);
  EXPECT_EQ((*rows)[0].last_error, "in flight since T");
  EXPECT_EQ((*rows)[0].updated_at, this->now_ + 5s);
  EXPECT_EQ((*rows)[1].last_error, "");                // never sent
  EXPECT_EQ((*rows)[2].state, ActionState::kWritten);  // a written row is left alone
  EXPECT_EQ((*rows)[2].last_error, "");
  // The result replaces the note.
  ASSERT_TRUE(this->store_->MarkWritten("500A:x:1", "00T1", this->now_ + 6s).ok());
  auto a = this->store_->GetActions(std::vector<std::string>{"500A:x:1"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0].attempts, 1);
  EXPECT_EQ((*a)[0].last_error, "");
}

TYPED_TEST(StateStoreTest, ListActionsPagesByKey) {
  std::vector<PlannedAction> batch;
  for (char c : std::string("EDCBA")) batch.push_back(this->Action(std::string("500") + c, "x", 1));
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ActionQuery q{{ActionState::kPlanned}, "", 2, {}, ""};
  auto p1 = this->store_->ListActions(q);
  ASSERT_TRUE(p1.ok());
  EXPECT_THAT(this->Keys(*p1), ElementsAre("500A:x:1", "500B:x:1"));
  q.after_key = p1->back().action.key;
  auto p2 = this->store_->ListActions(q);
  ASSERT_TRUE(p2.ok());
  EXPECT_THAT(this->Keys(*p2), ElementsAre("500C:x:1", "500D:x:1"));
  q.after_key = p2->back().action.key;
  auto p3 = this->store_->ListActions(q);
  ASSERT_TRUE(p3.ok());
  EXPECT_THAT(this->Keys(*p3), ElementsAre("500E:x:1"));
  EXPECT_EQ(this->store_->ListActions({{}, "", 2, {}, ""}).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(StateStoreTest, ABatchOfWriteResultsIsAllOrNothing) {
  std::vector<PlannedAction> const batch = {this->Action("500A", "x", 1),
                                            this->Action("500B", "x", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  std::vector<WriteResult> const results = {{"500A:x:1", true, "00T1", ""},
                                            {"500B:x:1", false, "", "FIELD_CUSTOM_VALIDATION"},
                                            {"500Q:x:1", true, "00T9", ""}};
  Status s = this->store_->RecordWriteResults(results, this->now_);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s;
  auto planned = this->store_->ListActions({{ActionState::kPlanned}, "", 10, {}, ""});
  ASSERT_TRUE(planned.ok());
  EXPECT_THAT(this->Keys(*planned), ElementsAre("500A:x:1", "500B:x:1"));

  std::vector<WriteResult> const fixed(results.begin(), results.begin() + 2);
  ASSERT_TRUE(this->store_->RecordWriteResults(fixed, this->now_).ok());
  auto written = this->store_->ListActions({{ActionState::kWritten}, "", 10, {}, ""});
  auto failed = this->store_->ListActions({{ActionState::kFailed}, "", 10, {}, ""});
  ASSERT_TRUE(written.ok() && failed.ok());
  EXPECT_THAT(this->Keys(*written), ElementsAre("500A:x:1"));
  EXPECT_THAT(this->Keys(*failed), ElementsAre("500B:x:1"));
  EXPECT_EQ((*failed)[0].last_error, "FIELD_CUSTOM_VALIDATION");
}

TYPED_TEST(StateStoreTest, GetActionsReturnsKnownKeysInRequestOrder) {
  std::vector<PlannedAction> batch;
  std::vector<std::string> keys;
  for (int i = 0; i < 150; ++i) {  // more than one IN-list chunk
    batch.push_back(this->Action("500" + std::to_string(1000 + i), "x", 1));
    keys.push_back(batch.back().key);
  }
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  std::reverse(keys.begin(), keys.end());
  keys.insert(keys.begin() + 75, "500nope:x:1");
  auto rows = this->store_->GetActions(keys);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 150U);
  EXPECT_EQ(rows->front().action.key, "5001149:x:1");
  EXPECT_EQ((*rows)[75].action.key, "5001074:x:1");
  EXPECT_EQ(rows->back().action.key, "5001000:x:1");
}

// --- Flags ------------------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, ReplacingACasesFlagsLeavesOtherCasesAlone) {
  Instant const t0 = T("2026-03-02T14:05:00Z");
  std::vector<CaseFlags> const first = {
      {"500A",
       {this->Flag("500A", "response_4bh", t0, t0 + 4h, "pending"),
        this->Flag("500A", "relations_missing", t0, t0 + 4h, "met")}},
      {"500B", {this->Flag("500B", "response_4bh", t0, t0 + 4h, "breached")}}};
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(first, this->now_).ok());

  std::vector<CaseFlags> const second = {
      {"500A", {this->Flag("500A", "back_office_handoff", t0, t0 + 4h, "met")}}};
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(second, this->now_ + 1h).ok());

  auto a = this->store_->GetCaseFlags("500A");
  auto b = this->store_->GetCaseFlags("500B");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1U);
  EXPECT_EQ((*a)[0].rule_id, "back_office_handoff");
  EXPECT_EQ((*a)[0].updated_at, this->now_ + 1h);
  ASSERT_EQ(b->size(), 1U);
  FlagRecord const& f = (*b)[0];
  EXPECT_EQ(f.case_id, "500B");
  EXPECT_EQ(f.case_number, "000500B");
  EXPECT_EQ(f.source_system, "salesforce");
  EXPECT_EQ(f.status, "breached");
  EXPECT_EQ(f.late_minutes, 42);
  EXPECT_EQ(f.started, t0);
  EXPECT_EQ(f.due, t0 + 4h);
  EXPECT_EQ(f.met_at, std::nullopt);
  EXPECT_EQ(f.evidence, R"({"events":[]})");
  EXPECT_EQ(f.owner, "queue:back_office");
  EXPECT_EQ(f.installer, "Sunny Installs");
  EXPECT_EQ(f.tier, 2);

  std::vector<CaseFlags> const clear = {{"500B", {}}};
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(clear, this->now_).ok());
  auto cleared = this->store_->GetCaseFlags("500B");
  ASSERT_TRUE(cleared.ok());
  EXPECT_TRUE(cleared->empty());
}

TYPED_TEST(StateStoreTest, AFlagBatchTheDatabaseRejectsChangesNothing) {
  Instant const t0 = T("2026-03-02T14:05:00Z");
  std::vector<CaseFlags> const good = {
      {"500A", {this->Flag("500A", "response_4bh", t0, t0 + 4h, "pending")}}};
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(good, this->now_).ok());
  std::vector<CaseFlags> const bad = {
      {"500A", {}}, {"500B", {this->Flag("500B", "response_4bh", t0, t0 + 4h, "late-ish")}}};
  Status s = this->store_->ReplaceCaseFlags(bad, this->now_);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
  auto a = this->store_->GetCaseFlags("500A");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size(), 1U);  // the delete of the failed batch was rolled back

  std::vector<CaseFlags> const mismatched = {
      {"500A", {this->Flag("500C", "response_4bh", t0, t0 + 4h, "met")}}};
  EXPECT_EQ(this->store_->ReplaceCaseFlags(mismatched, this->now_).code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(StateStoreTest, FlagRangeQueriesApplyEveryFilter) {
  Instant const d1 = T("2026-03-02T14:00:00Z");
  Instant const d2 = T("2026-03-03T14:00:00Z");
  Instant const d3 = T("2026-03-04T14:00:00Z");
  auto other_owner = this->Flag("500C", "response_4bh", d2, d2 + 4h, "met");
  other_owner.owner = "user:005X";
  other_owner.installer = "Bright Roofs";
  std::vector<CaseFlags> const cases = {
      {"500A",
       {this->Flag("500A", "response_4bh", d1, d1 + 4h, "breached"),
        this->Flag("500A", "case_not_required", d1, std::nullopt, "info")}},
      {"500B", {this->Flag("500B", "response_4bh", d2, d2 + 4h, "pending")}},
      {"500C", {other_owner}},
      {"500D", {this->Flag("500D", "followup_5d", d3, d3 + 120h, "pending")}}};
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(cases, this->now_).ok());

  auto ids = [](std::vector<FlagRecord> const& flags) {
    std::vector<std::string> out;
    for (auto const& f : flags) out.push_back(f.case_id + "/" + f.rule_id);
    return out;
  };
  FlagQuery q;
  q.from = d1;
  q.to = d3;  // half-open: 500D (started at d3) is out
  EXPECT_THAT(ids(this->Flags(q)), ElementsAre("500A/response_4bh", "500A/case_not_required",
                                               "500B/response_4bh", "500C/response_4bh"));
  q.rule_id = "response_4bh";
  q.status = "pending";
  EXPECT_THAT(ids(this->Flags(q)), ElementsAre("500B/response_4bh"));
  q.status.reset();
  q.owner = "user:005X";
  EXPECT_THAT(ids(this->Flags(q)), ElementsAre("500C/response_4bh"));
  q.owner.reset();
  q.installer = "Sunny Installs";
  EXPECT_THAT(ids(this->Flags(q)), ElementsAre("500A/response_4bh", "500B/response_4bh"));

  FlagQuery by_due;
  by_due.field = FlagTimeField::kDue;
  by_due.from = d1;
  by_due.to = d3 + 200h;  // flags without a due never match a due range
  EXPECT_THAT(ids(this->Flags(by_due)), ElementsAre("500A/response_4bh", "500B/response_4bh",
                                                    "500C/response_4bh", "500D/followup_5d"));
}

TYPED_TEST(StateStoreTest, AFlagStreamStopsAtTheCallbacksErrorAndTheStoreStaysUsable) {
  Instant const t0 = T("2026-03-02T14:00:00Z");
  std::vector<CaseFlags> cases;
  for (int i = 0; i < 50; ++i) {
    std::string const id = "500" + std::to_string(100 + i);
    cases.push_back(
        {id, {this->Flag(id, "response_4bh", t0 + std::chrono::minutes(i), {}, "met")}});
  }
  ASSERT_TRUE(this->store_->ReplaceCaseFlags(cases, this->now_).ok());
  FlagQuery q;
  q.from = t0;
  q.to = t0 + 24h;
  int seen = 0;
  Status reentrant;
  Status s = this->store_->ForEachFlag(q, [&](FlagRecord const&) {
    if (++seen == 1) reentrant = this->store_->SetWatermark({"salesforce", "Case", "x", "y", {}});
    if (seen == 10) return Status(StatusCode::kUnavailable, "disk full");
    return OkStatus();
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ(seen, 10);
  EXPECT_EQ(reentrant.code(), StatusCode::kFailedPrecondition);
  // The connection is still usable afterwards.
  EXPECT_EQ(this->Flags(q).size(), 50U);
  EXPECT_TRUE(this->store_->SetWatermark({"salesforce", "Case", "x", "y", this->now_}).ok());
}

/// Bytes currently allocated through malloc (heap + mmapped chunks).
std::size_t AllocatedBytes() {
  struct mallinfo2 const m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

TYPED_TEST(StateStoreTest, StreamingOneHundredThousandFlagsKeepsMemoryFlat) {
  constexpr int kCases = 10'000;
  constexpr int kFlagsPerCase = 10;
  Instant const t0 = T("2026-01-01T00:00:00Z");
  std::string const evidence = R"({"note":")" + std::string(300, 'e') + R"("})";
  {
    auto tx = this->store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    std::vector<CaseFlags> batch;
    for (int c = 0; c < kCases; ++c) {
      std::string const id = "500" + std::to_string(100000 + c);
      CaseFlags cf{id, {}};
      for (int k = 0; k < kFlagsPerCase; ++k) {
        auto f = this->Flag(id, "response_4bh", t0 + std::chrono::minutes(c * kFlagsPerCase + k),
                            std::nullopt, "met");
        f.evidence = evidence;
        cf.flags.push_back(std::move(f));
      }
      batch.push_back(std::move(cf));
      if (batch.size() == 1000) {
        ASSERT_TRUE(this->store_->ReplaceCaseFlags(batch, this->now_).ok());
        batch.clear();
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  FlagQuery q;
  q.from = t0;
  q.to = t0 + std::chrono::hours(24 * 365);
  std::size_t rows = 0;
  std::size_t baseline = 0;
  std::size_t peak = 0;
  Instant previous{};
  bool ordered = true;
  Status s = this->store_->ForEachFlag(q, [&](FlagRecord const& f) {
    ++rows;
    ordered = ordered && f.started >= previous && f.evidence.size() == evidence.size();
    previous = f.started;
    if (rows == 1000) baseline = AllocatedBytes();
    if (rows > 1000 && rows % 500 == 0) peak = std::max(peak, AllocatedBytes());
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows, static_cast<std::size_t>(kCases * kFlagsPerCase));
  EXPECT_TRUE(ordered);
  // Materialising the rows would take > 30 MB (100k x 300-byte evidence alone); a stream only
  // holds the current row plus the database's bounded page cache / socket buffer.
  std::size_t const growth = peak > baseline ? peak - baseline : 0;
  this->RecordProperty("stream_memory_growth_bytes", std::to_string(growth));
  EXPECT_LT(growth, 8U * 1024 * 1024) << "memory grew by " << growth << " bytes while streaming";
}

// --- Re-evaluation schedule -------------------------------------------------------------------

TYPED_TEST(StateStoreTest, DueCasesComeEarliestFirstAndClearedOnesDisappear) {
  std::vector<TrackedCase> const cases = {
      {"salesforce", "500C", "2026-03-02T10:00:00.000+0000", T("2026-03-02T16:00:00Z"), {}},
      {"salesforce", "500A", "2026-03-02T10:00:00.000+0000", T("2026-03-02T18:05:00Z"), {}},
      {"forge", "T-9", "2026-03-02T10:00:00Z", T("2026-03-02T12:00:00Z"), {}},
      {"salesforce", "500B", "2026-03-02T10:00:00.000+0000", std::nullopt, {}},
      {"salesforce", "500D", "2026-03-02T10:00:00.000+0000", T("2026-03-09T09:00:00Z"), {}}};
  ASSERT_TRUE(this->store_->UpsertTrackedCases(cases, this->now_).ok());
  auto ids = [](std::vector<TrackedCase> const& v) {
    std::vector<std::string> out;
    for (auto const& c : v) out.push_back(c.system + "/" + c.case_id);
    return out;
  };
  auto due = this->store_->ListDueCases(T("2026-03-02T18:05:00Z"), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_THAT(ids(*due), ElementsAre("forge/T-9", "salesforce/500C", "salesforce/500A"));
  auto limited = this->store_->ListDueCases(T("2026-03-02T18:05:00Z"), 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_THAT(ids(*limited), ElementsAre("forge/T-9", "salesforce/500C"));

  ASSERT_TRUE(this->store_->SetNextCheck("forge", "T-9", std::nullopt, this->now_).ok());
  ASSERT_TRUE(
      this->store_->SetNextCheck("salesforce", "500C", T("2026-03-03T09:00:00Z"), this->now_).ok());
  auto after = this->store_->ListDueCases(T("2026-03-02T18:05:00Z"), 10);
  ASSERT_TRUE(after.ok());
  EXPECT_THAT(ids(*after), ElementsAre("salesforce/500A"));
}

TYPED_TEST(StateStoreTest, TrackedCasesRememberTheVersionLastEvaluated) {
  std::vector<TrackedCase> const cases = {
      {"salesforce", "500A", "2026-03-02T10:00:00.123+0000", T("2026-03-02T18:05:00Z"), {}},
      {"salesforce", "500B", "2026-03-02T10:00:01.000+0000", std::nullopt, {}}};
  ASSERT_TRUE(this->store_->UpsertTrackedCases(cases, this->now_).ok());
  // Only the next check changes; the version stays.
  ASSERT_TRUE(this->store_->SetNextCheck("salesforce", "500A", std::nullopt, this->now_ + 1h).ok());
  // A case scheduled before it was ever recorded gets an empty version.
  ASSERT_TRUE(
      this->store_->SetNextCheck("salesforce", "500N", T("2026-03-05T00:00:00Z"), this->now_).ok());
  std::vector<std::string> const ids = {"500N", "500B", "500A", "500missing"};
  auto got = this->store_->GetTrackedCases("salesforce", ids);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3U);
  EXPECT_EQ((*got)[0].case_id, "500N");
  EXPECT_EQ((*got)[0].modstamp, "");
  EXPECT_EQ((*got)[0].next_check, T("2026-03-05T00:00:00Z"));
  EXPECT_EQ((*got)[1].case_id, "500B");
  EXPECT_EQ((*got)[1].modstamp, "2026-03-02T10:00:01.000+0000");
  EXPECT_EQ((*got)[2].case_id, "500A");
  EXPECT_EQ((*got)[2].modstamp, "2026-03-02T10:00:00.123+0000");
  EXPECT_EQ((*got)[2].next_check, std::nullopt);
  EXPECT_EQ((*got)[2].updated_at, this->now_ + 1h);
  auto other_system = this->store_->GetTrackedCases("forge", ids);
  ASSERT_TRUE(other_system.ok());
  EXPECT_TRUE(other_system->empty());
}

// --- Audit ------------------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, AuditEntriesAreAppendedAndReadBackInOrder) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 3; ++i) {
    AuditEntry e;
    e.run_id = i < 2 ? "run-1" : "run-2";
    e.at = this->now_ + std::chrono::minutes(i);
    e.action_key = "500A:call_installer:" + std::to_string(i + 1);
    e.kind = "task";
    e.target = "salesforce:Task";
    e.rule_id = "installer_contact_2d";
    e.evidence = R"({"i":)" + std::to_string(i) + "}";
    e.result = i == 1 ? AuditResult::kFailed : AuditResult::kOk;
    e.reason = i == 1 ? "UNABLE_TO_LOCK_ROW" : "";
    entries.push_back(e);
  }
  ASSERT_TRUE(this->store_->AppendAudit(entries).ok());
  ASSERT_TRUE(this->store_->AppendAudit(std::span(entries).first(1)).ok());  // a retry

  std::vector<AuditEntry> all;
  auto collect = [&all](AuditEntry const& e) {
    all.push_back(e);
    return OkStatus();
  };
  ASSERT_TRUE(this->store_->ForEachAudit({}, collect).ok());
  ASSERT_EQ(all.size(), 4U);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].id, all[i - 1].id);
  EXPECT_EQ(all[1].result, AuditResult::kFailed);
  EXPECT_EQ(all[1].reason, "UNABLE_TO_LOCK_ROW");
  EXPECT_EQ(all[1].evidence, R"({"i":1})");
  EXPECT_EQ(all[1].at, this->now_ + 1min);
  EXPECT_EQ(all[1].target, "salesforce:Task");
  EXPECT_EQ(all[3].action_key, "500A:call_installer:1");

  all.clear();
  AuditQuery by_run;
  by_run.run_id = "run-1";
  ASSERT_TRUE(this->store_->ForEachAudit(by_run, collect).ok());
  EXPECT_EQ(all.size(), 3U);  // two entries plus the retry, all in run-1

  all.clear();
  AuditQuery by_key_and_time;
  by_key_and_time.action_key = "500A:call_installer:1";
  by_key_and_time.from = this->now_;
  by_key_and_time.to = this->now_ + 1s;
  ASSERT_TRUE(this->store_->ForEachAudit(by_key_and_time, collect).ok());
  EXPECT_EQ(all.size(), 2U);
}

// --- Runs and checkpoints ---------------------------------------------------------------------

TYPED_TEST(StateStoreTest, RunsAreRecordedAndAbandonedOnesClosed) {
  ASSERT_TRUE(this->store_->StartRun({"run-1", RunKind::kSync, this->now_, {}, {}, "{}"}).ok());
  ASSERT_TRUE(
      this->store_->StartRun({"run-2", RunKind::kBackfill, this->now_ + 1h, {}, {}, "{}"}).ok());
  EXPECT_EQ(this->store_->StartRun({"run-1", RunKind::kSync, this->now_, {}, {}, "{}"}).code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(this->store_->UpdateRunCounters("run-2", R"({"cases":10})").ok());
  EXPECT_EQ(this->store_->UpdateRunCounters("run-9", "{}").code(), StatusCode::kNotFound);

  // run-3 takes over: run-1 and run-2 died while running.
  ASSERT_TRUE(
      this->store_->StartRun({"run-3", RunKind::kSync, this->now_ + 2h, {}, {}, "{}"}).ok());
  auto closed = this->store_->CloseAbandonedRuns("run-3", this->now_ + 2h);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 2U);
  ASSERT_TRUE(this->store_
                  ->FinishRun("run-3", RunStatus::kBudgetExhausted, this->now_ + 3h,
                              R"({"actions_written":7})")
                  .ok());
  EXPECT_EQ(this->store_->FinishRun("run-9", RunStatus::kSucceeded, this->now_, "{}").code(),
            StatusCode::kNotFound);

  auto runs = this->store_->ListRuns(10);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3U);
  EXPECT_EQ((*runs)[0].run_id, "run-3");
  EXPECT_EQ((*runs)[0].status, RunStatus::kBudgetExhausted);
  EXPECT_EQ((*runs)[0].finished, this->now_ + 3h);
  EXPECT_EQ((*runs)[0].counters, R"({"actions_written":7})");
  EXPECT_EQ((*runs)[1].run_id, "run-2");
  EXPECT_EQ((*runs)[1].kind, RunKind::kBackfill);
  EXPECT_EQ((*runs)[1].status, RunStatus::kInterrupted);
  EXPECT_EQ((*runs)[1].counters, R"({"cases":10})");
  auto one = this->store_->GetRun("run-1");
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->status, RunStatus::kInterrupted);
  EXPECT_EQ((*one)->finished, this->now_ + 2h);
  auto none = this->store_->GetRun("run-9");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TYPED_TEST(StateStoreTest, ABackfillResumesFromItsSavedCheckpoint) {
  auto missing = this->store_->LoadCheckpoint("backfill");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  Checkpoint c;
  c.name = "backfill";
  c.run_id = "run-1";
  c.range_from = T("2026-01-01T00:00:00Z");
  c.range_to = T("2026-02-01T00:00:00Z");
  c.last_modstamp = "2026-01-07T10:00:00.000+0000";
  c.last_id = "500A";
  c.chunk = 3;
  c.data = R"({"bulk_job":"750x"})";
  c.updated_at = this->now_;
  ASSERT_TRUE(this->store_->SaveCheckpoint(c).ok());
  c.chunk = 4;
  c.last_id = "500B";
  c.run_id = "run-2";
  ASSERT_TRUE(this->store_->SaveCheckpoint(c).ok());

  // A new process (budget stop, kill) resumes from it.
  this->store_.reset();
  auto reopened = this->Open();
  ASSERT_NE(reopened, nullptr);
  auto loaded = reopened->LoadCheckpoint("backfill");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->has_value());
  Checkpoint const& l = **loaded;
  EXPECT_EQ(l.run_id, "run-2");
  EXPECT_EQ(l.range_from, c.range_from);
  EXPECT_EQ(l.range_to, c.range_to);
  EXPECT_EQ(l.last_modstamp, "2026-01-07T10:00:00.000+0000");
  EXPECT_EQ(l.last_id, "500B");
  EXPECT_EQ(l.chunk, 4);
  EXPECT_FALSE(l.completed);
  EXPECT_EQ(l.data, R"({"bulk_job":"750x"})");
  EXPECT_EQ(l.updated_at, this->now_);

  ASSERT_TRUE(reopened->DeleteCheckpoint("backfill").ok());
  ASSERT_TRUE(reopened->DeleteCheckpoint("backfill").ok());
  auto gone = reopened->LoadCheckpoint("backfill");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

// --- Watermarks and transactions --------------------------------------------------------------

TYPED_TEST(StateStoreTest, AWatermarkSetInARolledBackTransactionIsUnchanged) {
  Watermark const before{"salesforce", "Case", "2026-03-02T10:00:00.000+0000", "500A", this->now_};
  ASSERT_TRUE(this->store_->SetWatermark(before).ok());
  {
    auto tx = this->store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE(this->store_
                    ->SetWatermark({"salesforce", "Case", "2026-03-02T11:00:00.000+0000", "500Z",
                                    this->now_ + 1h})
                    .ok());
    std::vector<PlannedAction> const batch = {this->Action("500Z", "x", 1)};
    ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
    ASSERT_TRUE(tx->Rollback().ok());
    EXPECT_FALSE(tx->active());
  }
  {
    auto tx = this->store_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        this->store_->SetWatermark({"salesforce", "Case", "later", "500Y", this->now_}).ok());
    // Destroyed without Commit: rolled back.
  }
  auto w = this->store_->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->has_value());
  EXPECT_EQ((*w)->modstamp, "2026-03-02T10:00:00.000+0000");
  EXPECT_EQ((*w)->last_id, "500A");
  EXPECT_EQ((*w)->updated_at, this->now_);
  auto ledger = this->store_->ListActions({{ActionState::kPlanned}, "", 10, {}, ""});
  ASSERT_TRUE(ledger.ok());
  EXPECT_TRUE(ledger->empty());
  auto none = this->store_->GetWatermark("forge", "tickets");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TYPED_TEST(StateStoreTest, LedgerAndWatermarkCommitTogetherAndOnlyThenBecomeVisible) {
  auto reader = this->Open();
  ASSERT_NE(reader, nullptr);
  auto tx = this->store_->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  std::vector<PlannedAction> const batch = {this->Action("500A", "x", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  ASSERT_TRUE(this->store_->MarkWritten("500A:x:1", "00T1", this->now_).ok());
  ASSERT_TRUE(this->store_->SetWatermark({"salesforce", "Case", "m1", "500A", this->now_}).ok());

  auto invisible = reader->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(invisible.ok()) << invisible.status();
  EXPECT_FALSE(invisible->has_value());

  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_FALSE(tx->active());
  EXPECT_EQ(tx->Commit().code(), StatusCode::kFailedPrecondition);
  auto visible = reader->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(visible.ok());
  ASSERT_TRUE(visible->has_value());
  EXPECT_EQ((*visible)->modstamp, "m1");
  auto written = reader->ListActions({{ActionState::kWritten}, "", 10, {}, ""});
  ASSERT_TRUE(written.ok());
  EXPECT_THAT(this->Keys(*written), ElementsAre("500A:x:1"));
}

TYPED_TEST(StateStoreTest, AFailedCallInsideATransactionUndoesOnlyItself) {
  auto tx = this->store_->Begin();
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(this->store_->Begin().status().code(), StatusCode::kFailedPrecondition);
  std::vector<PlannedAction> const batch = {this->Action("500A", "x", 1)};
  ASSERT_TRUE(this->store_->PlanActions(batch, this->now_).ok());
  // Half of this batch applies before the unknown key fails it: the half is undone.
  std::vector<WriteResult> const results = {{"500A:x:1", true, "00T1", ""},
                                            {"500Q:x:1", true, "00T2", ""}};
  EXPECT_EQ(this->store_->RecordWriteResults(results, this->now_).code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->StartRun({"r", RunKind::kSync, this->now_, {}, {}, "{}"}).code(),
            StatusCode::kOk);
  EXPECT_EQ(this->store_->StartRun({"r", RunKind::kSync, this->now_, {}, {}, "{}"}).code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(this->store_->SetWatermark({"forge", "tickets", "m", "T-1", this->now_}).ok());
  ASSERT_TRUE(tx->Commit().ok());

  auto planned = this->store_->ListActions({{ActionState::kPlanned}, "", 10, {}, ""});
  ASSERT_TRUE(planned.ok());
  EXPECT_THAT(this->Keys(*planned), ElementsAre("500A:x:1"));
  auto w = this->store_->GetWatermark("forge", "tickets");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->has_value());
  auto run = this->store_->GetRun("r");
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->has_value());
}

// --- Run lock ---------------------------------------------------------------------------------

TYPED_TEST(StateStoreTest, ASecondStoreCannotTakeTheRunLockUntilItIsReleased) {
  auto other = this->Open();
  ASSERT_NE(other, nullptr);
  auto lock = this->store_->TryLock({T("2026-03-02T14:00:00Z"), "run-1"});
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->held());
  EXPECT_EQ(this->store_->TryLock({this->now_, "run-1b"}).status().code(),
            StatusCode::kFailedPrecondition);

  auto denied = other->TryLock({this->now_, "run-2"});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kAborted);
  EXPECT_EQ(denied.status().info().vendor_code, "RUN_LOCK_HELD");
  EXPECT_EQ(denied.status().message(),
            "another casebridge run holds the lock (since 2026-03-02T14:00:00Z, pid " +
                std::to_string(getpid()) + ", run run-1)");

  ASSERT_TRUE(lock->Release().ok());
  EXPECT_FALSE(lock->held());
  {
    auto second = other->TryLock({this->now_, "run-2"});
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(this->store_->TryLock({this->now_, "run-3"}).status().code(), StatusCode::kAborted);
  }  // released by the destructor
  auto third = this->store_->TryLock({this->now_, "run-3"});
  EXPECT_TRUE(third.ok()) << third.status();
}

TYPED_TEST(StateStoreTest, AnotherProcessCannotTakeTheRunLock) {
  auto lock = this->store_->TryLock({this->now_, "run-1"});
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto child_attempt = [this]() -> int {
    pid_t const pid = fork();
    if (pid == 0) {
      // The child opens its own connection; _exit() skips every destructor, so the parent's
      // connection (shared socket / file descriptors) is left alone.
      auto store = OpenStateStore(this->url_);
      if (!store.ok()) _exit(3);
      auto child_lock = (*store)->TryLock({this->now_, "child"});
      if (child_lock.ok()) _exit(0);
      _exit(child_lock.status().code() == StatusCode::kAborted ? 1 : 2);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(child_attempt(), 1) << "the child should have been refused the lock";
  ASSERT_TRUE(lock->Release().ok());
  EXPECT_EQ(child_attempt(), 0) << "the child should get the released lock";
}

}  // namespace
}  // namespace casebridge::store
