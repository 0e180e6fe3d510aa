// HTTP response -> Status: the ONE table for the Forge client (ARCHITECTURE.md section 2).
//
// Forge's error body is `{"error": {"code", "message", "field"}}` (openapi.yaml, proposed).
// Vendor codes win over HTTP codes:
//   error.code                                   -> StatusCode            (retried?)
//   rate_limited, unavailable                    -> kUnavailable          yes (Retry-After
//   honoured) quota_exceeded                               -> kResourceExhausted    no: stop, save
//   progress unauthorized, token_expired, invalid_token, invalid_credentials -> kUnauthenticated
//   (auth decorator: once) forbidden                                    -> kPermissionDenied     no
//   not_found                                    -> kNotFound             no
//   bad_request, invalid_cursor, validation_failed,
//   unsupported_media_type                       -> kInvalidArgument      no
//   conflict                                     -> kAlreadyExists        no
// then by HTTP status:
//   400, 405, 413, 414, 415, 422, other 4xx      -> kInvalidArgument
//   401 -> kUnauthenticated   403 -> kPermissionDenied   404, 410 -> kNotFound
//   408 -> kDeadlineExceeded  409 -> kAlreadyExists      412, 428 -> kFailedPrecondition
//   429, 500, 502, 503, 504 and other 5xx        -> kUnavailable (Retry-After honoured)
//   501                                          -> kInternal (not implemented will not change)
//   anything else that is not 2xx                -> kInternal
#pragma once

#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/http/http_transport.h"

namespace casebridge::forge {

/// The table above for one (HTTP status, vendor code) pair; vendor_code may be empty.
StatusCode StatusCodeFor(int http_status, std::string_view vendor_code);

/// "GET /api/v1/tickets": method and path, never the query string (it carries record values).
std::string EndpointName(http::Method method, std::string_view url);

/// The Status for a non-2xx response to `endpoint`: code from the table, message
/// "<endpoint>: HTTP <n> <code>: <message>" (server message shortened, control characters
/// removed), ErrorInfo with http_status, vendor_code, field, X-Request-Id and Retry-After
/// (delta-seconds or HTTP-date relative to `now`).
Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now);

}  // namespace casebridge::forge
