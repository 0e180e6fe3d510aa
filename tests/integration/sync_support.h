// Shared by the sync integration tests: a Salesforce emulator on loopback with a client-
// credentials app and a fixed clock, a casebridge.json pointing at it, and helpers to read the
// emulator's state (the truth the tests assert on).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connector/http/cpprest_transport.h"
#include "connector/sandbox/salesforce_emulator.h"
#include "tests/support/fake_transport.h"
#include "tests/support/temp_dir.h"

namespace casebridge::sync_test {

inline constexpr char const* kAppId = "3MVG9CasebridgeSyncTestApp";
inline constexpr char const* kSecret = "sync-test-client-secret-7c1e";
inline constexpr char const* kSecretEnv = "CASEBRIDGE_TEST_SYNC_SECRET";
inline constexpr char const* kUser = "integration@casebridge.sandbox";

/// The custom fields the shipped mappings read (relations.json, signals.json), for a seed's
/// `_fields`.
inline nlohmann::json OrgFields() {
  return {{"Case",
           {{"Installer__c",
             {{"type", "reference"},
              {"referenceTo", "Account"},
              {"relationshipName", "Installer__r"},
              {"childRelationshipName", "Installer_Cases__r"}}},
            {"Secondary_Reason__c", "picklist"},
            {"Financing_Partner__c", "picklist"},
            {"Pre_M3_PTO__c", "checkbox"},
            {"Escalation_Tier__c", "number"}}},
          {"Account", {{"Escalation_Phone__c", "phone"}, {"Escalation_Email__c", "email"}}},
          {"Task", {{"Escalation_Step__c", "picklist"}}}};
}

/// The two queues of the shipped queues.json and the homeowner Contact the test orgs share.
inline void AddQueuesAndHomeowner(nlohmann::json& org, std::string const& back_office,
                                  std::string const& support, std::string const& homeowner) {
  org["Group"] = nlohmann::json::array({{{"Id", back_office},
                                         {"Name", "Back Office"},
                                         {"DeveloperName", "Back_Office"},
                                         {"Type", "Queue"}},
                                        {{"Id", support},
                                         {"Name", "Customer Support"},
                                         {"DeveloperName", "Customer_Support"},
                                         {"Type", "Queue"}}});
  org["Contact"] = nlohmann::json::array({{{"Id", homeowner},
                                           {"FirstName", "Maria"},
                                           {"LastName", "Gonzalez"},
                                           {"Email", "maria@example.com"}}});
}

/// The ids of the people and queues a sync test org holds.
struct OrgPeople {
  std::string agent;
  std::string installer;
  std::string back_office;
  std::string support;
  std::string homeowner;
};

/// An org with the custom fields of the shipped mappings, the agent Dana, both queues, the
/// homeowner and the installer SunPeak; the test adds its cases and records.
inline nlohmann::json BaseOrg(OrgPeople const& p) {
  nlohmann::json org;
  org["_fields"] = OrgFields();
  org["User"] = nlohmann::json::array({{{"Id", p.agent},
                                        {"Username", "dana@sunnyside.example"},
                                        {"FirstName", "Dana"},
                                        {"LastName", "Whitfield"},
                                        {"IsActive", true}}});
  AddQueuesAndHomeowner(org, p.back_office, p.support, p.homeowner);
  org["Account"] =
      nlohmann::json::array({{{"Id", p.installer},
                              {"Name", "SunPeak Installations"},
                              {"Escalation_Phone__c", "+1 512 555 9000"},
                              {"Escalation_Email__c", "escalations@sunpeak.example"}}});
  return org;
}

/// An open installer complaint (seed 001) of the homeowner about the installer.
inline nlohmann::json Complaint(OrgPeople const& p, std::string const& id,
                                std::string const& number, std::string const& created,
                                std::string const& owner) {
  return {{"Id", id},
          {"CaseNumber", number},
          {"Subject", "Installer has not called back"},
          {"Status", "New"},
          {"Reason", "Installer Complaints"},
          {"Secondary_Reason__c", "Unresponsive Installer"},
          {"OwnerId", owner},
          {"ContactId", p.homeowner},
          {"Installer__c", p.installer},
          {"Financing_Partner__c", nullptr},
          {"Escalation_Tier__c", nullptr},
          {"Pre_M3_PTO__c", false},
          {"CreatedDate", created}};
}

/// An emulator with the test app, seeded with `seed` (plus the integration user), started;
/// `fault_seed` seeds its random faults.
inline std::unique_ptr<sandbox::SalesforceEmulator> StartEmulator(
    nlohmann::json seed, std::shared_ptr<testing_util::SettableClock> clock,
    std::uint64_t fault_seed = 1) {
  sandbox::SalesforceEmulatorOptions o;
  o.fault_seed = fault_seed;
  sandbox::ConnectedAppOptions app;
  app.client_id = kAppId;
  app.client_secret = kSecret;
  app.client_credentials_username = kUser;
  o.apps.push_back(app);
  o.clock = std::move(clock);
  // Bulk jobs are complete at the first status check: the CLI polls with real sleeps (the
  // client's polling and backoff are tested in salesforce_client_test).
  o.bulk_polls_until_complete = 0;
  auto emulator = std::make_unique<sandbox::SalesforceEmulator>(o);
  if (!seed.contains("User")) seed["User"] = nlohmann::json::array();
  bool has_user = false;
  for (auto const& u : seed["User"]) has_user = has_user || u.value("Username", "") == kUser;
  if (!has_user) {
    seed["User"].push_back({{"Id", "005Dn0US0000001IGA"},
                            {"Username", kUser},
                            {"FirstName", "Casebridge"},
                            {"LastName", "Integration"},
                            {"Email", kUser},
                            {"IsActive", true}});
  }
  auto s = emulator->SeedFromJson(seed);
  EXPECT_TRUE(s.ok()) << s;
  s = emulator->Start("127.0.0.1", 0);
  EXPECT_TRUE(s.ok()) << s;
  setenv(kSecretEnv, kSecret, 1);
  return emulator;
}

/// casebridge.json for the emulator (client-credentials flow, secret from the environment).
inline std::string WriteConfig(testing_util::TempDir const& dir,
                               sandbox::SalesforceEmulator const& emulator,
                               std::string const& store_url) {
  nlohmann::json doc = {{"salesforce",
                         {{"login_url", emulator.base_url()},
                          {"api_version", "62.0"},
                          {"auth_flow", "client_credentials"},
                          {"client_id", kAppId},
                          {"client_secret", {{"env", kSecretEnv}}}}},
                        {"state_store", store_url},
                        {"api_budget_share", 1.0}};
  return dir.Write("casebridge.json", doc.dump(2));
}

/// A person's edit of one record through the REST API (PATCH /sobjects/<object>/<id>), as an
/// agent's browser would make it: the emulator stamps it and writes CaseHistory like any update.
inline void PersonEdits(sandbox::SalesforceEmulator const& emulator, std::string const& object,
                        std::string const& id, nlohmann::json const& fields) {
  http::CpprestTransport wire(http::CpprestTransportOptions{});
  http::HttpRequest token;
  token.method = http::Method::kPost;
  token.url = emulator.base_url() + "/services/oauth2/token";
  token.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  token.body = std::string("grant_type=client_credentials&client_id=") + kAppId +
               "&client_secret=" + kSecret;
  auto t = wire.Send(token);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->status, 200) << t->body;
  http::HttpRequest patch;
  patch.method = http::Method::kPatch;
  patch.url = emulator.base_url() + "/services/data/v62.0/sobjects/" + object + "/" + id;
  patch.headers.Set(
      "Authorization",
      "Bearer " + nlohmann::json::parse(t->body).at("access_token").get<std::string>());
  patch.headers.Set("Content-Type", "application/json");
  patch.body = fields.dump();
  auto r = wire.Send(patch);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 204) << r->body;
}

/// Task key -> number of Tasks carrying it.
inline std::map<std::string, int> TaskKeys(sandbox::SalesforceEmulator const& emulator) {
  std::map<std::string, int> keys;
  for (auto const& t : emulator.Records("Task")) {
    if (t.contains("Casebridge_Key__c") && t["Casebridge_Key__c"].is_string()) {
      ++keys[t["Casebridge_Key__c"].get<std::string>()];
    }
  }
  return keys;
}

/// Feed-post key (from the `[casebridge:<key>]` marker) -> number of posts carrying it.
inline std::map<std::string, int> FeedKeys(sandbox::SalesforceEmulator const& emulator) {
  std::map<std::string, int> keys;
  for (auto const& f : emulator.Records("FeedItem")) {
    if (!f.contains("Body") || !f["Body"].is_string()) continue;
    std::string const body = f["Body"].get<std::string>();
    auto const at = body.rfind("[casebridge:");
    if (at == std::string::npos) continue;
    auto const end = body.find(']', at);
    ++keys[body.substr(at + 12, end - at - 12)];
  }
  return keys;
}

}  // namespace casebridge::sync_test
