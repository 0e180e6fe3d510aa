#include "connector/forge/errors.h"

#include <array>
#include <utility>

#include "auth/forge_login.h"
#include "connector/http/response_errors.h"

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
  if (http_status == 409) return StatusCode::kAlreadyExists;
  if (http_status == 501) return StatusCode::kInternal;
  auto const code = http::StatusCodeForHttp(http_status);
  return code == StatusCode::kOk ? StatusCode::kInternal : code;
}

Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now) {
  auto const error = auth::ParseForgeErrorBody(response.body);
  ErrorInfo info = http::ResponseErrorInfo(response, now, {"X-Request-Id"});
  info.vendor_code = http::ClipServerMessage(error.code, 60);
  info.field = http::ClipServerMessage(error.field, 100);
  std::string message = http::ResponseErrorMessage(endpoint, response.status, info.vendor_code,
                                                   http::ClipServerMessage(error.message));
  if (!info.field.empty()) message += " (field " + info.field + ")";
  return {StatusCodeFor(response.status, error.code), std::move(message), std::move(info)};
}

}  // namespace casebridge::forge
