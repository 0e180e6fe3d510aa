// `casebridge sandbox` entry point: RunSandboxServer starts the emulator on the default seed
// org, prints the base URL and demo credentials, writes the JWT private key with mode 0600,
// serves until stopped; plus the default seed fixture itself.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "connector/sandbox/sandbox_server.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

// An ostream the server thread writes while the test thread reads it.
class SharedText : public std::streambuf {
 public:
  std::string Text() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    std::lock_guard lock(mu_);
    text_.push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(char const* s, std::streamsize n) override {
    std::lock_guard lock(mu_);
    text_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

std::string ReadFile(std::string const& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DefaultSeed, LoadsTheSampleOrg) {
  json const seed = json::parse(DefaultSalesforceSeed(), nullptr, false, true);
  ASSERT_FALSE(seed.is_discarded());
  SalesforceEmulator emulator;
  auto s = emulator.SeedFromJson(seed);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(emulator.Records("Case").size(), 20U);
  bool back_office = false;
  for (auto const& g : emulator.Records("Group")) {
    back_office |= g.at("DeveloperName") == "Back_Office" && g.at("Type") == "Queue";
  }
  EXPECT_TRUE(back_office);
  EXPECT_GE(emulator.Records("Account").size(), 3U);
  EXPECT_GE(emulator.Records("Contact").size(), 5U);
  EXPECT_GE(emulator.Records("Task").size(), 1U);
  EXPECT_GE(emulator.Records("EmailMessage").size(), 1U);
  EXPECT_GE(emulator.Records("CaseHistory").size(), 20U);
  // The checked-in fixture is the embedded one.
  EXPECT_EQ(
      ReadFile(std::string(CASEBRIDGE_SOURCE_DIR) + "/tests/data/sandbox/salesforce_seed.json"),
      std::string(DefaultSalesforceSeed()));
}

TEST(DefaultSeed, AnswersAnIncrementalCaseReadWithChildRecords) {
  SalesforceEmulatorOptions options;
  ConnectedAppOptions app;
  app.client_id = "cid";
  app.client_secret = "secret";
  app.client_credentials_username = "integration@casebridge.sandbox";
  options.apps.push_back(app);
  SalesforceEmulator emulator(options);
  ASSERT_TRUE(
      emulator.SeedFromJson(json::parse(DefaultSalesforceSeed(), nullptr, false, true)).ok());
  ASSERT_TRUE(emulator.Start().ok());
  TestHttp http(emulator.base_url());
  HttpResult const token = http.Send("POST", "/services/oauth2/token",
                                     FormBody({{"grant_type", "client_credentials"},
                                               {"client_id", "cid"},
                                               {"client_secret", "secret"}}),
                                     {}, "application/x-www-form-urlencoded");
  ASSERT_EQ(token.status, 200) << token.body;
  std::map<std::string, std::string> const auth = {
      {"Authorization", "Bearer " + token.Json().at("access_token").get<std::string>()}};
  std::string const soql =
      "SELECT Id, CaseNumber, Subject, Status, Reason, Secondary_Reason__c, Owner.Name, "
      "Owner.Type, ContactId, Installer__r.Name, Installer__r.Escalation_Phone__c, "
      "Financing_Partner__c, Pre_M3_PTO__c, Escalation_Tier__c, CreatedDate, ClosedDate, "
      "SystemModstamp, "
      "(SELECT Incoming, MessageDate, FromAddress FROM EmailMessages ORDER BY MessageDate), "
      "(SELECT Subject, Status, TaskSubtype, CallDisposition, Casebridge_Key__c FROM Tasks), "
      "(SELECT Body, CreatedDate FROM Feeds), "
      "(SELECT Field, OldValue, NewValue, CreatedDate FROM Histories WHERE Field = 'Owner') "
      "FROM Case WHERE SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id";
  HttpResult const cases =
      http.Send("GET", "/services/data/v62.0/query?q=" + UrlEncode(soql), "", auth);
  ASSERT_EQ(cases.status, 200) << cases.body;
  json const j = cases.Json();
  EXPECT_EQ(j.at("totalSize"), 20);
  int with_emails = 0;
  int reassigned = 0;
  for (auto const& c : j.at("records")) {
    with_emails += c.at("EmailMessages").is_null() ? 0 : 1;
    reassigned += c.at("Histories").is_null() ? 0 : 1;
    EXPECT_TRUE(c.at("Owner").at("Type") == "Queue" || c.at("Owner").at("Type") == "User");
  }
  EXPECT_GE(with_emails, 5);
  EXPECT_GE(reassigned, 5);
  HttpResult const queues = http.Send(
      "GET",
      "/services/data/v62.0/query?q=" +
          UrlEncode("SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue' AND DeveloperName "
                    "IN ('Back_Office', 'Customer_Support')"),
      "", auth);
  ASSERT_EQ(queues.status, 200) << queues.body;
  EXPECT_EQ(queues.Json().at("totalSize"), 2);
}

TEST(SandboxServer, PrintsCredentialsServesAndStops) {
  testing_util::TempDir dir;
  SandboxServerOptions options;
  options.jwt_private_key_out = dir.path() + "/sandbox.key";
  SharedText out_text;
  SharedText err_text;
  std::ostream out(&out_text);
  std::ostream err(&err_text);
  std::atomic<bool> stop{false};
  int code = -1;
  std::thread server([&] { code = RunSandboxServer(options, out, err, stop); });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop, server};
  std::string base;
  for (int i = 0; i < 100 && base.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string const text = out_text.Text();
    std::string const marker = "listening on ";
    std::size_t const at = text.find(marker);
    std::size_t const eol = text.find('\n', at);
    if (at != std::string::npos && eol != std::string::npos) {
      base = text.substr(at + marker.size(), eol - at - marker.size());
    }
  }
  ASSERT_FALSE(base.empty()) << out_text.Text() << err_text.Text();
  EXPECT_TRUE(base.starts_with("http://127.0.0.1:")) << base;
  std::string const text = out_text.Text();
  EXPECT_NE(text.find("client id:            casebridge-sandbox-client"), std::string::npos);
  EXPECT_NE(text.find("username:             integration@casebridge.sandbox"), std::string::npos);

  struct stat st {};
  ASSERT_EQ(::stat(options.jwt_private_key_out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  TestHttp http(base);
  json claims = {{"iss", "casebridge-sandbox-client"},
                 {"sub", "integration@casebridge.sandbox"},
                 {"aud", "https://login.salesforce.com"},
                 {"exp", std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                             120}};
  HttpResult const token =
      http.Send("POST", "/services/oauth2/token",
                FormBody({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                          {"assertion", SignJwt(ReadFile(options.jwt_private_key_out), claims)}}),
                {}, "application/x-www-form-urlencoded");
  ASSERT_EQ(token.status, 200) << token.body;
  HttpResult const cases = http.Send(
      "GET", "/services/data/v62.0/query?q=" + UrlEncode("SELECT COUNT() FROM Case"), "",
      {{"Authorization", "Bearer " + token.Json().at("access_token").get<std::string>()}});
  ASSERT_EQ(cases.status, 200) << cases.body;
  EXPECT_EQ(cases.Json().at("totalSize"), 20);

  // The Forge emulator runs beside it and accepts the demo user. It is started after the
  // Salesforce one: wait for its lines (a slow build may not have printed them yet).
  std::string const forge_marker = "Forge emulator listening on ";
  ForgeUserOptions const user = DemoForgeUser();
  auto forge_printed = [&](std::string const& t) {
    auto const at = t.find(forge_marker);
    return at != std::string::npos && t.find('\n', at) != std::string::npos &&
           t.find(user.email) != std::string::npos;
  };
  std::string text_all = out_text.Text();
  for (int i = 0; i < 100 && !forge_printed(text_all); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text_all = out_text.Text();
  }
  std::size_t const fat = text_all.find(forge_marker);
  ASSERT_NE(fat, std::string::npos) << text_all;
  std::string const forge_base = text_all.substr(
      fat + forge_marker.size(), text_all.find('\n', fat) - fat - forge_marker.size());
  EXPECT_NE(text_all.find(user.email), std::string::npos);
  TestHttp forge_http(forge_base);
  HttpResult const login = forge_http.Send(
      "POST", "/api/auth/login", json{{"email", user.email}, {"password", user.password}}.dump(),
      {}, "application/json");
  EXPECT_EQ(login.status, 200) << login.body;

  stop = true;
  server.join();
  EXPECT_EQ(code, 0);
  EXPECT_NE(out_text.Text().find("Emulators stopped."), std::string::npos);
}

TEST(SandboxServer, BadSeedFileIsAUsageError) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/seed.json";
  std::ofstream(path) << R"({"Case": [{"NotAField": 1}]})";
  SandboxServerOptions options;
  options.seed_file = path;
  std::ostringstream out;
  std::ostringstream err;
  std::atomic<bool> stop{true};
  EXPECT_EQ(RunSandboxServer(options, out, err, stop), 2);
  EXPECT_NE(err.str().find("Case[0]"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(path), std::string::npos) << err.str();
}

}  // namespace
}  // namespace casebridge::sandbox::testing
