#include "connector/forge/errors.h"

#include <array>
#include <utility>

#include "auth/forge_login.h"
#include "connector/http/url.h"

namespace casebridge::forge {
namespace {

constexpr std::array<std::pair<std::string_view, StatusCode>, 14> kVendorCodes = {{
    {"rate_limited", StatusCode::kUnavailable},
    {"unavailable", StatusCode::kUnavailable},
    {"quota_exceeded", StatusCode::kResourceExhausted},
    {"unauthorized", StatusCode::kUnauthenticated},
    {"token_expired", StatusCode::kUnauthenticated},
    {"invalid_token", StatusCode::kUnauthenticated},
    {"invalid_credentials", StatusCode::kUnauthenticated},
    {"forbidden", StatusCode::kPermissionDenied},
    {"not_found", StatusCode::kNotFound},
    {"bad_request", StatusCode::kInvalidArgument},
    {"invalid_cursor", StatusCode::kInvalidArgument},
    {"validation_failed", StatusCode::kInvalidArgument},
    {"unsupported_media_type", StatusCode::kInvalidArgument},
    {"conflict", StatusCode::kAlreadyExists},
}};

}  // namespace

StatusCode StatusCodeFor(int http_status, std::string_view vendor_code) {
  for (auto const& [code, status] : kVendorCodes) {
    if (code == vendor_code) return status;
  }
  switch (http_status) {
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
    case 410:
      return StatusCode::kNotFound;
    case 408:
      return StatusCode::kDeadlineExceeded;
    case 409:
      return StatusCode::kAlreadyExists;
    case 412:
    case 428:
      return StatusCode::kFailedPrecondition;
    case 429:
      return StatusCode::kUnavailable;
    case 501:
      return StatusCode::kInternal;
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) return StatusCode::kInvalidArgument;
  if (http_status >= 500 && http_status < 600) return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

std::string EndpointName(http::Method method, std::string_view url) {
  return std::string(http::MethodName(method)) + " " + http::PathOf(url);
}

Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now) {
  auto const error = auth::ParseForgeErrorBody(response.body);
  ErrorInfo info;
  info.http_status = response.status;
  info.vendor_code = auth::SanitizeServerMessage(error.code, {}, 60);
  info.field = auth::SanitizeServerMessage(error.field, {}, 100);
  if (auto id = response.headers.Get("X-Request-Id")) {
    info.request_id = auth::SanitizeServerMessage(*id, {}, 100);
  }
  if (auto ra = response.headers.Get("Retry-After")) {
    info.retry_after = auth::ParseRetryAfter(*ra, now);
  }
  std::string message = std::string(endpoint) + ": HTTP " + std::to_string(response.status);
  if (!info.vendor_code.empty()) message += " " + info.vendor_code;
  if (!error.message.empty()) message += ": " + auth::SanitizeServerMessage(error.message);
  if (!info.field.empty()) message += " (field " + info.field + ")";
  return {StatusCodeFor(response.status, error.code), std::move(message), std::move(info)};
}

}  // namespace casebridge::forge
