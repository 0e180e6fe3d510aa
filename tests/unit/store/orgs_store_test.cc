// Several orgs in one state store (issue 14; schema migration 6), on SQLite and on a real
// PostgreSQL server: each org's store sees only its own rows, has its own run lock, and a
// database written before orgs becomes org "default" with every row kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "connector/store/migrations.h"
#include "connector/store/postgres_connection.h"
#include "connector/store/sqlite_connection.h"
#include "connector/store/state_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace casebridge::store {
namespace {

using namespace std::chrono_literals;
using store_internal::SqlValue;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

struct SqliteOrgs {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& dir) {
    static int counter = 0;
    return "sqlite:" + dir.path() + "/orgs" + std::to_string(++counter) + ".db";
  }
  static StatusOr<std::unique_ptr<store_internal::SqlConnection>> Connect(std::string const& url) {
    auto conn = store_internal::SqliteConnection::Open(url.substr(std::string("sqlite:").size()));
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<store_internal::SqlConnection>(std::move(*conn));
  }
};

struct PostgresOrgs {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& /*dir*/) {
    auto server = testing_util::SharedPostgresServer();
    if (!server.ok()) return server.status();
    return (*server)->CreateDatabase();
  }
  static StatusOr<std::unique_ptr<store_internal::SqlConnection>> Connect(std::string const& url) {
    auto conn = store_internal::PostgresConnection::Connect(url, url, {});
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<store_internal::SqlConnection>(std::move(*conn));
  }
};

class OrgBackendNames {
 public:
  template <typename T>
  static std::string GetName(int /*index*/) {
    if (std::is_same_v<T, SqliteOrgs>) return "Sqlite";
    return "Postgres";
  }
};

template <typename Backend>
class OrgsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = Backend::NewUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
  }

  std::unique_ptr<StateStore> Open(std::string_view org) {
    auto store = OpenStateStore(url_, org);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    return std::move(*store);
  }

  static PlannedAction Action(std::string const& case_id) {
    PlannedAction a;
    a.case_id = case_id;
    a.action_id = "call_installer";
    a.n = 1;
    a.key = case_id + ":call_installer:1";
    a.rule_id = "installer_contact_2d";
    a.kind = "task";
    a.target_system = "salesforce";
    return a;
  }

  static FlagRecord Flag(std::string const& case_id, Instant started) {
    FlagRecord f;
    f.case_id = case_id;
    f.case_number = "000" + case_id;
    f.source_system = "salesforce";
    f.rule_id = "response_4bh";
    f.started = started;
    f.due = started + 4h;
    f.status = "pending";
    f.owner = "queue:back_office";
    f.installer = "001I";
    return f;
  }

  // Everything one org remembers, all under the same names the other org uses.
  void WriteEverything(StateStore& store, std::string const& modstamp) {
    ASSERT_TRUE(store.SetWatermark({"salesforce", "Case", modstamp, "500A", t0_}).ok());
    std::vector<PlannedAction> const actions = {Action("500A")};
    auto planned = store.PlanActions(actions, t0_);
    ASSERT_TRUE(planned.ok()) << planned.status();
    EXPECT_EQ(planned->new_keys.size(), 1U);
    ASSERT_TRUE(store.MarkWritten("500A:call_installer:1", "00T" + modstamp, t0_).ok());
    std::vector<CaseFlags> const flags = {{"500A", {Flag("500A", t0_)}}};
    ASSERT_TRUE(store.ReplaceCaseFlags(flags, t0_).ok());
    std::vector<TrackedCase> const tracked = {{"salesforce", "500A", modstamp, t0_, t0_}};
    ASSERT_TRUE(store.UpsertTrackedCases(tracked, t0_).ok());
    std::vector<ForgeRef> const refs = {{"ticket", "F1", "500A", "F1", ""}};
    ASSERT_TRUE(store.UpsertForgeRefs(refs, t0_).ok());
    std::vector<CaseSnapshot> const snaps = {{"salesforce", "500A", t0_, "{}", t0_}};
    ASSERT_TRUE(store.UpsertCaseSnapshots(snaps, t0_).ok());
    AuditEntry audit;
    audit.run_id = "run-1";
    audit.at = t0_;
    audit.action_key = "500A:call_installer:1";
    audit.kind = "task";
    std::vector<AuditEntry> const entries = {audit};
    ASSERT_TRUE(store.AppendAudit(entries).ok());
    RunRecord run;
    run.run_id = "run-1";
    run.started = t0_;
    ASSERT_TRUE(store.StartRun(run).ok());
    Checkpoint cp;
    cp.name = "backfill";
    cp.run_id = "run-1";
    cp.last_modstamp = modstamp;
    ASSERT_TRUE(store.SaveCheckpoint(cp).ok());
  }

  std::size_t CountFlags(StateStore& store) {
    std::size_t n = 0;
    FlagQuery q;
    q.from = t0_ - 24h;
    q.to = t0_ + 24h;
    EXPECT_TRUE(store
                    .ForEachFlag(q,
                                 [&n](FlagRecord const&) {
                                   ++n;
                                   return OkStatus();
                                 })
                    .ok());
    return n;
  }

  std::size_t CountAudit(StateStore& store) {
    std::size_t n = 0;
    EXPECT_TRUE(store
                    .ForEachAudit({},
                                  [&n](AuditEntry const&) {
                                    ++n;
                                    return OkStatus();
                                  })
                    .ok());
    return n;
  }

  testing_util::TempDir dir_;
  std::string url_;
  Instant const t0_ = T("2026-03-02T14:00:00Z");
};

using OrgBackends = ::testing::Types<SqliteOrgs, PostgresOrgs>;
TYPED_TEST_SUITE(OrgsStoreTest, OrgBackends, OrgBackendNames);

TYPED_TEST(OrgsStoreTest, TwoOrgsWithTheSameIdsKeepTheirOwnRows) {
  auto emea = this->Open("emea");
  auto apac = this->Open("apac");
  ASSERT_NE(emea, nullptr);
  ASSERT_NE(apac, nullptr);
  EXPECT_EQ(emea->org(), "emea");
  this->WriteEverything(*emea, "2026-03-02T10:00:00.000+0000");
  // The same case id, action key, run id and checkpoint name are new for the other org.
  this->WriteEverything(*apac, "2026-03-02T11:00:00.000+0000");

  auto wm = emea->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(wm.ok() && wm->has_value());
  EXPECT_EQ((*wm)->modstamp, "2026-03-02T10:00:00.000+0000");
  std::vector<std::string> const keys = {"500A:call_installer:1"};
  auto actions = apac->GetActions(keys);
  ASSERT_TRUE(actions.ok() && actions->size() == 1U);
  EXPECT_EQ((*actions)[0].remote_id, "00T2026-03-02T11:00:00.000+0000");
  EXPECT_EQ(this->CountFlags(*emea), 1U);
  EXPECT_EQ(this->CountAudit(*apac), 1U);
  auto cp = emea->LoadCheckpoint("backfill");
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->last_modstamp, "2026-03-02T10:00:00.000+0000");

  // An org that wrote nothing sees nothing.
  auto other = this->Open("other");
  ASSERT_NE(other, nullptr);
  auto none = other->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_THAT(*other->GetActions(keys), IsEmpty());
  EXPECT_EQ(this->CountFlags(*other), 0U);
  EXPECT_EQ(this->CountAudit(*other), 0U);
  EXPECT_THAT(*other->GetCaseFlags("500A"), IsEmpty());
  EXPECT_THAT(*other->GetCaseSnapshots("500A"), IsEmpty());
  std::vector<std::string> const ids = {"500A"};
  EXPECT_THAT(*other->GetTrackedCases("salesforce", ids), IsEmpty());
  EXPECT_THAT(*other->ListDueCases(this->t0_ + 1h, 10), IsEmpty());
  EXPECT_THAT(*other->GetForgeRefs("ticket", ids), IsEmpty());
  EXPECT_THAT(*other->ListRuns(10), IsEmpty());
  EXPECT_FALSE(other->GetRun("run-1")->has_value());
  EXPECT_FALSE(other->LoadCheckpoint("backfill")->has_value());

  // A run of one org never closes the other org's running run as abandoned.
  auto closed = apac->CloseAbandonedRuns("run-2", this->t0_ + 1h);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, 1U);
  auto emea_run = emea->GetRun("run-1");
  ASSERT_TRUE(emea_run.ok() && emea_run->has_value());
  EXPECT_EQ((*emea_run)->status, RunStatus::kRunning);
  // Replacing one org's flags leaves the other's; deleting a checkpoint too.
  std::vector<CaseFlags> const cleared = {{"500A", {}}};
  ASSERT_TRUE(apac->ReplaceCaseFlags(cleared, this->t0_).ok());
  ASSERT_TRUE(apac->DeleteCheckpoint("backfill").ok());
  EXPECT_EQ(this->CountFlags(*emea), 1U);
  EXPECT_TRUE(emea->LoadCheckpoint("backfill")->has_value());
}

TYPED_TEST(OrgsStoreTest, EachOrgHasItsOwnRunLock) {
  auto emea = this->Open("emea");
  auto emea_again = this->Open("emea");
  auto apac = this->Open("apac");
  ASSERT_NE(emea, nullptr);
  ASSERT_NE(emea_again, nullptr);
  ASSERT_NE(apac, nullptr);
  auto held = emea->TryLock({this->t0_, "run-emea"});
  ASSERT_TRUE(held.ok()) << held.status();
  auto other_org = apac->TryLock({this->t0_, "run-apac"});
  EXPECT_TRUE(other_org.ok()) << other_org.status();
  auto same_org = emea_again->TryLock({this->t0_, "run-emea-2"});
  ASSERT_FALSE(same_org.ok());
  EXPECT_EQ(same_org.status().code(), StatusCode::kAborted);
  EXPECT_THAT(same_org.status().message(), HasSubstr("run run-emea"));
  ASSERT_TRUE(held->Release().ok());
  EXPECT_TRUE(emea_again->TryLock({this->t0_, "run-emea-2"}).ok());
}

TYPED_TEST(OrgsStoreTest, ABadOrgNameIsRefused) {
  for (std::string_view bad : {"", "../x", "a b"}) {
    auto store = OpenStateStore(this->url_, bad);
    ASSERT_FALSE(store.ok()) << bad;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  }
}

TYPED_TEST(OrgsStoreTest, ADatabaseAtSchemaFiveBecomesOrgDefaultWithEveryRowKept) {
  // Build a schema-5 database (what casebridge left behind before orgs) and fill every table
  // through the store of that time's SQL: the rows carry no org.
  {
    auto conn = TypeParam::Connect(this->url_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    store_internal::SqlConnection& c = **conn;
    ASSERT_TRUE(c.ExecScript("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                    .ok());
    for (auto const& m : store_internal::AllMigrations()) {
      if (m.version > 5) continue;
      Status s = c.ExecScript(store_internal::RenderMigration(m, c.dialect()));
      ASSERT_TRUE(s.ok()) << m.name << ": " << s;
      auto ins = c.Execute("INSERT INTO schema_migrations VALUES (?, ?, 0)",
                           {SqlValue(m.version), m.name});
      ASSERT_TRUE(ins.ok()) << ins.status();
    }
    SqlValue const t = SqlValue::Time(this->t0_);
    std::vector<std::pair<std::string, std::vector<SqlValue>>> const rows = {
        {"INSERT INTO watermarks VALUES ('salesforce', 'Case', 'M5', '500OLD', ?)", {t}},
        {"INSERT INTO action_ledger (action_key, case_id, action_id, n, rule_id, kind, "
         "target_system, due_at, payload, evidence, state, remote_id, attempts, planned_at, "
         "written_at, updated_at) VALUES ('500OLD:call_installer:1', '500OLD', "
         "'call_installer', 1, 'installer_contact_2d', 'task', 'salesforce', NULL, '{}', '{}', "
         "'written', '00TOLD', 1, ?, ?, ?)",
         {t, t, t}},
        {"INSERT INTO case_flags (case_id, seq, case_number, source_system, rule_id, started, "
         "status, evidence, owner, installer, updated_at, subject) VALUES ('500OLD', 0, '00099', "
         "'salesforce', 'response_4bh', ?, 'pending', '{}', 'queue:back_office', '001X', ?, "
         "'Old subject')",
         {t, t}},
        {"INSERT INTO tracked_cases VALUES ('salesforce', '500OLD', 'M5', ?, ?)", {t, t}},
        {"INSERT INTO audit_log (run_id, at, action_key, kind, target, rule_id, evidence, result, "
         "reason) VALUES ('run-old', ?, '500OLD:call_installer:1', 'task', 'salesforce:Task', "
         "'installer_contact_2d', '{}', 'ok', '')",
         {t}},
        {"INSERT INTO runs VALUES ('run-old', 'sync', ?, ?, 'succeeded', '{}')", {t, t}},
        {"INSERT INTO checkpoints VALUES ('backfill', 'run-old', ?, ?, 'M5', '500OLD', 3, 0, "
         "'{}', ?)",
         {t, t, t}},
        {"INSERT INTO run_lock_holder VALUES (1, 42, ?, 'run-old')", {t}},
        {"INSERT INTO forge_refs VALUES ('ticket', 'FOLD', '500OLD', 'FOLD', 'C1', ?)", {t}},
        {"INSERT INTO case_snapshots VALUES ('salesforce', '500OLD', ?, '{\"id\":\"500OLD\"}', ?)",
         {t, t}},
    };
    for (auto const& [sql, params] : rows) {
      auto r = c.Execute(sql, params);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
    }
  }
  auto store = this->Open("default");  // applies migration 6
  ASSERT_NE(store, nullptr);
  auto applied = store->AppliedMigrations();
  ASSERT_TRUE(applied.ok());
  ASSERT_GE(applied->size(), 6U);
  EXPECT_EQ((*applied)[5].name, "006_orgs");

  auto wm = store->GetWatermark("salesforce", "Case");
  ASSERT_TRUE(wm.ok() && wm->has_value());
  EXPECT_EQ((*wm)->modstamp, "M5");
  // The ledger keeps its written row: planning the same action again adds nothing.
  std::vector<PlannedAction> const again = {this->Action("500OLD")};
  auto planned = store->PlanActions(again, this->t0_ + 1h);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_THAT(planned->new_keys, IsEmpty());
  EXPECT_EQ(planned->already_known, 1U);
  std::vector<std::string> const keys = {"500OLD:call_installer:1"};
  auto ledger = store->GetActions(keys);
  ASSERT_TRUE(ledger.ok() && ledger->size() == 1U);
  EXPECT_EQ((*ledger)[0].state, ActionState::kWritten);
  EXPECT_EQ((*ledger)[0].remote_id, "00TOLD");
  auto flags = store->GetCaseFlags("500OLD");
  ASSERT_TRUE(flags.ok() && flags->size() == 1U);
  EXPECT_EQ((*flags)[0].subject, "Old subject");
  std::vector<std::string> const ids = {"500OLD"};
  EXPECT_EQ(store->GetTrackedCases("salesforce", ids)->size(), 1U);
  EXPECT_EQ(store->ListDueCases(this->t0_, 10)->size(), 1U);
  EXPECT_EQ(this->CountAudit(*store), 1U);
  auto last = store->LastFinishedRun(RunStatus::kSucceeded);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->run_id, "run-old");
  auto cp = store->LoadCheckpoint("backfill");
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->chunk, 3);
  EXPECT_EQ(store->GetForgeRefs("ticket", ids)->size(), 1U);
  EXPECT_EQ(store->GetCaseSnapshots("500OLD")->size(), 1U);
  // The audit trail stays append-only after the migration.
  {
    auto conn = TypeParam::Connect(this->url_);
    ASSERT_TRUE(conn.ok());
    EXPECT_FALSE((*conn)->ExecScript("DELETE FROM audit_log").ok());
  }
  // The rows are org default's only.
  auto emea = this->Open("emea");
  ASSERT_NE(emea, nullptr);
  EXPECT_FALSE(emea->GetWatermark("salesforce", "Case")->has_value());
  EXPECT_THAT(*emea->GetActions(keys), IsEmpty());
  auto fresh = emea->PlanActions(again, this->t0_ + 1h);
  ASSERT_TRUE(fresh.ok());
  EXPECT_THAT(fresh->new_keys, ElementsAre("500OLD:call_installer:1"));
}

}  // namespace
}  // namespace casebridge::store
