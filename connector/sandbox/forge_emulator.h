// The Forge emulator: a stateful HTTP server on loopback implementing
// connector/forge/openapi.yaml (login with configured users, bearer checks, expiring tokens,
// tickets, interactions, service tickets, tasks, cursor paging, 429 with Retry-After), with
// fault injection like the Salesforce emulator's. Used by tests, `casebridge demo` and
// `casebridge sandbox`. It shares no code with connector/forge (only common/ and the sandbox's
// own transport-neutral request type).
//
// Flow: cpprest listener thread -> request counters -> fault injector (latency, injected
// failures) -> ForgeService::Handle (state under one mutex) -> optional post-processing faults
// (truncated body, dropped connection) -> reply.
//
// Its own endpoints (not part of Forge, not counted, no token needed):
//   POST   /__sandbox/seed               add/replace records (ForgeService::Seed format)
//   GET    /__sandbox/state[/<collection>] every record (users without passwords)
//   GET|POST|DELETE /__sandbox/faults    list / arm (one spec or {"faults": [...]}) / clear
//   GET|DELETE /__sandbox/counters       requests by endpoint (and logins) / reset
//   POST   /__sandbox/tokens/expire      expire every issued token
//
// Thread-safety: all members may be called concurrently with each other and with requests being
// served, except that Start/Stop must not race each other.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"
#include "connector/sandbox/emulator_listener.h"
#include "connector/sandbox/fault_injector.h"
#include "connector/sandbox/forge_service.h"

namespace casebridge::sandbox {

/// Request counters and fault injection (RequestCount, InjectFault, …) come from EmulatorFront.
class ForgeEmulator : public EmulatorFront<ForgeEndpoint, ForgeFaultKind> {
 public:
  explicit ForgeEmulator(ForgeEmulatorOptions const& options = {});
  ~ForgeEmulator() override;
  ForgeEmulator(ForgeEmulator const&) = delete;
  ForgeEmulator& operator=(ForgeEmulator const&) = delete;

  // Start, Stop, running, base_url (the `forge.base_url` to configure) and port come from
  // EmulatorFront.

  /// See ForgeService::Seed.
  Status SeedFromJson(nlohmann::json const& seed) override;

  /// See ForgeService::Records / State.
  [[nodiscard]] std::vector<nlohmann::json> Records(std::string_view collection) const;
  [[nodiscard]] nlohmann::json State() const;

  /// Successful logins (tokens issued).
  [[nodiscard]] std::int64_t Logins() const;

  /// Expires every issued token (the next API call with one gets 401 token_expired).
  void ExpireAllTokens() override;

 private:
  [[nodiscard]] Status Validate() const override;
  WireReply Dispatch(ApiRequest const& request, bool target_ok) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A small realistic Forge data set: the demo user plus agents, tickets of every escalation
/// tier (and one untriaged), and interactions (customer messages, calls, e-mails, notes).
std::string_view DefaultForgeSeed();

}  // namespace casebridge::sandbox
