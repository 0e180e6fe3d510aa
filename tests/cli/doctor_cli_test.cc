// `casebridge doctor` (issue 15) through the binary, against `casebridge sandbox` (both
// emulators): on the demo org (`--demo-org`) every check is ok and it exits 0; on an org broken
// through its seed (the bundled tests/data/sandbox/salesforce_seed.json with a dropped field, a
// renamed queue, a missing picklist value, a non-unique upsert key, a field the integration user
// may not edit, …) and with Forge refusing or unreachable, it names each problem with its fix and
// exits 2. It makes few calls (the emulators' counters say how many) and prints no secret.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/http/cpprest_transport.h"
#include "tests/support/cli_runner.h"
#include "tests/support/sandbox_process.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing_util::RunCli;

constexpr char kSecretEnv[] = "CASEBRIDGE_TEST_DOCTOR_SECRET";
constexpr char kForgePasswordEnv[] = "CASEBRIDGE_TEST_DOCTOR_FORGE_PASSWORD";
// The sandbox's throwaway demo credentials (its banner prints them; sandbox-only values).
constexpr char kForgePassword[] = "forge-sandbox-password";

json BundledSeed() {
  std::ifstream in(testing_util::SourcePath("tests/data/sandbox/salesforce_seed.json"));
  return json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
}

// Removes `field` from every record of `object` and from `_fields`.
void DropField(json& seed, std::string const& object, std::string const& field) {
  seed["_fields"][object].erase(field);
  for (auto& r : seed[object]) r.erase(field);
}

class DoctorCli : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv(kSecretEnv);
    unsetenv(kForgePasswordEnv);
  }

  // `casebridge sandbox` on free ports: the demo org, or `seed` (written to a file); then the
  // config pointing at it.
  void Start(json const* seed = nullptr) {
    std::vector<std::string> args;
    if (seed == nullptr) {
      args = {"--demo-org", "12"};
    } else {
      args = {"--seed", dir_.Write("org.json", seed->dump())};
    }
    ASSERT_TRUE(sandbox_.Start(args));
    salesforce_url_ = sandbox_.salesforce_url;
    forge_url_ = sandbox_.forge_url;
    client_secret_ = sandbox_.client_secret;
    config_ = sandbox_.Config(kSecretEnv, kForgePasswordEnv, kForgePassword);
  }

  testing_util::CliResult Doctor() {
    auto r = RunCli({"doctor", "--config", dir_.Write("casebridge.json", config_.dump(2))});
    for (auto const* text : {&r.out, &r.err}) {
      EXPECT_THAT(*text, Not(HasSubstr(client_secret_)));
      EXPECT_THAT(*text, Not(HasSubstr(kForgePassword)));
      EXPECT_THAT(*text, Not(HasSubstr("Bearer")));
      EXPECT_THAT(*text, Not(HasSubstr("access_token")));
    }
    return r;
  }

  // The emulator's request counters by endpoint ("token", "sobject", "tickets", …, "any").
  static json Counters(std::string const& base_url) {
    http::CpprestTransport transport({});
    http::HttpRequest request;
    request.url = base_url + "/__sandbox/counters";
    auto response = transport.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return json::object();
    return json::parse(response->body, nullptr, false).value("requests", json::object());
  }

  // The line of `subject` (starting with its verdict), or "" when none.
  static std::string LineOf(std::string const& out, std::string const& subject) {
    for (auto const& line : testing_util::Lines(out)) {
      if (line.find(" " + subject + ": ") != std::string::npos) return line;
    }
    return "";
  }

  testing_util::TempDir dir_;
  testing_util::SandboxProcess sandbox_;
  std::string salesforce_url_;
  std::string forge_url_;
  std::string client_secret_;
  json config_;
};

TEST_F(DoctorCli, TheDemoOrgPassesEveryCheck) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto const r = Doctor();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto const lines = testing_util::Lines(r.out);
  ASSERT_GT(lines.size(), 25U) << r.out;
  for (std::size_t i = 0; i + 2 < lines.size(); ++i) {  // the last two: calls and the summary
    EXPECT_TRUE(lines[i].starts_with("ok ")) << lines[i];
  }
  EXPECT_THAT(LineOf(r.out, "field Case.Installer__c"), HasSubstr("reference to Account"));
  EXPECT_THAT(LineOf(r.out, "upsert key Task.Casebridge_Key__c"), HasSubstr("unique external id"));
  EXPECT_THAT(LineOf(r.out, "picklist Task.Escalation_Step__c"), HasSubstr("8 values used"));
  EXPECT_THAT(LineOf(r.out, "picklist Case.Reason"), StartsWith("ok "));
  EXPECT_THAT(LineOf(r.out, "queue Back_Office"), HasSubstr("supports Cases"));
  EXPECT_THAT(LineOf(r.out, "access Task"), HasSubstr("can create and update Task"));
  EXPECT_THAT(LineOf(r.out, "access Case"), HasSubstr("can update Case (OwnerId)"));
  EXPECT_THAT(LineOf(r.out, "access FeedItem"), HasSubstr("can create FeedItem"));
  EXPECT_THAT(LineOf(r.out, "API budget"), HasSubstr("daily API requests left"));
  EXPECT_THAT(LineOf(r.out, "Forge login"), HasSubstr("integration@forge.sandbox"));
  EXPECT_THAT(LineOf(r.out, "Forge GET /api/v1/service-tickets"), StartsWith("ok "));
  EXPECT_THAT(r.out, HasSubstr("doctor: all "));
}

TEST_F(DoctorCli, MakesFewCallsAndDescribesEachObjectOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto const r = Doctor();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json const sf = Counters(salesforce_url_);
  EXPECT_EQ(sf.value("token", 0), 1) << sf;
  EXPECT_EQ(sf.value("identity", 0), 1) << sf;
  EXPECT_EQ(sf.value("query", 0), 1) << sf;  // the queues and their supported objects at once
  EXPECT_EQ(sf.value("limits", 0), 1) << sf;
  // One describe per sObject used (Case, Task, Account, Contact, EmailMessage, FeedItem, …),
  // however many fields and checks read it.
  int objects = 0;
  for (auto const& line : testing_util::Lines(r.out)) {
    objects += line.find(" object ") != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(objects, 5) << r.out;
  EXPECT_EQ(sf.value("sobject", 0), objects) << sf;
  EXPECT_EQ(sf.value("any", 0), 4 + sf.value("sobject", 0)) << sf;
  json const forge = Counters(forge_url_);
  EXPECT_EQ(forge.value("login", 0), 1) << forge;
  for (auto const* endpoint : {"tickets", "interactions", "service_tickets", "tasks"}) {
    EXPECT_EQ(forge.value(endpoint, 0), 1) << endpoint << " " << forge;
  }
  EXPECT_EQ(forge.value("any", 0), 5) << forge;
  EXPECT_THAT(r.out, HasSubstr("forge 5 (1 login, 4 read)"));
}

TEST_F(DoctorCli, ABrokenOrgNamesEachProblemWithItsFixAndExitsTwo) {
  json seed = BundledSeed();
  DropField(seed, "Case", "Escalation_Tier__c");
  for (auto& g : seed["Group"]) {
    if (g["DeveloperName"] == "Back_Office") g["DeveloperName"] = "Back_Office_Old";
  }
  auto& step = seed["_fields"]["Task"]["Escalation_Step__c"]["values"];
  step.erase(std::remove(step.begin(), step.end(), json("Manager Notified")), step.end());
  seed["_fields"]["Task"]["Casebridge_Key__c"]["unique"] = false;
  seed["_fields"]["Case"]["OwnerId"] = {{"type", "reference"}, {"updateable", false}};
  ASSERT_NO_FATAL_FAILURE(Start(&seed));
  auto const r = Doctor();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(LineOf(r.out, "field Case.Escalation_Tier__c"),
              AllOf(StartsWith("missing "),
                    HasSubstr("fix: deploy deploy/salesforce/force-app/main/default/objects/Case/"
                              "fields/Escalation_Tier__c.field-meta.xml")));
  EXPECT_THAT(
      LineOf(r.out, "queue Back_Office"),
      AllOf(StartsWith("missing "), HasSubstr("deploy/salesforce/force-app/main/default/queues/"
                                              "Back_Office.queue-meta.xml")));
  EXPECT_THAT(LineOf(r.out, "picklist Task.Escalation_Step__c"),
              AllOf(StartsWith("missing "), HasSubstr("'Manager Notified'"),
                    HasSubstr("objects/Activity/fields/Escalation_Step__c.field-meta.xml")));
  EXPECT_THAT(LineOf(r.out, "upsert key Task.Casebridge_Key__c"),
              AllOf(StartsWith("not unique "), HasSubstr("Casebridge_Key__c.field-meta.xml")));
  EXPECT_THAT(LineOf(r.out, "access Case"),
              AllOf(StartsWith("no access "), HasSubstr("cannot edit OwnerId"),
                    HasSubstr("Casebridge_Integration.permissionset-meta.xml")));
  // What is still right stays ok.
  EXPECT_THAT(LineOf(r.out, "queue Customer_Support"), StartsWith("ok "));
  EXPECT_THAT(LineOf(r.out, "field Case.Installer__c"), StartsWith("ok "));
  EXPECT_THAT(r.out, HasSubstr("doctor: 5 of "));
}

TEST_F(DoctorCli, AFieldOfTheWrongTypeAndAQueueWithoutCasesAreNamed) {
  json seed = BundledSeed();
  seed["_fields"]["Case"]["Pre_M3_PTO__c"] = "text";
  for (auto& r : seed["Case"]) r.erase("Pre_M3_PTO__c");
  seed["QueueSobject"] = json::array();
  ASSERT_NO_FATAL_FAILURE(Start(&seed));
  auto const r = Doctor();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(LineOf(r.out, "field Case.Pre_M3_PTO__c"),
              AllOf(StartsWith("wrong type "), HasSubstr("is string; casebridge needs Checkbox")));
  EXPECT_THAT(LineOf(r.out, "queue Back_Office"),
              AllOf(StartsWith("no Case "), HasSubstr("does not support Cases")));
}

TEST_F(DoctorCli, AWrongForgePasswordIsRefusedAndNotPrinted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  setenv(kForgePasswordEnv, "Wrong-Doctor-Pa55word", 1);
  auto const r = Doctor();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(LineOf(r.out, "Forge login"),
              AllOf(StartsWith("refused "), HasSubstr("forge.password")));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("Wrong-Doctor-Pa55word")));
  EXPECT_THAT(LineOf(r.out, "field Case.Installer__c"), StartsWith("ok "));
  EXPECT_EQ(Counters(forge_url_).value("tickets", 0), 0);
}

TEST_F(DoctorCli, AnUnreachableForgeIsNamed) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Nothing listens on port 1 of the loopback interface.
  config_["forge"]["base_url"] = "http://127.0.0.1:1";
  auto const r = Doctor();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(LineOf(r.out, "Forge login"), StartsWith("unreachable "));
}

TEST_F(DoctorCli, HelpShowsTheUsage) {
  auto const r = RunCli({"doctor", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: casebridge doctor [--config FILE]"));
  EXPECT_THAT(r.out, HasSubstr("Exit codes: 0"));
}

}  // namespace
}  // namespace casebridge
