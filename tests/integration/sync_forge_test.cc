// The Forge side of `casebridge sync` end to end over loopback: both emulators, a Salesforce org
// and a Forge data set whose expected Forge records are worked out by hand (SPEC 1.4:
// `forge_document` mirrors each Salesforce interaction Forge has no record of, on cases a Forge
// ticket links to; `forge_service_ticket` for tier 3 without one). The truth is the Forge
// emulator's state. Runs against SQLite and a real PostgreSQL server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "connector/sandbox/forge_emulator.h"
#include "connector/sandbox/sf_ids.h"
#include "connector/store/state_store.h"
#include "tests/integration/sync_state_digest.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"
#include "tests/support/postgres_server.h"

namespace casebridge {
namespace {

using nlohmann::json;
using sandbox::MakeId;
using ::testing::HasSubstr;
using testing_util::PostgresServer;
using testing_util::RunCli;

constexpr char kNow[] = "2026-03-05T15:00:00Z";
constexpr char kForgePasswordEnv[] = "CASEBRIDGE_TEST_FORGE_PASSWORD";

std::string const kSupport = MakeId("00G", 2);
std::string const kBackOffice = MakeId("00G", 1);
std::string const kHomeowner = MakeId("003", 1);
std::string const kCaseG = MakeId("500", 7);     // tier 3, linked to TCK-G, interactions to mirror
std::string const kCaseH = MakeId("500", 8);     // tier 3, linked to TCK-H, service ticket exists
std::string const kCaseI = MakeId("500", 9);     // tier 1, no Forge ticket
std::string const kEmailIn = MakeId("02s", 1);   // already mirrored by an earlier run
std::string const kEmailOut = MakeId("02s", 2);  // to the homeowner
std::string const kCall = MakeId("00T", 1);      // completed call with the homeowner
std::string const kNote = MakeId("0D5", 1);      // a note on the feed

json Case(std::string const& id, std::string const& number, int tier) {
  return {{"Id", id},
          {"CaseNumber", number},
          {"Subject", "Panels damaged after storm"},
          {"Status", "New"},
          {"Reason", "General Inquiry"},
          {"OwnerId", kSupport},
          {"ContactId", kHomeowner},
          {"Escalation_Tier__c", tier},
          {"Pre_M3_PTO__c", false},
          {"CreatedDate", "2026-03-04T14:00:00Z"}};
}

json Org() {
  json org;
  org["_fields"] = sync_test::OrgFields();
  sync_test::AddQueuesAndHomeowner(org, kBackOffice, kSupport, kHomeowner);
  org["Case"] = json::array(
      {Case(kCaseG, "00002007", 3), Case(kCaseH, "00002008", 3), Case(kCaseI, "00002009", 1)});
  org["EmailMessage"] = json::array({{{"Id", kEmailIn},
                                      {"ParentId", kCaseG},
                                      {"Incoming", true},
                                      {"FromAddress", "maria@example.com"},
                                      {"ToAddress", "support@sunnyside.example"},
                                      {"Subject", "Storm damage"},
                                      {"MessageDate", "2026-03-04T14:00:00Z"}},
                                     {{"Id", kEmailOut},
                                      {"ParentId", kCaseG},
                                      {"Incoming", false},
                                      {"FromAddress", "support@sunnyside.example"},
                                      {"ToAddress", "maria@example.com"},
                                      {"Subject", "Re: Storm damage"},
                                      {"MessageDate", "2026-03-04T15:00:00Z"}}});
  org["Task"] = json::array({{{"Id", kCall},
                              {"Subject", "Call with the homeowner"},
                              {"Status", "Completed"},
                              {"TaskSubtype", "Call"},
                              {"CallDisposition", "Reached"},
                              {"WhatId", kCaseG},
                              {"WhoId", kHomeowner},
                              {"CompletedDateTime", "2026-03-04T16:00:00Z"},
                              {"CreatedDate", "2026-03-04T16:00:00Z"}}});
  org["FeedItem"] = json::array({{{"Id", kNote},
                                  {"ParentId", kCaseG},
                                  {"Body", "Homeowner sent photos of two cracked panels."},
                                  {"Type", "TextPost"},
                                  {"CreatedDate", "2026-03-04T17:00:00Z"}}});
  return org;
}

json ForgeSeed() {
  auto ticket = [](std::string const& id, std::string const& sf_case, int tier) {
    json t = {{"id", id},
              {"number", "F-" + id.substr(4)},
              {"subject", "Panels damaged after storm"},
              {"status", "open"},
              {"escalation_tier", tier},
              {"category", "Hardware"},
              {"customer_id", "C-" + id.substr(4)},
              {"created_at", "2026-03-04T14:00:00Z"},
              {"updated_at", "2026-03-04T18:00:00Z"}};
    if (!sf_case.empty()) t["salesforce_case_id"] = sf_case;
    return t;
  };
  // TCK-P: a Forge-only tier-1 ticket nobody has answered yet (its 24-hour update is pending).
  json pending = ticket("TCK-P", "", 1);
  pending["created_at"] = "2026-03-05T13:00:00Z";
  pending["updated_at"] = "2026-03-05T13:00:00Z";
  // The agent forge.json's tasks.assign.default names: Forge-only cases' tasks go to her.
  return {{"users", json::array({{{"id", "u-dana"},
                                  {"email", "dana@forge.sandbox"},
                                  {"name", "Dana Whitfield"},
                                  {"role", "agent"}}})},
          {"tickets", json::array({ticket("TCK-G", kCaseG, 3), ticket("TCK-H", kCaseH, 3),
                                   ticket("TCK-F", "", 3), pending})},
          {"interactions", json::array({{{"id", "INT-1"},
                                         {"ticket_id", "TCK-G"},
                                         {"kind", "email"},
                                         {"direction", "inbound"},
                                         {"party", "customer"},
                                         {"subject", "Storm damage"},
                                         {"occurred_at", "2026-03-04T14:00:00Z"},
                                         {"source", "salesforce"},
                                         {"source_ref", kEmailIn},
                                         {"created_at", "2026-03-04T14:01:00Z"},
                                         {"updated_at", "2026-03-04T14:01:00Z"}}})},
          {"service_tickets", json::array({{{"id", "SVC-1"},
                                            {"number", "S-1"},
                                            {"ticket_id", "TCK-H"},
                                            {"customer_id", "C-H"},
                                            {"summary", "Replace panels"},
                                            {"status", "scheduled"},
                                            {"created_at", "2026-03-04T18:00:00Z"},
                                            {"updated_at", "2026-03-04T18:00:00Z"}}})}};
}

class SyncForge : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { Prepare("state"); }

  // Fresh emulators, a fresh store (`name`) and a config pointing at them.
  void Prepare(std::string const& name) {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    salesforce_ = sync_test::StartEmulator(Org(), clock_);
    sandbox::ForgeEmulatorOptions fo;
    fo.clock = clock_;
    forge_ = std::make_unique<sandbox::ForgeEmulator>(fo);
    ASSERT_TRUE(forge_->SeedFromJson(ForgeSeed()).ok());
    ASSERT_TRUE(forge_->Start("127.0.0.1", 0).ok());
    setenv(kForgePasswordEnv, "forge-sandbox-password", 1);
    if (GetParam() == "postgresql") {
      if (!pg_) {
        auto server = PostgresServer::Start();
        ASSERT_TRUE(server.ok()) << server.status();
        pg_ = std::move(*server);
      }
      auto db = pg_->CreateDatabase();
      ASSERT_TRUE(db.ok()) << db.status();
      store_url_ = *db;
    } else {
      store_url_ = "sqlite:" + dir_.path() + "/" + name + ".db";
    }
    json config = {{"salesforce",
                    {{"login_url", salesforce_->base_url()},
                     {"api_version", "62.0"},
                     {"auth_flow", "client_credentials"},
                     {"client_id", sync_test::kAppId},
                     {"client_secret", {{"env", sync_test::kSecretEnv}}}}},
                   {"forge",
                    {{"base_url", forge_->base_url()},
                     {"email", "integration@forge.sandbox"},
                     {"password", {{"env", kForgePasswordEnv}}}}},
                   {"state_store", store_url_},
                   {"api_budget_share", 1.0}};
    config_ = dir_.Write("casebridge.json", config.dump(2));
  }

  testing_util::CliResult Sync(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync",  "--once", "--config",     config_,
                                     "--now", kNow,     "--log-format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  // source_ref -> number of Forge interactions mirroring that Salesforce record.
  std::map<std::string, int> Mirrors() const {
    std::map<std::string, int> out;
    for (auto const& i : forge_->Records("interactions")) {
      if (i.value("source", "") == "salesforce") ++out[i.value("source_ref", "")];
    }
    return out;
  }

  // Forge task key (casebridge's ledger key) -> number of Forge tasks carrying it.
  std::map<std::string, int> ForgeTasks() const {
    std::map<std::string, int> out;
    for (auto const& t : forge_->Records("tasks")) {
      if (t.contains("external_key") && t["external_key"].is_string()) {
        ++out[t["external_key"].get<std::string>()];
      }
    }
    return out;
  }

  // Forge ticket id -> number of service tickets on it.
  std::map<std::string, int> ServiceTickets() const {
    std::map<std::string, int> out;
    for (auto const& s : forge_->Records("service_tickets")) ++out[s.value("ticket_id", "")];
    return out;
  }

  static inline std::unique_ptr<PostgresServer> pg_;
  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> salesforce_;
  std::unique_ptr<sandbox::ForgeEmulator> forge_;
  std::string store_url_;
  std::string config_;
};

TEST_P(SyncForge, MirrorsInteractionsAndCreatesServiceTicketsExactlyOnce) {
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("forge:   4 tickets changed, 2 of them Forge-only cases"));
  // I is open and no Forge ticket names it.
  EXPECT_THAT(r.out, HasSubstr("1 open Salesforce cases evaluated have no Forge ticket"));

  // G's outgoing e-mail, call and feed note are mirrored onto TCK-G; the incoming e-mail
  // already was (INT-1) and is not mirrored again.
  EXPECT_EQ(Mirrors(),
            (std::map<std::string, int>{{kEmailIn, 1}, {kEmailOut, 1}, {kCall, 1}, {kNote, 1}}));
  for (auto const& i : forge_->Records("interactions")) {
    std::string const ref = i.value("source_ref", "");
    if (ref == kCall) {
      EXPECT_EQ(i.value("ticket_id", ""), "TCK-G");
      EXPECT_EQ(i.value("kind", ""), "call");
      EXPECT_EQ(i.value("party", ""), "customer");
      EXPECT_EQ(i.value("outcome", ""), "reached");
      EXPECT_EQ(i.value("occurred_at", ""), "2026-03-04T16:00:00Z");
    } else if (ref == kEmailOut) {
      EXPECT_EQ(i.value("kind", ""), "email");
      EXPECT_EQ(i.value("direction", ""), "outbound");
      EXPECT_EQ(i.value("subject", ""), "Re: Storm damage");
    } else if (ref == kNote) {
      EXPECT_EQ(i.value("kind", ""), "note");
      EXPECT_THAT(i.value("body", ""), HasSubstr("cracked panels"));
    }
  }
  // Service tickets: G (tier 3, linked) and the Forge-only TCK-F get one; H already has SVC-1.
  EXPECT_EQ(ServiceTickets(),
            (std::map<std::string, int>{{"TCK-F", 1}, {"TCK-G", 1}, {"TCK-H", 1}}));
  for (auto const& s : forge_->Records("service_tickets")) {
    if (s.value("ticket_id", "") != "TCK-G") continue;
    EXPECT_EQ(s.value("salesforce_case_id", ""), kCaseG);
    EXPECT_EQ(s.value("customer_id", ""), "C-G");
    EXPECT_THAT(s.value("summary", ""), HasSubstr("00002007"));
  }

  // The ledger numbers G's documents in time order, and the audit trail has every write.
  auto store = store::OpenStateStore(store_url_);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::string> const keys = {
      kCaseG + ":forge_document:1", kCaseG + ":forge_document:2", kCaseG + ":forge_document:3",
      kCaseG + ":forge_service_ticket:1", "TCK-F:forge_service_ticket:1"};
  auto rows = (*store)->GetActions(keys);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), keys.size());
  for (auto const& row : *rows) {
    EXPECT_EQ(row.state, store::ActionState::kWritten) << row.action.key;
    EXPECT_EQ(row.action.target_system, "forge");
  }
  EXPECT_THAT((*rows)[0].action.payload, HasSubstr(kEmailOut));
  EXPECT_THAT((*rows)[1].action.payload, HasSubstr(kCall));
  EXPECT_THAT((*rows)[2].action.payload, HasSubstr(kNote));
  // The Forge-only tickets get their follow-ups as Forge tasks, once each; linked tickets get
  // none (their Salesforce case has them).
  auto const tasks = ForgeTasks();
  EXPECT_EQ(tasks.count("TCK-P:tier_followup:1"), 1U) << r.out << r.err;
  for (auto const& [key, n] : tasks) {
    EXPECT_EQ(n, 1) << key;
    EXPECT_TRUE(key.starts_with("TCK-F:") || key.starts_with("TCK-P:")) << key;
  }
  for (auto const& t : forge_->Records("tasks")) {
    if (t.value("external_key", "") == "TCK-P:tier_followup:1") {
      EXPECT_EQ(t.value("assigned_to", ""), "u-dana");  // forge.json tasks.assign.default
      EXPECT_EQ(t.value("ticket_id", ""), "TCK-P");
      EXPECT_THAT(t.value("title", ""), HasSubstr("update to the customer"));
    }
  }
  EXPECT_THAT(r.out, HasSubstr("in forge: 6 planned, 6 written, 0 failed"));
  // The Forge-only ticket is evaluated and flagged as a Forge case.
  auto flags = (*store)->GetCaseFlags("TCK-F");
  ASSERT_TRUE(flags.ok());
  ASSERT_FALSE(flags->empty());
  EXPECT_EQ((*flags)[0].source_system, "forge");
  store->reset();

  // A second run writes nothing new anywhere.
  auto again = Sync();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 written"));
  EXPECT_EQ(Mirrors().size(), 4U);
  EXPECT_EQ(forge_->Records("service_tickets").size(), 3U);
  EXPECT_EQ(ForgeTasks(), tasks);
}

TEST_P(SyncForge, DryRunPlansForgeRecordsWithoutWritingThem) {
  auto r = Sync({"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("forge_document          3"));
  EXPECT_THAT(r.out, HasSubstr("forge_service_ticket    2"));
  EXPECT_EQ(Mirrors().size(), 1U);
  EXPECT_EQ(forge_->Records("service_tickets").size(), 1U);
}

TEST_P(SyncForge, ARunKilledAfterAForgeCreateIsHealedByTheIdempotencyKey) {
  for (int k = 1; k <= 5; ++k) {
    if (k > 1) Prepare("state-" + std::to_string(k));
    setenv("CASEBRIDGE_FAILPOINT", ("forge.after_remote_write:" + std::to_string(k)).c_str(), 1);
    auto killed = Sync();
    unsetenv("CASEBRIDGE_FAILPOINT");
    EXPECT_NE(killed.exit_code, 0) << "k=" << k;
    std::map<std::string, nlohmann::json> made;  // what the killed run created in Forge
    for (auto const* collection : {"interactions", "service_tickets", "tasks"}) {
      for (auto const& rec : forge_->Records(collection)) made[rec.value("id", "")] = rec;
    }
    auto r = Sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // Forge creates are replayed by key, never applied again: a record the killed run made is
    // left exactly as it is (whatever a person has changed on it since stays).
    for (auto const* collection : {"interactions", "service_tickets", "tasks"}) {
      for (auto const& rec : forge_->Records(collection)) {
        auto it = made.find(rec.value("id", ""));
        if (it != made.end()) {
          EXPECT_EQ(rec, it->second) << "k=" << k;
        }
      }
    }
    EXPECT_EQ(Mirrors(),
              (std::map<std::string, int>{{kEmailIn, 1}, {kEmailOut, 1}, {kCall, 1}, {kNote, 1}}))
        << "k=" << k;
    EXPECT_EQ(ServiceTickets(),
              (std::map<std::string, int>{{"TCK-F", 1}, {"TCK-G", 1}, {"TCK-H", 1}}))
        << "k=" << k;
    // The record the killed run created is found by its key, not created again.
    EXPECT_THAT(r.out, HasSubstr("1 found already written")) << "k=" << k << r.out;
  }
}

// Found by the fault soak: Forge processed a create but its answer could not be read (valid
// JSON without the record). The outcome is unknown, so it is not this record's failure: the
// run stops its Forge writes with the row untouched and exits 4 (it exited 0 with the row
// `failed`, an attempt used, so a few such answers gave the action up while the record
// existed), and the next run replays the key and records it as written. (A cut-off answer is
// retried at once by the client: the key makes the re-send safe.)
TEST_P(SyncForge, AnUnreadableAnswerToACreateFailsTheRunAndTheKeyHealsIt) {
  for (auto kind : {sandbox::ForgeFaultKind::kGarbledBody}) {
    SCOPED_TRACE(std::string(sandbox::ForgeFaultKindName(kind)));
    Prepare(std::string("state-") + std::string(sandbox::ForgeFaultKindName(kind)));
    // The reads of the interactions pass (as many as a dry run makes); the first create is hit.
    forge_->ResetRequestCounts();
    ASSERT_EQ(Sync({"--dry-run"}).exit_code, 0);
    sandbox::ForgeFaultSpec cut_create{sandbox::ForgeEndpoint::kInteractions, kind, 1, 1.0, {}};
    cut_create.after =
        static_cast<int>(forge_->RequestCount(sandbox::ForgeEndpoint::kInteractions));
    forge_->InjectFault(cut_create);
    auto cut = Sync();
    forge_->ClearFaults();
    EXPECT_EQ(cut.exit_code, 4) << cut.out << cut.err;
    for (auto const& [key, state] : sync_test::ReadDigest(store_url_).ledger) {
      EXPECT_NE(state, "failed") << key;
    }
    auto r = Sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Mirrors(),
              (std::map<std::string, int>{{kEmailIn, 1}, {kEmailOut, 1}, {kCall, 1}, {kNote, 1}}));
    EXPECT_THAT(r.out, HasSubstr("1 found already written")) << r.out;
    for (auto const& [key, state] : sync_test::ReadDigest(store_url_).ledger) {
      EXPECT_EQ(state, "written") << key;
    }
  }
}

TEST_P(SyncForge, AnUnusableForgeLeavesTheSalesforceWorkDoneAndFailsTheRun) {
  forge_->Stop();
  auto r = Sync();
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("forge login"));
  // The Salesforce side still ran: I's tier-1 follow-up task was written.
  EXPECT_EQ(sync_test::TaskKeys(*salesforce_),
            (std::map<std::string, int>{{kCaseI + ":tier_followup:1", 1}}));
}

TEST_P(SyncForge, AForgeCaseWhoseClockCameDueIsReEvaluatedWithoutChanging) {
  auto status_of = [&](std::string const& rule) {
    auto store = store::OpenStateStore(store_url_);
    EXPECT_TRUE(store.ok()) << store.status();
    auto flags = (*store)->GetCaseFlags("TCK-P");
    EXPECT_TRUE(flags.ok());
    for (auto const& f : *flags) {
      if (f.rule_id == rule) return f.status;
    }
    return std::string("none");
  };
  auto first = Sync();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(status_of("tier_update_24h"), "pending");
  // Two days later nothing changed in Forge for TCK-P, yet its 24-hour update is now late.
  clock_->Set(*ParseInstant("2026-03-07T15:00:00Z"));
  auto later = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-07T15:00:00Z",
                       "--log-format", "json"});
  ASSERT_EQ(later.exit_code, 0) << later.out << later.err;
  EXPECT_EQ(status_of("tier_update_24h"), "breached");
}

TEST_P(SyncForge, ALinkMadeLaterInForgeMirrorsAnUnchangedCaseEvenAfterACrash) {
  // TCK-G starts unlinked; later an agent links it to G by G's 15-character id. G itself does
  // not change in Salesforce.
  json unlinked = ForgeSeed()["tickets"][0];
  unlinked.erase("salesforce_case_id");
  ASSERT_TRUE(forge_->SeedFromJson({{"tickets", json::array({unlinked})}}).ok());
  auto first = Sync();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Mirrors().size(), 1U);  // only the seeded INT-1

  json linked = unlinked;
  linked["salesforce_case_id"] = kCaseG.substr(0, 15);
  linked["updated_at"] = "2026-03-05T16:00:00Z";
  // Another ticket changes later, so the next read's window (watermark - 10 min overlap) no
  // longer reaches back to the link.
  json touched = ForgeSeed()["tickets"][2];
  touched["updated_at"] = "2026-03-05T16:25:00Z";
  ASSERT_TRUE(forge_->SeedFromJson({{"tickets", json::array({linked, touched})}}).ok());
  clock_->Set(*ParseInstant("2026-03-05T16:30:00Z"));
  auto run = [&](std::string const& failpoint) {
    if (!failpoint.empty()) setenv("CASEBRIDGE_FAILPOINT", failpoint.c_str(), 1);
    auto r = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-05T16:30:00Z",
                     "--log-format", "json"});
    unsetenv("CASEBRIDGE_FAILPOINT");
    return r;
  };
  // Killed right after the Forge read is committed (its watermark moved past the link).
  auto killed = run("sync.after_page_commit:1");
  EXPECT_NE(killed.exit_code, 0);
  auto again = run("");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Mirrors(),
            (std::map<std::string, int>{{kEmailIn, 1}, {kEmailOut, 1}, {kCall, 1}, {kNote, 1}}));
  EXPECT_EQ(ServiceTickets()["TCK-G"], 1);
}

// Links changed in Forge after a run (issue 11): a Forge-only ticket now naming a Salesforce case
// stops being a case of its own, and a ticket whose link was cleared becomes one; the store
// keeps no stale link and a report lists each case once.
TEST_P(SyncForge, ALinkMadeOrClearedInForgeMovesTheCaseBetweenTheSystems) {
  auto first = Sync();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto flags_of = [&](std::string const& id) {
    auto store = store::OpenStateStore(store_url_);
    EXPECT_TRUE(store.ok()) << store.status();
    auto flags = (*store)->GetCaseFlags(id);
    EXPECT_TRUE(flags.ok());
    return flags.ok() ? flags->size() : 0U;
  };
  auto link_of = [&](std::string const& ticket) {
    auto store = store::OpenStateStore(store_url_);
    std::vector<std::string> const ids = {ticket};
    auto refs = (*store)->GetForgeRefsById("ticket", ids);
    EXPECT_TRUE(refs.ok());
    return refs.ok() && !refs->empty() ? refs->front().ref : std::string();
  };
  ASSERT_GT(flags_of("TCK-P"), 0U);  // a Forge-only case
  ASSERT_EQ(flags_of("TCK-H"), 0U);  // the same case as H
  ASSERT_EQ(link_of("TCK-H"), kCaseH.substr(0, 15));

  json tickets = ForgeSeed()["tickets"];
  json cleared = tickets[1];  // TCK-H
  cleared.erase("salesforce_case_id");
  cleared["updated_at"] = "2026-03-05T16:00:00Z";
  json now_linked = tickets[3];  // TCK-P
  now_linked["salesforce_case_id"] = kCaseI;
  now_linked["updated_at"] = "2026-03-05T16:00:00Z";
  ASSERT_TRUE(forge_->SeedFromJson({{"tickets", json::array({cleared, now_linked})}}).ok());
  clock_->Set(*ParseInstant("2026-03-05T16:30:00Z"));
  auto second = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-05T16:30:00Z",
                        "--log-format", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(flags_of("TCK-P"), 0U) << second.out;
  EXPECT_GT(flags_of(kCaseI), 0U);
  EXPECT_EQ(link_of("TCK-P"), kCaseI.substr(0, 15));
  EXPECT_GT(flags_of("TCK-H"), 0U) << second.out;
  EXPECT_EQ(link_of("TCK-H"), "");
  EXPECT_GT(flags_of(kCaseH), 0U);
  // TCK-P's own re-checks stopped with it: a later run does not bring its flags back.
  clock_->Set(*ParseInstant("2026-03-07T15:00:00Z"));
  auto later = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-07T15:00:00Z",
                       "--log-format", "json"});
  ASSERT_EQ(later.exit_code, 0) << later.out << later.err;
  EXPECT_EQ(flags_of("TCK-P"), 0U);
}

// An interaction logged in Forge on a Forge-only ticket (issue 16): the ticket is evaluated
// again although the ticket record itself did not change.
TEST_P(SyncForge, AnInteractionLoggedInForgeReEvaluatesItsTicket) {
  auto first = Sync();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto messages = [&] {
    auto store = store::OpenStateStore(store_url_);
    auto flags = (*store)->GetCaseFlags("TCK-P");
    EXPECT_TRUE(flags.ok());
    int n = 0;
    for (auto const& f : *flags) n += f.rule_id == "response_4bh" ? 1 : 0;
    return n;
  };
  int const before = messages();
  json message = {{"id", "INT-P1"},
                  {"ticket_id", "TCK-P"},
                  {"customer_id", "C-P"},
                  {"kind", "email"},
                  {"direction", "inbound"},
                  {"party", "customer"},
                  {"subject", "Any news?"},
                  {"occurred_at", "2026-03-05T16:00:00Z"},
                  {"created_at", "2026-03-05T16:00:00Z"},
                  {"updated_at", "2026-03-05T16:00:00Z"}};
  ASSERT_TRUE(forge_->SeedFromJson({{"interactions", json::array({message})}}).ok());
  clock_->Set(*ParseInstant("2026-03-05T16:30:00Z"));
  auto second = RunCli({"sync", "--once", "--config", config_, "--now", "2026-03-05T16:30:00Z",
                        "--log-format", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(messages(), before + 1) << second.out;
}

TEST_P(SyncForge, AServiceTicketOlderThanTheReadWindowIsNotCreatedAgain) {
  json old_service = {{"id", "SVC-OLD"},
                      {"number", "S-0"},
                      {"ticket_id", "TCK-G"},
                      {"customer_id", "C-G"},
                      {"summary", "Inspect roof"},
                      {"status", "completed"},
                      {"created_at", "2025-11-01T18:00:00Z"},
                      {"updated_at", "2025-11-01T18:00:00Z"}};
  auto seeded = forge_->SeedFromJson({{"service_tickets", json::array({old_service})}});
  ASSERT_TRUE(seeded.ok()) << seeded;
  auto r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ServiceTickets(),
            (std::map<std::string, int>{{"TCK-F", 1}, {"TCK-G", 1}, {"TCK-H", 1}}));
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncForge, ::testing::Values("sqlite", "postgresql"),
                         [](auto const& info) { return info.param; });

}  // namespace
}  // namespace casebridge
