#include "connector/salesforce/errors.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "connector/http/response_errors.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;

struct VendorRow {
  std::string_view code;
  StatusCode status;
};

constexpr std::array<VendorRow, 31> kVendorTable = {{
    {"REQUEST_LIMIT_EXCEEDED", StatusCode::kResourceExhausted},
    {"UNABLE_TO_LOCK_ROW", StatusCode::kUnavailable},
    {"SERVER_UNAVAILABLE", StatusCode::kUnavailable},
    {"QUERY_TIMEOUT", StatusCode::kDeadlineExceeded},
    {"INVALID_SESSION_ID", StatusCode::kUnauthenticated},
    {"MALFORMED_QUERY", StatusCode::kInvalidArgument},
    {"INVALID_FIELD", StatusCode::kInvalidArgument},
    {"INVALID_TYPE", StatusCode::kInvalidArgument},
    {"INVALID_QUERY_FILTER_OPERATOR", StatusCode::kInvalidArgument},
    {"REQUIRED_FIELD_MISSING", StatusCode::kInvalidArgument},
    {"FIELD_CUSTOM_VALIDATION_EXCEPTION", StatusCode::kInvalidArgument},
    {"JSON_PARSER_ERROR", StatusCode::kInvalidArgument},
    {"MALFORMED_ID", StatusCode::kInvalidArgument},
    {"INVALID_ID_FIELD", StatusCode::kInvalidArgument},
    {"STRING_TOO_LONG", StatusCode::kInvalidArgument},
    {"INVALID_CROSS_REFERENCE_KEY", StatusCode::kInvalidArgument},
    {"FIELD_INTEGRITY_EXCEPTION", StatusCode::kInvalidArgument},
    {"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", StatusCode::kInvalidArgument},
    {"INVALID_FIELD_FOR_INSERT_UPDATE", StatusCode::kInvalidArgument},
    {"INVALID_QUERY_LOCATOR", StatusCode::kFailedPrecondition},
    {"JOB_NOT_COMPLETE", StatusCode::kFailedPrecondition},
    {"INVALIDJOBSTATE", StatusCode::kFailedPrecondition},
    {"NOT_FOUND", StatusCode::kNotFound},
    {"ENTITY_IS_DELETED", StatusCode::kNotFound},
    {"INSUFFICIENT_ACCESS", StatusCode::kPermissionDenied},
    {"INSUFFICIENT_ACCESS_OR_READONLY", StatusCode::kPermissionDenied},
    {"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", StatusCode::kPermissionDenied},
    {"API_DISABLED_FOR_ORG", StatusCode::kPermissionDenied},
    {"API_CURRENTLY_DISABLED", StatusCode::kPermissionDenied},
    {"FUNCTIONALITY_NOT_ENABLED", StatusCode::kPermissionDenied},
    {"DUPLICATE_VALUE", StatusCode::kAlreadyExists},
}};

// DUPLICATE_EXTERNAL_ID shares DUPLICATE_VALUE's row (array size kept exact above).
std::optional<StatusCode> VendorStatus(std::string_view code) {
  if (code == "DUPLICATE_EXTERNAL_ID") return StatusCode::kAlreadyExists;
  for (auto const& row : kVendorTable) {
    if (row.code == code) return row.status;
  }
  return std::nullopt;
}

std::string StringAt(json const& o, char const* key) {
  if (!o.contains(key)) return {};
  auto const& v = o.at(key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

ApiError FromObject(json const& o) {
  ApiError e;
  e.error_code = StringAt(o, "errorCode");
  if (e.error_code.empty()) e.error_code = StringAt(o, "statusCode");
  if (e.error_code.empty()) e.error_code = StringAt(o, "error");  // OAuth shape
  e.message = StringAt(o, "message");
  if (e.message.empty()) e.message = StringAt(o, "error_description");
  if (o.contains("fields") && o.at("fields").is_array()) {
    for (auto const& f : o.at("fields")) {
      if (f.is_string()) e.fields.push_back(f.get<std::string>());
    }
  }
  return e;
}

}  // namespace

StatusCode StatusCodeFor(int http_status, std::string_view vendor_code) {
  if (!vendor_code.empty()) {
    if (auto code = VendorStatus(vendor_code)) return *code;
  }
  switch (http_status) {
    case 300:
    case 409:
      return StatusCode::kFailedPrecondition;
    case 420:
      return StatusCode::kUnavailable;
    default:
      return http::StatusCodeForHttp(http_status);
  }
}

std::vector<ApiError> ParseApiErrors(std::string_view body) {
  std::vector<ApiError> out;
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return out;
  if (doc.is_object()) doc = json::array({doc});
  if (!doc.is_array()) return out;
  for (auto const& item : doc) {
    if (!item.is_object()) continue;
    auto e = FromObject(item);
    if (!e.error_code.empty() || !e.message.empty()) out.push_back(std::move(e));
  }
  return out;
}

Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now) {
  auto const errors = ParseApiErrors(response.body);
  ErrorInfo info = http::ResponseErrorInfo(response, now, {"X-SFDC-Request-Id", "X-Request-Id"});
  std::string vendor_message;
  if (!errors.empty()) {
    info.vendor_code = http::ClipServerMessage(errors.front().error_code, 64);
    vendor_message = http::ClipServerMessage(errors.front().message);
    if (!errors.front().fields.empty()) {
      info.field = http::ClipServerMessage(errors.front().fields.front(), 80);
    }
  }
  std::string message =
      http::ResponseErrorMessage(endpoint, response.status, info.vendor_code, vendor_message);
  if (errors.empty() && !response.body.empty()) {
    message += " (error body is not a Salesforce error list)";
  }
  if (response.status == 300) {
    message += " (the external id matched more than one record; nothing was written)";
  }
  auto const code = StatusCodeFor(response.status, info.vendor_code);
  if (code == StatusCode::kOk) {
    return InternalError(message + " (success status passed to ErrorFromResponse)", info);
  }
  return {code, std::move(message), std::move(info)};
}

Status MalformedBody(std::string_view endpoint, std::string_view detail, int http_status) {
  ErrorInfo info;
  info.http_status = http_status;
  return InternalError(std::string(endpoint) + ": malformed response body (" +
                           http::ClipServerMessage(detail, 200) + ")",
                       info);
}

}  // namespace casebridge::salesforce
