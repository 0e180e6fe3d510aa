// The HTTP half of the error vocabulary both vendor clients share (ARCHITECTURE.md section 2):
// the `Retry-After` parser, the HTTP status -> StatusCode table, endpoint names and the clipping
// of server messages. Each vendor's errors.h keeps only what is its own: its vendor codes (which
// win over these HTTP codes), its error-body shape and the few HTTP codes it reads differently.
//
// HTTP status alone:
//   2xx -> kOk
//   401 -> kUnauthenticated   403 -> kPermissionDenied   404, 410 -> kNotFound
//   408 -> kDeadlineExceeded  412, 428 -> kFailedPrecondition
//   429, 5xx -> kUnavailable (Retry-After honoured)
//   other 4xx -> kInvalidArgument
//   anything else -> kInternal
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/http/http_transport.h"

namespace casebridge::http {

/// The longest delay a `Retry-After` may ask for; longer values are capped here.
inline constexpr std::chrono::hours kMaxRetryAfter{24};

/// The delay a `Retry-After` header value asks for: delta-seconds (`120`) or an IMF-fixdate
/// (`Wed, 21 Oct 2026 07:28:00 GMT`, relative to `now`), capped at kMaxRetryAfter. Zero for an
/// absent, past or unparseable value.
std::chrono::milliseconds ParseRetryAfter(std::string_view value, Instant now);

/// The table above.
StatusCode StatusCodeForHttp(int http_status);

/// "GET /api/v1/tickets": method and path, never the query string (it carries record values).
std::string EndpointName(Method method, std::string_view url);

/// `text` with control characters replaced by spaces, at most `max` characters. A longer text
/// keeps its END behind a leading "…": servers put the deciding sentence last and echo the
/// request (a SOQL query, a payload) first.
std::string ClipServerMessage(std::string_view text, std::size_t max = 300);

/// The ErrorInfo every error response carries: http_status, Retry-After (relative to `now`) and
/// the first of `request_id_headers` that is present.
ErrorInfo ResponseErrorInfo(HttpResponse const& response, Instant now,
                            std::initializer_list<std::string_view> request_id_headers);

/// "<endpoint>: HTTP <status>[ <vendor_code>][: <message>]".
std::string ResponseErrorMessage(std::string_view endpoint, int http_status,
                                 std::string_view vendor_code, std::string_view message);

/// A transient failure whose Retry-After is longer than `max_wait` becomes kResourceExhausted
/// ("stop, save progress, the next run resumes") naming `system` and both durations; anything
/// else is returned unchanged.
Status StopOnLongRetryAfter(Status failure, std::chrono::milliseconds max_wait,
                            std::string_view system);

}  // namespace casebridge::http
