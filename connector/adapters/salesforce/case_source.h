// The Salesforce side of the ports (ports.h): an org connection shared by the case source and
// the action sink of one run.
//
// SalesforceOrg::Connect() reads the org's queue directory (one query; queues.json names the
// queues) and builds the case adapter from it. SalesforceCaseSource then reads cases with one
// SOQL query per page (children by subquery, case_adapter.h), by id `ids_per_query` at a time,
// or a creation range through REST pages or, above `bulk_above` cases per chunk, Bulk API 2.0
// jobs (bulk_case_reader.h); each record becomes a SourcedCase (interactions, casebridge's own
// records and the report facts extracted in the conversion).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/adapters/salesforce/case_adapter.h"
#include "connector/common/status.h"
#include "connector/salesforce/client.h"
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

  /// Reads the queue directory and builds the adapter (the first call only). Errors: the query's.
  Status Connect();
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
  StatusOr<RelatedChanges> ReadRelatedChanged(std::string_view kind, Instant since) override;
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
  /// Converts a query page into a CasePage and hands it to `on_page`.
  Status Deliver(salesforce::QueryPage const& page, bool position, CasePageCallback const& on_page);

  SalesforceOrg& org_;
  SalesforceSourceOptions options_;
};

/// The SourcedCase of a converted Salesforce case (moves out of `c`).
SourcedCase ToSourcedCase(SalesforceCase&& c);

}  // namespace casebridge::adapters
