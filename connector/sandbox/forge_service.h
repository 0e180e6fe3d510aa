// The state and request handling of the Forge emulator, independent of HTTP (the listener is in
// forge_emulator.cc). It implements connector/forge/openapi.yaml — written from that document,
// not from the client: it shares no code with connector/forge, so a misreading of the document
// by either side shows up as a failing test.
//
// Implemented: POST /api/auth/login (configured users; bearer tokens that expire after
// `token_lifetime` or when expired by a fault/admin call), GET /api/v1/me, tickets (list, get),
// interactions (list, create), service tickets (list, create), tasks (list, create). Lists are
// ordered by (updated_at, id) and paged with an opaque keyset cursor (`limit` 1-200, default
// 50). Creates honour `Idempotency-Key` (per endpoint and user: a repeated key returns the
// record created first with 200). Optional rate limit: `rate_limit_per_minute` requests per
// clock minute, then 429 with Retry-After. Errors use the document's
// `{"error": {"code", "message", "field", "request_id"}}`.
//
// Thread-safety: every method may be called concurrently (one mutex guards the state).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/clock.h"
#include "connector/common/status.h"
#include "connector/sandbox/api_message.h"
#include "connector/sandbox/fault_injector.h"

namespace casebridge::sandbox {

/// A Forge user. Users with an empty password exist (they can be assigned tasks) but cannot log
/// in.
struct ForgeUserOptions {
  std::string id;
  std::string email;
  std::string password;
  std::string name;
  std::string role;
};

struct ForgeEmulatorOptions {
  /// Users besides those of seed documents; empty = the sandbox demo user
  /// (DemoForgeUser()).
  std::vector<ForgeUserOptions> users;
  /// Bearer-token lifetime; requests with an older token get 401 token_expired.
  std::chrono::seconds token_lifetime{60 * 60};
  int default_page_size = 50;
  int max_page_size = 200;
  /// Requests per clock minute before 429 (counted over every /api call); 0 = unlimited.
  int rate_limit_per_minute = 0;
  /// Time source for timestamps, token expiry and the rate-limit window; null = system clock.
  std::shared_ptr<Clock const> clock;
  /// Seed of the fault-injection RNG (probabilistic faults are reproducible).
  std::uint64_t fault_seed = 1;
};

/// The sandbox-only demo user: integration@forge.sandbox / forge-sandbox-password.
ForgeUserOptions DemoForgeUser();

class ForgeService {
 public:
  explicit ForgeService(ForgeEmulatorOptions const& options);

  /// OK, or kInvalidArgument for unusable options (duplicate user ids or e-mails, page sizes).
  [[nodiscard]] Status Validate() const;

  /// Which endpoint a request addresses; nullopt for paths outside /api (the admin endpoints).
  static std::optional<ForgeEndpoint> Classify(ApiRequest const& request);

  /// Serves one /api request (the response is Finish()ed).
  ApiResponse Handle(ApiRequest const& request);
  /// The response an injected fault produces for `request` (latency and post-processing faults
  /// are the listener's). kTokenExpired also expires the presented token.
  ApiResponse FaultResponse(ApiRequest const& request, ForgeFaultSpec const& fault);

  /// Adds or replaces (by id) records from a seed document:
  /// {"users": [...], "tickets": [...], "interactions": [...], "service_tickets": [...],
  ///  "tasks": [...]} in the wire format of openapi.yaml (missing ids, numbers and timestamps are
  /// generated; users take `password`). Errors name the collection, index and field; nothing is
  /// added on error.
  Status Seed(nlohmann::json const& seed);

  /// Records of one collection ("tickets", "interactions", "service_tickets", "tasks", "users"
  /// — users without passwords), in list order.
  [[nodiscard]] std::vector<nlohmann::json> Records(std::string_view collection) const;
  /// Every collection, as {"users": [...], "tickets": [...], …}.
  [[nodiscard]] nlohmann::json State() const;

  /// Expires every issued token (the next call with one gets 401 token_expired).
  void ExpireAllTokens();
  /// Tokens issued so far (successful logins).
  [[nodiscard]] std::int64_t logins() const;

 private:
  struct Token {
    std::string user_id;
    Instant expires_at{};
    bool revoked = false;
  };
  using Record = nlohmann::ordered_json;
  using Collection = std::map<std::string, Record>;  // id -> record

  Instant Now() const;
  std::string NextRequestId();
  ApiResponse Error(int status, std::string_view code, std::string const& message,
                    std::string const& field = {});
  ApiResponse Json(int status, Record body);

  // Authentication: the user id of a valid bearer token, or the 401 to send.
  std::optional<ApiResponse> Authenticate(ApiRequest const& request, std::string& user_id);
  std::optional<ApiResponse> RateLimit();

  ApiResponse Login(ApiRequest const& request);
  ApiResponse Me(std::string const& user_id);
  ApiResponse List(ApiRequest const& request, Collection const& items,
                   std::vector<std::string> const& filters);
  ApiResponse GetTicket(std::string const& id);
  ApiResponse CreateInteraction(ApiRequest const& request, std::string const& user_id);
  ApiResponse CreateServiceTicket(ApiRequest const& request, std::string const& user_id);
  ApiResponse CreateTask(ApiRequest const& request, std::string const& user_id);
  // Shared create flow: content type, JSON body, idempotency replay, then `build`.
  template <typename Build>
  ApiResponse CreateWith(ApiRequest const& request, std::string const& user_id,
                         std::string_view endpoint, Collection& items, Build build);

  Record UserJson(std::string const& id) const;
  // `items` by (updated_at, id), the order of list pages; built on the first list and kept
  // current by creates, so a page costs its own rows, not a scan and sort of the collection.
  using UpdateOrder = std::map<std::pair<Instant, std::string>, Record const*>;
  UpdateOrder const& OrderOf(Collection const& items);
  // Stores `record` under `id` in `items`, keeping its UpdateOrder current.
  void Put(Collection& items, std::string const& id, Record record);

  ForgeEmulatorOptions options_;
  std::shared_ptr<Clock const> clock_;
  mutable std::mutex mu_;
  std::mt19937_64 token_rng_;
  std::map<std::string, ForgeUserOptions> users_;  // id -> user
  std::map<std::string, Token> tokens_;
  Collection tickets_;
  Collection interactions_;
  Collection service_tickets_;
  Collection tasks_;
  std::map<std::string, std::string> idempotency_;  // endpoint \n user \n key -> id
  std::map<Collection const*, UpdateOrder> orders_;
  std::int64_t next_id_ = 1;
  std::int64_t next_request_ = 1;
  std::int64_t logins_ = 0;
  Instant window_start_{};
  int window_count_ = 0;
};

}  // namespace casebridge::sandbox
