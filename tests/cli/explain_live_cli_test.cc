// `casebridge explain --live` (issue 15) through the binary against `casebridge sandbox` (the
// bundled seed): the case read now from Salesforce by id, through the sync's case source, is
// explained exactly as the snapshot a sync stored of it; an unknown case and refused
// credentials give the contract's exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "tests/support/sandbox_process.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using testing_util::RunCli;

constexpr char kSecretEnv[] = "CASEBRIDGE_TEST_EXPLAIN_SECRET";
constexpr char kForgePasswordEnv[] = "CASEBRIDGE_TEST_EXPLAIN_FORGE_PASSWORD";
constexpr char kNow[] = "2026-03-02T15:00:00Z";
constexpr char kCase[] = "500Dn0CA0000002IGA";  // 00001002, an installer complaint of the seed

class ExplainLiveCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sandbox_.Start({}));
    config_ = sandbox_.Config(kSecretEnv, kForgePasswordEnv, "forge-sandbox-password");
    config_["state_store"] = "sqlite:" + dir_.path() + "/state.db";
  }

  std::string Config() { return dir_.Write("casebridge.json", config_.dump(2)); }

  testing_util::CliResult Explain(std::string const& id, std::vector<std::string> extra) {
    std::vector<std::string> args = {"explain", id, "--config", Config(), "--now", kNow};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  // The explanation without its "from" line (where the case was read from) and the ledger
  // states of its actions (a live read consults no ledger).
  static std::string WithoutSource(std::string const& text) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
      auto end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string const line = text.substr(at, end - at);
      if (!line.starts_with("  from ")) out += line.substr(0, line.find("; ledger:")) + "\n";
      at = end + 1;
    }
    return out;
  }

  testing_util::TempDir dir_;
  testing_util::SandboxProcess sandbox_;
  nlohmann::json config_;
};

TEST_F(ExplainLiveCli, ALiveReadExplainsTheCaseAsTheStoredSnapshotDoes) {
  auto live = Explain(kCase, {"--live"});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_THAT(live.out, HasSubstr("00001002"));
  EXPECT_THAT(live.out, HasSubstr("read live"));
  EXPECT_THAT(live.out, HasSubstr("installer_contact_2d"));
  auto sync = RunCli({"sync", "--once", "--dry-run", "--config", Config(), "--now", kNow,
                      "--lookback", "400d", "--log-format", "json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  sync = RunCli({"sync", "--once", "--config", Config(), "--now", kNow, "--lookback", "400d",
                 "--log-format", "json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  auto stored = Explain(kCase, {});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_EQ(WithoutSource(live.out), WithoutSource(stored.out));
  EXPECT_THAT(live.out, HasSubstr("ledger: ledger not read"));
  EXPECT_THAT(stored.out, HasSubstr("ledger: written as"));
}

TEST_F(ExplainLiveCli, AnUnknownCaseOrRefusedCredentialsGiveTheirExitCodes) {
  auto missing = Explain("500Dn0CA0000099", {"--live"});
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_THAT(missing.err, HasSubstr("no case 500Dn0CA0000099"));
  setenv(kSecretEnv, "not-the-secret", 1);
  auto refused = Explain(kCase, {"--live"});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_THAT(refused.err, ::testing::Not(HasSubstr("not-the-secret")));
  auto both = Explain(kCase, {"--live", "--input", "x.jsonl"});
  EXPECT_EQ(both.exit_code, 2);
}

}  // namespace
}  // namespace casebridge
