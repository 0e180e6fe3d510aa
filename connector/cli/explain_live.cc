#include "connector/cli/explain_live.h"

#include <chrono>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "connector/adapters/forge/case_source.h"
#include "connector/adapters/salesforce/case_source.h"
#include "connector/cli/clients.h"
#include "connector/common/clock.h"
#include "mappings/signals.h"

namespace casebridge::cli {
namespace {

// Keeps the first case of the pages; a record that could not be converted is the error.
class FirstCase {
 public:
  Status operator()(adapters::CasePage& page) {
    for (auto& c : page.cases) {
      if (!found_) found_ = std::move(c.snapshot);
    }
    if (!found_ && !page.skipped.empty()) problem_ = page.skipped.front();
    return OkStatus();
  }

  StatusOr<engine::Snapshot> Result(std::string const& id, std::string const& system) && {
    if (found_) return std::move(*found_);
    if (!problem_.ok()) return NotFoundError(problem_.message());
    return NotFoundError(system + " has no case " + id);
  }

 private:
  std::optional<engine::Snapshot> found_;
  Status problem_;
};

StatusOr<engine::Snapshot> ReadFromForge(mappings::AppConfig const& config,
                                         std::vector<std::string> const& ids,
                                         std::shared_ptr<spdlog::logger> logger) {
  auto client = MakeForgeClient(config, std::chrono::milliseconds(60'000), std::move(logger));
  if (!client.ok()) return client.status();
  if (!*client) return InvalidArgumentError("Forge is not configured (forge.base_url)");
  adapters::ForgeCaseSource source(**client);
  FirstCase first;
  if (auto s = source.ReadByIds(ids, std::ref(first)); !s.ok()) return s;
  return std::move(first).Result(ids.front(), "Forge");
}

StatusOr<engine::Snapshot> ReadFromSalesforce(mappings::AppConfig const& config,
                                              mappings::Policy const& policy,
                                              std::string const& mappings_dir,
                                              std::vector<std::string> const& ids,
                                              std::shared_ptr<spdlog::logger> logger) {
  auto signals = mappings::LoadSignalsOrError(mappings_dir);
  if (!signals.ok()) return signals.status();
  SalesforceClientSettings settings;
  settings.jwt_audience = JwtAudience("", config.salesforce);
  settings.budget_share = config.api_budget_share;
  settings.logger = logger;
  auto client = MakeSalesforceClient(config.salesforce, settings);
  if (!client.ok()) return client.status();
  adapters::SalesforceOrg org(std::move(*client), policy, *signals, std::move(logger));
  adapters::SalesforceCaseSource source(org);
  if (auto s = source.Prepare(); !s.ok()) return s;
  FirstCase first;
  if (auto s = source.ReadByIds(ids, std::ref(first)); !s.ok()) return s;
  return std::move(first).Result(ids.front(), "Salesforce");
}

}  // namespace

StatusOr<engine::Snapshot> ReadCaseLive(mappings::AppConfig const& config,
                                        mappings::Policy const& policy,
                                        std::string const& mappings_dir, std::string const& id,
                                        std::string const& system) {
  auto logger = MakeRunLogger(NewRunId(SystemClock().Now()), "auto", LogLevel::kWarn);
  std::vector<std::string> const ids{id};
  if (system == "forge") return ReadFromForge(config, ids, std::move(logger));
  if (!system.empty() && system != "salesforce") {
    return InvalidArgumentError("--system: expected salesforce or forge, got '" + system + "'");
  }
  return ReadFromSalesforce(config, policy, mappings_dir, ids, std::move(logger));
}

}  // namespace casebridge::cli
