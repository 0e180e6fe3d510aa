// The composition root of the sync: the vendor ports (connector/adapters) one run of `sync`,
// `backfill` or `demo` works through.
#pragma once

#include <memory>
#include <utility>

#include "connector/adapters/forge/action_sink.h"
#include "connector/adapters/forge/case_source.h"
#include "connector/adapters/salesforce/action_sink.h"
#include "connector/adapters/salesforce/case_source.h"
#include "connector/forge/client.h"
#include "connector/salesforce/client.h"
#include "connector/store/state_store.h"
#include "mappings/policy.h"
#include "mappings/signals.h"

namespace casebridge::cli {

/// The Salesforce org of one run: its connection, case source and action sink. Not movable (the
/// source and sink refer to the connection).
struct SalesforcePorts {
  SalesforcePorts(salesforce::Client client, mappings::Policy const& policy,
                  mappings::SignalsMapping const& signals, store::StateStore& store,
                  std::shared_ptr<spdlog::logger> logger,
                  adapters::SalesforceSourceOptions options = {})
      : org(std::move(client), policy, signals, std::move(logger)),
        source(org, options),
        sink(org, store) {}
  SalesforcePorts(SalesforcePorts const&) = delete;
  SalesforcePorts& operator=(SalesforcePorts const&) = delete;

  adapters::SalesforceOrg org;
  adapters::SalesforceCaseSource source;
  adapters::SalesforceActionSink sink;
};

/// Forge as the sync's linked system: its case source and action sink (copies of one client
/// share its connection and counters).
struct ForgePorts {
  ForgePorts(forge::Client const& client, mappings::Policy const& policy, store::StateStore& store,
             std::shared_ptr<spdlog::logger> logger)
      : source(client), sink(client, policy, store, std::move(logger)) {}

  adapters::ForgeCaseSource source;
  adapters::ForgeActionSink sink;
};

}  // namespace casebridge::cli
