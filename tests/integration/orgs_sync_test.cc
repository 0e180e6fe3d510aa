// Several orgs in one config (issue 14 item 4), through the real CLI against two Salesforce
// emulators on loopback sharing one SQLite state file: each org gets its own actions, flags and
// watermark (the same case id in both orgs is two cases), a report for one org shows none of the
// other's cases, --org selects one, one org failing does not stop the next, and a state file
// written before orgs becomes org "default" with its ledger kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <algorithm>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "connector/sandbox/sf_ids.h"
#include "connector/store/migrations.h"
#include "connector/store/sqlite_connection.h"
#include "connector/store/state_store.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"

namespace casebridge {
namespace {

using nlohmann::json;
using sandbox::MakeId;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::RunCli;

constexpr char kNow[] = "2026-03-05T15:00:00Z";  // a Thursday, 10:00 in New York

std::string const kBackOffice = MakeId("00G", 1);
std::string const kSupport = MakeId("00G", 2);
std::string const kAgent = MakeId("005", 2);
std::string const kInstaller = MakeId("001", 1);
std::string const kHomeowner = MakeId("003", 1);
// The same id in both orgs: two different cases.
std::string const kCase1 = MakeId("500", 1);
std::string const kCase2 = MakeId("500", 2);

json General(std::string const& id, std::string const& number, int tier) {
  return {{"Id", id},
          {"CaseNumber", number},
          {"Subject", "Inverter offline"},
          {"Status", "New"},
          {"Reason", "General Inquiry"},
          {"OwnerId", kSupport},
          {"ContactId", kHomeowner},
          {"Escalation_Tier__c", tier},
          {"Pre_M3_PTO__c", false},
          {"CreatedDate", "2026-03-05T10:00:00Z"}};
}

// EMEA: case 1 is tier 1 (a 24-hour follow-up task), case 2 tier 4 (a manager post).
json Emea() {
  json org = sync_test::BaseOrg({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner});
  org["Case"] = json::array({General(kCase1, "EMEA-1001", 1), General(kCase2, "EMEA-1002", 4)});
  return org;
}

// APAC: only case 1, also tier 1 (the same action key as EMEA's case 1).
json Apac() {
  json org = sync_test::BaseOrg({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner});
  org["Case"] = json::array({General(kCase1, "APAC-2001", 1)});
  return org;
}

class OrgsSync : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    emea_ = sync_test::StartEmulator(Emea(), clock_);
    apac_ = sync_test::StartEmulator(Apac(), clock_);
    store_url_ = "sqlite:" + dir_.path() + "/state.db";
    config_ = WriteConfig(sync_test::kAppId);
  }

  static json OrgEntry(std::string const& name, sandbox::SalesforceEmulator const& emulator,
                       std::string const& client_id) {
    return {{"name", name},
            {"salesforce",
             {{"login_url", emulator.base_url()},
              {"auth_flow", "client_credentials"},
              {"client_id", client_id},
              {"client_secret", {{"env", sync_test::kSecretEnv}}}}},
            {"api_budget_share", 1.0}};
  }

  // Two orgs; `emea_client_id` lets a test break EMEA's credentials.
  std::string WriteConfig(std::string const& emea_client_id) {
    json doc = {{"state_store", store_url_},
                {"orgs", json::array({OrgEntry("emea", *emea_, emea_client_id),
                                      OrgEntry("apac", *apac_, sync_test::kAppId)})}};
    return dir_.Write("casebridge.json", doc.dump(2));
  }

  testing_util::CliResult Sync(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync",  "--once", "--config",     config_,
                                     "--now", kNow,     "--log-format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  std::string Report(std::string const& org) {
    std::string const out = dir_.path() + "/report-" + org + ".csv";
    std::vector<std::string> args = {"report", "--config",   config_,    "--from", "2026-03-01",
                                     "--to",   "2026-03-10", "--format", "csv",    "--out",
                                     out,      "--now",      kNow};
    if (!org.empty()) {
      args.emplace_back("--org");
      args.push_back(org);
    }
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<store::StateStore> Store(std::string const& org) {
    auto s = store::OpenStateStore(store_url_, org);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::set<std::string> Rules(std::string const& org, std::string const& case_id) {
    std::set<std::string> rules;
    auto store = Store(org);
    auto flags = store->GetCaseFlags(case_id);
    EXPECT_TRUE(flags.ok());
    for (auto const& f : *flags) rules.insert(f.rule_id);
    return rules;
  }

  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emea_;
  std::unique_ptr<sandbox::SalesforceEmulator> apac_;
  std::string store_url_;
  std::string config_;
};

TEST_F(OrgsSync, EachOrgGetsItsOwnActionsFlagsAndWatermark) {
  std::string const metrics = dir_.path() + "/casebridge.prom";
  auto r = Sync({"--metrics-file", metrics});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("casebridge sync: org emea run "));
  EXPECT_THAT(r.out, HasSubstr("casebridge sync: org apac run "));
  EXPECT_THAT(r.out, HasSubstr("casebridge sync: orgs: emea exit 0 (ok), apac exit 0 (ok)"));
  // The same key in both orgs is written once in each.
  EXPECT_EQ(sync_test::TaskKeys(*emea_),
            (std::map<std::string, int>{{kCase1 + ":tier_followup:1", 1}}));
  EXPECT_EQ(sync_test::FeedKeys(*emea_),
            (std::map<std::string, int>{{kCase2 + ":notify_manager:1", 1}}));
  EXPECT_EQ(sync_test::TaskKeys(*apac_),
            (std::map<std::string, int>{{kCase1 + ":tier_followup:1", 1}}));
  EXPECT_TRUE(sync_test::FeedKeys(*apac_).empty());
  // Flags and watermarks per org; nothing under org default.
  EXPECT_TRUE(Rules("emea", kCase2).count("manager_notified") == 1);
  EXPECT_TRUE(Rules("apac", kCase2).empty());
  EXPECT_TRUE(Rules("apac", kCase1).count("tier_update_24h") == 1);
  for (char const* org : {"emea", "apac"}) {
    auto wm = Store(org)->GetWatermark("salesforce", "Case");
    ASSERT_TRUE(wm.ok() && wm->has_value()) << org;
    auto runs = Store(org)->ListRuns(10);
    ASSERT_TRUE(runs.ok());
    EXPECT_EQ(runs->size(), 1U) << org;
  }
  EXPECT_FALSE(Store("default")->GetWatermark("salesforce", "Case")->has_value());
  // JSON log lines and metrics name the org.
  EXPECT_THAT(r.err, HasSubstr("\"org\":\"emea\""));
  EXPECT_THAT(r.err, HasSubstr("\"org\":\"apac\""));
  std::ifstream in(metrics);
  std::stringstream prom;
  prom << in.rdbuf();
  EXPECT_THAT(prom.str(), HasSubstr("casebridge_cases_read_total{org=\"emea\"} "));
  EXPECT_THAT(prom.str(), HasSubstr("casebridge_cases_read_total{org=\"apac\"} "));
  EXPECT_EQ(prom.str().find("# HELP casebridge_cases_read_total"),
            prom.str().rfind("# HELP casebridge_cases_read_total"));

  // A second run writes nothing in either org.
  auto again = Sync();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(sync_test::TaskKeys(*emea_).size(), 1U);
  EXPECT_EQ(sync_test::TaskKeys(*apac_).size(), 1U);
  EXPECT_EQ(sync_test::FeedKeys(*emea_).size(), 1U);
}

TEST_F(OrgsSync, AReportForOneOrgShowsNoneOfTheOthersCases) {
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string const emea = Report("emea");
  EXPECT_THAT(emea, HasSubstr("EMEA-1001"));
  EXPECT_THAT(emea, HasSubstr("EMEA-1002"));
  EXPECT_THAT(emea, Not(HasSubstr("APAC-")));
  std::string const apac = Report("apac");
  EXPECT_THAT(apac, HasSubstr("APAC-2001"));
  EXPECT_THAT(apac, Not(HasSubstr("EMEA-")));
  // Without --org: every org of the config.
  std::string const all = Report("");
  EXPECT_THAT(all, HasSubstr("EMEA-1002"));
  EXPECT_THAT(all, HasSubstr("APAC-2001"));
}

TEST_F(OrgsSync, OrgSelectsOneAndAnUnknownOrgIsRefused) {
  auto r = Sync({"--org", "apac"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("org emea")));
  EXPECT_EQ(sync_test::TaskKeys(*apac_).size(), 1U);
  EXPECT_TRUE(sync_test::TaskKeys(*emea_).empty());
  EXPECT_FALSE(Store("emea")->GetWatermark("salesforce", "Case")->has_value());

  auto bad = Sync({"--org", "nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unknown org 'nope'"));
  EXPECT_THAT(bad.err, HasSubstr("emea, apac"));
  auto report = RunCli({"report", "--config", config_, "--from", "2026-03-01", "--to", "2026-03-10",
                        "--format", "csv", "--out", "-", "--org", "nope"});
  EXPECT_EQ(report.exit_code, 2);
  EXPECT_THAT(report.err, HasSubstr("emea, apac"));
}

TEST_F(OrgsSync, OneOrgFailingDoesNotStopTheNextAndTheExitCodeIsTheWorst) {
  config_ = WriteConfig("3MVG9NotARegisteredApp");  // EMEA's app is unknown: authentication fails
  auto r = Sync();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("orgs: emea exit 3 (authentication failed), apac exit 0 (ok)"));
  EXPECT_THAT(r.err, HasSubstr("org emea: "));
  EXPECT_TRUE(sync_test::TaskKeys(*emea_).empty());
  EXPECT_EQ(sync_test::TaskKeys(*apac_).size(), 1U);
}

// A state file of casebridge before orgs (schema 5) that already wrote case 1's follow-up task:
// with a config without `orgs` (org default) the sync keeps that ledger row and does not write
// the task again, although the org has no such Task (the ledger is the only memory of it).
TEST_F(OrgsSync, AStateFileFromBeforeOrgsKeepsItsLedgerUnderOrgDefault) {
  std::string const path = dir_.path() + "/state.db";
  {
    auto conn = store::store_internal::SqliteConnection::Open(path);
    ASSERT_TRUE(conn.ok()) << conn.status();
    auto& c = **conn;
    ASSERT_TRUE(c.ExecScript("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                    .ok());
    for (auto const& m : store::store_internal::AllMigrations()) {
      if (m.version > 5) continue;
      ASSERT_TRUE(c.ExecScript(store::store_internal::RenderMigration(m, c.dialect())).ok());
      ASSERT_TRUE(c.Execute("INSERT INTO schema_migrations VALUES (?, ?, 0)",
                            {store::store_internal::SqlValue(m.version), m.name})
                      .ok());
    }
    std::string const key = kCase1 + ":tier_followup:1";
    auto row = c.Execute(
        "INSERT INTO action_ledger (action_key, case_id, action_id, n, rule_id, kind, "
        "target_system, payload, evidence, state, remote_id, attempts, planned_at, written_at, "
        "updated_at) VALUES (?, ?, 'tier_followup', 1, 'tier_update_24h', 'task', 'salesforce', "
        "'{}', '{}', 'written', '00TOLD', 1, 0, 0, 0)",
        {key, kCase1});
    ASSERT_TRUE(row.ok()) << row.status();
  }
  std::string const single = sync_test::WriteConfig(dir_, *emea_, store_url_);
  auto r = RunCli({"sync", "--once", "--config", single, "--now", kNow, "--log-format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("orgs:")));
  EXPECT_THAT(r.err, HasSubstr("\"org\":\"default\""));
  // Case 1's task is not written again; case 2's post is.
  EXPECT_TRUE(sync_test::TaskKeys(*emea_).empty());
  EXPECT_EQ(sync_test::FeedKeys(*emea_).size(), 1U);
  auto store = Store("default");
  std::vector<std::string> const keys = {kCase1 + ":tier_followup:1"};
  auto ledger = store->GetActions(keys);
  ASSERT_TRUE(ledger.ok() && ledger->size() == 1U);
  EXPECT_EQ((*ledger)[0].remote_id, "00TOLD");
  auto applied = store->AppliedMigrations();
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(std::any_of(applied->begin(), applied->end(),
                          [](auto const& m) { return m.name == "006_orgs"; }));
}

}  // namespace
}  // namespace casebridge
