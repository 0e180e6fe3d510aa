// Fault injection for the emulator: per endpoint kind, for the next N matching requests
// and/or with a probability drawn from a seeded RNG. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"

namespace casebridge::sandbox {

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
};

/// Stable names: "latency", "http_500", "http_503", "unable_to_lock_row", "token_expired",
/// "request_limit_exceeded", "malformed_body", "drop_connection".
std::string_view FaultKindName(FaultKind kind);
std::optional<FaultKind> ParseFaultKind(std::string_view name);

struct FaultSpec {
  EndpointKind endpoint = EndpointKind::kAny;
  FaultKind kind = FaultKind::kHttp503;
  /// How many matching requests it hits; 0 = unlimited (use with `probability` < 1).
  int count = 1;
  /// Chance that a matching request is hit, in (0, 1].
  double probability = 1.0;
  std::chrono::milliseconds latency{0};  // kLatency only
};

/// Parses `{"endpoint":"query","kind":"http_503","count":2,"probability":0.5,
/// "latency_ms":100}` (every member but "kind" optional).
StatusOr<FaultSpec> FaultSpecFromJson(nlohmann::json const& j);
nlohmann::json FaultSpecToJson(FaultSpec const& spec);

class FaultInjector {
 public:
  explicit FaultInjector(std::uint64_t seed = 1) : rng_(seed) {}

  struct Decision {
    std::chrono::milliseconds latency{0};  // sum of the latency faults that hit
    std::optional<FaultKind> fault;        // the first non-latency fault that hit
  };

  void Add(FaultSpec spec);
  void Clear();
  /// Decides the faults for one request of `kind` and consumes their counts.
  Decision Next(EndpointKind kind);
  /// Faults still armed (count not exhausted).
  [[nodiscard]] std::vector<FaultSpec> Pending() const;

 private:
  struct Armed {
    FaultSpec spec;
    int remaining;  // -1 = unlimited
  };
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Armed> faults_;
};

}  // namespace casebridge::sandbox
