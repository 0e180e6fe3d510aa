// The Forge client over the real HTTP transport against the Forge emulator on 127.0.0.1:
// login and re-login on expiry, paging over several pages, 429 handling, idempotent
// forge_document, service tickets and tasks, snapshots of every tier, the auth check and a wrong
// password that is never echoed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "connector/forge/auth_check.h"
#include "connector/forge/client.h"
#include "connector/forge/reader.h"
#include "connector/http/cpprest_transport.h"
#include "connector/sandbox/forge_emulator.h"
#include "mappings/forge_mapping.h"
#include "tests/support/fake_transport.h"

namespace casebridge::forge {
namespace {

using nlohmann::json;

constexpr char const* kPasswordEnv = "CASEBRIDGE_IT_FORGE_PASSWORD";
constexpr char const* kGoodPassword = "forge-sandbox-password";

Instant At(char const* iso) { return *ParseInstant(iso); }

class ForgeAgainstEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.SeedFromJson(json::parse(sandbox::DefaultForgeSeed())).ok());
    ASSERT_TRUE(emulator_.Start().ok());
    ::setenv(kPasswordEnv, kGoodPassword, 1);
  }

  mappings::ForgeConfig Config() const {
    mappings::ForgeConfig c;
    c.base_url = emulator_.base_url();
    c.email = "integration@forge.sandbox";
    c.password.env = kPasswordEnv;
    return c;
  }

  Client MakeClient(ClientOptions options = {}) {
    options.connection.request_timeout = std::chrono::seconds(10);
    auto mapping = mappings::LoadForgeMappingOrError("");
    EXPECT_TRUE(mapping.ok()) << mapping.status();
    auto c = Client::Create(Config(), *mapping, wire_, options, sleeper_, clock_);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }

  static DocumentRequest Document(std::string key) {
    DocumentRequest d;
    d.idempotency_key = std::move(key);
    d.kind = DocumentKind::kEmail;
    d.direction = Direction::kOutbound;
    d.party = Party::kCustomer;
    d.occurred_at = At("2026-03-04T14:00:00Z");
    d.subject = "Update on your inverter";
    d.body = "We have asked the installer to call you today.";
    d.ticket_id = "TCK-000102";
    d.source_ref = "02sDn000000Email1";
    return d;
  }

  sandbox::ForgeEmulator emulator_;
  std::shared_ptr<http::HttpTransport> wire_ =
      std::make_shared<http::CpprestTransport>(http::CpprestTransportOptions{});
  testing_util::RecordingSleeper sleeper_;
  std::shared_ptr<testing_util::SettableClock> clock_ =
      std::make_shared<testing_util::SettableClock>(At("2026-03-07T12:00:00Z"));
};

TEST_F(ForgeAgainstEmulator, LogsInAndLogsInAgainOnceWhenTheTokenExpires) {
  auto client = MakeClient();
  auto t = client.GetTicket("TCK-000103");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->tier, 3);
  EXPECT_EQ(emulator_.Logins(), 1);

  emulator_.ExpireAllTokens();
  t = client.GetTicket("TCK-000104");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->tier, 4);
  EXPECT_EQ(emulator_.Logins(), 2);
  EXPECT_EQ(client.logins(), 2);
  auto const calls = client.calls();
  EXPECT_EQ(calls.login, 2);
  EXPECT_EQ(calls.read, 3);  // the 401 and its replay both count
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kTickets), 3);
}

TEST_F(ForgeAgainstEmulator, AnInjectedTokenExpiryIsHandledTheSameWay) {
  auto client = MakeClient();
  ASSERT_TRUE(client.Login().ok());
  sandbox::ForgeFaultSpec fault;
  fault.endpoint = sandbox::ForgeEndpoint::kTasks;
  fault.kind = sandbox::ForgeFaultKind::kTokenExpired;
  emulator_.InjectFault(fault);
  int n = 0;
  ASSERT_TRUE(client
                  .ListTasks({},
                             [&](Task const&) {
                               ++n;
                               return OkStatus();
                             })
                  .ok());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(emulator_.Logins(), 2);
}

TEST_F(ForgeAgainstEmulator, PagesThroughSeveralPages) {
  json tickets = json::array();
  for (int i = 0; i < 23; ++i) {
    tickets.push_back({{"id", "BULK-" + std::to_string(100 + i)},
                       {"escalation_tier", 1 + i % 4},
                       {"created_at", "2026-03-08T10:00:00Z"},
                       {"updated_at", "2026-03-08T11:00:00Z"}});
  }
  ASSERT_TRUE(emulator_.SeedFromJson({{"tickets", tickets}}).ok());
  ClientOptions options;
  options.page_size = 5;
  auto client = MakeClient(options);
  emulator_.ResetRequestCounts();
  std::set<std::string> ids;
  TicketQuery q;
  q.updated_since = At("2026-03-08T11:00:00Z");  // after every default-seed ticket
  ASSERT_TRUE(client
                  .ListTickets(q,
                               [&](Ticket const& t) {
                                 EXPECT_TRUE(ids.insert(t.id).second) << "duplicate " << t.id;
                                 return OkStatus();
                               })
                  .ok());
  EXPECT_EQ(ids.size(), 23U);
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kTickets), 5);  // 5+5+5+5+3
  EXPECT_EQ(client.calls().read, 5);
}

TEST_F(ForgeAgainstEmulator, WaitsOutRateLimitingAndSucceeds) {
  sandbox::ForgeFaultSpec fault;
  fault.endpoint = sandbox::ForgeEndpoint::kInteractions;
  fault.kind = sandbox::ForgeFaultKind::kRateLimited;
  fault.count = 2;
  fault.retry_after = std::chrono::seconds(2);
  emulator_.InjectFault(fault);
  auto client = MakeClient();
  int n = 0;
  InteractionQuery q;
  q.ticket_id = "TCK-000104";
  ASSERT_TRUE(client
                  .ListInteractions(q,
                                    [&](Interaction const&) {
                                      ++n;
                                      return OkStatus();
                                    })
                  .ok());
  EXPECT_EQ(n, 2);
  auto const delays = sleeper_.delays();
  ASSERT_EQ(delays.size(), 2U);
  for (auto d : delays) EXPECT_GE(d, std::chrono::seconds(2));
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kInteractions), 3);
}

TEST_F(ForgeAgainstEmulator, PersistentRateLimitingFailsAsUnavailableAfterTheRetries) {
  sandbox::ForgeFaultSpec fault;
  fault.endpoint = sandbox::ForgeEndpoint::kTickets;
  fault.kind = sandbox::ForgeFaultKind::kRateLimited;
  fault.count = 10;
  emulator_.InjectFault(fault);
  ClientOptions options;
  options.connection.retry.max_attempts = 3;
  auto client = MakeClient(options);
  auto t = client.GetTicket("TCK-000101");
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.status().info().http_status, 429);
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kTickets), 3);
}

TEST_F(ForgeAgainstEmulator, ForgeDocumentTwiceWithTheSameKeyIsOneRecord) {
  auto client = MakeClient();
  auto const before = emulator_.Records("interactions").size();
  auto first = client.CreateDocument(Document("500Dn00000SbX0002A:forge_document:1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  auto second = client.CreateDocument(Document("500Dn00000SbX0002A:forge_document:1"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);
  auto const records = emulator_.Records("interactions");
  ASSERT_EQ(records.size(), before + 1);
  auto const it = std::find_if(records.begin(), records.end(),
                               [&](json const& r) { return r.at("id") == first->id; });
  ASSERT_NE(it, records.end());
  EXPECT_EQ(it->at("external_key"), "500Dn00000SbX0002A:forge_document:1");
  EXPECT_EQ(it->at("source"), "salesforce");
  EXPECT_EQ(it->at("source_ref"), "02sDn000000Email1");
  EXPECT_EQ(it->at("customer_id"), "C-1002");
  // A different key is a different document.
  auto third = client.CreateDocument(Document("500Dn00000SbX0002A:forge_document:2"));
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->id, first->id);
}

// A key Forge already knows, answered with a record mirroring another Salesforce record (the
// key was reused, e.g. by a ledger restored from an old backup): not taken as written.
TEST_F(ForgeAgainstEmulator, AReplayedKeyAnsweredWithAnotherRecordsRefIsRefused) {
  auto client = MakeClient();
  auto first = client.CreateDocument(Document("500Dn00000SbX0002A:forge_document:5"));
  ASSERT_TRUE(first.ok()) << first.status();
  auto other = Document("500Dn00000SbX0002A:forge_document:5");
  other.source_ref = "02sDn000000Email9";
  auto replay = client.CreateDocument(other);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(replay.status().message(), ::testing::HasSubstr("02sDn000000Email9"));
  EXPECT_THAT(replay.status().message(), ::testing::HasSubstr(first->id));
  // The service ticket of another case under a reused key: the same.
  ServiceTicketRequest r;
  r.idempotency_key = "500Dn00000SbX0003A:forge_service_ticket:9";
  r.customer_id = "C-1003";
  r.ticket_id = "TCK-000103";
  r.salesforce_case_id = "500Dn00000SbX0003A";
  r.summary = "Storm damage";
  ASSERT_TRUE(client.CreateServiceTicket(r).ok());
  r.salesforce_case_id = "500Dn00000SbX0004A";
  auto st = client.CreateServiceTicket(r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ForgeAgainstEmulator, ADroppedConnectionAfterTheCreateStillYieldsOneDocument) {
  sandbox::ForgeFaultSpec fault;
  fault.endpoint = sandbox::ForgeEndpoint::kInteractions;
  fault.kind = sandbox::ForgeFaultKind::kDropConnection;
  emulator_.InjectFault(fault);
  auto client = MakeClient();
  auto const before = emulator_.Records("interactions").size();
  auto out = client.CreateDocument(Document("500Dn00000SbX0002A:forge_document:7"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->created);  // the retry found the record the cut-off attempt had created
  EXPECT_EQ(emulator_.Records("interactions").size(), before + 1);
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kInteractions), 2);
}

TEST_F(ForgeAgainstEmulator, CreatesAServiceTicketOnceForATierThreeCase) {
  auto client = MakeClient();
  ServiceTicketRequest r;
  r.idempotency_key = "500Dn00000SbX0003A:forge_service_ticket:1";
  r.customer_id = "C-1003";
  r.ticket_id = "TCK-000103";
  r.salesforce_case_id = "500Dn00000SbX0003A";
  r.summary = "Storm damage: two cracked panels";
  r.description = "Customer sent photos; schedule a site visit.";
  auto first = client.CreateServiceTicket(r);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = client.CreateServiceTicket(r);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first->id);
  std::vector<ServiceTicket> found;
  ServiceTicketQuery q;
  q.salesforce_case_id = "500Dn00000SbX0003A";
  ASSERT_TRUE(client
                  .ListServiceTickets(q,
                                      [&](ServiceTicket const& s) {
                                        found.push_back(s);
                                        return OkStatus();
                                      })
                  .ok());
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].status, "requested");
  EXPECT_EQ(found[0].external_key, r.idempotency_key);
}

TEST_F(ForgeAgainstEmulator, CreatesTasksAndListsThemByAssigneeAndStatus) {
  auto client = MakeClient();
  TaskRequest t;
  t.idempotency_key = "TCK-000102:tier_followup:1";
  t.title = "Update the customer about the inverter";
  t.assigned_to = "u-dana";
  t.due_at = At("2026-03-04T15:30:00Z");
  t.ticket_id = "TCK-000102";
  ASSERT_TRUE(client.CreateTask(t).ok());
  std::map<std::string, std::string> open;
  TaskQuery q;
  q.assigned_to = "u-dana";
  q.status = TaskStatus::kOpen;
  ASSERT_TRUE(client
                  .ListTasks(q,
                             [&](Task const& task) {
                               open[task.id] = task.title;
                               return OkStatus();
                             })
                  .ok());
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(open.begin()->second, "Update the customer about the inverter");
  int in_progress = 0;
  q.status = TaskStatus::kInProgress;
  ASSERT_TRUE(client
                  .ListTasks(q,
                             [&](Task const&) {
                               ++in_progress;
                               return OkStatus();
                             })
                  .ok());
  EXPECT_EQ(in_progress, 1);  // the seeded TSK-000301
}

TEST_F(ForgeAgainstEmulator, ReadsEveryTicketAsASnapshotWithItsTierAndEvents) {
  auto client = MakeClient();
  auto changes = ReadChangedSince(client, At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_TRUE(changes->skipped.empty());
  std::map<std::string, engine::Snapshot> by_id;
  for (auto const& s : changes->snapshots) by_id[s.id] = s;
  ASSERT_EQ(by_id.size(), 5U);
  EXPECT_EQ(by_id.at("TCK-000101").tier, 1);
  EXPECT_EQ(by_id.at("TCK-000102").tier, 2);
  EXPECT_EQ(by_id.at("TCK-000103").tier, 3);
  EXPECT_EQ(by_id.at("TCK-000104").tier, 4);
  EXPECT_EQ(by_id.at("TCK-000105").tier, 0);
  for (auto const& [id, s] : by_id) EXPECT_EQ(s.source, "forge") << id;

  auto types = [&](std::string const& id) {
    std::vector<engine::EventType> out;
    for (auto const& e : by_id.at(id).events) out.push_back(e.type);
    return out;
  };
  using E = engine::EventType;
  EXPECT_EQ(types("TCK-000101"), (std::vector<E>{E::kCustomerMessage, E::kHomeownerContacted}));
  EXPECT_EQ(types("TCK-000102"), (std::vector<E>{E::kCustomerMessage, E::kInstallerCalled}));
  EXPECT_EQ(by_id.at("TCK-000102").events[1].outcome, engine::CallOutcome::kVoicemail);
  EXPECT_EQ(types("TCK-000104"), (std::vector<E>{E::kCustomerMessage, E::kManagerNotified}));
  // INT-000209 is attached to the customer only: it belongs to the customer's open ticket.
  EXPECT_EQ(types("TCK-000105"), (std::vector<E>{E::kCustomerMessage}));
  EXPECT_EQ(by_id.at("TCK-000101").closed_at, At("2026-03-02T16:10:00Z"));
  EXPECT_EQ(by_id.at("TCK-000103").owner, "queue:back_office");
  EXPECT_EQ(by_id.at("TCK-000104").financing, engine::Financing::kBeam);
  EXPECT_EQ(by_id.at("TCK-000104").owner, "user:u-dana");
  EXPECT_EQ(changes->watermark, At("2026-03-06T16:51:00Z"));
}

TEST_F(ForgeAgainstEmulator, ManyTicketsShareOneInteractionListingAndGetTheSameSnapshots) {
  auto client = MakeClient();
  // Events as text, sorted (the engine sorts by time; listing order may differ).
  auto events_of = [](ForgeChanges const& c) {
    std::map<std::string, std::vector<std::string>> out;
    for (auto const& s : c.snapshots) {
      auto& list = out[s.id];
      for (auto const& e : s.events) {
        list.push_back(FormatInstant(e.at) + " " + std::string(engine::EventTypeName(e.type)));
      }
      std::sort(list.begin(), list.end());
    }
    return out;
  };
  auto const calls = [&] { return emulator_.RequestCount(sandbox::ForgeEndpoint::kInteractions); };
  auto const start = calls();
  auto per_ticket = ReadChangedSince(client, At("2026-01-01T00:00:00Z"), 1000);
  ASSERT_TRUE(per_ticket.ok()) << per_ticket.status();
  auto const per_ticket_calls = calls() - start;
  auto listed = ReadChangedSince(client, At("2026-01-01T00:00:00Z"), 0);
  ASSERT_TRUE(listed.ok()) << listed.status();
  auto const listed_calls = calls() - start - per_ticket_calls;
  EXPECT_EQ(events_of(*listed), events_of(*per_ticket));
  EXPECT_EQ(listed->snapshots.size(), 5U);
  // The changed-interactions listing plus one listing of them all (one page each).
  EXPECT_EQ(listed_calls, 2);
  EXPECT_GT(per_ticket_calls, 5);
}

TEST_F(ForgeAgainstEmulator, AnIncrementalReadReturnsOnlyTheTicketsThatChanged) {
  auto client = MakeClient();
  auto first = ReadChangedSince(client, At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(first.ok()) << first.status();
  json const update = {{"interactions",
                        {{{"id", "INT-NEW-1"},
                          {"ticket_id", "TCK-000102"},
                          {"kind", "call"},
                          {"direction", "outbound"},
                          {"party", "customer"},
                          {"outcome", "reached"},
                          {"occurred_at", "2026-03-07T10:00:00Z"},
                          {"created_at", "2026-03-07T10:01:00Z"},
                          {"updated_at", "2026-03-07T10:01:00Z"}}}}};
  ASSERT_TRUE(emulator_.SeedFromJson(update).ok());
  auto second = ReadChangedSince(client, At("2026-03-07T00:00:00Z"));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->snapshots.size(), 1U);
  auto const& s = second->snapshots[0];
  EXPECT_EQ(s.id, "TCK-000102");
  // The snapshot is complete: the old interactions and the new call.
  ASSERT_EQ(s.events.size(), 3U);
  EXPECT_EQ(s.events[2].type, engine::EventType::kHomeownerContacted);
  EXPECT_EQ(second->watermark, At("2026-03-07T10:01:00Z"));
}

TEST_F(ForgeAgainstEmulator, AWrongPasswordIsUnauthenticatedAndNeverEchoed) {
  ::setenv(kPasswordEnv, "Wrong-Pa55word-xyz", 1);
  auto client = MakeClient();
  auto t = client.GetTicket("TCK-000101");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(t.status().ToString().find("Wrong-Pa55word-xyz"), std::string::npos);
  EXPECT_EQ(emulator_.Logins(), 0);
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kTickets), 0);
}

TEST_F(ForgeAgainstEmulator, AuthCheckPrintsWhoItIsWithoutTheToken) {
  auto mapping = *mappings::LoadForgeMappingOrError("");
  std::ostringstream out;
  auto s = CheckForgeAuth(Config(), mapping, wire_, clock_, sleeper_, out);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_NE(out.str().find("forge: authenticated at " + emulator_.base_url()), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("integration@forge.sandbox (casebridge integration, id u-integration)"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("fg_"), std::string::npos);  // emulator tokens start with fg_
  EXPECT_EQ(out.str().find(kGoodPassword), std::string::npos);

  ::setenv(kPasswordEnv, "Wrong-Pa55word-xyz", 1);
  std::ostringstream out2;
  s = CheckForgeAuth(Config(), mapping, wire_, clock_, sleeper_, out2);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message().find("Wrong-Pa55word-xyz"), std::string::npos);
  EXPECT_TRUE(out2.str().empty());
}

TEST_F(ForgeAgainstEmulator, TruncatedBodiesAndServerErrorsOnReadsAreRetried) {
  sandbox::ForgeFaultSpec malformed;
  malformed.endpoint = sandbox::ForgeEndpoint::kTickets;
  malformed.kind = sandbox::ForgeFaultKind::kMalformedBody;
  emulator_.InjectFault(malformed);
  sandbox::ForgeFaultSpec busy;
  busy.endpoint = sandbox::ForgeEndpoint::kTickets;
  busy.kind = sandbox::ForgeFaultKind::kHttp503;
  emulator_.InjectFault(busy);
  auto client = MakeClient();
  auto t = client.GetTicket("TCK-000105");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(emulator_.RequestCount(sandbox::ForgeEndpoint::kTickets), 3);
  EXPECT_EQ(sleeper_.delays().size(), 2U);
}

}  // namespace
}  // namespace casebridge::forge
