// The HTTP half of the error vocabulary both clients share (connector/http/response_errors.h).
#include "connector/http/response_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace casebridge::http {
namespace {

Instant const kNow = *ParseInstant("2026-03-02T14:05:00Z");

TEST(ParseRetryAfter, AcceptsDeltaSecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), std::chrono::seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("Mon, 02 Mar 2026 14:06:30 GMT", kNow), std::chrono::seconds(90));
  EXPECT_EQ(ParseRetryAfter("Mon, 02 Mar 2026 14:00:00 GMT", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("Mon, 32 Mar 2026 14:00:00 GMT", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("Mon, 02 Mar 2026 14:00:00 UTC", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("-5", kNow), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("", kNow), std::chrono::seconds(0));
}

TEST(ParseRetryAfter, CapsLongWaitsAtADay) {
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", kNow), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("90000", kNow), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("Fri, 06 Mar 2026 14:05:00 GMT", kNow), std::chrono::hours(24));
}

struct Row {
  int http;
  StatusCode expected;
};

constexpr Row kRows[] = {
    {200, StatusCode::kOk},
    {204, StatusCode::kOk},
    {400, StatusCode::kInvalidArgument},
    {401, StatusCode::kUnauthenticated},
    {403, StatusCode::kPermissionDenied},
    {404, StatusCode::kNotFound},
    {405, StatusCode::kInvalidArgument},
    {408, StatusCode::kDeadlineExceeded},
    {410, StatusCode::kNotFound},
    {412, StatusCode::kFailedPrecondition},
    {418, StatusCode::kInvalidArgument},
    {422, StatusCode::kInvalidArgument},
    {428, StatusCode::kFailedPrecondition},
    {429, StatusCode::kUnavailable},
    {500, StatusCode::kUnavailable},
    {501, StatusCode::kUnavailable},
    {503, StatusCode::kUnavailable},
    {599, StatusCode::kUnavailable},
    {302, StatusCode::kInternal},
    {600, StatusCode::kInternal},
    {0, StatusCode::kInternal},
};

class HttpStatusTable : public ::testing::TestWithParam<Row> {};

TEST_P(HttpStatusTable, MapsTheStatus) {
  EXPECT_EQ(StatusCodeForHttp(GetParam().http), GetParam().expected) << GetParam().http;
}

INSTANTIATE_TEST_SUITE_P(AllRows, HttpStatusTable, ::testing::ValuesIn(kRows));

TEST(EndpointName, NeverIncludesTheQuery) {
  EXPECT_EQ(EndpointName(Method::kGet,
                         "https://forge.example.com/api/v1/tickets?customer_id=C-1&limit=5"),
            "GET /api/v1/tickets");
  EXPECT_EQ(EndpointName(Method::kPatch, "/services/data/v62.0/sobjects/Case/500x"),
            "PATCH /services/data/v62.0/sobjects/Case/500x");
}

TEST(ClipServerMessage, KeepsShortTextAndReplacesControlCharacters) {
  EXPECT_EQ(ClipServerMessage("a\nb\tc\x7f"), "a b c ");
  EXPECT_EQ(ClipServerMessage(std::string(300, 'x')), std::string(300, 'x'));
}

TEST(ClipServerMessage, KeepsTheEndOfALongText) {
  std::string const text = "SELECT " + std::string(500, 'q') + " the deciding sentence";
  auto const out = ClipServerMessage(text, 40);
  EXPECT_EQ(out, "…" + text.substr(text.size() - 40));
  EXPECT_NE(out.find("the deciding sentence"), std::string::npos);
  EXPECT_EQ(out.find("SELECT"), std::string::npos);
}

TEST(ClipServerMessage, NeverStartsInsideAUtf8Sequence) {
  // "é" is two bytes; a cut between them must drop the orphan continuation byte.
  std::string const text =
      "xxxx\xC3\xA9"
      "abc";
  EXPECT_EQ(ClipServerMessage(text, 4), "…abc");
}

TEST(ResponseErrorInfo, CarriesStatusRetryAfterAndTheFirstRequestId) {
  HttpResponse r;
  r.status = 503;
  r.headers.Set("Retry-After", "7");
  r.headers.Set("X-Request-Id", "second");
  r.headers.Set("X-SFDC-Request-Id", "first");
  auto const info = ResponseErrorInfo(r, kNow, {"X-SFDC-Request-Id", "X-Request-Id"});
  EXPECT_EQ(info.http_status, 503);
  EXPECT_EQ(info.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(info.request_id, "first");
}

TEST(ResponseErrorMessage, JoinsTheParts) {
  EXPECT_EQ(ResponseErrorMessage("GET /x", 404, "", ""), "GET /x: HTTP 404");
  EXPECT_EQ(ResponseErrorMessage("GET /x", 400, "INVALID_FIELD", "no such column"),
            "GET /x: HTTP 400 INVALID_FIELD: no such column");
}

TEST(StopOnLongRetryAfter, TurnsALongWaitIntoResourceExhausted) {
  ErrorInfo info;
  info.retry_after = std::chrono::seconds(600);
  Status const failure = UnavailableError("GET /x: HTTP 503", info);
  auto const stopped = StopOnLongRetryAfter(failure, std::chrono::seconds(120), "Forge");
  EXPECT_EQ(stopped.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(stopped.message(),
            "GET /x: HTTP 503; Forge asks to wait 600 s, longer than this run waits (120 s): "
            "stopping so the next run resumes");
  EXPECT_EQ(StopOnLongRetryAfter(failure, std::chrono::seconds(600), "Forge").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(StopOnLongRetryAfter(InvalidArgumentError("x", info), std::chrono::seconds(1), "Forge")
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace casebridge::http
