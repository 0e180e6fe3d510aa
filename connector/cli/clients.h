// Shared by the subcommands that talk to the systems: the config file, exit codes for errors,
// the Salesforce client built from casebridge.json, the state store, and the run logger.
#pragma once

#include <boost/program_options.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "connector/cli/command_options.h"
#include "connector/common/status.h"
#include "connector/forge/client.h"
#include "connector/http/http_transport.h"
#include "connector/salesforce/client.h"
#include "connector/store/state_store.h"
#include "mappings/app_config.h"
#include "mappings/policy.h"
#include "mappings/signals.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::cli {

struct CommandContext;

/// SPEC section 3 exit code for an error status: 3 authentication, 2 usage/config, 5 budget,
/// 4 anything remote.
int ExitCodeFor(Status const& s);

/// The worse of two exit codes of runs of several orgs. From best to worst: 0 ok, 1 breached
/// flags, 5 budget exhausted (progress saved), 4 remote failure, 3 authentication, 2 usage or
/// configuration.
int WorseExitCode(int a, int b);

/// "ok", "remote API failure", … (SPEC section 3), for summaries.
std::string ExitCodeMeaning(int code);

/// With two or more orgs, one line naming each org's exit code:
/// `casebridge sync: orgs: emea exit 0 (ok), apac exit 4 (remote API failure)`.
void WriteOrgResults(std::ostream& out, std::string const& command,
                     std::vector<std::pair<std::string, int>> const& results);

/// Runs `run` for each org in turn (one failing does not stop the next), then WriteOrgResults;
/// returns the worst exit code.
int RunEachOrg(std::vector<std::string> const& orgs, std::string const& command, std::ostream& out,
               std::function<int(std::string const&)> const& run);

/// The orgs a run command runs, in config order: the one `org_option` names, else every org of
/// the config (a config without `orgs` has the one org "default"). Prints the config's problems,
/// or an unknown --org with the orgs the config names, and returns 2 then.
std::variant<std::vector<std::string>, int> SelectRunOrgs(std::string const& command,
                                                          std::string const& config_option,
                                                          std::string const& org_option,
                                                          CommandContext& ctx);

/// --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json.
std::string ConfigPath(std::string const& option);

/// The JWT audience: the option, else $CASEBRIDGE_SALESFORCE_JWT_AUDIENCE, else the config's
/// `salesforce.jwt_audience` (empty = derived from the login URL).
std::string JwtAudience(std::string const& option, mappings::SalesforceConfig const& config);

/// The production wire: cpprestsdk (TLS verification always on) trusting `ca_bundle` (empty =
/// the system store) through `proxy` (empty = $HTTPS_PROXY), under the redacting
/// LoggingTransport. Each system passes its own keys (`salesforce.*` or `forge.*`).
std::shared_ptr<http::HttpTransport> MakeWire(std::string ca_bundle, std::string proxy,
                                              std::shared_ptr<spdlog::logger> logger);

struct SalesforceClientSettings {
  std::string jwt_audience;
  std::chrono::milliseconds timeout{60'000};
  double budget_share = 0.5;
  std::shared_ptr<spdlog::logger> logger;
  /// The wire transport; null = cpprestsdk (TLS verification on, the config's CA bundle/proxy).
  std::shared_ptr<http::HttpTransport> wire;
};

/// The Salesforce client for `config` (token source of its auth flow, metering, retries).
StatusOr<salesforce::Client> MakeSalesforceClient(mappings::SalesforceConfig const& config,
                                                  SalesforceClientSettings const& settings);

/// The Salesforce client of one org's sync or backfill run: the JWT audience of
/// `jwt_audience_option` (or the config's), the org's API budget share, the run's logger.
StatusOr<salesforce::Client> MakeRunSalesforceClient(mappings::AppConfig const& config,
                                                     std::string const& jwt_audience_option,
                                                     std::shared_ptr<spdlog::logger> logger);

/// The Forge client for the config's `forge` section, its mapping (forge.json) from the config's
/// mappings directory; nullopt when Forge is not configured (no `forge.base_url`). `wire` null =
/// MakeWire() with `forge.ca_bundle` and `forge.proxy`. Errors: kInvalidArgument listing the
/// mapping's problems or naming the setting.
StatusOr<std::optional<forge::Client>> MakeForgeClient(
    mappings::AppConfig const& config, std::chrono::milliseconds timeout,
    std::shared_ptr<spdlog::logger> logger, std::shared_ptr<http::HttpTransport> wire = nullptr);

/// What `sync` and `backfill` need before a run: the configuration, the mappings, the state
/// store and the instant the run is evaluated at.
struct RunSetup {
  std::string config_path;
  mappings::AppConfig config;
  mappings::Policy policy;
  mappings::SignalsMapping signals;
  std::unique_ptr<store::StateStore> store;
};

/// Loads `config_option` (see ConfigPath), the mappings it names and the state store
/// (`store_option` overrides the config's). `org` (non-empty) selects that org of the config:
/// `config` is then AppConfig::ForOrg of it, its mappings are loaded and the store is scoped to
/// it; "" = the config's first org. On failure prints the problems to ctx.err prefixed with
/// `command` and returns the exit code (2 for configuration or an unknown org, 4 for an
/// unreachable store).
std::variant<RunSetup, int> PrepareRun(std::string const& command, std::string const& config_option,
                                       std::string const& store_option, CommandContext& ctx,
                                       std::string const& org = "");

/// The options every run command (`sync`, `backfill`) shares: --config, --store, --now,
/// --jwt-audience, --in-flight-grace, --log-format, --log-level, --worker, --org.
void AddRunOptions(boost::program_options::options_description& opts);

struct RunOptionValues {
  std::string config;  // "" = ConfigPath's default
  std::string store;   // "" = the config's state store
  std::optional<Instant> now;
  std::string jwt_audience;
  std::chrono::seconds in_flight_grace{0};
  std::string log_format;  // auto | text | json
  LogLevel log_level = LogLevel::kInfo;
  std::string worker;  // --worker, else DefaultWorkerName()
  std::string org;     // --org; "" = every org of the config
};

/// This process's name in JSON log lines when --worker is not given: `<hostname>:<pid>`.
std::string DefaultWorkerName();

/// Reads the AddRunOptions() values; the error names the bad option.
std::variant<RunOptionValues, std::string> ReadRunOptions(
    boost::program_options::variables_map const& vm);

/// A run id: `<UTC time>-<6 hex digits>`, e.g. `20260302T140500Z-3fa2c1`.
std::string NewRunId(Instant now);

/// A logger writing to stderr: human-readable lines on a TTY, JSON lines otherwise
/// (`format` "text" / "json" forces one). Every line carries the run id, JSON lines also the
/// `org` and the `worker` when not empty (`{"time","level","run","org","worker","msg"}`), text
/// lines the org when it is not "default"; lines below `level` are dropped.
std::shared_ptr<spdlog::logger> MakeRunLogger(std::string const& run_id, std::string const& format,
                                              LogLevel level = LogLevel::kInfo,
                                              std::string const& worker = "",
                                              std::string const& org = "");

}  // namespace casebridge::cli
