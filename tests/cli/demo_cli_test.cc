// `casebridge demo`: the README's main-job command. A first run writes the actions the sample
// org calls for; a second run in a row writes nothing and says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using testing_util::RunCli;

long Count(std::string const& text, std::string const& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return -1;
  return std::stol(m[1].str());
}

TEST(DemoCli, FirstRunWritesTheActionsASecondRunWritesNothing) {
  testing_util::TempDir dir;
  std::string const demo_dir = dir.path() + "/demo";
  auto first =
      RunCli({"demo", "--dir", demo_dir, "--cases", "200", "--now", "2026-03-20T15:00:00Z"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("200 cases"));
  long const planned = Count(first.out, R"(actions: (\d+) newly planned)");
  long const written = Count(first.out, R"((\d+) written, 0 failed)");
  EXPECT_GT(planned, 20) << first.out;
  EXPECT_EQ(written, planned) << first.out;
  // Every rule of the catalogue shows up on a sample org built to cover every branch.
  for (auto const* rule :
       {"response_4bh", "tier_update_24h", "manager_notified", "relations_missing",
        "outreach_note_missing", "back_office_handoff", "installer_contact_2d", "sales_referral_2d",
        "followup_5d", "am_response_5d", "beam_followup_1w", "case_not_required"}) {
    EXPECT_THAT(first.out, HasSubstr(rule));
  }
  // API calls: one token, a handful of query pages, writes batched by 200.
  long const writes = Count(first.out, R"((\d+) write,)");
  EXPECT_LE(writes, planned / 200 + 6) << first.out;

  // The reports are written and their paths printed.
  EXPECT_THAT(first.out, HasSubstr(demo_dir + "/report.html"));
  EXPECT_THAT(first.out, HasSubstr(demo_dir + "/report.csv"));
  std::ifstream html(demo_dir + "/report.html");
  std::string const page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_THAT(page, HasSubstr("<svg"));
  EXPECT_THAT(page, HasSubstr("response_4bh"));

  auto second = RunCli({"demo", "--dir", demo_dir});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("0 newly planned"));
  EXPECT_THAT(second.out, HasSubstr("0 written, 0 failed"));
  EXPECT_THAT(second.out, HasSubstr("nothing new was written"));
  EXPECT_EQ(Count(second.out, R"((\d+) write,)"), 0);

  // Forge: the sample org's Salesforce interactions on linked cases were mirrored and tier-3
  // cases got service tickets - each exactly once, in the Forge the demo keeps (forge.json).
  long const documents = Count(first.out, R"(forge_document +(\d+))");
  EXPECT_GT(documents, 0) << first.out;
  EXPECT_GT(Count(first.out, R"(forge_service_ticket +(\d+))"), 0) << first.out;
  std::ifstream forge_file(demo_dir + "/forge.json");
  auto const forge = nlohmann::json::parse(forge_file, nullptr, false);
  ASSERT_TRUE(forge.is_object());
  auto text = [](nlohmann::json const& j, char const* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::map<std::string, int> mirrors;
  for (auto const& i : forge["interactions"]) {
    if (text(i, "source") == "salesforce") ++mirrors[text(i, "source_ref")];
  }
  EXPECT_GE(static_cast<long>(mirrors.size()), documents);
  for (auto const& [ref, n] : mirrors) EXPECT_EQ(n, 1) << ref;
  std::map<std::string, int> services;
  for (auto const& t : forge["service_tickets"]) ++services[text(t, "ticket_id")];
  for (auto const& [ticket, n] : services) EXPECT_EQ(n, 1) << ticket;
  // Cases that exist only in Forge get their follow-ups as Forge tasks, each exactly once, and
  // the summary says what was written in each system.
  std::map<std::string, int> forge_tasks;
  for (auto const& t : forge["tasks"]) {
    if (!text(t, "external_key").empty()) ++forge_tasks[text(t, "external_key")];
  }
  EXPECT_FALSE(forge_tasks.empty());
  for (auto const& [key, n] : forge_tasks) EXPECT_EQ(n, 1) << key;
  EXPECT_GT(Count(first.out, R"(in forge: \d+ planned, (\d+) written)"), 0) << first.out;
  EXPECT_GT(Count(first.out, R"(in salesforce: \d+ planned, (\d+) written)"), 0) << first.out;
}

TEST(DemoCli, FreshStartsOverWithANewOrg) {
  testing_util::TempDir dir;
  std::string const demo_dir = dir.path() + "/demo";
  ASSERT_EQ(RunCli({"demo", "--dir", demo_dir, "--cases", "50"}).exit_code, 0);
  auto again = RunCli({"demo", "--dir", demo_dir, "--cases", "50", "--fresh"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_GT(Count(again.out, R"(actions: (\d+) newly planned)"), 0) << again.out;
}

TEST(DemoCli, BadOptionsAreUsageErrors) {
  auto r = RunCli({"demo", "--cases", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--cases"));
}

}  // namespace
}  // namespace casebridge
