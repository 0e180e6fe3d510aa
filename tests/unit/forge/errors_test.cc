// The Forge HTTP -> Status table (connector/forge/errors.h) and Retry-After parsing.
#include <gtest/gtest.h>

#include "auth/forge_login.h"
#include "connector/forge/errors.h"
#include "tests/support/fake_transport.h"

namespace casebridge::forge {
namespace {

Instant const kNow = *ParseInstant("2026-03-02T14:05:00Z");

TEST(ForgeErrors, VendorCodesWinOverHttpStatus) {
  EXPECT_EQ(StatusCodeFor(400, "rate_limited"), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeFor(403, "quota_exceeded"), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusCodeFor(400, "token_expired"), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusCodeFor(500, "validation_failed"), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeFor(400, "not_found"), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeFor(400, "forbidden"), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusCodeFor(400, "conflict"), StatusCode::kAlreadyExists);
}

TEST(ForgeErrors, HttpStatusTable) {
  EXPECT_EQ(StatusCodeFor(400, ""), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeFor(401, ""), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusCodeFor(403, ""), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusCodeFor(404, ""), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeFor(410, ""), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeFor(408, ""), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StatusCodeFor(409, ""), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeFor(412, ""), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusCodeFor(415, ""), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeFor(422, "unknown_code"), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeFor(429, ""), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeFor(500, ""), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeFor(502, ""), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeFor(503, ""), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeFor(501, ""), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeFor(302, ""), StatusCode::kInternal);
}

TEST(ForgeErrors, ErrorFromResponseCarriesCodeFieldRequestIdAndRetryAfter) {
  auto const r = testing_util::MakeResponse(
      422, R"({"error":{"code":"validation_failed","message":"bad\nkind","field":"kind"}})",
      {{"X-Request-Id", "req-7"}, {"Retry-After", "3"}});
  auto const s = ErrorFromResponse(r, "POST /api/v1/interactions", kNow);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "POST /api/v1/interactions: HTTP 422 validation_failed: bad kind (field kind)");
  EXPECT_EQ(s.info().http_status, 422);
  EXPECT_EQ(s.info().vendor_code, "validation_failed");
  EXPECT_EQ(s.info().field, "kind");
  EXPECT_EQ(s.info().request_id, "req-7");
  EXPECT_EQ(s.retry_after(), std::chrono::seconds(3));
}

TEST(ForgeErrors, ANonJsonErrorBodyStillMapsByStatus) {
  auto const r = testing_util::MakeResponse(502, "<html>Bad gateway</html>");
  auto const s = ErrorFromResponse(r, "GET /api/v1/tickets", kNow);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "GET /api/v1/tickets: HTTP 502");
}

TEST(ForgeErrors, EndpointNameNeverIncludesTheQuery) {
  EXPECT_EQ(EndpointName(http::Method::kGet,
                         "https://forge.example.com/api/v1/tickets?customer_id=C-1&limit=5"),
            "GET /api/v1/tickets");
}

TEST(ForgeRetryAfter, AcceptsSecondsAndHttpDates) {
  EXPECT_EQ(auth::ParseRetryAfter("120", kNow), std::chrono::seconds(120));
  EXPECT_EQ(auth::ParseRetryAfter(" 0 ", kNow), std::chrono::seconds(0));
  EXPECT_EQ(auth::ParseRetryAfter("Mon, 02 Mar 2026 14:06:30 GMT", kNow), std::chrono::seconds(90));
  EXPECT_EQ(auth::ParseRetryAfter("Mon, 02 Mar 2026 14:00:00 GMT", kNow), std::chrono::seconds(0));
  EXPECT_EQ(auth::ParseRetryAfter("soon", kNow), std::chrono::seconds(0));
  EXPECT_EQ(auth::ParseRetryAfter("-5", kNow), std::chrono::seconds(0));
  EXPECT_EQ(auth::ParseRetryAfter("99999999999999999999", kNow), std::chrono::hours(24));
}

TEST(ForgeRetryAfter, SanitizeRedactsSecretsAndControlCharacters) {
  EXPECT_EQ(auth::SanitizeServerMessage("pw hunter2 and hunter2\n", "hunter2"),
            "pw <redacted> and <redacted> ");
  EXPECT_EQ(auth::SanitizeServerMessage(std::string(300, 'x'), {}, 10), "xxxxxxxxxx…");
}

}  // namespace
}  // namespace casebridge::forge
