// The emulated org behind the HTTP listener: state (schema, records, sessions, query cursors,
// Bulk jobs, API usage) and the Salesforce endpoints, independent of any transport.
//
// Flow of one request: Handle() routes by path -> OAuth token / identity, or REST under
// /services/data/vNN.N/ (Bearer session check -> daily limit -> resource handler) -> a JSON
// (or CSV) ApiResponse carrying `Sforce-Limit-Info`. Composite subrequests re-enter the
// resource handlers without counting as separate API calls.
//
// Thread-safety: every public member is safe to call concurrently (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/clock.h"
#include "connector/common/status.h"
#include "connector/sandbox/api_message.h"
#include "connector/sandbox/crypto_util.h"
#include "connector/sandbox/emulator_options.h"
#include "connector/sandbox/fault_injector.h"
#include "connector/sandbox/record_store.h"
#include "connector/sandbox/schema.h"
#include "connector/sandbox/sobject_writer.h"
#include "connector/sandbox/soql_engine.h"

namespace casebridge::sandbox {

class SalesforceOrg {
 public:
  explicit SalesforceOrg(SalesforceEmulatorOptions options);

  /// Checks the options (app keys parse, ids well-formed). Call once before serving.
  [[nodiscard]] Status Validate() const;

  void set_base_url(std::string url);
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] std::string org_id() const { return org_id_; }
  [[nodiscard]] std::string const& api_version() const { return options_.api_version; }

  /// The endpoint kind of a request (for counters and fault matching); nullopt for the
  /// emulator's own /__sandbox/ endpoints.
  static std::optional<EndpointKind> Classify(ApiRequest const& request);

  /// Handles one request.
  ApiResponse Handle(ApiRequest const& request);

  /// The response of an injected failure for `request`. kTokenExpired revokes the bearer
  /// token the request carried.
  ApiResponse FaultResponse(ApiRequest const& request, EndpointKind kind, FaultKind fault);

  /// Adds records from a seed document `{"_fields": {…}, "User": [{…}], "Case": [{…}], …}`.
  /// Ids are assigned when absent; undeclared custom fields (`…__c`) are inferred from their
  /// values. Errors name the object, record index and field; nothing is added on error.
  Status Seed(nlohmann::json const& seed);

  /// Every record of an object (deleted ones included, with IsDeleted = true), in insertion
  /// order. Unknown object: empty.
  [[nodiscard]] std::vector<nlohmann::json> Records(std::string_view object) const;
  /// One record by id (15 or 18 characters).
  [[nodiscard]] std::optional<nlohmann::json> FindRecord(std::string_view id) const;
  [[nodiscard]] std::vector<OwnerWrite> OwnerWrites() const;

  [[nodiscard]] std::int64_t api_usage() const;
  void set_api_usage(std::int64_t used);
  /// Invalidates every access token issued so far.
  void ExpireAllTokens();
  /// Number of access tokens currently valid.
  [[nodiscard]] std::size_t active_sessions() const;

 private:
  struct Session {
    std::string user_id;
    std::string client_id;
    Instant expires{};
  };
  // The selected records' keys; pages are rendered when fetched (re-binding `soql`), so a
  // cursor over a million records holds 15 bytes per record, not the rendered JSON.
  struct Cursor {
    std::string soql;
    QueryOptions options;
    std::shared_ptr<std::vector<RowKey> const> rows;
    int batch_size = 2000;
    Instant expires{};
    std::uint64_t sequence = 0;
  };
  struct BulkJob {
    std::string id;
    std::string operation;  // query | queryAll
    std::string object;
    std::string query;
    std::string state;  // UploadComplete, InProgress, JobComplete, Aborted, Failed
    std::string created_by;
    std::string created_date;
    std::string system_modstamp;
    std::string api_version;
    std::string column_delimiter = "COMMA";
    std::string line_ending = "LF";
    int polls = 0;
    std::shared_ptr<CsvResult> result;
    std::string error_message;
  };
  struct RestContext {
    ApiRequest const* request = nullptr;
    std::string version;  // "62.0"
    Session session;
    bool in_composite = false;
  };

  // Core (salesforce_org.cc).
  Instant Now() const;
  WriteContext MakeWriteContext(RestContext const& ctx) const;
  std::optional<Session> Authenticate(ApiRequest const& request);
  ApiResponse HandleRestResource(RestContext const& ctx, std::string_view rest);
  ApiResponse HandleVersions() const;
  ApiResponse HandleLimits(RestContext const& ctx) const;
  void AddLimitHeader(ApiResponse& response) const;
  Status SeedLocked(nlohmann::json const& seed);

  // OAuth and identity (org_oauth.cc).
  ApiResponse HandleToken(ApiRequest const& request);
  ApiResponse HandleRevoke(ApiRequest const& request);
  ApiResponse HandleIdentity(ApiRequest const& request);
  ApiResponse IssueToken(ConnectedAppOptions const& app, std::string const& user_id);
  Record const* FindActiveUser(std::string_view username) const;

  // Queries and Bulk API 2.0 (org_query.cc).
  ApiResponse HandleQuery(RestContext const& ctx, bool include_deleted);
  ApiResponse HandleQueryMore(RestContext const& ctx, std::string_view locator);
  ApiResponse QueryPage(RestContext const& ctx, std::string const& locator, Cursor const& cursor,
                        std::size_t offset, int batch_size);
  ApiResponse HandleBulk(RestContext const& ctx, std::vector<std::string> const& segments);
  nlohmann::ordered_json JobInfo(BulkJob const& job) const;
  void AdvanceJob(BulkJob& job);

  // sObjects, Collections, Composite (org_sobjects.cc).
  ApiResponse HandleSObjects(RestContext const& ctx, std::vector<std::string> const& segments);
  ApiResponse Upsert(RestContext const& ctx, ObjectSchema const& object, std::string const& field,
                     std::string const& value);
  ApiResponse HandleCollections(RestContext const& ctx, std::vector<std::string> const& segments);
  ApiResponse HandleComposite(RestContext const& ctx);
  nlohmann::ordered_json Describe(ObjectSchema const& object) const;
  /// The live records of `object` whose Id (`by_id`) or text external id `field` equals
  /// `value` (ids: 15 or 18 characters; text: ignoring case), from the store's indexes.
  std::vector<Record*> LiveMatches(ObjectSchema const& object, std::string const& field, bool by_id,
                                   std::string_view value);

  SalesforceEmulatorOptions options_;
  std::shared_ptr<Clock const> clock_;
  std::string org_id_;
  std::map<std::string, RsaPublicKey> app_keys_;  // client_id -> JWT key
  Status key_status_;

  mutable std::mutex mu_;
  std::string base_url_;
  Schema schema_;
  RecordStore store_;
  SObjectWriter writer_;
  std::map<std::string, Session> sessions_;  // access token -> session
  struct RefreshGrant {
    std::string client_id;
    std::string username;
  };
  std::map<std::string, RefreshGrant> refresh_tokens_;
  std::map<std::string, Cursor> cursors_;  // locator id -> cursor
  std::uint64_t cursor_sequence_ = 0;
  std::map<std::string, BulkJob> jobs_;
  std::uint64_t job_sequence_ = 0;
  std::int64_t api_usage_ = 0;
};

/// `[{"message":…,"errorCode":…[,"fields":[…]]}]` with `status`.
ApiResponse SalesforceError(int status, std::string const& error_code, std::string const& message,
                            std::optional<std::vector<std::string>> fields = std::nullopt);

/// An error Status (from the SOQL engine) as a REST error response.
ApiResponse SalesforceError(Status const& status);

}  // namespace casebridge::sandbox
