// The Salesforce REST client (SPEC section 5; salesforce-api.md sections 2–5).
//
// Layers (google-cloud-cpp style):
//   Client      — the operations: query paging, collection batching, composite, bulk jobs
//   Connection  — one logical call: RetryLoop by idempotency + the HTTP → Status table
//   AuthorizingTransport (auth/) — bearer token, instance_url, one re-auth on 401
//   MeteringTransport — call counts by kind, Sforce-Limit-Info, budget guard
//   wire        — CpprestTransport (optionally under LoggingTransport), or a fake in tests
//
// Cheap on API limits: queries page at up to 2,000 records per call (`Sforce-Query-Options:
// batchSize`), writes go 200 records per sObject Collections call, large exports use Bulk API 2.0
// (one job, a few polls, result pages of `bulk_max_records` rows), and every call is counted.
//
// Retried (idempotent): queries and their next pages, record GETs, updates, upserts on an
// external id, bulk polls and result pages. Never retried: plain creates (POST sObject /
// collections create), Composite requests (unless the caller declares them idempotent), and
// bulk job creation (a POST that creates a job).
//
// All methods are thread-safe; a Client is cheap to copy (copies share the connection, token
// cache and usage counters).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/token_cache.h"
#include "auth/token_source.h"
#include "connector/common/clock.h"
#include "connector/common/retry.h"
#include "connector/http/http_transport.h"
#include "connector/salesforce/api_usage.h"
#include "connector/salesforce/connection.h"
#include "connector/salesforce/describe.h"
#include "connector/salesforce/field_value.h"
#include "connector/salesforce/records.h"

namespace casebridge::salesforce {

struct ClientOptions {
  /// API version, retries, timeout, the longest Retry-After waited, logger (connection.h).
  ConnectionOptions connection;
  /// Share of the org's daily API limit this client may bring usage up to (budget guard).
  double budget_share = 1.0;
  /// `Sforce-Query-Options: batchSize` (Salesforce accepts 200..2000; clamped).
  int query_batch_size = 2000;
  /// Export() uses Bulk API 2.0 when the expected row count is above this.
  std::int64_t bulk_threshold_rows = 10'000;
  /// `maxRecords` per Bulk results page.
  std::int64_t bulk_max_records = 50'000;
  /// Bulk job polling: first delay, growth factor, cap, and the total wait before giving up.
  std::chrono::milliseconds bulk_poll_initial{1'000};
  double bulk_poll_multiplier = 2.0;
  std::chrono::milliseconds bulk_poll_max{30'000};
  std::chrono::milliseconds bulk_max_wait{std::chrono::hours(2)};
};

/// The callback of a REST query: one call per page. A non-OK return stops the paging and is
/// returned by Query().
using PageCallback = std::function<Status(QueryPage const& page)>;

/// One page of Bulk API 2.0 query results: the CSV header and the rows of this result set.
struct BulkPage {
  std::string job_id;
  int page_number = 0;  // 1-based
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
using BulkPageCallback = std::function<Status(BulkPage const& page)>;

/// A record of Export(), flattened (records.h) whichever API delivered it.
using RowCallback = std::function<Status(FlatRecord const& row)>;

struct ExportRequest {
  std::string soql;
  /// How many rows to expect: `estimated_rows` when given; else the totalSize of `count_soql`
  /// (e.g. SoqlBuilder::BuildCount(), one query call); else the REST path is used.
  std::optional<std::int64_t> estimated_rows;
  std::string count_soql;
  bool include_deleted = false;  // queryAll / operation "queryAll"
};

enum class ExportPath : std::uint8_t { kRest, kBulk };

/// A subrequest of a Composite request (salesforce-api.md 3.2).
struct CompositeSubrequest {
  http::Method method = http::Method::kGet;
  std::string url;           // relative: /services/data/vNN.N/…; may use @{ref.id}
  std::string reference_id;  // [A-Za-z0-9_]
  std::string body_json;     // empty = no body
  http::Headers headers;     // sent as httpHeaders
};

struct CompositeSubresponse {
  std::string reference_id;
  int http_status = 0;
  std::string body;  // raw JSON
  Status status;     // OK for 2xx, else mapped through the error table
};

struct UpsertOutcome {
  std::string id;
  bool created = false;
};

struct Identity {
  std::string organization_id;
  std::string user_id;
  std::string username;
  std::string display_name;
  std::string instance_url;
};

class Client {
 public:
  /// Builds the token source on top of the metered wire transport (token calls count as kAuth).
  using TokenSourceFactory = std::function<StatusOr<std::shared_ptr<auth::TokenSource>>(
      std::shared_ptr<http::HttpTransport> transport)>;

  /// The full stack over `wire` (see the file comment). Errors: those of `make_token_source`,
  /// kInvalidArgument for an invalid api_version.
  static StatusOr<Client> Create(std::shared_ptr<http::HttpTransport> wire,
                                 TokenSourceFactory const& make_token_source, ClientOptions options,
                                 Sleeper sleeper);

  // --- Reads -----------------------------------------------------------------------------------

  /// Runs `soql` and calls `on_page` for every page, following `nextRecordsUrl` until done. At
  /// most one page is in memory. Errors: the mapped API errors (kInvalidArgument for
  /// MALFORMED_QUERY, kResourceExhausted for the budget/limit, kUnauthenticated after a failed
  /// re-auth, kUnavailable after retries), kInternal for a malformed page, or `on_page`'s error.
  Status Query(std::string const& soql, PageCallback const& on_page) const;
  /// As Query() but through /queryAll (also deleted and archived records).
  Status QueryAll(std::string const& soql, PageCallback const& on_page) const;
  /// totalSize of a `SELECT COUNT() …` (or any) query: one call.
  StatusOr<std::int64_t> Count(std::string const& soql) const;
  /// One record as raw JSON (`GET /sobjects/{type}/{id}?fields=…`); kNotFound when absent.
  StatusOr<std::string> GetRecord(std::string const& sobject, std::string const& id,
                                  std::vector<std::string> const& fields) const;

  /// A Bulk API 2.0 query job: create (not retried), poll with backoff through the injected
  /// Sleeper until JobComplete, then fetch the CSV results page by page with `Sforce-Locator`
  /// and `maxRecords`. Errors: kFailedPrecondition for a Failed job (its errorMessage),
  /// kAborted for an Aborted one, kDeadlineExceeded after `bulk_max_wait` (the job is then
  /// aborted), kInvalidArgument for malformed CSV, plus the usual API errors.
  Status BulkQuery(std::string const& soql, BulkPageCallback const& on_page,
                   bool include_deleted = false) const;

  /// Streams every row of a query, choosing REST paging or Bulk API 2.0 automatically: Bulk when
  /// the expected row count (see ExportRequest) is above `bulk_threshold_rows`. Returns the path
  /// taken.
  StatusOr<ExportPath> Export(ExportRequest const& request, RowCallback const& on_row) const;

  /// The identity behind the current token (GET of the token response's `id` URL).
  StatusOr<Identity> GetIdentity() const;

  /// `GET /sobjects/{type}/describe`: the object's fields, types, picklist values and the
  /// calling user's create/update access (describe.h). One call, retried; not cached here.
  /// Errors: kNotFound when the org has no such object (or the user cannot see it), kInternal
  /// for a malformed answer, plus the usual API errors.
  StatusOr<SObjectDescribe> Describe(std::string const& sobject) const;
  /// `GET /limits`: the org's limits by name ("DailyApiRequests" -> max, remaining). One call,
  /// retried. Needs "View Setup and Configuration" (else the API error, kPermissionDenied).
  StatusOr<std::map<std::string, OrgLimit>> Limits() const;

  // --- Writes ----------------------------------------------------------------------------------

  /// sObject Collections create (POST /composite/sobjects, allOrNone=false), 200 records per
  /// call. NOT retried (a plain create is not idempotent). Owner changes carry
  /// `Sforce-Auto-Assign: FALSE`.
  WriteResult Create(std::vector<SObject> const& records) const;
  /// sObject Collections update (PATCH /composite/sobjects); every record needs an `Id` field.
  /// Retried (re-applying the same values is idempotent).
  WriteResult Update(std::vector<SObject> const& records) const;
  /// sObject Collections upsert on an external id (PATCH /composite/sobjects/{type}/{field});
  /// every record needs `external_id_field`. Retried: an upsert on an external id is idempotent.
  WriteResult Upsert(std::string const& sobject, std::string const& external_id_field,
                     std::vector<SObject> const& records) const;

  /// A Composite request (≤ 25 subrequests) for dependent writes; per-subrequest results in
  /// order. Not retried unless `idempotency` says so.
  StatusOr<std::vector<CompositeSubresponse>> Composite(
      std::vector<CompositeSubrequest> const& subrequests, bool all_or_none = true,
      Idempotency idempotency = Idempotency::kNonIdempotent) const;

  /// POST /sobjects/{type}: the new id. Not retried.
  StatusOr<std::string> CreateRecord(std::string const& sobject, Fields const& fields) const;
  /// PATCH /sobjects/{type}/{id}. Retried. OwnerId changes carry `Sforce-Auto-Assign: FALSE`.
  Status UpdateRecord(std::string const& sobject, std::string const& id,
                      Fields const& fields) const;
  /// PATCH /sobjects/{type}/{field}/{value}: 201 created / 200 or 204 updated; 300 (several
  /// matches) → kFailedPrecondition. Retried.
  StatusOr<UpsertOutcome> UpsertRecord(std::string const& sobject,
                                       std::string const& external_id_field,
                                       std::string const& external_id, Fields const& fields) const;

  // --- Usage -----------------------------------------------------------------------------------

  /// HTTP calls made so far by kind (token requests, retries and replays included).
  [[nodiscard]] CallCounts calls() const;
  /// The last `Sforce-Limit-Info` seen.
  [[nodiscard]] std::optional<LimitInfo> api_usage() const;
  /// OK or the kResourceExhausted the next call would get.
  [[nodiscard]] Status CheckBudget() const;
  [[nodiscard]] auth::TokenCache& tokens() const;

 private:
  struct State;
  explicit Client(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Status RunQuery(std::string const& resource, std::string const& soql,
                  PageCallback const& on_page) const;
  WriteResult WriteCollection(http::Method method, std::string const& resource,
                              std::vector<SObject> const& records, std::string const& default_type,
                              Idempotency idempotency) const;

  std::shared_ptr<State> state_;
};

}  // namespace casebridge::salesforce
