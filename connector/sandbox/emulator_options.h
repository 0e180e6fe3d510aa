// Configuration of the Salesforce emulator (see salesforce_emulator.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connector/common/clock.h"

namespace casebridge::sandbox {

/// A connected app / External Client App known to the emulated org.
struct ConnectedAppOptions {
  std::string client_id;      // consumer key; the JWT `iss`
  std::string client_secret;  // consumer secret; empty disables secret-based grants
  /// PEM public key or X.509 certificate that verifies JWT assertions; empty disables the
  /// JWT bearer flow for this app.
  std::string jwt_public_key_pem;
  /// Usernames allowed to use the app ("pre-authorized"); empty = every active user.
  std::vector<std::string> authorized_usernames;
  /// Run-as user of the client-credentials flow; empty disables that flow.
  std::string client_credentials_username;
  /// Refresh token -> username, for the refresh_token grant.
  std::map<std::string, std::string> refresh_tokens;
  /// Issue a new refresh token on each refresh and invalidate the old one.
  bool rotate_refresh_tokens = false;
  std::string scope = "api";
};

struct SalesforceEmulatorOptions {
  /// Highest API version served (`/services/data/v62.0`); older versions down to 20.0 are
  /// accepted too.
  std::string api_version = "62.0";
  /// 15/18-character org id (00D…); empty = generated.
  std::string org_id;
  std::vector<ConnectedAppOptions> apps;

  /// Access-token lifetime (the app's session timeout).
  std::chrono::seconds token_lifetime{2 * 60 * 60};
  /// JWT `exp` may be at most this far ahead (Salesforce: 3 minutes) plus `jwt_clock_skew`.
  std::chrono::seconds jwt_max_validity{180};
  std::chrono::seconds jwt_clock_skew{60};
  /// Audiences accepted besides https://login.salesforce.com, https://test.salesforce.com and
  /// the emulator's own base URL.
  std::vector<std::string> extra_audiences;

  /// Query page size when the client sends no `Sforce-Query-Options: batchSize=N`.
  int default_batch_size = 2000;
  /// Daily API request allocation reported in `Sforce-Limit-Info` and `/limits`.
  std::int64_t daily_api_limit = 100000;
  /// Status polls of a Bulk API 2.0 query job before it reports JobComplete (0 = complete as
  /// soon as created).
  int bulk_polls_until_complete = 2;
  /// Rows per Bulk result set when the client sends no `maxRecords`.
  std::int64_t bulk_default_max_records = 50000;
  /// How long query locators stay valid (Salesforce v56+: 2 days).
  std::chrono::seconds query_locator_lifetime{2 * 24 * 60 * 60};

  /// External-id field on Task used for idempotent upserts.
  std::string task_external_id_field = "Casebridge_Key__c";
  std::vector<std::string> closed_case_statuses = {"Closed"};
  std::vector<std::string> closed_task_statuses = {"Completed"};
  /// Case fields whose changes write CaseHistory rows.
  std::vector<std::string> case_history_fields = {"Status", "OwnerId", "Priority"};
  /// Simulated active Case assignment rule: when non-empty, Case writes without
  /// `Sforce-Auto-Assign: FALSE` get this OwnerId (as a real org would do).
  std::string assignment_rule_owner_id;

  /// Time source for record timestamps, token expiry and date literals; null = system clock.
  std::shared_ptr<Clock const> clock;
  /// Seed of the fault-injection RNG (probabilistic faults are reproducible).
  std::uint64_t fault_seed = 1;
};

}  // namespace casebridge::sandbox
