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
#include "connector/sandbox/emulator_listener.h"
#include "connector/sandbox/emulator_options.h"
#include "connector/sandbox/fault_injector.h"
#include "connector/sandbox/sobject_writer.h"

namespace casebridge::sandbox {

/// Request counters and fault injection (RequestCount, InjectFault, …) come from EmulatorFront.
class SalesforceEmulator : public EmulatorFront<EndpointKind, FaultKind> {
 public:
  explicit SalesforceEmulator(SalesforceEmulatorOptions options = {});
  ~SalesforceEmulator() override;
  SalesforceEmulator(SalesforceEmulator const&) = delete;
  SalesforceEmulator& operator=(SalesforceEmulator const&) = delete;

  // Start, Stop, running, base_url (also the `instance_url` of tokens) and port come from
  // EmulatorFront.
  [[nodiscard]] std::string org_id() const;
  [[nodiscard]] std::string api_version() const;

  /// Adds records from a seed document (see SalesforceOrg::Seed for the format). Errors
  /// name the object, record index and field; nothing is added on error.
  Status SeedFromJson(nlohmann::json const& seed) override;

  /// Every record of `object` (stored form: dateTimes as `…000+0000`, deleted records
  /// included with IsDeleted = true).
  [[nodiscard]] std::vector<nlohmann::json> Records(std::string_view object) const;
  [[nodiscard]] std::optional<nlohmann::json> FindRecord(std::string_view id) const;
  /// Writes that set OwnerId, with the `Sforce-Auto-Assign` header they carried.
  [[nodiscard]] std::vector<OwnerWrite> OwnerWrites() const;

  /// Daily API usage as reported by `Sforce-Limit-Info: api-usage=N/M`.
  [[nodiscard]] std::int64_t ApiUsage() const;
  void SetApiUsage(std::int64_t used);

  /// Invalidates every access token (the next REST call gets 401 INVALID_SESSION_ID).
  void ExpireAllTokens() override;

 private:
  [[nodiscard]] Status Validate() const override;
  void OnStarted(std::string const& base_url) override;
  WireReply Dispatch(ApiRequest const& request, bool target_ok) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The default seed org (Users incl. an integration user, queues incl. Back_Office, Accounts,
/// Contacts, ~20 Cases with Tasks, EmailMessages, FeedItems and CaseHistory), embedded from
/// tests/data/sandbox/salesforce_seed.json.
std::string_view DefaultSalesforceSeed();

}  // namespace casebridge::sandbox
