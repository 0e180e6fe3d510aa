// Changes that arrive only as related records (issue 16): an agent logs a Task, receives an
// e-mail, posts on the feed or changes the owner between two runs. Inserting a Task, an
// EmailMessage or a FeedItem does not move the parent Case's SystemModstamp (in Salesforce and
// in the emulator), so the second run must find those cases through one query per related
// object, read them by id, and store their new flags; the owner change moves the Case itself.
// Each edit goes through the emulator's REST API with a plain HTTP client, as an agent's tools
// would make it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connector/sandbox/sf_ids.h"
#include "connector/store/state_store.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"
#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using sandbox::MakeId;
using testing_util::RunCli;

constexpr char kFirst[] = "2026-03-05T15:00:00Z";   // Thursday 10:00 in New York
constexpr char kEdit[] = "2026-03-05T16:00:00Z";    // the agent's work
constexpr char kSecond[] = "2026-03-05T16:30:00Z";  // no clock of these cases is due yet

std::string const kSupport = MakeId("00G", 2);
std::string const kBackOffice = MakeId("00G", 1);
std::string const kAgent = MakeId("005", 2);
std::string const kInstaller = MakeId("001", 1);
std::string const kHomeowner = MakeId("003", 1);
std::string const kInBackOffice = MakeId("500", 1);  // installer complaint, handed off Monday
std::string const kNoOutreach = MakeId("500", 2);    // installer complaint, no outreach note yet
std::string const kGeneral = MakeId("500", 3);       // tier 1 general inquiry
std::string const kQuiet = MakeId("500", 4);         // nothing happens to it

json Complaint(std::string const& id, std::string const& number, std::string const& created,
               std::string const& owner) {
  return sync_test::Complaint({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner}, id, number,
                              created, owner);
}

json Org() {
  json org = sync_test::BaseOrg({kAgent, kInstaller, kBackOffice, kSupport, kHomeowner});
  json general = {{"Id", kGeneral},
                  {"CaseNumber", "00002003"},
                  {"Subject", "Inverter offline"},
                  {"Status", "New"},
                  {"Reason", "General Inquiry"},
                  {"OwnerId", kAgent},
                  {"ContactId", kHomeowner},
                  {"Escalation_Tier__c", 1},
                  {"Pre_M3_PTO__c", false},
                  {"CreatedDate", "2026-03-05T14:00:00Z"}};
  json quiet = general;
  quiet["Id"] = kQuiet;
  quiet["CaseNumber"] = "00002004";
  org["Case"] = json::array(
      {Complaint(kInBackOffice, "00002001", "2026-03-02T15:00:00Z", kBackOffice),
       Complaint(kNoOutreach, "00002002", "2026-03-05T14:30:00Z", kAgent), general, quiet});
  org["FeedItem"] =
      json::array({{{"ParentId", kInBackOffice},
                    {"Body", "Outreach note: called the homeowner and e-mailed the installer."},
                    {"Type", "TextPost"},
                    {"CreatedDate", "2026-03-02T16:00:00Z"}}});
  org["CaseHistory"] = json::array({{{"CaseId", kInBackOffice},
                                     {"Field", "Owner"},
                                     {"DataType", "EntityId"},
                                     {"OldValue", kSupport},
                                     {"NewValue", kBackOffice},
                                     {"CreatedDate", "2026-03-02T16:30:00Z"}}});
  return org;
}

class SyncRelated : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kFirst));
    emulator_ = sync_test::StartEmulator(Org(), clock_);
    store_url_ = "sqlite:" + dir_.path() + "/state.db";
    config_ = sync_test::WriteConfig(dir_, *emulator_, store_url_);
    auto r = Sync(kFirst);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    clock_->Set(*ParseInstant(kEdit));
    http_.emplace(emulator_->base_url());
  }

  testing_util::CliResult Sync(char const* now) {
    return RunCli({"sync", "--once", "--config", config_, "--now", now, "--log-format", "json"});
  }

  std::string Token() {
    auto r = http_->Send("POST", "/services/oauth2/token",
                         sandbox::testing::FormBody({{"grant_type", "client_credentials"},
                                                     {"client_id", sync_test::kAppId},
                                                     {"client_secret", sync_test::kSecret}}),
                         {}, "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("access_token", "");
  }

  // An agent's edit through the REST API: POST a new record, or PATCH an existing one.
  void Edit(std::string const& method, std::string const& path, json const& body) {
    auto r = http_->Send(method, "/services/data/v62.0/sobjects/" + path, body.dump(),
                         {{"Authorization", "Bearer " + Token()}});
    ASSERT_TRUE(r.status == 201 || r.status == 204) << r.status << " " << r.body;
  }

  std::vector<store::FlagRecord> Flags(std::string const& case_id) {
    auto store = store::OpenStateStore(store_url_);
    EXPECT_TRUE(store.ok()) << store.status();
    auto flags = (*store)->GetCaseFlags(case_id);
    EXPECT_TRUE(flags.ok()) << flags.status();
    return flags.ok() ? *flags : std::vector<store::FlagRecord>{};
  }

  std::optional<store::FlagRecord> Flag(std::string const& case_id, std::string const& rule) {
    for (auto& f : Flags(case_id)) {
      if (f.rule_id == rule) return f;
    }
    return std::nullopt;
  }

  int FlagCount(std::string const& case_id, std::string const& rule) {
    int n = 0;
    for (auto const& f : Flags(case_id)) n += f.rule_id == rule ? 1 : 0;
    return n;
  }

  // The second run, with its Salesforce queries counted: the changed cases, one query per
  // related object of signals.json (EmailMessages, Tasks, Feeds, Histories) and one read by id
  // of the cases they name (the queue directory comes from the store: the first run read it).
  testing_util::CliResult SecondSync(int expected_queries) {
    clock_->Set(*ParseInstant(kSecond));
    emulator_->ResetRequestCounts();
    auto r = Sync(kSecond);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(emulator_->RequestCount(sandbox::EndpointKind::kQuery), expected_queries) << r.out;
    return r;
  }

  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  std::optional<sandbox::testing::TestHttp> http_;
  std::string store_url_;
  std::string config_;
};

constexpr int kBaseQueries = 1 + 4;  // changed cases, one per related object

TEST_F(SyncRelated, ATaskLoggedByAnAgentReachesTheStore) {
  auto before = Flag(kInBackOffice, "installer_contact_2d");
  ASSERT_TRUE(before.has_value());
  EXPECT_FALSE(before->met_at.has_value());
  Edit("POST", "Task",
       {{"Subject", "Installer called the homeowner"},
        {"Status", "Completed"},
        {"WhatId", kInBackOffice},
        {"Escalation_Step__c", "Installer Contacted Homeowner"}});
  auto r = SecondSync(kBaseQueries + 1);
  EXPECT_THAT(r.out, HasSubstr("1 because a related record"));
  auto after = Flag(kInBackOffice, "installer_contact_2d");
  ASSERT_TRUE(after.has_value());
  ASSERT_TRUE(after->met_at.has_value()) << r.out;
  EXPECT_EQ(FormatInstant(*after->met_at), kEdit);
}

TEST_F(SyncRelated, AnIncomingEmailStartsItsClockInTheStore) {
  int const before = FlagCount(kGeneral, "response_4bh");
  Edit("POST", "EmailMessage",
       {{"ParentId", kGeneral},
        {"Incoming", true},
        {"Subject", "Still offline"},
        {"FromAddress", "maria@example.com"},
        {"ToAddress", "support@sunnyside.example"},
        {"MessageDate", kEdit}});
  auto r = SecondSync(kBaseQueries + 1);
  EXPECT_THAT(r.out, HasSubstr("1 because a related record"));
  EXPECT_EQ(FlagCount(kGeneral, "response_4bh"), before + 1) << r.out;
}

TEST_F(SyncRelated, AFeedPostReachesTheStore) {
  auto before = Flag(kNoOutreach, "outreach_note_missing");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->status, "pending");
  Edit("POST", "FeedItem",
       {{"ParentId", kNoOutreach},
        {"Type", "TextPost"},
        {"Body", "Outreach note: left the homeowner a voicemail, e-mailed SunPeak."}});
  // With its outreach note the case goes to the back office: the run reassigns it and plans
  // what follows the hand-off from its evaluation, without reading it once more.
  auto r = SecondSync(kBaseQueries + 1);
  EXPECT_THAT(r.out, HasSubstr("1 because a related record"));
  auto after = Flag(kNoOutreach, "outreach_note_missing");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, "met") << r.out;
  bool called = false;  // the step after the hand-off, written in the same run
  for (auto const& t : emulator_->Records("Task")) {
    called = called || t.value("Casebridge_Key__c", "") == kNoOutreach + ":call_installer:1";
  }
  EXPECT_TRUE(called) << r.out;
}

TEST_F(SyncRelated, AnOwnerChangeReachesTheStoreThroughTheCaseItself) {
  Edit("PATCH", "Case/" + kGeneral, {{"OwnerId", kSupport}});
  // The Case moved: it is read as changed; its history row names it too but it is not read
  // twice (no read by id).
  auto r = SecondSync(kBaseQueries);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("because a related record")));
  auto flags = Flags(kGeneral);
  ASSERT_FALSE(flags.empty());
  for (auto const& f : flags) EXPECT_EQ(f.owner, "queue:customer_support") << f.rule_id;
}

TEST_F(SyncRelated, NothingChangedMeansNoReadById) {
  auto r = SecondSync(kBaseQueries);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("because a related record")));
}

// A related record is found again while it lies within the overlap before the newest one
// seen; the case is read again only until a run evaluated it an overlap after the change.
TEST_F(SyncRelated, AChangeIsReadAgainAtMostThroughTheOverlap) {
  clock_->Set(*ParseInstant("2026-03-05T16:40:00Z"));
  Edit("POST", "Task",
       {{"Subject", "Called the homeowner"},
        {"Status", "Completed"},
        {"TaskSubtype", "Call"},
        {"WhatId", kQuiet}});
  auto related_reads = [&](char const* now) {
    clock_->Set(*ParseInstant(now));
    auto r = Sync(now);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.find("1 because a related record") != std::string::npos;
  };
  EXPECT_TRUE(related_reads("2026-03-05T16:45:00Z"));   // the change
  EXPECT_TRUE(related_reads("2026-03-05T17:00:00Z"));   // last read at 16:45 < 16:40 + 10 min
  EXPECT_FALSE(related_reads("2026-03-05T17:15:00Z"));  // last read at 17:00: seen
}

}  // namespace
}  // namespace casebridge
