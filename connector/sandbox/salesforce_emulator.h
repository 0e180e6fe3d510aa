// The Salesforce emulator: a stateful HTTP server on loopback that speaks the Salesforce wire
// format casebridge uses (OAuth token endpoint and identity URL; REST query/queryAll with
// nextRecordsUrl paging, sObject CRUD and upsert by external id, sObject Collections,
// Composite, Bulk API 2.0 query jobs, /limits; Salesforce error bodies and
// `Sforce-Limit-Info`), with fault injection. Used by tests, `casebridge demo`, benchmarks
// and `casebridge sandbox`. See connector/sandbox/README.md for the supported subset and the
// emulator's own /__sandbox/ endpoints.
//
// It shares no code with the clients it tests (layer 6): it is written from the vendor
// documentation, so a misunderstanding in the client shows up as a failing test.
//
// Flow: cpprest listener thread -> request counters -> fault injector (latency, injected
// failures) -> SalesforceOrg::Handle (state under one mutex) -> optional post-processing
// faults (truncated body, dropped connection) -> reply.
//
// Thread-safety: all members may be called concurrently with each other and with requests
// being served, except that Start/Stop must not race each other.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"
#include "connector/sandbox/emulator_options.h"
#include "connector/sandbox/fault_injector.h"
#include "connector/sandbox/sobject_writer.h"

namespace casebridge::sandbox {

class SalesforceEmulator {
 public:
  explicit SalesforceEmulator(SalesforceEmulatorOptions options = {});
  ~SalesforceEmulator();
  SalesforceEmulator(SalesforceEmulator const&) = delete;
  SalesforceEmulator& operator=(SalesforceEmulator const&) = delete;

  /// Starts serving on http://host:port. Port 0 picks a free port (retrying a few times if
  /// another process takes it first). Errors: invalid options (kInvalidArgument), the port
  /// cannot be bound (kUnavailable), already started (kFailedPrecondition).
  Status Start(std::string const& host = "127.0.0.1", int port = 0);
  /// Stops serving (idempotent). State (records, tokens) is kept.
  void Stop();
  [[nodiscard]] bool running() const;

  /// `http://127.0.0.1:<port>` (no trailing slash); also the `instance_url` of tokens.
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] int port() const;
  [[nodiscard]] std::string org_id() const;
  [[nodiscard]] std::string api_version() const;

  /// Adds records from a seed document (see SalesforceOrg::Seed for the format). Errors
  /// name the object, record index and field; nothing is added on error.
  Status SeedFromJson(nlohmann::json const& seed);
  /// Reads a seed document (JSON, comments allowed) from a file.
  Status SeedFromFile(std::string const& path);

  /// Every record of `object` (stored form: dateTimes as `…000+0000`, deleted records
  /// included with IsDeleted = true).
  [[nodiscard]] std::vector<nlohmann::json> Records(std::string_view object) const;
  [[nodiscard]] std::optional<nlohmann::json> FindRecord(std::string_view id) const;
  /// Writes that set OwnerId, with the `Sforce-Auto-Assign` header they carried.
  [[nodiscard]] std::vector<OwnerWrite> OwnerWrites() const;

  /// HTTP requests received for `kind` (faulted ones included); kAny = all of them.
  /// The emulator's own /__sandbox/ endpoints are not counted.
  [[nodiscard]] std::int64_t RequestCount(EndpointKind kind) const;
  /// Counts by endpoint name ("query", "collections", …).
  [[nodiscard]] std::map<std::string, std::int64_t> RequestCounts() const;
  void ResetRequestCounts();

  /// Daily API usage as reported by `Sforce-Limit-Info: api-usage=N/M`.
  [[nodiscard]] std::int64_t ApiUsage() const;
  void SetApiUsage(std::int64_t used);

  void InjectFault(FaultSpec const& spec);
  void ClearFaults();
  [[nodiscard]] std::vector<FaultSpec> PendingFaults() const;
  /// Invalidates every access token (the next REST call gets 401 INVALID_SESSION_ID).
  void ExpireAllTokens();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The default seed org (Users incl. an integration user, queues incl. Back_Office, Accounts,
/// Contacts, ~20 Cases with Tasks, EmailMessages, FeedItems and CaseHistory), embedded from
/// tests/data/sandbox/salesforce_seed.json.
std::string_view DefaultSalesforceSeed();

}  // namespace casebridge::sandbox
