// The Forge client (SPEC section 5; the API is described in connector/forge/openapi.yaml).
//
// Layers (the same as the Salesforce client's):
//   Client      — the operations: cursor paging of lists, record parsing, idempotent creates
//   Connection  — one logical call: the shared RetryLoop by idempotency + the HTTP -> Status
//                 table (errors.h); Retry-After honoured, a too-long one stops the run
//   AuthorizingTransport (auth/) — `Authorization: Bearer`, relative URLs onto forge.base_url,
//                 one re-login on 401 (token lifetime is unknown)
//   MeteringTransport — every call counted by kind (login, read, write)
//   wire        — CpprestTransport (optionally under LoggingTransport), or a fake in tests
//
// Every path, query parameter and field name comes from the ForgeMapping (forge.json).
// Retried (idempotent): every GET; creates that carry the Idempotency-Key header (documents and
// service tickets always; tasks unless forge.json says Forge ignores the key). A create without
// the key is sent exactly once. The password is read from its env/file source at each login and
// never logged or put into a Status; tokens are SecretStrings.
//
// All methods are thread-safe; a Client is cheap to copy (copies share the connection, token
// cache and counters).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "connector/common/clock.h"
#include "connector/common/retry.h"
#include "connector/common/status.h"
#include "connector/forge/connection.h"
#include "connector/forge/metering.h"
#include "connector/forge/records.h"
#include "connector/http/http_transport.h"
#include "mappings/app_config.h"
#include "mappings/forge_mapping.h"

namespace casebridge::auth {
class TokenCache;
}  // namespace casebridge::auth

namespace casebridge::forge {

struct ClientOptions {
  /// Retries, timeout (also the login's) and the longest Retry-After waited (connection.h).
  ConnectionOptions connection;
  /// Records per list page; 0 = forge.json `paging.page_size`.
  int page_size = 0;
};

template <typename T>
using RecordCallback = std::function<Status(T const& record)>;
/// Receives a record that could not be parsed (kInvalidArgument naming record and field). When
/// not given, such a record fails the listing.
using BadRecordCallback = std::function<void(Status const& problem)>;

class Client {
 public:
  /// The full stack over `wire` (see the file comment). Errors: kInvalidArgument naming the
  /// setting for an unusable config (base_url not https — http only on loopback —, no e-mail,
  /// no password source). Nothing is sent until the first call.
  static StatusOr<Client> Create(mappings::ForgeConfig const& config,
                                 mappings::ForgeMapping mapping,
                                 std::shared_ptr<http::HttpTransport> wire, ClientOptions options,
                                 Sleeper sleeper, std::shared_ptr<Clock const> clock);

  /// Logs in now unless a token is already held (one login call). Errors as the login:
  /// kUnauthenticated for refused credentials (the message never contains the password),
  /// kFailedPrecondition for an unreadable password source, kUnavailable, ….
  Status Login() const;

  /// The user behind the token (`auth.me_path`). kFailedPrecondition when forge.json maps no
  /// me_path; kNotFound when Forge does not implement it.
  StatusOr<User> CurrentUser() const;

  // --- Reads (cursor paging; every page is one retried GET) ------------------------------------

  /// Errors for every listing: the mapped API errors, kInternal for a page that is not the
  /// documented shape (no items array, a repeated cursor), the callback's own error (stops the
  /// paging), a bad record when `on_bad` is not given.
  Status ListTickets(TicketQuery const& query, RecordCallback<Ticket> const& on_ticket,
                     BadRecordCallback const& on_bad = {}) const;
  /// One ticket; kNotFound when Forge has none with that id.
  StatusOr<Ticket> GetTicket(std::string const& id) const;
  Status ListInteractions(InteractionQuery const& query,
                          RecordCallback<Interaction> const& on_interaction,
                          BadRecordCallback const& on_bad = {}) const;
  Status ListServiceTickets(ServiceTicketQuery const& query,
                            RecordCallback<ServiceTicket> const& on_ticket,
                            BadRecordCallback const& on_bad = {}) const;
  Status ListTasks(TaskQuery const& query, RecordCallback<Task> const& on_task,
                   BadRecordCallback const& on_bad = {}) const;

  // --- Writes ----------------------------------------------------------------------------------

  /// `forge_document`: POST interactions with the idempotency key; twice with the same key ->
  /// one record (the second answer has created == false). Retried when the key is sent.
  StatusOr<WriteOutcome> CreateDocument(DocumentRequest const& request) const;
  /// `forge_service_ticket` (tier 3): POST service-tickets with the idempotency key.
  StatusOr<WriteOutcome> CreateServiceTicket(ServiceTicketRequest const& request) const;
  /// POST /api/v1/tasks (confirmed endpoint) with the idempotency key when forge.json says
  /// Forge honours it (then retried); otherwise sent exactly once.
  StatusOr<WriteOutcome> CreateTask(TaskRequest const& request) const;

  // --- Usage -----------------------------------------------------------------------------------

  /// HTTP calls made so far by kind (logins, retries and 401 replays included).
  [[nodiscard]] CallCounts calls() const;
  /// Logins performed so far (successful or not).
  [[nodiscard]] int logins() const;
  [[nodiscard]] mappings::ForgeMapping const& mapping() const { return *mapping_; }
  [[nodiscard]] std::string const& base_url() const { return base_url_; }

 private:
  Client() = default;

  std::shared_ptr<mappings::ForgeMapping const> mapping_;
  std::shared_ptr<Connection> connection_;
  std::shared_ptr<auth::TokenCache> tokens_;
  std::shared_ptr<CallCounter> counter_;
  std::string base_url_;
  int page_size_ = 100;
};

}  // namespace casebridge::forge
