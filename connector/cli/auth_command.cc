// `casebridge auth check [--config FILE]` (SPEC section 3): loads casebridge.json, builds the
// configured Salesforce OAuth flow against the configured login URL (so tests and the sandbox
// can point it at the emulator on loopback), authenticates, GETs the identity URL of the token
// response and prints the org, user and instance reached — never the token. Then the same for
// Forge (connector/forge's CheckForgeAuth) when the config has a forge section.
//
// Config file: --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json.
// JWT audience for a My Domain / loopback login URL: --jwt-audience, else
// $CASEBRIDGE_SALESFORCE_JWT_AUDIENCE, else `salesforce.jwt_audience`, else
// https://login.salesforce.com.
#include "connector/cli/auth_command.h"
#include "connector/cli/clients.h"
#include "connector/cli/command_options.h"

#include <boost/program_options.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "auth/salesforce_token_sources.h"
#include "connector/common/clock.h"
#include "connector/forge/auth_check.h"
#include "connector/salesforce/client.h"
#include "mappings/forge_mapping.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge auth check [--config FILE] [--jwt-audience URL] [--timeout SECONDS]\n\n"
        "Authenticates to each configured system with the configured flow and prints the\n"
        "organisation, user and instance it reached. Tokens and secrets are never printed.\n\n"
        "The config file is --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json.\n"
        "Exit codes: 0 ok, 2 bad usage or config, 3 authentication failed, 4 remote failure,\n"
        "5 API budget exhausted.\n\n"
     << opts;
}

int CheckSalesforce(mappings::AppConfig const& config, std::string const& audience,
                    std::chrono::milliseconds timeout, std::shared_ptr<spdlog::logger> logger,
                    CommandContext& ctx) {
  auto const& sf = config.salesforce;
  auto& out = ctx.out;
  if (sf.client_id.empty()) {
    out << "salesforce: not configured\n";
    return kExitOk;
  }
  SalesforceClientSettings settings;
  settings.jwt_audience = JwtAudience(audience, sf);
  settings.timeout = timeout;
  settings.budget_share = config.api_budget_share;
  settings.logger = std::move(logger);
  auto client = MakeSalesforceClient(sf, settings);
  auto fail = [&](Status const& s) {
    ctx.err << ctx.program << " auth check: salesforce (" << auth::FlowName(sf.auth_flow) << " at "
            << sf.login_url << "): " << s.message() << "\n";
    return ExitCodeFor(s);
  };
  if (!client.ok()) return fail(client.status());
  auto identity = client->GetIdentity();
  if (!identity.ok()) return fail(identity.status());
  out << "salesforce: authenticated (" << auth::FlowName(sf.auth_flow) << ")\n"
      << "  org:      " << identity->organization_id << "\n"
      << "  user:     " << identity->username;
  if (!identity->user_id.empty()) out << " (" << identity->user_id << ")";
  out << "\n  instance: " << identity->instance_url << "\n";
  if (auto usage = client->api_usage()) {
    out << "  api usage: " << usage->used << "/" << usage->limit << "\n";
  }
  return kExitOk;
}

// The Forge login check (connector/forge). Its mapping (forge.json) comes from the config's
// mappings directory, else the shipped defaults.
int CheckForge(mappings::AppConfig const& config, std::chrono::milliseconds timeout,
               std::shared_ptr<spdlog::logger> logger, CommandContext& ctx) {
  if (config.forge.base_url.empty()) {
    ctx.out << "forge: not configured\n";
    return kExitOk;
  }
  std::vector<mappings::Problem> problems;
  auto const mapping = mappings::LoadForgeMapping(config.mappings_dir, problems);
  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    ctx.err << ctx.program << " auth check: forge: the mappings have problems\n";
    return kExitUsage;
  }
  auto wire = MakeWire(config.forge.ca_bundle, config.forge.proxy, std::move(logger));
  forge::ClientOptions options;
  options.connection.request_timeout = timeout;
  options.connection.retry.max_attempts = 3;
  auto s = forge::CheckForgeAuth(config.forge, mapping, wire, std::make_shared<SystemClock const>(),
                                 RealSleeper(), ctx.out, options);
  if (s.ok()) return kExitOk;
  ctx.err << ctx.program << " auth check: forge (" << config.forge.base_url << "): " << s.message()
          << "\n";
  return ExitCodeFor(s);
}

}  // namespace

int RunAuthCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  AddConnectionCheckOptions(opts);
  po::positional_options_description positional;
  positional.add("action", 1);
  po::options_description hidden;
  hidden.add_options()("action", po::value<std::string>());
  po::options_description all;
  all.add(opts).add(hidden);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions(
          "auth", po::command_line_parser(args).options(all).positional(positional), usage, ctx,
          vm))
    return *done;
  if (vm.count("action") == 0 || vm["action"].as<std::string>() != "check") {
    ctx.err << ctx.program << " auth: expected the action `check`\n\n";
    PrintUsage(ctx.err, opts);
    return kExitUsage;
  }
  int const timeout_s = vm["timeout"].as<int>();
  if (timeout_s <= 0 || timeout_s > 600) {
    ctx.err << ctx.program << " auth check: --timeout must be 1..600 seconds\n";
    return kExitUsage;
  }
  auto const level = ReadLogLevel(vm, LogLevel::kInfo);
  if (auto const* error = std::get_if<std::string>(&level)) {
    ctx.err << ctx.program << " auth check: " << *error << "\n";
    return kExitUsage;
  }

  std::string config_path;
  if (vm.count("config") != 0) {
    config_path = vm["config"].as<std::string>();
  } else if (char const* env = std::getenv("CASEBRIDGE_CONFIG"); env != nullptr && *env != '\0') {
    config_path = env;
  } else {
    config_path = "casebridge.json";
  }
  std::vector<mappings::Problem> problems;
  auto const config = mappings::LoadAppConfig(config_path, problems);
  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    ctx.err << ctx.program << " auth check: the configuration has " << problems.size()
            << (problems.size() == 1 ? " problem" : " problems")
            << "; run `casebridge check-config`\n";
    return kExitUsage;
  }
  std::string audience;
  if (vm.count("jwt-audience") != 0) {
    audience = vm["jwt-audience"].as<std::string>();
  }

  // Both systems are checked and reported; the exit code is the first failure's. Log lines go
  // to stderr like every command's.
  auto const logger =
      MakeRunLogger(NewRunId(SystemClock().Now()), "auto", std::get<LogLevel>(level));
  int const sf = CheckSalesforce(config, audience, std::chrono::seconds(timeout_s), logger, ctx);
  int const fg = CheckForge(config, std::chrono::seconds(timeout_s), logger, ctx);
  return sf != kExitOk ? sf : fg;
}

}  // namespace casebridge::cli
