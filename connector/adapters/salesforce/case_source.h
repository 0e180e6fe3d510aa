// The Salesforce side of the ports (ports.h): an org connection shared by the case source and
// the action sink of one run.
//
// SalesforceOrg::Connect() builds the case adapter with the org's queue directory (queues.json
// names the queues). With KeepQueuesIn() the directory is kept in the state store and read
// from the org (one query) only when the stored one lacks a queue of queues.json or is a day
// old, or when a case names a queue id it does not know (at most once per run; ids still
// unknown then are queues queues.json does not name, remembered as such); otherwise on every
// Connect(). SalesforceCaseSource then reads cases with one
// SOQL query per page (children by subquery, case_adapter.h), by id `ids_per_query` at a time,
// or a creation range through REST pages or, above `bulk_above` cases per chunk, Bulk API 2.0
// jobs (bulk_case_reader.h); each record becomes a SourcedCase (interactions, casebridge's own
// records and the report facts extracted in the conversion).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/adapters/salesforce/case_adapter.h"
#include "connector/common/status.h"
#include "connector/salesforce/client.h"
#include "connector/store/state_store.h"
#include "mappings/policy.h"
#include "mappings/signals.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::adapters {

inline constexpr char kSalesforceSystem[] = "salesforce";

/// One run's connection to the org. Keeps references to the mappings: they must outlive it.
class SalesforceOrg {
 public:
  SalesforceOrg(salesforce::Client client, mappings::Policy const& policy,
                mappings::SignalsMapping const& signals, std::shared_ptr<spdlog::logger> logger);

  /// Keeps the queue directory in `store` under `org` (see the file comment); `now` dates it.
  /// `store` must outlive this.
  /// `read_only` (a dry run): a directory read from the org is not stored.
  void KeepQueuesIn(store::StateStore& store, Instant now, bool read_only = false);
  /// Builds the adapter with the queue directory, stored or read (the first call only).
  /// Errors: the query's, the store's.
  Status Connect();
  /// Whether the ids of `queue_ids` (queues owning or receiving cases) warrant reading the
  /// directory again: some are neither in it nor known as queues queues.json does not name,
  /// and it was not read in this run yet.
  [[nodiscard]] bool QueuesStale(std::vector<std::string> const& queue_ids) const;
  /// Reads the directory from the org and installs it; `unknown` are the queue ids that
  /// prompted it (those still unknown are remembered as queues queues.json does not name).
  Status RefreshQueues(std::vector<std::string> const& unknown = {});
  [[nodiscard]] bool connected() const { return adapter_.has_value(); }
  /// After Connect().
  [[nodiscard]] SalesforceCaseAdapter const& adapter() const { return *adapter_; }
  [[nodiscard]] salesforce::Client& client() { return client_; }
  [[nodiscard]] salesforce::Client const& client() const { return client_; }
  [[nodiscard]] mappings::Policy const& policy() const { return policy_; }
  [[nodiscard]] mappings::SignalsMapping const& signals() const { return signals_; }
  [[nodiscard]] spdlog::logger& logger() const { return *logger_; }

 private:
  salesforce::Client client_;
  mappings::Policy const& policy_;
  mappings::SignalsMapping const& signals_;
  std::shared_ptr<spdlog::logger> logger_;
  std::optional<SalesforceCaseAdapter> adapter_;
  // The stored queue directory (KeepQueuesIn()).
  store::StateStore* queue_store_ = nullptr;
  Instant queue_now_{};
  bool queue_read_only_ = false;
  bool queues_read_ = false;        // read from the org in this run
  std::set<std::string> unlisted_;  // 15-character ids of queues queues.json does not name

  StatusOr<std::optional<QueueDirectory>> StoredQueues();
  void Install(QueueDirectory queues);
};

struct SalesforceSourceOptions {
  std::size_t ids_per_query = 200;  // ReadByIds(): ids per query
  /// ReadRange(): Bulk API 2.0 jobs when a range holds more than this many cases.
  std::int64_t bulk_above = 10'000;
  std::size_t bulk_page = 2000;  // cases per page handed out from a bulk read
};

class SalesforceCaseSource final : public CaseSource {
 public:
  SalesforceCaseSource(SalesforceOrg& org, SalesforceSourceOptions options = {});

  [[nodiscard]] std::string_view system() const override { return kSalesforceSystem; }
  [[nodiscard]] std::string_view object() const override { return "Case"; }
  Status Prepare() override { return org_.Connect(); }
  Status ReadChanged(Instant since, bool first_run, CasePageCallback const& on_page) override;
  /// "Case.<relationship>" for each relationship of signals.json `related`.
  [[nodiscard]] std::vector<std::string> RelatedKinds() const override;
  StatusOr<RelatedChanges> ReadRelatedChanged(std::string_view kind, Instant since,
                                              std::optional<Instant> cases_before) override;
  Status ReadByIds(std::span<std::string const> ids, CasePageCallback const& on_page) override;
  Status ReadRange(Instant from, Instant to, std::int64_t expected_cases,
                   CasePageCallback const& on_page) override;
  StatusOr<std::int64_t> CountRange(Instant from, Instant to) override;
  [[nodiscard]] bool UsesBulk(std::int64_t expected_cases) const override {
    return expected_cases > options_.bulk_above;
  }
  [[nodiscard]] ApiCalls Calls() const override;

 private:
  [[nodiscard]] std::string RangeCondition(Instant from, Instant to) const;
  [[nodiscard]] CasePage Convert(salesforce::QueryPage const& page, bool position) const;
  /// Converts a query page into a CasePage and hands it to `on_page`.
  Status Deliver(salesforce::QueryPage const& page, bool position, CasePageCallback const& on_page);

  SalesforceOrg& org_;
  SalesforceSourceOptions options_;
};

/// The SourcedCase of a converted Salesforce case (moves out of `c`).
SourcedCase ToSourcedCase(SalesforceCase&& c);

}  // namespace casebridge::adapters
