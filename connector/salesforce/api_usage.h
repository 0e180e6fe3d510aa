// Counting and budgeting Salesforce API calls.
//
// MeteringTransport sits directly above the wire transport, so it sees every HTTP call actually
// made — token requests, retries and 401 replays included. It counts each call by kind, reads
// `Sforce-Limit-Info: api-usage=N/M` from every response, and refuses a call (kResourceExhausted,
// before anything is sent) once the org's usage reached the run's budget share of the daily limit
// or after the server answered REQUEST_LIMIT_EXCEEDED.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "connector/http/http_transport.h"

namespace casebridge::salesforce {

enum class CallKind : std::uint8_t { kAuth, kQuery, kWrite, kBulk, kOther };
std::string_view CallKindName(CallKind kind);

/// By URL path: `/services/oauth2/…` and identity URLs `/id/…` → kAuth; `/services/data/vX/jobs/…`
/// → kBulk; `…/query`, `…/queryAll` (and their next-page URLs) and GETs of sObjects → kQuery;
/// POST/PATCH/PUT/DELETE under `/sobjects` or `/composite` → kWrite; anything else → kOther.
CallKind ClassifyCall(http::Method method, std::string_view url);

/// `api-usage=N/M` from a Sforce-Limit-Info header value.
struct LimitInfo {
  std::int64_t used = 0;
  std::int64_t limit = 0;
};
std::optional<LimitInfo> ParseLimitInfo(std::string_view header_value);

/// Calls made, by kind.
struct CallCounts {
  std::int64_t auth = 0;
  std::int64_t query = 0;
  std::int64_t write = 0;
  std::int64_t bulk = 0;
  std::int64_t other = 0;
  [[nodiscard]] std::int64_t total() const { return auth + query + write + bulk + other; }
  /// API calls (everything but auth, which does not count against the daily allocation).
  [[nodiscard]] std::int64_t api() const { return query + write + bulk + other; }
};

/// Shared, thread-safe usage state of one client.
class ApiUsage {
 public:
  /// `budget_share` in (0, 1]: the share of the daily limit this run may bring usage up to.
  explicit ApiUsage(double budget_share = 1.0) : budget_share_(budget_share) {}

  void Count(CallKind kind);
  void Observe(LimitInfo info);
  /// Remembers a REQUEST_LIMIT_EXCEEDED answer: every later call is refused.
  void MarkLimitExceeded();
  void set_budget_share(double share);

  /// OK, or kResourceExhausted when `used >= budget_share * limit` (last observed usage) or the
  /// limit was reported exceeded. With no usage observed yet, OK.
  [[nodiscard]] Status CheckBudget() const;
  [[nodiscard]] CallCounts counts() const;
  [[nodiscard]] std::optional<LimitInfo> last_usage() const;

 private:
  mutable std::mutex mu_;
  double budget_share_;
  CallCounts counts_;
  std::optional<LimitInfo> last_;
  bool exceeded_ = false;
};

/// Counts, observes and guards every call; see the file comment. Thread-safe when `inner` is.
class MeteringTransport final : public http::HttpTransport {
 public:
  MeteringTransport(std::shared_ptr<http::HttpTransport> inner, std::shared_ptr<ApiUsage> usage)
      : inner_(std::move(inner)), usage_(std::move(usage)) {}
  StatusOr<http::HttpResponse> Send(http::HttpRequest const& request) override;

 private:
  std::shared_ptr<http::HttpTransport> inner_;
  std::shared_ptr<ApiUsage> usage_;
};

}  // namespace casebridge::salesforce
