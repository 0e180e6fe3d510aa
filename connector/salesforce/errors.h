// HTTP response → Status: the ONE table for the Salesforce client (ARCHITECTURE.md section 2).
//
// Vendor codes win over HTTP codes:
//   errorCode                                   → StatusCode            (retried?)
//   REQUEST_LIMIT_EXCEEDED                      → kResourceExhausted    no: stop, save progress
//   UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE      → kUnavailable          yes
//   QUERY_TIMEOUT                               → kDeadlineExceeded     yes
//   INVALID_SESSION_ID                          → kUnauthenticated      (auth decorator: once)
//   MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR,
//   REQUIRED_FIELD_MISSING, FIELD_CUSTOM_VALIDATION_EXCEPTION, JSON_PARSER_ERROR, MALFORMED_ID,
//   INVALID_ID_FIELD, STRING_TOO_LONG, INVALID_CROSS_REFERENCE_KEY, FIELD_INTEGRITY_EXCEPTION,
//   INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, INVALID_FIELD_FOR_INSERT_UPDATE
//                                               → kInvalidArgument      no
//   INVALID_QUERY_LOCATOR, JOB_NOT_COMPLETE, INVALIDJOBSTATE
//                                               → kFailedPrecondition   no
//   NOT_FOUND, ENTITY_IS_DELETED                → kNotFound             no
//   INSUFFICIENT_ACCESS, INSUFFICIENT_ACCESS_OR_READONLY,
//   INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY, API_DISABLED_FOR_ORG, API_CURRENTLY_DISABLED,
//   FUNCTIONALITY_NOT_ENABLED                   → kPermissionDenied     no
//   DUPLICATE_VALUE, DUPLICATE_EXTERNAL_ID      → kAlreadyExists        no
// then the HTTP codes Salesforce reads its own way:
//   300 (external id matched several records)   → kFailedPrecondition
//   409                                         → kFailedPrecondition
//   420 (Edge routing)                          → kUnavailable (Retry-After honoured)
// then the shared HTTP table (connector/http/response_errors.h): 401 kUnauthenticated,
// 403 kPermissionDenied, 404/410 kNotFound, 408 kDeadlineExceeded, 412/428 kFailedPrecondition,
// 429 and 5xx kUnavailable, other 4xx kInvalidArgument, anything else that is not 2xx kInternal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/http/http_transport.h"
#include "connector/http/response_errors.h"

namespace casebridge::salesforce {

/// The table above for one (HTTP status, vendor errorCode) pair; vendor_code may be empty.
StatusCode StatusCodeFor(int http_status, std::string_view vendor_code);

/// One entry of a Salesforce error body.
struct ApiError {
  std::string error_code;
  std::string message;
  std::vector<std::string> fields;
};

/// Parses `[{"message","errorCode","fields"}]`, a single such object, or an OAuth
/// `{"error","error_description"}`. Empty when the body is none of these.
std::vector<ApiError> ParseApiErrors(std::string_view body);

/// "GET /services/data/v62.0/query": method and path, never the query string (SOQL carries
/// record values).
using http::EndpointName;

/// The Status for a non-2xx response to `endpoint`: code from the table, message
/// "<endpoint>: HTTP <n> <errorCode>: <message>" (vendor message clipped to its end — Salesforce
/// echoes the query first and names the problem last —, control characters removed), ErrorInfo
/// with http_status, vendor_code, Retry-After (delta-seconds or HTTP-date relative to `now`) and
/// the request id header.
Status ErrorFromResponse(http::HttpResponse const& response, std::string_view endpoint,
                         Instant now);

/// kInternal "<endpoint>: malformed response body (<detail>)": a 2xx whose body is not what
/// the API documents. Not retried: a server that answers 200 with garbage is not transient.
Status MalformedBody(std::string_view endpoint, std::string_view detail, int http_status);

}  // namespace casebridge::salesforce
