// The fault injector of both emulators: per endpoint, for the next N matching requests and/or
// with a probability drawn from a seeded RNG. Each emulator names its own endpoints and fault
// kinds (the Salesforce and the Forge ones below); the injector, the fault
// document (`{"endpoint","kind","count","probability","latency_ms","retry_after_s","after"}`,
// unknown members refused, counts bounded) and its checks are the same. Thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"

namespace casebridge::sandbox {

/// One armed fault. `Endpoint` has a `kAny` value (matches every request); `Kind` has a
/// `kLatency` value (delays, then lets the request proceed) and a `kHttp503` value (the default).
template <typename Endpoint, typename Kind>
struct BasicFaultSpec {
  Endpoint endpoint = Endpoint::kAny;
  Kind kind = Kind::kHttp503;
  /// How many matching requests it hits; 0 = unlimited (use with `probability` < 1).
  int count = 1;
  /// Chance that a matching request is hit, in (0, 1].
  double probability = 1.0;
  std::chrono::milliseconds latency{0};  // kLatency only
  /// The Retry-After a throttling fault sends (emulators whose vendor sends one).
  std::chrono::seconds retry_after{1};
  /// How many matching requests pass untouched before the fault is armed (e.g. a limit that is
  /// reached half-way through a run).
  int after = 0;
};

/// The members of a fault document with the endpoint and kind still as names. Strict: a member
/// that is not one of the seven, a count, `after` or delay outside 0..1000000, a probability
/// outside (0, 1], and an unlimited count at probability 1 (every request would fail) are refused.
struct FaultDocument {
  std::string endpoint = "any";
  std::string kind;
  int count = 1;
  double probability = 1.0;
  std::chrono::milliseconds latency{0};
  std::chrono::seconds retry_after{1};
  int after = 0;
};
StatusOr<FaultDocument> ParseFaultDocument(nlohmann::json const& j);
nlohmann::json FaultDocumentToJson(FaultDocument const& doc);

/// The name of `value` in a table of (value, name) pairs, or `fallback`.
template <typename T, std::size_t N>
std::string_view NameIn(std::array<std::pair<T, std::string_view>, N> const& table, T value,
                        std::string_view fallback) {
  auto it =
      std::find_if(table.begin(), table.end(), [&](auto const& p) { return p.first == value; });
  return it == table.end() ? fallback : it->second;
}

/// The value named `name` in a table of (value, name) pairs.
template <typename T, std::size_t N>
std::optional<T> ValueIn(std::array<std::pair<T, std::string_view>, N> const& table,
                         std::string_view name) {
  auto it =
      std::find_if(table.begin(), table.end(), [&](auto const& p) { return p.second == name; });
  if (it == table.end()) return std::nullopt;
  return it->first;
}

/// A vendor's names for its endpoints and fault kinds.
template <typename Endpoint, typename Kind>
struct FaultNames {
  std::optional<Endpoint> (*parse_endpoint)(std::string_view);
  std::string_view (*endpoint_name)(Endpoint);
  std::optional<Kind> (*parse_kind)(std::string_view);
  std::string_view (*kind_name)(Kind);
};

template <typename Endpoint, typename Kind>
StatusOr<BasicFaultSpec<Endpoint, Kind>> FaultSpecFromDocument(
    nlohmann::json const& j, FaultNames<Endpoint, Kind> const& names) {
  auto doc = ParseFaultDocument(j);
  if (!doc.ok()) return doc.status();
  BasicFaultSpec<Endpoint, Kind> spec;
  auto kind = names.parse_kind(doc->kind);
  if (!kind) return InvalidArgumentError("fault: unknown kind '" + doc->kind + "'");
  auto endpoint = names.parse_endpoint(doc->endpoint);
  if (!endpoint) return InvalidArgumentError("fault: unknown endpoint '" + doc->endpoint + "'");
  spec.kind = *kind;
  spec.endpoint = *endpoint;
  spec.count = doc->count;
  spec.probability = doc->probability;
  spec.latency = doc->latency;
  spec.retry_after = doc->retry_after;
  spec.after = doc->after;
  return spec;
}

template <typename Endpoint, typename Kind>
nlohmann::json FaultSpecToDocument(BasicFaultSpec<Endpoint, Kind> const& spec,
                                   FaultNames<Endpoint, Kind> const& names) {
  FaultDocument doc;
  doc.endpoint = names.endpoint_name(spec.endpoint);
  doc.kind = names.kind_name(spec.kind);
  doc.count = spec.count;
  doc.probability = spec.probability;
  doc.latency = spec.latency;
  doc.retry_after = spec.retry_after;
  doc.after = spec.after;
  return FaultDocumentToJson(doc);
}

template <typename Endpoint, typename Kind>
class BasicFaultInjector {
 public:
  using Spec = BasicFaultSpec<Endpoint, Kind>;

  explicit BasicFaultInjector(std::uint64_t seed = 1) : rng_(seed) {}

  struct Decision {
    std::chrono::milliseconds latency{0};  // sum of the latency faults that hit
    std::optional<Spec> fault;             // the first non-latency fault that hit
    [[nodiscard]] bool Is(Kind kind) const { return fault && fault->kind == kind; }
  };

  void Add(Spec spec) {
    std::lock_guard lock(mu_);
    int const remaining = spec.count == 0 ? -1 : spec.count;
    faults_.push_back({spec, remaining, spec.after});
  }

  void Clear() {
    std::lock_guard lock(mu_);
    faults_.clear();
  }

  /// Decides the faults for one request to `endpoint` and consumes their counts.
  Decision Next(Endpoint endpoint) {
    std::lock_guard lock(mu_);
    Decision d;
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    for (auto& armed : faults_) {
      if (armed.remaining == 0) continue;
      if (armed.spec.endpoint != Endpoint::kAny && armed.spec.endpoint != endpoint) continue;
      if (armed.passing > 0) {  // not armed yet: this request passes
        --armed.passing;
        continue;
      }
      bool const is_latency = armed.spec.kind == Kind::kLatency;
      if (!is_latency && d.fault) continue;  // one failure per request
      if (armed.spec.probability < 1.0 && dist(rng_) >= armed.spec.probability) continue;
      if (armed.remaining > 0) --armed.remaining;
      if (is_latency) {
        d.latency += armed.spec.latency;
      } else {
        d.fault = armed.spec;
      }
    }
    std::erase_if(faults_, [](Armed const& a) { return a.remaining == 0; });
    return d;
  }

  /// Faults still armed (count = remaining hits, 0 = unlimited; after = requests still let
  /// through first).
  [[nodiscard]] std::vector<Spec> Pending() const {
    std::lock_guard lock(mu_);
    std::vector<Spec> out;
    for (auto const& a : faults_) {
      Spec s = a.spec;
      s.count = a.remaining < 0 ? 0 : a.remaining;
      s.after = a.passing;
      out.push_back(s);
    }
    return out;
  }

 private:
  struct Armed {
    Spec spec;
    int remaining;  // -1 = unlimited
    int passing;    // matching requests still let through before it hits
  };
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Armed> faults_;
};

// --- The Salesforce emulator's endpoints and faults ------------------------------------------

/// What a request addresses; used for fault matching and request counters.
enum class EndpointKind {
  kToken,        // POST /services/oauth2/token (and revoke)
  kIdentity,     // GET /id/<org>/<user>
  kQuery,        // query, queryAll and nextRecordsUrl pages
  kSObject,      // /sobjects/…
  kCollections,  // /composite/sobjects…
  kComposite,    // POST /composite
  kBulk,         // /jobs/query…
  kLimits,       // /limits
  kOther,        // anything else under /services (versions, describe global, unknown paths)
  kAny,          // fault matching only: every kind above
};

/// Stable lower-case names: "token", "identity", "query", "sobject", "collections",
/// "composite", "bulk", "limits", "other", "any".
std::string_view EndpointKindName(EndpointKind kind);
std::optional<EndpointKind> ParseEndpointKind(std::string_view name);

enum class FaultKind {
  kLatency,               // delay the response by `latency`; the request then proceeds
  kHttp500,               // 500 [{"errorCode":"UNKNOWN_EXCEPTION",…}]
  kHttp503,               // 503 [{"errorCode":"SERVER_UNAVAILABLE",…}]
  kUnableToLockRow,       // 400 [{"errorCode":"UNABLE_TO_LOCK_ROW",…}]
  kTokenExpired,          // the presented access token is revoked; 401 INVALID_SESSION_ID
  kRequestLimitExceeded,  // 403 [{"errorCode":"REQUEST_LIMIT_EXCEEDED",…}]
  kMalformedBody,         // the request is processed, then the body is cut in half
  kDropConnection,        // the request is processed, then the connection is cut mid-body
  kGarbledBody,           // the request is processed, then the body is JSON of the wrong shape
};

/// Stable names: "latency", "http_500", "http_503", "unable_to_lock_row", "token_expired",
/// "request_limit_exceeded", "malformed_body", "drop_connection", "garbled_body".
std::string_view FaultKindName(FaultKind kind);
std::optional<FaultKind> ParseFaultKind(std::string_view name);

using FaultSpec = BasicFaultSpec<EndpointKind, FaultKind>;
using FaultInjector = BasicFaultInjector<EndpointKind, FaultKind>;

/// Parses a fault document (ParseFaultDocument) with the Salesforce names, e.g.
/// `{"endpoint":"query","kind":"http_503","count":2,"probability":0.5,"latency_ms":100}`.
StatusOr<FaultSpec> FaultSpecFromJson(nlohmann::json const& j);
FaultNames<EndpointKind, FaultKind> const& SalesforceFaultNames();
nlohmann::json FaultSpecToJson(FaultSpec const& spec);

// --- The Forge emulator's endpoints and faults -----------------------------------------------

/// What a Forge request addresses; used for fault matching and request counters.
enum class ForgeEndpoint {
  kLogin,           // POST /api/auth/login
  kMe,              // GET /api/v1/me
  kTickets,         // /api/v1/tickets[/{id}]
  kInteractions,    // /api/v1/interactions
  kServiceTickets,  // /api/v1/service-tickets
  kTasks,           // /api/v1/tasks
  kOther,           // anything else under /api
  kAny,             // fault matching only
};

/// "login", "me", "tickets", "interactions", "service_tickets", "tasks", "other", "any".
std::string_view ForgeEndpointName(ForgeEndpoint e);
std::optional<ForgeEndpoint> ParseForgeEndpoint(std::string_view name);

enum class ForgeFaultKind {
  kLatency,         // delay the response by `latency`; the request then proceeds
  kHttp500,         // 500 {"error":{"code":"internal",…}}
  kHttp503,         // 503 {"error":{"code":"unavailable",…}} with Retry-After: retry_after
  kRateLimited,     // 429 {"error":{"code":"rate_limited",…}} with Retry-After: retry_after
  kTokenExpired,    // the presented token is expired; 401 token_expired
  kMalformedBody,   // the request is processed, then the body is cut in half
  kDropConnection,  // the request is processed, then the connection is cut mid-body
  kGarbledBody,     // the request is processed, then the body is JSON of the wrong shape
  kQuotaExceeded,   // 403 {"error":{"code":"quota_exceeded",…}}: Forge's REQUEST_LIMIT_EXCEEDED
};

/// "latency", "http_500", "http_503", "rate_limited", "token_expired", "malformed_body",
/// "drop_connection", "garbled_body", "quota_exceeded". (Forge has no row-lock error; its
/// transient failures are http_503 and rate_limited.)
std::string_view ForgeFaultKindName(ForgeFaultKind kind);
std::optional<ForgeFaultKind> ParseForgeFaultKind(std::string_view name);

using ForgeFaultSpec = BasicFaultSpec<ForgeEndpoint, ForgeFaultKind>;
using ForgeFaultInjector = BasicFaultInjector<ForgeEndpoint, ForgeFaultKind>;

/// Parses a fault document (ParseFaultDocument, fault_injector.h) with the Forge names, e.g.
/// `{"endpoint":"tickets","kind":"rate_limited","count":2,"retry_after_s":1}`.
StatusOr<ForgeFaultSpec> ForgeFaultSpecFromJson(nlohmann::json const& j);
FaultNames<ForgeEndpoint, ForgeFaultKind> const& ForgeFaultNames();
nlohmann::json ForgeFaultSpecToJson(ForgeFaultSpec const& spec);

}  // namespace casebridge::sandbox
