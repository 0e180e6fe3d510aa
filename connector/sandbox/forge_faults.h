// Fault injection for the Forge emulator, with the same semantics as the Salesforce emulator's
// (fault_injector.h): per endpoint, for the next N matching requests and/or with a probability
// drawn from a seeded RNG. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"

namespace casebridge::sandbox {

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
  kHttp503,         // 503 {"error":{"code":"unavailable",…}} with Retry-After
  kRateLimited,     // 429 {"error":{"code":"rate_limited",…}} with Retry-After: retry_after
  kTokenExpired,    // the presented token is expired; 401 token_expired
  kMalformedBody,   // the request is processed, then the body is cut in half
  kDropConnection,  // the request is processed, then the connection is cut mid-body
};

/// "latency", "http_500", "http_503", "rate_limited", "token_expired", "malformed_body",
/// "drop_connection".
std::string_view ForgeFaultKindName(ForgeFaultKind kind);
std::optional<ForgeFaultKind> ParseForgeFaultKind(std::string_view name);

struct ForgeFaultSpec {
  ForgeEndpoint endpoint = ForgeEndpoint::kAny;
  ForgeFaultKind kind = ForgeFaultKind::kHttp503;
  int count = 1;                         // matching requests it hits; 0 = unlimited
  double probability = 1.0;              // in (0, 1]
  std::chrono::milliseconds latency{0};  // kLatency
  std::chrono::seconds retry_after{1};   // kRateLimited, kHttp503
};

/// Parses `{"endpoint":"tickets","kind":"rate_limited","count":2,"probability":1,
/// "latency_ms":0,"retry_after_s":1}` (every member but "kind" optional). Errors name the member.
StatusOr<ForgeFaultSpec> ForgeFaultSpecFromJson(nlohmann::json const& j);
nlohmann::json ForgeFaultSpecToJson(ForgeFaultSpec const& spec);

class ForgeFaultInjector {
 public:
  explicit ForgeFaultInjector(std::uint64_t seed = 1) : rng_(seed) {}

  struct Decision {
    std::chrono::milliseconds latency{0};  // sum of the latency faults that hit
    std::optional<ForgeFaultSpec> fault;   // the first non-latency fault that hit
  };

  void Add(ForgeFaultSpec spec);
  void Clear();
  /// Decides the faults for one request to `endpoint` and consumes their counts.
  Decision Next(ForgeEndpoint endpoint);
  /// Faults still armed (count = remaining hits, 0 = unlimited).
  [[nodiscard]] std::vector<ForgeFaultSpec> Pending() const;

 private:
  struct Armed {
    ForgeFaultSpec spec;
    int remaining;  // -1 = unlimited
  };
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Armed> faults_;
};

}  // namespace casebridge::sandbox
