// The report columns of the flags table (schema migration 3: subject, owner and installer
// names, queue, record link), on SQLite and on a real PostgreSQL server.
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
using ::testing::ElementsAre;

Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

struct SqliteFlags {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& dir) {
    static int counter = 0;
    return "sqlite:" + dir.path() + "/flags" + std::to_string(++counter) + ".db";
  }
  static StatusOr<std::unique_ptr<store_internal::SqlConnection>> Connect(std::string const& url) {
    auto conn = store_internal::SqliteConnection::Open(url.substr(std::string("sqlite:").size()));
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<store_internal::SqlConnection>(std::move(*conn));
  }
};

struct PostgresFlags {
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

class FlagBackendNames {
 public:
  template <typename T>
  static std::string GetName(int /*index*/) {
    if (std::is_same_v<T, SqliteFlags>) return "Sqlite";
    return "Postgres";
  }
};

template <typename Backend>
class FlagReportColumnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = Backend::NewUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
  }

  std::unique_ptr<StateStore> Open() {
    auto store = OpenStateStore(url_);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    return std::move(*store);
  }

  static FlagRecord Flag(std::string const& case_id, std::string const& rule, Instant started) {
    FlagRecord f;
    f.case_id = case_id;
    f.case_number = "000" + case_id;
    f.source_system = "salesforce";
    f.rule_id = rule;
    f.started = started;
    f.due = started + 4h;
    f.status = "breached";
    f.late_minutes = 90;
    f.evidence = R"({"none":true})";
    f.owner = "user:005A";
    f.installer = "001I";
    f.tier = 3;
    return f;
  }

  std::vector<FlagRecord> Stream(StateStore& store, FlagQuery const& q) {
    std::vector<FlagRecord> out;
    Status s = store.ForEachFlag(q, [&out](FlagRecord const& f) {
      out.push_back(f);
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  testing_util::TempDir dir_;
  std::string url_;
  Instant const t0_ = T("2026-03-02T14:00:00Z");
};

using FlagBackends = ::testing::Types<SqliteFlags, PostgresFlags>;
TYPED_TEST_SUITE(FlagReportColumnsTest, FlagBackends, FlagBackendNames);

TYPED_TEST(FlagReportColumnsTest, MigrationThreeAddsTheReportColumns) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  auto applied = store->AppliedMigrations();
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_GE(applied->size(), 3U);
  EXPECT_EQ((*applied)[2].version, 3);
  EXPECT_EQ((*applied)[2].name, "003_flag_report_columns");
}

TYPED_TEST(FlagReportColumnsTest, ReportColumnsRoundTripThroughReplaceGetAndStream) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  FlagRecord a = this->Flag("500A", "response_4bh", this->t0_);
  a.subject = "Installer <script>alert('x')</script> never called";
  a.owner_name = "Dana O'Neil";
  a.installer_name = "Sunny Installs, LLC";
  a.queue = "back_office";
  a.record_url = "https://acme.my.salesforce.com/lightning/r/Case/500A/view";
  FlagRecord b = this->Flag("500B", "tier_update_24h", this->t0_ + 1h);  // facts left empty
  std::vector<CaseFlags> const cases = {{"500A", {a}}, {"500B", {b}}};
  ASSERT_TRUE(store->ReplaceCaseFlags(cases, this->t0_ + 10h).ok());

  auto got = store->GetCaseFlags("500A");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1U);
  EXPECT_EQ((*got)[0].subject, a.subject);
  EXPECT_EQ((*got)[0].owner_name, "Dana O'Neil");
  EXPECT_EQ((*got)[0].installer_name, "Sunny Installs, LLC");
  EXPECT_EQ((*got)[0].queue, "back_office");
  EXPECT_EQ((*got)[0].record_url, a.record_url);
  EXPECT_EQ((*got)[0].owner, "user:005A");

  FlagQuery q;
  q.from = this->t0_;
  q.to = this->t0_ + 24h;
  auto const streamed = this->Stream(*store, q);
  ASSERT_EQ(streamed.size(), 2U);
  EXPECT_EQ(streamed[0].owner_name, "Dana O'Neil");
  EXPECT_EQ(streamed[0].queue, "back_office");
  // The streamed record is reused between rows: the second row's empty facts must not keep
  // the first row's values.
  EXPECT_EQ(streamed[1].case_id, "500B");
  EXPECT_EQ(streamed[1].subject, "");
  EXPECT_EQ(streamed[1].owner_name, "");
  EXPECT_EQ(streamed[1].installer_name, "");
  EXPECT_EQ(streamed[1].queue, "");
  EXPECT_EQ(streamed[1].record_url, "");
}

TYPED_TEST(FlagReportColumnsTest, ADatabaseAtSchemaTwoKeepsItsFlagsAndGetsEmptyFacts) {
  // Build a schema-2 database by hand (what an older casebridge left behind), with one flag.
  {
    auto conn = TypeParam::Connect(this->url_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    store_internal::SqlConnection& c = **conn;
    ASSERT_TRUE(c.ExecScript("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                    .ok());
    for (auto const& m : store_internal::AllMigrations()) {
      if (m.version > 2) continue;
      Status s = c.ExecScript(store_internal::RenderMigration(m, c.dialect()));
      ASSERT_TRUE(s.ok()) << m.name << ": " << s;
      auto ins = c.Execute("INSERT INTO schema_migrations VALUES (?, ?, 0)",
                           {store_internal::SqlValue(m.version), m.name});
      ASSERT_TRUE(ins.ok()) << ins.status();
    }
    auto row = c.Execute(
        "INSERT INTO case_flags (case_id, seq, case_number, source_system, rule_id, started, due, "
        "met_at, status, late_minutes, evidence, owner, installer, tier, updated_at) VALUES "
        "('500OLD', 0, '00099', 'forge', 'response_4bh', ?, NULL, NULL, 'pending', NULL, '{}', "
        "'queue:back_office', '001X', NULL, ?)",
        {store_internal::SqlValue::Time(this->t0_), store_internal::SqlValue::Time(this->t0_)});
    ASSERT_TRUE(row.ok()) << row.status();
  }
  auto store = this->Open();  // applies migration 3
  ASSERT_NE(store, nullptr);
  auto applied = store->AppliedMigrations();
  ASSERT_TRUE(applied.ok());
  std::vector<int> versions;
  for (auto const& m : *applied) versions.push_back(m.version);
  EXPECT_THAT(versions, ElementsAre(1, 2, 3, 4, 5, 7));

  auto got = store->GetCaseFlags("500OLD");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1U);
  EXPECT_EQ((*got)[0].owner, "queue:back_office");
  EXPECT_EQ((*got)[0].status, "pending");
  EXPECT_EQ((*got)[0].subject, "");
  EXPECT_EQ((*got)[0].owner_name, "");
  EXPECT_EQ((*got)[0].installer_name, "");
  EXPECT_EQ((*got)[0].queue, "");
  EXPECT_EQ((*got)[0].record_url, "");

  // The migrated table takes rows with facts.
  FlagRecord f = this->Flag("500NEW", "response_4bh", this->t0_);
  f.owner_name = "Back Office";
  std::vector<CaseFlags> const cases = {{"500NEW", {f}}};
  ASSERT_TRUE(store->ReplaceCaseFlags(cases, this->t0_).ok());
  auto fresh = store->GetCaseFlags("500NEW");
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 1U);
  EXPECT_EQ((*fresh)[0].owner_name, "Back Office");
}

}  // namespace
}  // namespace casebridge::store
