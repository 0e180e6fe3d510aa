// The Forge client over a FakeTransport: login and bearer token, re-login once on 401, paging,
// 429 + Retry-After, retries only for safe requests, idempotent creates, call counting, and
// secrets kept out of statuses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "connector/forge/client.h"
#include "tests/support/fake_transport.h"
#include "tests/unit/forge/forge_test_util.h"

namespace casebridge::forge {
namespace {

using nlohmann::json;
using testing::At;
using testing::Harness;
using testing::kPassword;
using testing::LoginReply;
using testing::ShippedMapping;

std::string Ticket(std::string const& id, std::string const& updated = "2026-03-02T15:00:00Z") {
  return R"({"id":")" + id + R"(","number":"F-1","status":"open","escalation_tier":2,)" +
         R"("created_at":"2026-03-02T14:05:00Z","updated_at":")" + updated + R"("})";
}

std::string Page(std::vector<std::string> const& items, std::string const& next) {
  std::string out = R"({"data":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += items[i];
  }
  out += R"(],"next_cursor":)" + (next.empty() ? std::string("null") : "\"" + next + "\"") + "}";
  return out;
}

std::string Query(std::string const& url) {
  auto const q = url.find('?');
  return q == std::string::npos ? std::string() : url.substr(q + 1);
}

TEST(ForgeClient, LogsInWithEmailAndPasswordThenSendsTheBearerToken) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok-1"));
  h.transport->Enqueue(200, Page({Ticket("T1")}, ""));
  auto client = h.Make();
  std::vector<std::string> ids;
  ASSERT_TRUE(client
                  .ListTickets({},
                               [&](forge::Ticket const& t) {
                                 ids.push_back(t.id);
                                 return OkStatus();
                               })
                  .ok());
  EXPECT_EQ(ids, std::vector<std::string>{"T1"});
  auto const requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].method, http::Method::kPost);
  EXPECT_EQ(requests[0].url, "https://forge.example.com/api/auth/login");
  EXPECT_EQ(requests[0].headers.Get("Content-Type"), "application/json");
  json const body = json::parse(requests[0].body);
  EXPECT_EQ(body, (json{{"email", "integration@forge.example.com"}, {"password", kPassword}}));
  EXPECT_EQ(requests[1].url.rfind("https://forge.example.com/api/v1/tickets?", 0), 0U);
  EXPECT_EQ(requests[1].headers.Get("Authorization"), "Bearer tok-1");
  EXPECT_EQ(requests[1].headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(requests[1].headers.Get("Accept"), "application/json");
}

TEST(ForgeClient, ReLogsInOnceWhenTheTokenExpiresAndReplaysTheRequest) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok-1"));
  h.transport->Enqueue(401, R"({"error":{"code":"token_expired","message":"expired"}})");
  h.transport->Enqueue(200, LoginReply("tok-2"));
  h.transport->Enqueue(200, Ticket("T9"));
  auto client = h.Make();
  auto t = client.GetTicket("T9");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->id, "T9");
  auto const requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 4U);
  EXPECT_EQ(requests[1].headers.Get("Authorization"), "Bearer tok-1");
  EXPECT_EQ(requests[3].headers.Get("Authorization"), "Bearer tok-2");
  EXPECT_EQ(client.logins(), 2);
  EXPECT_EQ(client.calls().login, 2);
  EXPECT_EQ(client.calls().read, 2);
}

TEST(ForgeClient, ASecond401AfterReLoginIsUnauthenticatedWithoutALoop) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok-1"));
  h.transport->Enqueue(401, R"({"error":{"code":"token_expired","message":"expired"}})");
  h.transport->Enqueue(200, LoginReply("tok-2"));
  h.transport->Enqueue(401, R"({"error":{"code":"unauthorized","message":"no"}})");
  auto client = h.Make();
  auto t = client.GetTicket("T9");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(h.transport->request_count(), 4U);
  EXPECT_TRUE(h.sleeper.delays().empty());
}

TEST(ForgeClient, WrongPasswordIsUnauthenticatedAndTheMessageNeverContainsThePassword) {
  Harness h;
  // A server that (wrongly) echoes the password back must not get it into our message.
  h.transport->Enqueue(401, R"({"error":{"code":"invalid_credentials","message":"bad password )" +
                                std::string(kPassword) + R"("}})");
  auto client = h.Make();
  auto s = client.Login();
  ASSERT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message().find(kPassword), std::string::npos) << s.message();
  EXPECT_EQ(s.ToString().find(kPassword), std::string::npos);
  EXPECT_NE(s.message().find("integration@forge.example.com"), std::string::npos);
  EXPECT_NE(s.message().find("invalid_credentials"), std::string::npos);
  EXPECT_EQ(s.info().http_status, 401);
  EXPECT_EQ(h.transport->request_count(), 1U);  // a refused login is not retried
}

TEST(ForgeClient, UnreadablePasswordSourceIsAFailedPreconditionNamingTheVariable) {
  Harness h;
  auto config = testing::Config();
  config.password.env = "CASEBRIDGE_TEST_FORGE_PASSWORD_UNSET";
  ::unsetenv("CASEBRIDGE_TEST_FORGE_PASSWORD_UNSET");
  auto client = Client::Create(config, ShippedMapping(), h.transport, {}, h.sleeper, h.clock);
  ASSERT_TRUE(client.ok());
  auto s = client->Login();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("CASEBRIDGE_TEST_FORGE_PASSWORD_UNSET"), std::string::npos);
  EXPECT_EQ(h.transport->request_count(), 0U);
}

TEST(ForgeClient, PlainHttpToANonLoopbackHostIsRefused) {
  Harness h;
  auto config = testing::Config();
  config.base_url = "http://forge.example.com";
  auto client = Client::Create(config, ShippedMapping(), h.transport, {}, h.sleeper, h.clock);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("forge.base_url"), std::string::npos);
}

TEST(ForgeClient, PagesThroughSeveralPagesFollowingTheCursor) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, Page({Ticket("T1"), Ticket("T2")}, "c-2"));
  h.transport->Enqueue(200, Page({Ticket("T3"), Ticket("T4")}, "c-4"));
  h.transport->Enqueue(200, Page({Ticket("T5")}, ""));
  ClientOptions options;
  options.page_size = 2;
  auto client = h.Make(ShippedMapping(), options);
  std::vector<std::string> ids;
  TicketQuery q;
  q.updated_since = At("2026-03-01T00:00:00Z");
  ASSERT_TRUE(client
                  .ListTickets(q,
                               [&](forge::Ticket const& t) {
                                 ids.push_back(t.id);
                                 return OkStatus();
                               })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"T1", "T2", "T3", "T4", "T5"}));
  auto const requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 4U);
  EXPECT_EQ(Query(requests[1].url), "updated_since=2026-03-01T00%3A00%3A00Z&limit=2");
  EXPECT_EQ(Query(requests[2].url), "updated_since=2026-03-01T00%3A00%3A00Z&limit=2&cursor=c-2");
  EXPECT_EQ(Query(requests[3].url), "updated_since=2026-03-01T00%3A00%3A00Z&limit=2&cursor=c-4");
  EXPECT_EQ(client.calls().read, 3);
}

TEST(ForgeClient, ARepeatedCursorStopsThePagingWithAnError) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, Page({Ticket("T1")}, "same"));
  h.transport->Enqueue(200, Page({Ticket("T2")}, "same"));
  auto client = h.Make();
  auto s = client.ListTickets({}, [](forge::Ticket const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("cursor"), std::string::npos);
}

TEST(ForgeClient, APageWithoutTheItemsArrayIsMalformed) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, R"({"items":[]})");
  auto client = h.Make();
  auto s = client.ListTickets({}, [](forge::Ticket const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.info().field, "data");
}

TEST(ForgeClient, BadRecordsGoToTheBadRecordCallbackAndTheRestIsRead) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200,
                       Page({Ticket("T1"),
                             R"({"id":"T2","escalation_tier":7,"created_at":"2026-03-02T14:05:00Z",
                                      "updated_at":"2026-03-02T14:05:00Z"})",
                             Ticket("T3")},
                            ""));
  auto client = h.Make();
  std::vector<std::string> ids;
  std::vector<Status> bad;
  ASSERT_TRUE(client
                  .ListTickets(
                      {},
                      [&](forge::Ticket const& t) {
                        ids.push_back(t.id);
                        return OkStatus();
                      },
                      [&](Status const& s) { bad.push_back(s); })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"T1", "T3"}));
  ASSERT_EQ(bad.size(), 1U);
  EXPECT_EQ(bad[0].info().field, "escalation_tier");
  EXPECT_NE(bad[0].message().find("ticket T2"), std::string::npos) << bad[0].message();
}

TEST(ForgeClient, Honours429RetryAfterBeforeRetryingARead) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(429, R"({"error":{"code":"rate_limited","message":"slow down"}})",
                       {{"Retry-After", "7"}});
  h.transport->Enqueue(200, Ticket("T1"));
  auto client = h.Make();
  auto t = client.GetTicket("T1");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(h.sleeper.delays().size(), 1U);
  EXPECT_GE(h.sleeper.delays()[0], std::chrono::seconds(7));
  EXPECT_EQ(client.calls().read, 2);
}

TEST(ForgeClient, ARetryAfterLongerThanTheRunWaitsStopsWithResourceExhausted) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(429, R"({"error":{"code":"rate_limited","message":"come back later"}})",
                       {{"Retry-After", "3600"}});
  auto client = h.Make();
  auto t = client.GetTicket("T1");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(t.status().retry_after(), std::chrono::seconds(3600));
  EXPECT_TRUE(h.sleeper.delays().empty());
}

TEST(ForgeClient, RetriesTransientReadFailuresUpToTheAttemptLimit) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  for (int i = 0; i < 3; ++i) {
    h.transport->Enqueue(503, R"({"error":{"code":"unavailable","message":"busy"}})");
  }
  ClientOptions options;
  options.connection.retry.max_attempts = 3;
  auto client = h.Make(ShippedMapping(), options);
  auto t = client.GetTicket("T1");
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.sleeper.delays().size(), 2U);
  EXPECT_EQ(client.calls().read, 3);
}

TEST(ForgeClient, ATruncatedSuccessBodyIsRetriedForReads) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, R"({"id":"T1","numb)");
  h.transport->Enqueue(200, Ticket("T1"));
  auto client = h.Make();
  auto t = client.GetTicket("T1");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(h.sleeper.delays().size(), 1U);
}

TEST(ForgeClient, ADroppedConnectionIsRetriedForReads) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->EnqueueError(UnavailableError("connection reset"));
  h.transport->Enqueue(200, Ticket("T1"));
  auto client = h.Make();
  EXPECT_TRUE(client.GetTicket("T1").ok());
}

TEST(ForgeClient, AMissingTicketIsNotFoundAndNotRetried) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(404, R"({"error":{"code":"not_found","message":"no ticket T1"}})",
                       {{"X-Request-Id", "req-42"}});
  auto client = h.Make();
  auto t = client.GetTicket("T1");
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.status().info().request_id, "req-42");
  EXPECT_EQ(h.transport->request_count(), 2U);
}

DocumentRequest Document() {
  DocumentRequest d;
  d.idempotency_key = "500Dn00000AbCdE:forge_document:1";
  d.kind = DocumentKind::kCall;
  d.direction = Direction::kOutbound;
  d.party = Party::kInstaller;
  d.outcome = "voicemail";
  d.occurred_at = At("2026-03-03T10:00:00Z");
  d.subject = "Called installer";
  d.body = "Left a voicemail";
  d.ticket_id = "T1";
  d.source_ref = "00TDn000001";
  return d;
}

TEST(ForgeClient, CreateDocumentSendsTheIdempotencyKeyAndTheMappedBody) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(201, R"({"id":"INT-9"})");
  auto client = h.Make();
  auto out = client.CreateDocument(Document());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->id, "INT-9");
  EXPECT_TRUE(out->created);
  auto const r = h.transport->requests().at(1);
  EXPECT_EQ(r.method, http::Method::kPost);
  EXPECT_EQ(r.url, "https://forge.example.com/api/v1/interactions");
  EXPECT_EQ(r.headers.Get("Idempotency-Key"), "500Dn00000AbCdE:forge_document:1");
  EXPECT_EQ(json::parse(r.body), (json{{"ticket_id", "T1"},
                                       {"kind", "call"},
                                       {"direction", "outbound"},
                                       {"party", "installer"},
                                       {"subject", "Called installer"},
                                       {"body", "Left a voicemail"},
                                       {"occurred_at", "2026-03-03T10:00:00Z"},
                                       {"source", "salesforce"},
                                       {"source_ref", "00TDn000001"},
                                       {"outcome", "voicemail"}}));
  EXPECT_EQ(client.calls().write, 1);
}

TEST(ForgeClient, CreateDocumentIsRetriedWithTheSameKeyAndAReplayIsNotACreation) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(503, R"({"error":{"code":"unavailable","message":"busy"}})");
  h.transport->Enqueue(200, R"({"id":"INT-9"})");  // the first attempt had gone through
  auto client = h.Make();
  auto out = client.CreateDocument(Document());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->id, "INT-9");
  EXPECT_FALSE(out->created);
  auto const requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_EQ(requests[1].headers.Get("Idempotency-Key"), requests[2].headers.Get("Idempotency-Key"));
  EXPECT_EQ(requests[1].body, requests[2].body);
}

TEST(ForgeClient, CreateDocumentNeedsAKeyAndATicketOrCustomer) {
  Harness h;
  auto client = h.Make();
  auto d = Document();
  d.idempotency_key.clear();
  EXPECT_EQ(client.CreateDocument(d).status().code(), StatusCode::kInvalidArgument);
  d = Document();
  d.ticket_id.clear();
  EXPECT_EQ(client.CreateDocument(d).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.transport->request_count(), 0U);
}

TEST(ForgeClient, CreateServiceTicketSendsTheKeyAndTheMappedFields) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(201, R"({"id":"SVC-1","number":"FS-1"})");
  auto client = h.Make();
  ServiceTicketRequest r;
  r.idempotency_key = "500A:forge_service_ticket:1";
  r.customer_id = "C-1";
  r.ticket_id = "T1";
  r.salesforce_case_id = "500A";
  r.summary = "Storm damage: two cracked panels";
  auto out = client.CreateServiceTicket(r);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->id, "SVC-1");
  auto const sent = h.transport->requests().at(1);
  EXPECT_EQ(sent.url, "https://forge.example.com/api/v1/service-tickets");
  EXPECT_EQ(sent.headers.Get("Idempotency-Key"), "500A:forge_service_ticket:1");
  EXPECT_EQ(json::parse(sent.body), (json{{"customer_id", "C-1"},
                                          {"summary", "Storm damage: two cracked panels"},
                                          {"ticket_id", "T1"},
                                          {"salesforce_case_id", "500A"}}));
}

TaskRequest Task() {
  TaskRequest t;
  t.idempotency_key = "T1:tier_followup:1";
  t.title = "Follow up with the customer";
  t.assigned_to = "u-dana";
  t.due_at = At("2026-03-03T14:05:00Z");
  t.ticket_id = "T1";
  return t;
}

TEST(ForgeClient, CreateTaskUsesTheConfirmedEndpointAndStatus) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(201, R"({"id":"TSK-1"})");
  auto client = h.Make();
  auto out = client.CreateTask(Task());
  ASSERT_TRUE(out.ok()) << out.status();
  auto const sent = h.transport->requests().at(1);
  EXPECT_EQ(sent.url, "https://forge.example.com/api/v1/tasks");
  EXPECT_EQ(json::parse(sent.body), (json{{"title", "Follow up with the customer"},
                                          {"assigned_to", "u-dana"},
                                          {"status", "todo"},
                                          {"due_at", "2026-03-03T14:05:00Z"},
                                          {"ticket_id", "T1"}}));
}

TEST(ForgeClient, WithoutIdempotencyKeysTaskCreationIsSentExactlyOnce) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(503, R"({"error":{"code":"unavailable","message":"busy"}})");
  auto mapping = ShippedMapping();
  mapping.tasks.idempotency_key = false;
  auto client = h.Make(mapping);
  auto out = client.CreateTask(Task());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  auto const requests = h.transport->requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_FALSE(requests[1].headers.Get("Idempotency-Key").has_value());
  EXPECT_TRUE(h.sleeper.delays().empty());
}

TEST(ForgeClient, ListTasksFiltersByAssigneeAndConfirmedStatus) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(
      200, Page({R"({"id":"TSK-1","title":"x","status":"in-progress","assigned_to":"u 1"})"}, ""));
  auto client = h.Make();
  TaskQuery q;
  q.assigned_to = "u 1";
  q.status = TaskStatus::kInProgress;
  std::vector<forge::Task> tasks;
  ASSERT_TRUE(client
                  .ListTasks(q,
                             [&](forge::Task const& t) {
                               tasks.push_back(t);
                               return OkStatus();
                             })
                  .ok());
  ASSERT_EQ(tasks.size(), 1U);
  EXPECT_EQ(tasks[0].status, "in-progress");
  EXPECT_EQ(Query(h.transport->requests().at(1).url),
            "assigned_to=u%201&status=in-progress&limit=100");
}

TEST(ForgeClient, FieldNamesComeFromTheMapping) {
  Harness h;
  auto mapping = ShippedMapping();
  mapping.auth.token_field = "data.access_token";
  mapping.tickets.fields.tier = "triage.tier";
  mapping.tickets.path = "/api/v2/cases";
  mapping.paging.items_field = "results";
  h.transport->Enqueue(200, R"({"data":{"access_token":"tok-n"}})");
  h.transport->Enqueue(200, R"({"results":[{"id":"T1","triage":{"tier":"executive"},
      "created_at":"2026-03-02T14:05:00Z","updated_at":"2026-03-02T14:05:00Z"}],"next_cursor":null})");
  auto client = h.Make(mapping);
  std::vector<forge::Ticket> tickets;
  ASSERT_TRUE(client
                  .ListTickets({},
                               [&](forge::Ticket const& t) {
                                 tickets.push_back(t);
                                 return OkStatus();
                               })
                  .ok());
  ASSERT_EQ(tickets.size(), 1U);
  EXPECT_EQ(tickets[0].tier, 4);
  EXPECT_EQ(h.transport->requests().at(1).url.rfind("https://forge.example.com/api/v2/cases?", 0),
            0U);
  EXPECT_EQ(h.transport->requests().at(1).headers.Get("Authorization"), "Bearer tok-n");
}

TEST(ForgeClient, CountsEveryCallByKind) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, Ticket("T1"));
  h.transport->Enqueue(201, R"({"id":"INT-1"})");
  h.transport->Enqueue(201, R"({"id":"TSK-1"})");
  auto client = h.Make();
  ASSERT_TRUE(client.GetTicket("T1").ok());
  ASSERT_TRUE(client.CreateDocument(Document()).ok());
  ASSERT_TRUE(client.CreateTask(Task()).ok());
  auto const c = client.calls();
  EXPECT_EQ(c.login, 1);
  EXPECT_EQ(c.read, 1);
  EXPECT_EQ(c.write, 2);
  EXPECT_EQ(c.total(), 4);
}

TEST(ForgeClient, CurrentUserReadsTheMappedUserFields) {
  Harness h;
  h.transport->Enqueue(200, LoginReply("tok"));
  h.transport->Enqueue(200, R"({"id":"u-1","email":"a@b.example","name":"A B","role":null})");
  auto client = h.Make();
  auto u = client.CurrentUser();
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->id, "u-1");
  EXPECT_EQ(u->email, "a@b.example");
  EXPECT_EQ(u->name, "A B");
  EXPECT_EQ(h.transport->requests().at(1).url, "https://forge.example.com/api/v1/me");
}

}  // namespace
}  // namespace casebridge::forge
