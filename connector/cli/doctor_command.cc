// `casebridge doctor [--config FILE]` (issue 15): before the first sync, checks the Salesforce
// org and Forge against what the mappings need — every field with its type, the unique external
// id, the picklist values, the queues supporting Cases, the integration user's access, the API
// budget left, the Forge login and endpoints — and prints one line per check with its fix.
//
// What is needed comes from adapters::DeriveSalesforceUsage (the same derivation the test of
// deploy/salesforce uses), so a fix names the metadata file that declares what is missing.
// Calls: Salesforce token + identity + one describe per sObject + one queue query + /limits;
// Forge one login + one GET per endpoint. Nothing is written.
//
// Exit codes: 0 when everything a sync needs is there; 2 otherwise (including a configuration
// that does not load), as SPEC section 3 gives bad configuration.
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "connector/adapters/forge/forge_check.h"
#include "connector/adapters/salesforce/org_check.h"
#include "connector/adapters/salesforce/org_usage.h"
#include "connector/cli/cli.h"
#include "connector/cli/clients.h"
#include "connector/cli/command_options.h"
#include "connector/common/clock.h"
#include "mappings/forge_mapping.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;
using adapters::DoctorCheck;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge doctor [--config FILE] [--jwt-audience URL] [--timeout SECONDS]\n\n"
        "Connects to Salesforce and Forge with the configured credentials and checks them\n"
        "against the mappings: every custom field exists with the right type, the Task\n"
        "upsert key is a unique external id, the picklist values exist, the queues exist and\n"
        "support Cases, the integration user can create Tasks, update the Case owner and post\n"
        "to the feed, the API budget left, the Forge login and the Forge endpoints used.\n"
        "One line per check: `ok`, or the problem (`missing`, `wrong type`, `not unique`,\n"
        "`no access`, `no Case`, `refused`, `unreachable`, ...) with its fix, often the\n"
        "file under deploy/salesforce/ to deploy. Reads only; secrets are never printed.\n\n"
        "The config file is --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json.\n"
        "Exit codes: 0 everything a sync needs is there, 2 a check failed or bad usage/config.\n\n"
     << opts;
}

void Print(std::ostream& out, DoctorCheck const& c) {
  std::string verdict = c.verdict;
  verdict.resize(std::max<std::size_t>(verdict.size(), 15), ' ');
  out << verdict << " " << c.subject << ": " << c.detail;
  if (!c.fix.empty()) out << "; fix: " << c.fix;
  out << "\n";
}

std::vector<DoctorCheck> SalesforceChecks(mappings::AppConfig const& config,
                                          adapters::SalesforceUsage const& usage,
                                          SalesforceClientSettings const& settings,
                                          std::string& calls) {
  if (config.salesforce.client_id.empty()) {
    return {adapters::Failed("missing", "Salesforce", "casebridge.json has no salesforce section",
                             "configure salesforce (login_url, auth_flow, client_id, secret "
                             "source); see deploy/casebridge.json")};
  }
  auto client = MakeSalesforceClient(config.salesforce, settings);
  if (!client.ok()) {
    return {adapters::Failed(adapters::VerdictFor(client.status()), "Salesforce login",
                             client.status().message(),
                             "check the salesforce section of casebridge.json")};
  }
  auto checks = adapters::CheckSalesforceOrg(*client, usage, config.api_budget_share);
  auto const n = client->calls();
  calls = "salesforce " + std::to_string(n.total()) + " (" + std::to_string(n.auth) + " auth, " +
          std::to_string(n.api()) + " API)";
  return checks;
}

std::vector<DoctorCheck> ForgeChecks(mappings::AppConfig const& config,
                                     std::chrono::milliseconds timeout,
                                     std::shared_ptr<spdlog::logger> logger, std::string& calls) {
  if (config.forge.base_url.empty()) {
    return {adapters::Passed("Forge",
                             "not configured (no forge.base_url): the sync reads and "
                             "writes Salesforce only")};
  }
  auto mapping = mappings::LoadForgeMappingOrError(config.mappings_dir);
  if (!mapping.ok()) {
    return {adapters::Failed("failed", "Forge", mapping.status().message(), "correct forge.json")};
  }
  // A probe, not a sync: one retry is enough to ride out a blip, and an unreachable Forge is
  // reported in about a second rather than after a sync's full backoff.
  forge::ClientOptions options;
  options.connection.request_timeout = timeout;
  options.connection.retry.max_attempts = 2;
  auto client =
      forge::Client::Create(config.forge, *std::move(mapping),
                            MakeWire(config.forge.ca_bundle, config.forge.proxy, std::move(logger)),
                            options, RealSleeper(), std::make_shared<SystemClock const>());
  if (!client.ok()) {
    return {adapters::Failed("failed", "Forge", client.status().message(),
                             "check the forge section of casebridge.json")};
  }
  auto checks = adapters::CheckForgeEndpoints(*client, config.forge.email);
  auto const n = client->calls();
  calls = "forge " + std::to_string(n.total()) + " (" + std::to_string(n.login) + " login, " +
          std::to_string(n.read) + " read)";
  return checks;
}

// The checks of one org's config view, printed; returns 0 when all passed, else 2 (or 2 for
// its configuration problems).
int DoctorOrg(mappings::AppConfig const& config, po::variables_map const& vm, LogLevel level,
              int timeout_s, CommandContext& ctx) {
  std::vector<std::string> usage_problems;
  auto const usage = adapters::DeriveSalesforceUsage(config.mappings_dir, usage_problems);
  for (auto const& p : usage_problems) ctx.err << p << "\n";
  if (!usage_problems.empty()) {
    ctx.err << ctx.program
            << " doctor: the configuration has problems; run `casebridge check-config`\n";
    return kExitUsage;
  }
  auto const logger = MakeRunLogger(NewRunId(SystemClock().Now()), "auto", level, "", config.org);
  SalesforceClientSettings settings;
  settings.jwt_audience = JwtAudience(
      vm.count("jwt-audience") != 0 ? vm["jwt-audience"].as<std::string>() : "", config.salesforce);
  settings.timeout = std::chrono::seconds(timeout_s);
  settings.budget_share = config.api_budget_share;
  settings.logger = logger;
  std::string sf_calls;
  std::string forge_calls;
  auto checks = SalesforceChecks(config, usage, settings, sf_calls);
  for (auto& c : ForgeChecks(config, std::chrono::seconds(timeout_s), logger, forge_calls)) {
    checks.push_back(std::move(c));
  }
  auto const failed =
      std::count_if(checks.begin(), checks.end(), [](DoctorCheck const& c) { return !c.passed; });
  for (auto const& c : checks) Print(ctx.out, c);
  ctx.out << "calls: " << (sf_calls.empty() ? "salesforce none" : sf_calls) << ", "
          << (forge_calls.empty() ? "forge none" : forge_calls) << "\n";
  if (failed == 0) {
    ctx.out << "doctor: all " << checks.size() << " checks ok; the org is ready for a sync\n";
    return kExitOk;
  }
  ctx.out << "doctor: " << failed << " of " << checks.size()
          << " checks failed; fix them before the first sync\n";
  return kExitUsage;
}

}  // namespace

int RunDoctorCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  AddConnectionCheckOptions(opts);
  opts.add_options()("org", po::value<std::string>()->value_name("NAME"),
                     "check only this org of the config's orgs (default: every org)");
  po::variables_map vm;
  auto const usage_text = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("doctor", po::command_line_parser(args).options(opts),
                                      usage_text, ctx, vm))
    return *done;
  auto fail = [&](std::string const& message) {
    ctx.err << ctx.program << " doctor: " << message << "\n";
    return kExitUsage;
  };
  int const timeout_s = vm["timeout"].as<int>();
  if (timeout_s <= 0 || timeout_s > 600) return fail("--timeout must be 1..600 seconds");
  auto const level = ReadLogLevel(vm, LogLevel::kWarn);
  if (auto const* error = std::get_if<std::string>(&level)) return fail(*error);

  std::string const config_option = vm.count("config") != 0 ? vm["config"].as<std::string>() : "";
  auto orgs = SelectRunOrgs("doctor", config_option,
                            vm.count("org") != 0 ? vm["org"].as<std::string>() : "", ctx);
  if (auto const* code = std::get_if<int>(&orgs)) return *code;
  std::vector<mappings::Problem> problems;
  auto const config = mappings::LoadAppConfig(ConfigPath(config_option), problems);
  return RunEachOrg(std::get<std::vector<std::string>>(orgs), "doctor", ctx.out,
                    [&](std::string const& name) {
                      if (config.orgs.size() > 1) ctx.out << "org " << name << ":\n";
                      return DoctorOrg(config.ForOrg(*config.FindOrg(name)), vm,
                                       std::get<LogLevel>(level), timeout_s, ctx);
                    });
}

}  // namespace casebridge::cli
