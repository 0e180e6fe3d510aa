// What the offline commands over the state store (`explain`, `whatif`) share: the config file
// keys they use (state_store, mappings_dir), the store URL, opening an existing store without
// creating one, loading a policy and reading --now. Each helper prints its own error as
// `<program> <command>: …` and returns false on failure (the caller exits 2).
#pragma once

#include <boost/program_options.hpp>

#include <memory>
#include <optional>
#include <string>

#include "connector/cli/cli.h"
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/store/state_store.h"
#include "mappings/app_config.h"
#include "mappings/policy.h"

namespace casebridge::cli {

/// The config file to read: --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json when it
/// exists; "" for none.
std::string ConfigFilePath(boost::program_options::variables_map const& vm);

/// Adds --config, --store, --now and --org.
void AddOfflineOptions(boost::program_options::options_description& opts);

struct OfflineSettings {
  mappings::AppConfig config;
  bool config_read = false;
};

/// Reads the config (--config, else $CASEBRIDGE_CONFIG, else ./casebridge.json when present);
/// only a problem with a key these commands use stops them. --org selects that org of the
/// config (AppConfig::ForOrg: its mappings_dir; OpenExistingStore opens its rows); without it a
/// config naming several orgs is refused. An unknown --org is refused naming the config's orgs.
bool LoadOfflineConfig(boost::program_options::variables_map const& vm, std::string const& prefix,
                       CommandContext& ctx, OfflineSettings& out);

/// --store, else $CASEBRIDGE_STATE_STORE, else the config's state_store, scoped to the org of
/// `settings.config`. Refuses a SQLite file that does not exist (these commands never create a
/// store).
std::unique_ptr<store::StateStore> OpenExistingStore(
    boost::program_options::variables_map const& vm, OfflineSettings const& settings,
    std::string const& prefix, CommandContext& ctx);

/// The policy of `dir` ("" = the shipped defaults) and its calendar.
struct LoadedPolicy {
  mappings::Policy policy;
  std::optional<engine::BusinessCalendar> calendar;
};
bool LoadPolicyDir(std::string const& dir, std::string const& prefix, CommandContext& ctx,
                   LoadedPolicy& out);

/// Writes `text` to `path` (replaced), or to stdout when `path` is "" or "-".
bool WriteOutput(std::string const& text, std::string const& path, std::string const& prefix,
                 CommandContext& ctx);

/// --now, else the current time.
bool ReadNow(boost::program_options::variables_map const& vm, std::string const& prefix,
             CommandContext& ctx, Instant& out);

}  // namespace casebridge::cli
