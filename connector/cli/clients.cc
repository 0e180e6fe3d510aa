#include "connector/cli/clients.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/salesforce_token_sources.h"
#include "connector/cli/cli.h"
#include "connector/common/clock.h"
#include "connector/common/duration_text.h"
#include "connector/http/cpprest_transport.h"
#include "connector/http/logging_transport.h"
#include "mappings/forge_mapping.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

// One JSON object per line: time, level, run id, org and worker (when named), message
// (escaped by nlohmann).
class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  JsonLineSink(std::string run_id, std::string worker, std::string org)
      : run_id_(std::move(run_id)), worker_(std::move(worker)), org_(std::move(org)) {}

 protected:
  void sink_it_(spdlog::details::log_msg const& msg) override {
    nlohmann::ordered_json line;
    line["time"] = FormatInstant(std::chrono::floor<std::chrono::seconds>(msg.time));
    line["level"] = spdlog::level::to_string_view(msg.level).data();
    line["run"] = run_id_;
    if (!org_.empty()) line["org"] = org_;
    if (!worker_.empty()) line["worker"] = worker_;
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    std::string const text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  void flush_() override { std::fflush(stderr); }

 private:
  std::string run_id_;
  std::string worker_;
  std::string org_;
};

class TextSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit TextSink(std::string run_id) : run_id_(std::move(run_id)) {}

 protected:
  void sink_it_(spdlog::details::log_msg const& msg) override {
    std::string const time =
        FormatInstant(std::chrono::floor<std::chrono::seconds>(msg.time)).substr(11, 8);
    std::fprintf(stderr, "%s %-5s [%s] %.*s\n", time.c_str(),
                 spdlog::level::to_string_view(msg.level).data(), run_id_.c_str(),
                 static_cast<int>(msg.payload.size()), msg.payload.data());
  }
  void flush_() override { std::fflush(stderr); }

 private:
  std::string run_id_;
};

}  // namespace

int WorseExitCode(int a, int b) {
  // Best to worst: ok, breaches, budget stop (progress saved), remote failure, authentication,
  // configuration (nothing can run until someone fixes it).
  auto const rank = [](int code) {
    constexpr std::array<int, 6> kRankOfCode = {0, 1, 5, 4, 3, 2};  // index: exit code
    return code >= 0 && code < 6 ? kRankOfCode.at(static_cast<std::size_t>(code)) : 6;
  };
  return rank(b) > rank(a) ? b : a;
}

std::string ExitCodeMeaning(int code) {
  switch (code) {
    case kExitOk:
      return "ok";
    case kExitBreach:
      return "breached flags";
    case kExitUsage:
      return "bad usage or configuration";
    case kExitAuth:
      return "authentication failed";
    case kExitRemote:
      return "remote API failure";
    case kExitBudget:
      return "API budget exhausted";
    default:
      return "failed";
  }
}

void WriteOrgResults(std::ostream& out, std::string const& command,
                     std::vector<std::pair<std::string, int>> const& results) {
  if (results.size() < 2) return;
  out << "casebridge " << command << ": orgs:";
  char const* sep = " ";
  for (auto const& [org, code] : results) {
    out << sep << org << " exit " << code << " (" << ExitCodeMeaning(code) << ")";
    sep = ", ";
  }
  out << "\n";
}

int RunEachOrg(std::vector<std::string> const& orgs, std::string const& command, std::ostream& out,
               std::function<int(std::string const&)> const& run) {
  int exit_code = kExitOk;
  std::vector<std::pair<std::string, int>> results;
  for (auto const& org : orgs) {
    int const code = run(org);
    results.emplace_back(org, code);
    exit_code = WorseExitCode(exit_code, code);
    out.flush();
  }
  WriteOrgResults(out, command, results);
  return exit_code;
}

std::variant<std::vector<std::string>, int> SelectRunOrgs(std::string const& command,
                                                          std::string const& config_option,
                                                          std::string const& org_option,
                                                          CommandContext& ctx) {
  std::vector<mappings::Problem> problems;
  std::string const path = ConfigPath(config_option);
  mappings::AppConfig const config = mappings::LoadAppConfig(path, problems);
  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    ctx.err << ctx.program << " " << command
            << ": the configuration has problems; run `casebridge check-config`\n";
    return kExitUsage;
  }
  if (org_option.empty()) {
    std::vector<std::string> all;
    for (auto const& org : config.orgs) all.push_back(org.name);
    return all;
  }
  if (config.FindOrg(org_option) == nullptr) {
    ctx.err << ctx.program << " " << command << ": --org: unknown org '" << org_option << "' ("
            << path << " names: " << config.OrgNames() << ")\n";
    return kExitUsage;
  }
  return std::vector<std::string>{org_option};
}

int ExitCodeFor(Status const& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return 3;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return 2;
    case StatusCode::kResourceExhausted:
      return 5;
    default:
      return 4;
  }
}

std::string ConfigPath(std::string const& option) {
  if (!option.empty()) return option;
  if (char const* env = std::getenv("CASEBRIDGE_CONFIG"); env != nullptr && *env != '\0') {
    return env;
  }
  return "casebridge.json";
}

std::string JwtAudience(std::string const& option, mappings::SalesforceConfig const& config) {
  if (!option.empty()) return option;
  if (char const* env = std::getenv("CASEBRIDGE_SALESFORCE_JWT_AUDIENCE");
      env != nullptr && *env != '\0') {
    return env;
  }
  return config.jwt_audience;
}

std::shared_ptr<http::HttpTransport> MakeWire(std::string ca_bundle, std::string proxy,
                                              std::shared_ptr<spdlog::logger> logger) {
  http::CpprestTransportOptions topts;
  topts.ca_bundle = std::move(ca_bundle);
  topts.proxy = std::move(proxy);
  return std::make_shared<http::LoggingTransport>(std::make_shared<http::CpprestTransport>(topts),
                                                  std::move(logger));
}

StatusOr<salesforce::Client> MakeRunSalesforceClient(mappings::AppConfig const& config,
                                                     std::string const& jwt_audience_option,
                                                     std::shared_ptr<spdlog::logger> logger) {
  SalesforceClientSettings settings;
  settings.jwt_audience = JwtAudience(jwt_audience_option, config.salesforce);
  settings.budget_share = config.api_budget_share;
  settings.logger = std::move(logger);
  return MakeSalesforceClient(config.salesforce, settings);
}

StatusOr<salesforce::Client> MakeSalesforceClient(mappings::SalesforceConfig const& config,
                                                  SalesforceClientSettings const& settings) {
  std::shared_ptr<http::HttpTransport> wire = settings.wire;
  if (!wire) wire = MakeWire(config.ca_bundle, config.proxy, settings.logger);
  auto clock = std::make_shared<SystemClock const>();
  auth::TokenSourceOverrides overrides;
  overrides.jwt_audience = settings.jwt_audience;
  salesforce::ClientOptions options;
  options.connection.api_version = config.api_version;
  options.connection.request_timeout = settings.timeout;
  options.budget_share = settings.budget_share;
  options.connection.logger = settings.logger;
  return salesforce::Client::Create(
      wire,
      [&](std::shared_ptr<http::HttpTransport> t) {
        return auth::MakeSalesforceTokenSource(config, std::move(t), clock, overrides);
      },
      options, RealSleeper());
}

StatusOr<std::optional<forge::Client>> MakeForgeClient(mappings::AppConfig const& config,
                                                       std::chrono::milliseconds timeout,
                                                       std::shared_ptr<spdlog::logger> logger,
                                                       std::shared_ptr<http::HttpTransport> wire) {
  if (config.forge.base_url.empty()) return std::optional<forge::Client>();
  auto mapping = mappings::LoadForgeMappingOrError(config.mappings_dir);
  if (!mapping.ok()) return mapping.status();
  if (!wire) wire = MakeWire(config.forge.ca_bundle, config.forge.proxy, std::move(logger));
  forge::ClientOptions options;
  options.connection.request_timeout = timeout;
  auto client = forge::Client::Create(config.forge, *std::move(mapping), std::move(wire), options,
                                      RealSleeper(), std::make_shared<SystemClock const>());
  if (!client.ok()) return client.status();
  return std::optional<forge::Client>(*std::move(client));
}

std::variant<RunSetup, int> PrepareRun(std::string const& command, std::string const& config_option,
                                       std::string const& store_option, CommandContext& ctx,
                                       std::string const& org) {
  RunSetup setup;
  std::vector<mappings::Problem> problems;
  setup.config_path = ConfigPath(config_option);
  setup.config = mappings::LoadAppConfig(setup.config_path, problems);
  std::string const prefix = ctx.program + " " + command + ": ";
  if (!org.empty() && problems.empty()) {
    mappings::OrgConfig const* selected = setup.config.FindOrg(org);
    if (selected == nullptr) {
      ctx.err << prefix << "--org: unknown org '" << org << "' (" << setup.config_path
              << " names: " << setup.config.OrgNames() << ")\n";
      return kExitUsage;
    }
    setup.config = setup.config.ForOrg(*selected);
  }
  setup.policy = mappings::LoadPolicy(setup.config.mappings_dir, problems);
  setup.signals = mappings::LoadSignals(setup.config.mappings_dir, problems);
  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    ctx.err << prefix << "the configuration has problems; run `casebridge check-config`\n";
    return kExitUsage;
  }
  if (setup.config.salesforce.client_id.empty()) {
    ctx.err << prefix << setup.config_path << ": "
            << (setup.config.org == mappings::kDefaultOrg ? std::string()
                                                          : "org " + setup.config.org + ": ")
            << "salesforce.client_id is not set\n";
    return kExitUsage;
  }
  std::string const url = store_option.empty() ? setup.config.state_store : store_option;
  auto store = store::OpenStateStore(url, setup.config.org);
  if (!store.ok()) {
    ctx.err << prefix << "state store " << store::RedactStoreUrl(url) << ": "
            << store.status().message() << "\n";
    // A store this casebridge cannot use as it is (a bad URL, or migrated by a newer version)
    // is a configuration problem; an unreachable server is a remote one.
    auto const code = store.status().code();
    return code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition
               ? kExitUsage
               : kExitRemote;
  }
  setup.store = std::move(*store);
  return setup;
}

void AddRunOptions(boost::program_options::options_description& opts) {
  namespace po = boost::program_options;
  opts.add_options()("config", po::value<std::string>()->value_name("FILE"),
                     "casebridge.json (default $CASEBRIDGE_CONFIG, else ./casebridge.json)")(
      "store", po::value<std::string>()->value_name("URL"),
      "state store URL, overriding the config (sqlite:PATH or postgresql://...)")(
      "now", po::value<std::string>()->value_name("ISO8601"),
      "evaluate as of this instant (default: the current time; for replays and tests)")(
      "jwt-audience", po::value<std::string>()->value_name("URL"),
      "JWT `aud` override (else $CASEBRIDGE_SALESFORCE_JWT_AUDIENCE or the config)")(
      "in-flight-grace", po::value<std::string>()->value_name("DURATION")->default_value("2m"),
      "after a run died, wait this long before re-checking its feed posts (they may still be "
      "in flight)")("log-format",
                    po::value<std::string>()->value_name("text|json")->default_value("auto"),
                    "log lines on stderr: text on a TTY, JSON lines otherwise")(
      "worker", po::value<std::string>()->value_name("NAME"),
      "this process's name in JSON log lines (default HOSTNAME:PID)")(
      "org", po::value<std::string>()->value_name("NAME"),
      "run only this org of the config's orgs (default: every org, one after the other)");
  AddLogLevelOption(opts);
}

std::variant<RunOptionValues, std::string> ReadRunOptions(
    boost::program_options::variables_map const& vm) {
  RunOptionValues v;
  auto text = [&](char const* name) {
    return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
  };
  v.config = text("config");
  v.store = text("store");
  v.jwt_audience = text("jwt-audience");
  if (vm.count("now") != 0) {
    v.now = ParseInstant(text("now"));
    if (!v.now) return std::string("--now: not an ISO-8601 date-time with an offset");
  }
  auto grace = ParseDurationText(text("in-flight-grace"));
  if (!grace) return std::string("--in-flight-grace: expected e.g. 2m");
  v.in_flight_grace = *grace;
  v.log_format = text("log-format");
  if (v.log_format != "auto" && v.log_format != "text" && v.log_format != "json") {
    return std::string("--log-format: expected text or json");
  }
  auto level = ReadLogLevel(vm, LogLevel::kInfo);
  if (auto const* error = std::get_if<std::string>(&level)) return *error;
  v.log_level = std::get<LogLevel>(level);
  v.worker = text("worker");
  v.org = text("org");
  if (vm.count("org") != 0 && v.org.empty()) return std::string("--org: expected an org name");
  if (vm.count("worker") != 0 && v.worker.empty()) {
    return std::string("--worker: expected a name");
  }
  if (v.worker.empty()) v.worker = DefaultWorkerName();
  return v;
}

std::string DefaultWorkerName() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') {
    return std::to_string(::getpid());
  }
  return std::string(host.data()) + ":" + std::to_string(::getpid());
}

std::string NewRunId(Instant now) {
  std::string t = FormatInstant(now);  // 2026-03-02T14:05:00Z
  std::string compact;
  for (char c : t) {
    if (c != '-' && c != ':') compact += c;
  }
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffffU);
  return compact + "-" + suffix;
}

std::shared_ptr<spdlog::logger> MakeRunLogger(std::string const& run_id, std::string const& format,
                                              LogLevel level, std::string const& worker,
                                              std::string const& org) {
  bool const json = format == "json" || (format != "text" && ::isatty(STDERR_FILENO) == 0);
  spdlog::sink_ptr sink;
  if (json) {
    sink = std::make_shared<JsonLineSink>(run_id, worker, org);
  } else {
    // A text line names the org when it is not the only, default one.
    sink = std::make_shared<TextSink>(
        org.empty() || org == mappings::kDefaultOrg ? run_id : org + " " + run_id);
  }
  auto logger = std::make_shared<spdlog::logger>("casebridge", std::move(sink));
  // LogLevel's order: debug, info, warn, error.
  constexpr std::array<spdlog::level::level_enum, 4> kSpdlogLevels = {
      spdlog::level::debug, spdlog::level::info, spdlog::level::warn, spdlog::level::err};
  logger->set_level(kSpdlogLevels.at(static_cast<std::size_t>(level)));
  return logger;
}

}  // namespace casebridge::cli
