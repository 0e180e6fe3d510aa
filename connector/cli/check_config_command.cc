// `casebridge check-config [--config FILE] [--policy DIR]`: validates casebridge.json and a
// mappings directory, printing every problem as `<file>: <key>: <message>` (SPEC section 4).
//
// Config file: --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json when it exists, else
// none (only the mappings are checked). Mappings: --policy, else the config's mappings_dir, else
// the shipped defaults. Exit 0 when clean, 2 on any problem or bad usage. Secret values are
// never read into memory here nor printed. A `sqlite:PATH` state store is checked too: an
// existing file must be readable and writable, else its directory must accept a new file.
#include <boost/program_options.hpp>

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/cli/command_options.h"
#include "connector/store/state_store.h"
#include "mappings/defaults.h"
#include "mappings/forge_mapping.h"
#include "mappings/loader.h"
#include "mappings/signals.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using mappings::Problem;

std::string Clock(std::chrono::minutes m) {
  std::ostringstream os;
  os << std::setfill('0') << std::setw(2) << m.count() / 60 << ':' << std::setw(2)
     << m.count() % 60;
  return os.str();
}

std::string OpenDays(std::array<bool, 7> const& days) {
  static constexpr std::array<char const*, 7> kNames = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
  std::string out;
  for (std::size_t i = 0; i < days.size(); ++i) {
    if (!days.at(i)) continue;
    if (!out.empty()) out += ' ';
    out += kNames.at(i);
  }
  return out;
}

std::string_view FlowName(mappings::SalesforceAuthFlow flow) {
  switch (flow) {
    case mappings::SalesforceAuthFlow::kJwtBearer:
      return "jwt_bearer";
    case mappings::SalesforceAuthFlow::kClientCredentials:
      return "client_credentials";
    case mappings::SalesforceAuthFlow::kRefreshToken:
      return "refresh_token";
  }
  return "unknown";
}

// Names where a secret comes from, never its value.
std::string SourceOf(mappings::SecretSource const& s) {
  if (!s.env.empty()) return "env " + s.env;
  if (!s.credential.empty()) return "credential " + s.credential + " (" + s.file + ")";
  if (!s.file.empty()) return "file " + s.file;
  return "not set";
}

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge check-config [--config FILE] [--policy DIR]\n\n"
        "Validates casebridge.json and the mappings directory and lists every problem as\n"
        "`<file>: <key>: <message>` (exit 2), or prints a short summary (exit 0).\n\n"
        "The config file is --config, else $CASEBRIDGE_CONFIG, else ./casebridge.json if it\n"
        "exists; without one only the mappings are checked. The mappings are --policy, else\n"
        "the config's mappings_dir, else the shipped defaults.\n\n"
     << opts;
}

}  // namespace

int RunCheckConfigCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->value_name("FILE"), "casebridge.json to check")(
      "policy", po::value<std::string>()->value_name("DIR"),
      "mappings directory to check (overrides the config's mappings_dir)");
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("check-config", po::command_line_parser(args).options(opts),
                                      usage, ctx, vm))
    return *done;

  // Which config file.
  std::string config_path;
  std::string config_origin;
  if (vm.count("config") != 0) {
    config_path = vm["config"].as<std::string>();
    config_origin = "--config";
  } else if (char const* env = std::getenv("CASEBRIDGE_CONFIG"); env != nullptr && *env != '\0') {
    config_path = env;
    config_origin = "CASEBRIDGE_CONFIG";
  } else {
    std::error_code ec;
    if (fs::exists("casebridge.json", ec)) {
      config_path = "casebridge.json";
      config_origin = "./casebridge.json";
    }
  }

  std::vector<Problem> problems;
  mappings::AppConfig config;
  if (!config_path.empty()) {
    config = mappings::LoadAppConfig(config_path, problems);
    // The state database's location: an unusable path is a configuration error (exit 2), found
    // here rather than at the first sync.
    if (Status s = store::CheckSqliteLocation(config.state_store); !s.ok()) {
      problems.push_back({config_path, "state_store", s.message()});
    }
  }

  // Which mappings.
  std::string policy_dir;
  if (vm.count("policy") != 0) {
    policy_dir = vm["policy"].as<std::string>();
    if (policy_dir.empty()) {
      ctx.err << ctx.program << " check-config: --policy needs a directory\n";
      return kExitUsage;
    }
  } else {
    policy_dir = config.mappings_dir;
  }
  mappings::Policy const policy = mappings::LoadPolicy(policy_dir, problems);
  // forge.json (optional in a mappings directory: the shipped one applies when it is absent).
  // A missing directory is already reported by LoadPolicy.
  mappings::ForgeMapping forge_mapping;
  mappings::SignalsMapping signals;
  if (std::error_code ec; policy_dir.empty() || fs::is_directory(policy_dir, ec)) {
    forge_mapping = mappings::LoadForgeMapping(policy_dir, problems);
    signals = mappings::LoadSignals(policy_dir, problems);
  }
  // Several orgs: every other org's own mappings directory too.
  for (auto const& org : config.orgs) {
    if (vm.count("policy") != 0 || org.mappings_dir == policy_dir) continue;
    (void)mappings::LoadPolicy(org.mappings_dir, problems);
    if (std::error_code ec; fs::is_directory(org.mappings_dir, ec)) {
      (void)mappings::LoadForgeMapping(org.mappings_dir, problems);
      (void)mappings::LoadSignals(org.mappings_dir, problems);
    }
  }

  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    ctx.err << problems.size() << (problems.size() == 1 ? " problem" : " problems") << " found\n";
    return kExitUsage;
  }

  auto& out = ctx.out;
  if (config_path.empty()) {
    out << "config: none (no --config, CASEBRIDGE_CONFIG or ./casebridge.json); checked the "
           "mappings only\n";
  } else {
    out << "config: " << config_path << " (from " << config_origin << ")\n";
  }
  if (config.orgs.size() > 1) {
    out << "orgs:";
    for (auto const& org : config.orgs) {
      out << " " << org.name << " ("
          << (org.mappings_dir.empty() ? std::string(mappings::kShippedMappingsLabel)
                                       : org.mappings_dir)
          << ", budget " << org.api_budget_share
          << (org.forge.base_url.empty() ? ", no forge" : ", forge") << ")";
    }
    out << "\n";
  }
  out << "mappings: "
      << (policy_dir.empty() ? std::string(mappings::kShippedMappingsLabel) : policy_dir) << "\n";
  auto const& cal = policy.calendar;
  out << "calendar: " << cal.time_zone << ", " << OpenDays(cal.open_days) << " " << Clock(cal.opens)
      << "-" << Clock(cal.closes) << ", " << cal.holidays.size()
      << (cal.holidays.size() == 1 ? " holiday" : " holidays") << "\n";
  std::size_t timed_rules = 0;
  for (auto id : mappings::kAllRules) {
    if (id != mappings::RuleId::kCaseNotRequired) ++timed_rules;
  }
  out << "rules: " << timed_rules << " durations\n";
  out << "queues:";
  for (auto const& [key, name] : policy.queues.developer_names) {
    out << " " << key << "=" << name << (key == policy.queues.back_office ? " (back office)" : "");
  }
  out << "\n";
  out << "forge mapping: " << forge_mapping.origin << " (" << forge_mapping.signals.size()
      << " signals)\n";
  out << "salesforce signals: " << signals.origin << " (" << signals.salesforce.events.size()
      << " signals over " << signals.salesforce.related.size() << " related objects)\n";
  if (!config_path.empty()) {
    auto const& sf = config.salesforce;
    if (sf.client_id.empty()) {
      out << "salesforce: not configured\n";
    } else {
      out << "salesforce: " << sf.login_url << " API v" << sf.api_version << ", "
          << FlowName(sf.auth_flow);
      switch (sf.auth_flow) {
        case mappings::SalesforceAuthFlow::kJwtBearer:
          out << " as " << sf.username << ", key from " << SourceOf(sf.private_key);
          break;
        case mappings::SalesforceAuthFlow::kClientCredentials:
          out << ", secret from " << SourceOf(sf.client_secret);
          break;
        case mappings::SalesforceAuthFlow::kRefreshToken:
          out << ", token from " << SourceOf(sf.refresh_token);
          break;
      }
      out << "\n";
    }
    if (config.forge.base_url.empty()) {
      out << "forge: not configured\n";
    } else {
      out << "forge: " << config.forge.base_url << " as " << config.forge.email
          << ", password from " << SourceOf(config.forge.password) << "\n";
    }
    out << "state store: " << config.state_store << "\n";
    out << "api budget share: " << config.api_budget_share << "\n";
  }
  out << "OK: no problems found\n";
  return kExitOk;
}

}  // namespace casebridge::cli
