// The Forge HTTP -> Status table (connector/forge/errors.h); the shared HTTP part is tested in
// tests/unit/http/response_errors_test.cc.
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

TEST(ForgeErrors, ALongServerMessageKeepsItsEnd) {
  auto const r = testing_util::MakeResponse(
      422, R"({"error":{"code":"validation_failed","message":")" + std::string(400, 'x') +
               R"( kind must be one of note, email"}})");
  auto const s = ErrorFromResponse(r, "POST /api/v1/interactions", kNow);
  EXPECT_NE(s.message().find("kind must be one of note, email"), std::string::npos) << s;
  EXPECT_LT(s.message().size(), 400U);
}

TEST(ForgeErrors, RetryAfterAsAnHttpDate) {
  auto const r =
      testing_util::MakeResponse(503, "", {{"Retry-After", "Mon, 02 Mar 2026 14:06:30 GMT"}});
  EXPECT_EQ(ErrorFromResponse(r, "GET /api/v1/tickets", kNow).retry_after(),
            std::chrono::seconds(90));
}

TEST(ForgeLoginMessages, SanitizeRedactsSecretsAndControlCharacters) {
  EXPECT_EQ(auth::SanitizeServerMessage("pw hunter2 and hunter2\n", "hunter2"),
            "pw <redacted> and <redacted> ");
  EXPECT_EQ(auth::SanitizeServerMessage(std::string(300, 'x'), {}, 10), "xxxxxxxxxx…");
}

}  // namespace
}  // namespace casebridge::forge
