// What casebridge writes to disk holds names, subjects and payloads (issue 12): the SQLite state
// database, its companions and the reports are created 0600 whatever the umask; and a state store
// path that cannot hold a database is a configuration error (exit 2), found by check-config too.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char kSecretEnv[] = "CASEBRIDGE_TEST_STATE_FILES_SECRET";

// The permission bits of `path`, or -1 when it does not exist.
int ModeOf(std::string const& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

// Runs the test under umask 0, the most permissive, so only casebridge's own modes count.
class StateFilesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    old_umask_ = ::umask(0);
    setenv(kSecretEnv, "state-files-test-secret-9d2c", 1);
  }
  void TearDown() override {
    ::umask(old_umask_);
    unsetenv(kSecretEnv);
  }

  // A casebridge.json whose Salesforce section is complete (nothing is contacted before the
  // store is opened) with `state_store`.
  std::string Config(std::string const& state_store) {
    return dir_.Write("casebridge.json",
                      R"({"salesforce": {"login_url": "https://login.salesforce.com",)"
                      R"( "auth_flow": "client_credentials", "client_id": "3MVG9x",)"
                      R"( "client_secret": {"env": ")" +
                          std::string(kSecretEnv) + R"("}}, "state_store": ")" + state_store +
                          R"("})");
  }

  mode_t old_umask_ = 0;
  testing_util::TempDir dir_;
};

TEST_F(StateFilesCli, TheDemoStateDatabaseItsLockAndItsReportsAreOwnerOnly) {
  std::string const demo = dir_.path() + "/demo";
  auto r = RunCli({"demo", "--dir", demo, "--cases", "20", "--now", "2026-03-20T15:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ModeOf(demo + "/state.db"), 0600);  // was 0644
  EXPECT_EQ(ModeOf(demo + "/state.db.lock"), 0600);
  for (auto const* companion : {"/state.db-wal", "/state.db-shm"}) {
    int const mode = ModeOf(demo + companion);  // removed when the last connection closes
    if (mode != -1) {
      EXPECT_EQ(mode, 0600) << companion;
    }
  }
  EXPECT_EQ(ModeOf(demo + "/report.html"), 0600);  // was 0666 under this umask
  EXPECT_EQ(ModeOf(demo + "/report.csv"), 0600);
}

TEST_F(StateFilesCli, AReportWrittenFromSnapshotsIsOwnerOnly) {
  std::string const out = dir_.path() + "/r.csv";
  auto r = RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now",
                   "2026-03-20T15:00:00Z", "--from", "2026-03-01", "--to", "2026-03-31", "--format",
                   "csv", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(out), 0600);
}

TEST_F(StateFilesCli, AnUnusableSqlitePathIsAConfigurationErrorForSync) {
  std::string const directory = dir_.path();
  for (std::string const& path :
       {std::string("/proc/x.db"), std::string("/nonexistent/dir/x.db"), directory}) {
    auto r = RunCli({"sync", "--once", "--config", Config("sqlite:" + path)});
    EXPECT_EQ(r.exit_code, 2) << path << ": " << r.err;  // was 4, a remote failure
    EXPECT_THAT(r.err, HasSubstr("cannot use '" + path + "' as the SQLite state database"));
    auto s = RunCli({"sync", "--once", "--config", Config("sqlite:" + dir_.path() + "/ok.db"),
                     "--store", "sqlite:" + path});
    EXPECT_EQ(s.exit_code, 2) << path << ": " << s.err;
  }
  EXPECT_FALSE(std::filesystem::exists("/proc/x.db"));
}

TEST_F(StateFilesCli, CheckConfigFindsAnUnusableSqlitePath) {
  std::string const directory = dir_.path();
  for (std::string const& path :
       {std::string("/proc/x.db"), std::string("/nonexistent/dir/x.db"), directory}) {
    std::string const config = Config("sqlite:" + path);
    auto r = RunCli({"check-config", "--config", config});
    EXPECT_EQ(r.exit_code, 2) << path;
    EXPECT_THAT(r.err, HasSubstr(config + ": state_store: cannot use '" + path +
                                 "' as the SQLite state database: "));
  }
  auto proc = RunCli({"check-config", "--config", Config("sqlite:/proc/x.db")});
  EXPECT_THAT(proc.err, HasSubstr("the directory /proc does not accept new files"));
  auto missing = RunCli({"check-config", "--config", Config("sqlite:/nonexistent/dir/x.db")});
  EXPECT_THAT(missing.err, HasSubstr("the directory /nonexistent/dir does not exist"));
  auto is_dir = RunCli({"check-config", "--config", Config("sqlite:" + directory)});
  EXPECT_THAT(is_dir.err, HasSubstr("it is a directory"));

  std::string const good = Config("sqlite:" + dir_.path() + "/state.db");
  auto ok = RunCli({"check-config", "--config", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/state.db")) << "check-config creates none";
  for (auto const& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr("probe")));
  }
}

}  // namespace
}  // namespace casebridge
