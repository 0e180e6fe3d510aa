// HTTP response -> Status: the ONE table for the Forge client (ARCHITECTURE.md section 2).
//
// Forge's error body is `{"error": {"code", "message", "field"}}` (openapi.yaml, proposed).
// Vendor codes win over HTTP codes:
//   error.code                                   -> StatusCode            (retried?)
//   rate_limited, unavailable                    -> kUnavailable          yes (Retry-After)
//   quota_exceeded                               -> kResourceExhausted    no: stop, save progress
//   unauthorized, token_expired, invalid_token,
//   invalid_credentials                          -> kUnauthenticated      (auth decorator: once)
//   forbidden                                    -> kPermissionDenied     no
//   not_found                                    -> kNotFound             no
//   bad_request, invalid_cursor, validation_failed,
//   unsupported_media_type                       -> kInvalidArgument      no
//   conflict                                     -> kAlreadyExists        no
// then the HTTP codes Forge reads its own way:
//   409 -> kAlreadyExists     501 -> kInternal (not implemented will not change)
// then the shared HTTP table (connector/http/response_errors.h): 401 kUnauthenticated,
// 403 kPermissionDenied, 404/410 kNotFound, 408 kDeadlineExceeded, 412/428 kFailedPrecondition,
// 429 and 5xx kUnavailable, other 4xx kInvalidArgument, anything else kInternal.
#pragma once

#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/http/http_transport.h"

namespace casebridge::forge {

/// The table above for one (HTTP status, vendor code) pair; vendor_code may be empty.
StatusCode StatusCodeFor(int http_status, std::string_view vendor_code);

/// The Status for a non-2xx response to `endpoint`: code from the table, message
/// "<endpoint>: HTTP <n> <code>: <message>" (server message clipped to its end, control
/// characters removed), ErrorInfo with http_status, vendor_code, field, X-Request-Id and
/// Retry-After (delta-seconds or HTTP-date relative to `now`).
Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now);

}  // namespace casebridge::forge
