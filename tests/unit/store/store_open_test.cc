// Opening stores: URLs, redaction, SQLite specifics (WAL, append-only audit, schema versions).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "connector/store/state_store.h"
#include "tests/support/temp_dir.h"

namespace casebridge::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Runs one statement on the database file directly (outside the store).
int RawExec(std::string const& path, std::string const& sql, std::string* error = nullptr) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  char* err = nullptr;
  int const rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (error != nullptr && err != nullptr) *error = err;
  sqlite3_free(err);
  sqlite3_close(db);
  return rc;
}

TEST(StoreUrl, RedactsPasswordsInUserinfoAndParameters) {
  EXPECT_EQ(RedactStoreUrl("postgresql://cb:s3cr%40t@db.example:5432/casebridge?sslmode=require"),
            "postgresql://cb:***@db.example:5432/casebridge?sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgres://cb@db/x?sslmode=require&password=hunter2&x=1"),
            "postgres://cb@db/x?sslmode=require&password=***&x=1");
  EXPECT_EQ(RedactStoreUrl("postgresql://cb@db/x"), "postgresql://cb@db/x");
  EXPECT_EQ(RedactStoreUrl("sqlite:/var/lib/casebridge/state.db"),
            "sqlite:/var/lib/casebridge/state.db");
}

TEST(StoreUrl, UnsupportedSchemeIsAnInvalidArgumentWithoutTheUrlsSecret) {
  auto store = OpenStateStore("mysql://cb:hunter2@db/x");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("sqlite:PATH"));
  auto pg_like = OpenStateStore("file:///tmp/x.db");
  EXPECT_EQ(pg_like.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStateStore("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

TEST(StoreUrl, PostgresConnectionFailuresNeverShowThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto store = OpenStateStore("postgresql://cb:hunter2@127.0.0.1:1/casebridge?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().ToString(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(store.status().message(), HasSubstr("postgresql://cb:***@127.0.0.1:1/casebridge"));

  auto malformed = OpenStateStore("postgresql://cb:hunter2@127.0.0.1:1/x?nonsense_option=1");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.status().ToString(), Not(HasSubstr("hunter2")));
}

TEST(SqliteStore, AMissingDirectoryIsAClearError) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/no/such/dir/state.db";
  auto store = OpenStateStore("sqlite:" + path);
  ASSERT_FALSE(store.ok());
  // A configuration error (exit 2), not an unreachable store (was kUnavailable, exit 4).
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(),
              HasSubstr("cannot use '" + path + "' as the SQLite state database: No such file"));
  EXPECT_EQ(store.status().info().file, path);
}

TEST(SqliteStore, ADirectoryOrANonDatabaseFileIsAConfigurationError) {
  testing_util::TempDir dir;
  auto is_dir = OpenStateStore("sqlite:" + dir.path());
  ASSERT_FALSE(is_dir.ok());
  EXPECT_EQ(is_dir.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(is_dir.status().message(), HasSubstr("Is a directory"));
  auto const text = dir.Write("notes.txt", std::string(4096, 'x'));
  auto not_db = OpenStateStore("sqlite:" + text);
  ASSERT_FALSE(not_db.ok());
  EXPECT_EQ(not_db.status().code(), StatusCode::kInvalidArgument) << not_db.status();
  EXPECT_EQ(CheckSqliteLocation("sqlite:" + dir.path()).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckSqliteLocation("sqlite:" + dir.path() + "/new.db").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/new.db"));
  EXPECT_TRUE(CheckSqliteLocation("sqlite::memory:").ok());
  EXPECT_TRUE(CheckSqliteLocation("postgresql://cb@db/x").ok());
}

TEST(SqliteStore, ANewDatabaseAndItsCompanionFilesAreOwnerOnlyWhateverTheUmask) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  mode_t const old_umask = ::umask(0);
  auto store = OpenStateStore("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->SetWatermark({"salesforce", "Case", "m", "500A", {}}).ok());
  auto lock = (*store)->TryLock({{}, "run-1"});
  ::umask(old_umask);
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto mode = [](std::string const& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
  };
  EXPECT_EQ(mode(path), 0600);  // SQLite alone gives 0644
  EXPECT_EQ(mode(path + "-wal"), 0600);
  EXPECT_EQ(mode(path + "-shm"), 0600);
  EXPECT_EQ(mode(path + ".lock"), 0600);
}

TEST(SqliteStore, AnExistingDatabaseKeepsItsMode) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  ASSERT_TRUE(OpenStateStore("sqlite:" + path).ok());
  ::chmod(path.c_str(), 0640);
  ASSERT_TRUE(OpenStateStore("sqlite:" + path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640U);
}

TEST(SqliteStore, AFileDatabaseUsesWriteAheadLogging) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  auto store = OpenStateStore("sqlite://" + path);  // sqlite:///abs/path form
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->description(), "sqlite://" + path);
  ASSERT_TRUE((*store)->SetWatermark({"salesforce", "Case", "m", "500A", {}}).ok());
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  // The journal mode is persistent in the file: a plain connection sees it too.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<char const*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStore, TheAuditLogRefusesUpdatesAndDeletes) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  {
    auto store = OpenStateStore("sqlite:" + path);
    ASSERT_TRUE(store.ok()) << store.status();
    AuditEntry e;
    e.run_id = "run-1";
    e.action_key = "500A:x:1";
    ASSERT_TRUE((*store)->AppendAudit(std::span<AuditEntry const>(&e, 1)).ok());
  }
  std::string error;
  EXPECT_NE(RawExec(path, "UPDATE audit_log SET result = 'failed'", &error), SQLITE_OK);
  EXPECT_THAT(error, HasSubstr("append-only"));
  EXPECT_NE(RawExec(path, "DELETE FROM audit_log", &error), SQLITE_OK);
}

TEST(SqliteStore, ADatabaseMigratedByANewerCasebridgeIsRefused) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  ASSERT_TRUE(OpenStateStore("sqlite:" + path).ok());
  ASSERT_EQ(RawExec(path, "INSERT INTO schema_migrations VALUES (99, '099_future', 0)"), SQLITE_OK);
  auto store = OpenStateStore("sqlite:" + path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("099_future"));
  EXPECT_THAT(store.status().message(), HasSubstr("upgrade"));
}

TEST(SqliteStore, AnInMemoryStoreWorksAndLocksPerStore) {
  auto store = OpenStateStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status();
  auto migrations = (*store)->AppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->size(), 6U);  // 001-005, 007
  auto lock = (*store)->TryLock({{}, "run-1"});
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto second = (*store)->TryLock({{}, "run-2"});
  EXPECT_EQ(second.status().code(), StatusCode::kAborted);
  EXPECT_THAT(second.status().message(), HasSubstr("run run-1"));
  ASSERT_TRUE(lock->Release().ok());
  EXPECT_TRUE((*store)->TryLock({{}, "run-2"}).ok());
}

}  // namespace
}  // namespace casebridge::store
