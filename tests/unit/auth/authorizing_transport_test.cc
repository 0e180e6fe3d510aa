#include "auth/authorizing_transport.h"

#include <gtest/gtest.h>

#include <deque>

#include "tests/support/fake_transport.h"

namespace casebridge::auth {
namespace {

using testing_util::FakeTransport;

// Hands out queued tokens (or errors) in order and counts fetches.
class ScriptedTokenSource : public TokenSource {
 public:
  void Add(std::string token, std::string instance = "https://acme.my.salesforce.com") {
    Token t;
    t.access_token = SecretString(std::move(token));
    t.instance_url = std::move(instance);
    t.identity_url = "https://login.salesforce.com/id/00D/005";
    replies_.emplace_back(std::move(t));
  }
  void AddError(Status s) { replies_.emplace_back(std::move(s)); }
  StatusOr<Token> Fetch() override {
    ++fetches;
    if (replies_.empty()) return InternalError("no token scripted");
    auto r = std::move(replies_.front());
    replies_.pop_front();
    return r;
  }
  int fetches = 0;

 private:
  std::deque<StatusOr<Token>> replies_;
};

struct Fixture {
  std::shared_ptr<FakeTransport> wire = std::make_shared<FakeTransport>();
  std::shared_ptr<ScriptedTokenSource> source = std::make_shared<ScriptedTokenSource>();
  std::shared_ptr<TokenCache> cache = std::make_shared<TokenCache>(source);
  AuthorizingTransport transport{wire, cache};
};

http::HttpRequest Get(std::string url) {
  http::HttpRequest r;
  r.url = std::move(url);
  return r;
}

constexpr char const* kExpired =
    R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])";

TEST(AuthorizingTransport, AddsBearerAndResolvesRelativeUrlsOnTheInstance) {
  Fixture f;
  f.source->Add("tok-1");
  f.wire->Enqueue(200, "{}");
  f.wire->Enqueue(200, "{}");
  ASSERT_TRUE(f.transport.Send(Get("/services/data/v62.0/limits")).ok());
  ASSERT_TRUE(f.transport.Send(Get("https://acme.my.salesforce.com/services/data/v62.0/x")).ok());
  auto const reqs = f.wire->requests();
  EXPECT_EQ(reqs[0].url, "https://acme.my.salesforce.com/services/data/v62.0/limits");
  EXPECT_EQ(reqs[0].headers.Get("Authorization").value_or(""), "Bearer tok-1");
  EXPECT_EQ(reqs[1].headers.Get("Authorization").value_or(""), "Bearer tok-1");
  EXPECT_EQ(f.source->fetches, 1);  // cached
}

TEST(AuthorizingTransport, OnlySendsTheTokenToTheInstanceAndIdentityHosts) {
  Fixture f;
  f.source->Add("tok-1");
  f.wire->Enqueue(200, "{}");
  EXPECT_TRUE(f.transport.Send(Get("https://login.salesforce.com/id/00D/005")).ok());
  auto elsewhere = f.transport.Send(Get("https://evil.example/services/data/v62.0/query"));
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kInvalidArgument);
  auto other_port = f.transport.Send(Get("https://acme.my.salesforce.com:8443/x"));
  EXPECT_EQ(other_port.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f.wire->request_count(), 1U);
}

TEST(AuthorizingTransport, AServerEchoingTheRequestNeverHandsTheTokenBack) {
  // A hostile or broken server answers with the request, Authorization header included, in its
  // error body; that body becomes the message the user sees (issue 12, secret canaries).
  Fixture f;
  f.source->Add("00D000000000001!tok-echoed-by-the-server");
  f.wire->Enqueue(400,
                  R"([{"message":"echo: Authorization:Bearer 00D000000000001!tok-echoed-by-the-)"
                  R"(server","errorCode":"INVALID_FIELD"}])");
  auto r = f.transport.Send(Get("/services/data/v62.0/query"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body.find("tok-echoed-by-the-server"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("Bearer <redacted>"), std::string::npos) << r->body;
}

TEST(AuthorizingTransport, PlainHttpOnlyForLoopbackInstances) {
  Fixture f;
  f.source->Add("tok-1", "http://sf.example.com");
  auto refused = f.transport.Send(Get("/services/data/v62.0/limits"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f.wire->request_count(), 0U);

  Fixture g;
  g.source->Add("tok-1", "http://127.0.0.1:39001");
  g.wire->Enqueue(200, "{}");
  EXPECT_TRUE(g.transport.Send(Get("/services/data/v62.0/limits")).ok());
  EXPECT_EQ(g.wire->requests()[0].url, "http://127.0.0.1:39001/services/data/v62.0/limits");
}

TEST(AuthorizingTransport, ExpiredSessionReauthenticatesOnceAndReplays) {
  Fixture f;
  f.source->Add("tok-1");
  f.source->Add("tok-2", "https://acme2.my.salesforce.com");  // instance moved meanwhile
  f.wire->Enqueue(401, kExpired);
  f.wire->Enqueue(200, R"({"ok":true})");
  http::HttpRequest post;
  post.method = http::Method::kPatch;
  post.url = "/services/data/v62.0/sobjects/Case/500A";
  post.body = R"({"Status":"Open"})";
  auto r = f.transport.Send(post);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.source->fetches, 2);
  auto const reqs = f.wire->requests();
  ASSERT_EQ(reqs.size(), 2U);
  EXPECT_EQ(reqs[1].headers.Get("Authorization").value_or(""), "Bearer tok-2");
  EXPECT_EQ(reqs[1].url, "https://acme2.my.salesforce.com/services/data/v62.0/sobjects/Case/500A");
  EXPECT_EQ(reqs[1].body, post.body);
}

TEST(AuthorizingTransport, SecondUnauthorizedIsUnauthenticated) {
  Fixture f;
  f.source->Add("tok-1");
  f.source->Add("tok-2");
  f.wire->Enqueue(401, kExpired);
  f.wire->Enqueue(401, kExpired);
  auto r = f.transport.Send(Get("/services/data/v62.0/query?q=x"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().info().http_status, 401);
  EXPECT_EQ(r.status().info().vendor_code, "INVALID_SESSION_ID");
  EXPECT_EQ(r.status().message().find("tok-"), std::string::npos);
  EXPECT_EQ(r.status().message().find("q=x"), std::string::npos);
  EXPECT_EQ(f.wire->request_count(), 2U);
  EXPECT_EQ(f.source->fetches, 2);
}

TEST(AuthorizingTransport, FailedReauthenticationIsReturned) {
  Fixture f;
  f.source->Add("tok-1");
  f.source->AddError(UnauthenticatedError("Salesforce refused the jwt_bearer token request"));
  f.wire->Enqueue(401, kExpired);
  auto r = f.transport.Send(Get("/services/data/v62.0/query?q=x"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(f.wire->request_count(), 1U);
}

TEST(AuthorizingTransport, OtherStatusesAndTransportErrorsPassThrough) {
  Fixture f;
  f.source->Add("tok-1");
  f.wire->Enqueue(503, "");
  f.wire->EnqueueError(UnavailableError("dropped"));
  auto a = f.transport.Send(Get("/services/data/v62.0/query?q=x"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(f.transport.Send(Get("/services/data/v62.0/query?q=x")).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(f.source->fetches, 1);
}

TEST(TokenCache, InvalidateOnlyDropsTheStaleToken) {
  auto source = std::make_shared<ScriptedTokenSource>();
  source->Add("tok-1");
  source->Add("tok-2");
  TokenCache cache(source);
  auto first = cache.Get();
  ASSERT_TRUE(first.ok());
  cache.Invalidate(first->access_token);
  auto second = cache.Get();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->access_token.Reveal(), "tok-2");
  cache.Invalidate(first->access_token);  // a late report about tok-1 keeps tok-2
  EXPECT_EQ(cache.Get()->access_token.Reveal(), "tok-2");
  EXPECT_EQ(cache.fetch_count(), 2);
}

}  // namespace
}  // namespace casebridge::auth
