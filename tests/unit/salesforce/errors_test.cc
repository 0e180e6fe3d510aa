#include "connector/salesforce/errors.h"

#include <gtest/gtest.h>

#include "tests/support/fake_transport.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::salesforce {
namespace {

Instant const kNow = *ParseInstant("2026-03-02T14:05:00Z");

struct Row {
  int http;
  char const* vendor;
  StatusCode expected;
};

// Every row of the table in errors.h.
constexpr Row kRows[] = {
    // Vendor codes win over the HTTP status.
    {403, "REQUEST_LIMIT_EXCEEDED", StatusCode::kResourceExhausted},
    {503, "REQUEST_LIMIT_EXCEEDED", StatusCode::kResourceExhausted},
    {400, "UNABLE_TO_LOCK_ROW", StatusCode::kUnavailable},
    {500, "UNABLE_TO_LOCK_ROW", StatusCode::kUnavailable},
    {503, "SERVER_UNAVAILABLE", StatusCode::kUnavailable},
    {400, "QUERY_TIMEOUT", StatusCode::kDeadlineExceeded},
    {401, "INVALID_SESSION_ID", StatusCode::kUnauthenticated},
    {400, "MALFORMED_QUERY", StatusCode::kInvalidArgument},
    {400, "INVALID_FIELD", StatusCode::kInvalidArgument},
    {400, "INVALID_TYPE", StatusCode::kInvalidArgument},
    {400, "INVALID_QUERY_FILTER_OPERATOR", StatusCode::kInvalidArgument},
    {400, "REQUIRED_FIELD_MISSING", StatusCode::kInvalidArgument},
    {400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", StatusCode::kInvalidArgument},
    {400, "JSON_PARSER_ERROR", StatusCode::kInvalidArgument},
    {400, "MALFORMED_ID", StatusCode::kInvalidArgument},
    {400, "INVALID_ID_FIELD", StatusCode::kInvalidArgument},
    {400, "STRING_TOO_LONG", StatusCode::kInvalidArgument},
    {400, "INVALID_CROSS_REFERENCE_KEY", StatusCode::kInvalidArgument},
    {400, "FIELD_INTEGRITY_EXCEPTION", StatusCode::kInvalidArgument},
    {400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", StatusCode::kInvalidArgument},
    {400, "INVALID_FIELD_FOR_INSERT_UPDATE", StatusCode::kInvalidArgument},
    {400, "INVALID_QUERY_LOCATOR", StatusCode::kFailedPrecondition},
    {412, "JOB_NOT_COMPLETE", StatusCode::kFailedPrecondition},
    {400, "INVALIDJOBSTATE", StatusCode::kFailedPrecondition},
    {404, "NOT_FOUND", StatusCode::kNotFound},
    {400, "ENTITY_IS_DELETED", StatusCode::kNotFound},
    {403, "INSUFFICIENT_ACCESS", StatusCode::kPermissionDenied},
    {400, "INSUFFICIENT_ACCESS_OR_READONLY", StatusCode::kPermissionDenied},
    {400, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", StatusCode::kPermissionDenied},
    {403, "API_DISABLED_FOR_ORG", StatusCode::kPermissionDenied},
    {403, "API_CURRENTLY_DISABLED", StatusCode::kPermissionDenied},
    {400, "FUNCTIONALITY_NOT_ENABLED", StatusCode::kPermissionDenied},
    {400, "DUPLICATE_VALUE", StatusCode::kAlreadyExists},
    {400, "DUPLICATE_EXTERNAL_ID", StatusCode::kAlreadyExists},
    // HTTP status alone (unknown or no vendor code).
    {300, "", StatusCode::kFailedPrecondition},
    {400, "", StatusCode::kInvalidArgument},
    {400, "SOME_NEW_CODE", StatusCode::kInvalidArgument},
    {401, "", StatusCode::kUnauthenticated},
    {403, "", StatusCode::kPermissionDenied},
    {404, "", StatusCode::kNotFound},
    {405, "", StatusCode::kInvalidArgument},
    {408, "", StatusCode::kDeadlineExceeded},
    {409, "", StatusCode::kFailedPrecondition},
    {410, "", StatusCode::kNotFound},
    {412, "", StatusCode::kFailedPrecondition},
    {414, "", StatusCode::kInvalidArgument},
    {415, "", StatusCode::kInvalidArgument},
    {420, "", StatusCode::kUnavailable},
    {428, "", StatusCode::kFailedPrecondition},
    {429, "", StatusCode::kUnavailable},
    {431, "", StatusCode::kInvalidArgument},
    {418, "", StatusCode::kInvalidArgument},
    {500, "", StatusCode::kUnavailable},
    {502, "", StatusCode::kUnavailable},
    {503, "", StatusCode::kUnavailable},
    {504, "", StatusCode::kUnavailable},
    {304, "", StatusCode::kInternal},
    {200, "", StatusCode::kOk},
};

class StatusTable : public ::testing::TestWithParam<Row> {};

TEST_P(StatusTable, MapsHttpStatusAndVendorCode) {
  auto const& row = GetParam();
  EXPECT_EQ(StatusCodeFor(row.http, row.vendor), row.expected) << row.http << " " << row.vendor;
  if (row.expected == StatusCode::kOk) return;
  // The same row through a whole response with a Salesforce error body.
  http::HttpResponse response;
  response.status = row.http;
  if (*row.vendor != '\0') response.body = test::SalesforceError(row.vendor, "details");
  auto const s = ErrorFromResponse(response, "GET /services/data/v62.0/query", kNow);
  EXPECT_EQ(s.code(), row.expected) << s;
  EXPECT_EQ(s.info().http_status, row.http);
  EXPECT_EQ(s.info().vendor_code, row.vendor);
}

INSTANTIATE_TEST_SUITE_P(AllRows, StatusTable, ::testing::ValuesIn(kRows));

TEST(ErrorFromResponse, MessageNamesEndpointCodeAndVendorMessageButNotTheQuery) {
  http::HttpResponse r;
  r.status = 400;
  r.body = R"([{"message":"unexpected token: 'FORM'","errorCode":"MALFORMED_QUERY"}])";
  auto const s = ErrorFromResponse(r,
                                   EndpointName(http::Method::kGet,
                                                "https://x.my.salesforce.com/services/data/"
                                                "v62.0/query?q=SELECT%20Id%20FORM%20Case"),
                                   kNow);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "GET /services/data/v62.0/query: HTTP 400 MALFORMED_QUERY: unexpected token: 'FORM'");
  EXPECT_EQ(s.message().find("SELECT"), std::string::npos);
}

TEST(ErrorFromResponse, AcceptsSingleObjectAndOAuthShapesAndUnparseableBodies) {
  http::HttpResponse r;
  r.status = 400;
  r.body = R"({"errorCode":"INVALIDJOBSTATE","message":"job is closed"})";
  EXPECT_EQ(ErrorFromResponse(r, "x", kNow).info().vendor_code, "INVALIDJOBSTATE");
  r.body = R"({"error":"invalid_grant","error_description":"expired access/refresh token"})";
  EXPECT_EQ(ErrorFromResponse(r, "x", kNow).info().vendor_code, "invalid_grant");
  r.status = 502;
  r.body = "<html>Bad gateway</html>";
  auto const s = ErrorFromResponse(r, "GET /services/data/v62.0/query", kNow);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("not a Salesforce error list"), std::string::npos);
}

TEST(ErrorFromResponse, RetryAfterAndFieldsAreCarried) {
  http::HttpResponse r;
  r.status = 503;
  r.headers.Set("Retry-After", "7");
  r.body =
      R"([{"message":"Subject is required","errorCode":"SERVER_UNAVAILABLE","fields":["Subject"]}])";
  auto const s = ErrorFromResponse(r, "x", kNow);
  EXPECT_EQ(s.retry_after(), std::chrono::seconds(7));
  EXPECT_EQ(s.info().field, "Subject");
}

TEST(ErrorFromResponse, AmbiguousExternalIdSaysNothingWasWritten) {
  http::HttpResponse r;
  r.status = 300;
  r.body =
      R"(["/services/data/v62.0/sobjects/Task/00T1","/services/data/v62.0/sobjects/Task/00T2"])";
  auto const s = ErrorFromResponse(r, "PATCH /services/data/v62.0/sobjects/Task/Ext__c/k", kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("more than one record"), std::string::npos);
}

TEST(ErrorFromResponse, RetryAfterAsAnHttpDate) {
  http::HttpResponse r;
  r.status = 503;
  r.headers.Set("Retry-After", "Mon, 02 Mar 2026 14:06:30 GMT");
  EXPECT_EQ(ErrorFromResponse(r, "x", kNow).retry_after(), std::chrono::seconds(90));
}

// Issue 12 defect 3: Salesforce echoes the query first and names the problem last; clipping
// must keep the deciding tail.
TEST(ErrorFromResponse, ALongVendorMessageKeepsItsEnd) {
  std::string const query =
      "\\nSELECT Id, " + std::string(400, 'F') +
      ", Installer__r.Escalation_Email__c FROM Case\\n ^\\nERROR at Row:1:Column:9\\n";
  http::HttpResponse r;
  r.status = 400;
  r.body =
      R"([{"message":")" + query +
      R"(No such column 'Escalation_Email__c' on entity 'Account'.","errorCode":"INVALID_FIELD"}])";
  auto const s = ErrorFromResponse(r, "GET /services/data/v62.0/query", kNow);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("No such column 'Escalation_Email__c' on entity 'Account'."),
            std::string::npos)
      << s;
  EXPECT_EQ(s.message().find("SELECT"), std::string::npos) << s;
  EXPECT_LT(s.message().size(), 400U);
}

TEST(MalformedBody, IsInternalAndNamesTheEndpoint) {
  auto const s = MalformedBody("GET /services/data/v62.0/query", "not JSON", 200);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "GET /services/data/v62.0/query: malformed response body (not JSON)");
}

}  // namespace
}  // namespace casebridge::salesforce
