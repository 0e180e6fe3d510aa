// `casebridge sync [--once | --every 15m] [--dry-run]` (SPEC section 3; connector/sync).
//
// --once (the default) runs one incremental sync and exits; --every INTERVAL runs one, waits,
// and repeats until SIGTERM/SIGINT, finishing the current run first (a clean shutdown for a
// systemd service or a Kubernetes Deployment). A run that finds another run holding the lock
// says so and exits 0 (a scheduler firing twice is not an error).
#include <boost/program_options.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "connector/cli/cli.h"
#include "connector/cli/clients.h"
#include "connector/cli/command_options.h"
#include "connector/cli/metrics_output.h"
#include "connector/cli/sync_ports.h"
#include "connector/common/duration_text.h"
#include "connector/common/stop_signal.h"
#include "connector/store/state_store.h"
#include "connector/sync/sync_job.h"
#include "mappings/loader.h"
#include "mappings/signals.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge sync [--once | --every INTERVAL] [--dry-run] [options]\n\n"
        "Reads the cases that changed in Salesforce, evaluates them against the procedures,\n"
        "writes the follow-up Tasks, reassignments and feed posts they call for (each exactly\n"
        "once), and keeps the flags for the compliance reports.\n\n"
        "Exit codes: 0 ok (also when another run holds the lock), 1 breached flags with\n"
        "--fail-on-breach, 2 bad usage or configuration, 3 authentication failed, 4 remote API\n"
        "failure after retries, 5 API budget exhausted (progress saved; the next run resumes).\n\n"
     << opts;
}

}  // namespace

int RunSyncCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")("once", "run one sync and exit (default)")(
      "every", po::value<std::string>()->value_name("INTERVAL"),
      "run a sync every INTERVAL (e.g. 15m, 1h) until SIGTERM")(
      "dry-run", "plan and report without writing anything (Salesforce or state store)")(
      "overlap", po::value<std::string>()->value_name("DURATION")->default_value("10m"),
      "re-read records modified this long before the watermark (late commits)")(
      "lookback", po::value<std::string>()->value_name("DURATION")->default_value("30d"),
      "how far back the first run reads")("fail-on-breach",
                                          "exit 1 when a run leaves breached flags");
  AddRunOptions(opts);
  AddMetricsOptions(opts, /*listen=*/true);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done =
          ParseCommandOptions("sync", po::command_line_parser(args).options(opts), usage, ctx, vm))
    return *done;
  auto usage_error = [&](std::string const& message) {
    ctx.err << ctx.program << " sync: " << message << "\n";
    return kExitUsage;
  };
  if (vm.count("once") != 0 && vm.count("every") != 0) {
    return usage_error("--once and --every exclude each other");
  }
  std::optional<std::chrono::seconds> every;
  if (vm.count("every") != 0) {
    every = ParseDurationText(vm["every"].as<std::string>());
    if (!every || every->count() <= 0) return usage_error("--every: expected e.g. 15m or 1h");
  }
  auto overlap = ParseDurationText(vm["overlap"].as<std::string>());
  if (!overlap) return usage_error("--overlap: expected e.g. 10m");
  auto lookback = ParseDurationText(vm["lookback"].as<std::string>());
  if (!lookback || lookback->count() <= 0) return usage_error("--lookback: expected e.g. 30d");
  auto run_options = ReadRunOptions(vm);
  if (auto const* error = std::get_if<std::string>(&run_options)) return usage_error(*error);
  RunOptionValues const& ro = std::get<RunOptionValues>(run_options);
  auto metrics_options = ReadMetricsOptions(vm);
  if (auto const* error = std::get_if<std::string>(&metrics_options)) return usage_error(*error);
  if (std::get<MetricsOptionValues>(metrics_options).listen && !every) {
    return usage_error("--metrics-listen needs --every (a --once run writes --metrics-file)");
  }
  auto prepared = PrepareRun("sync", ro.config, ro.store, ctx);
  if (auto const* code = std::get_if<int>(&prepared)) return *code;
  RunSetup& setup = std::get<RunSetup>(prepared);
  auto const& config = setup.config;
  auto const& policy = setup.policy;
  auto const& signals = setup.signals;
  auto& store = setup.store;

  MetricsPublisher publisher(std::get<MetricsOptionValues>(metrics_options),
                             every.value_or(std::chrono::seconds(0)));
  if (auto s = publisher.Start("sync", ctx.out); !s.ok()) {
    return usage_error("--metrics-listen: " + s.message());
  }
  std::atomic<bool> const& stop = InstallStopSignalHandlers();
  bool const dry_run = vm.count("dry-run") != 0;
  int exit_code = kExitOk;
  while (true) {
    Instant const now =
        ro.now ? *ro.now : std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
    std::string const run_id = NewRunId(now);
    auto logger = MakeRunLogger(run_id, ro.log_format, ro.log_level, ro.worker);
    SalesforceClientSettings settings;
    settings.jwt_audience = JwtAudience(ro.jwt_audience, config.salesforce);
    settings.budget_share = config.api_budget_share;
    settings.logger = logger;
    auto client = MakeSalesforceClient(config.salesforce, settings);
    if (!client.ok()) {
      ctx.err << ctx.program << " sync: salesforce: " << client.status().message() << "\n";
      return ExitCodeFor(client.status());
    }
    auto forge = MakeForgeClient(config, std::chrono::milliseconds(60000), logger);
    if (!forge.ok()) {
      ctx.err << ctx.program << " sync: forge: " << forge.status().message() << "\n";
      return ExitCodeFor(forge.status());
    }
    SalesforcePorts salesforce(*client, policy, signals, *store, logger);
    salesforce.org.KeepQueuesIn(*store, now, /*read_only=*/dry_run);
    sync::SyncJob job(salesforce.source, salesforce.sink, *store, policy, logger);
    std::optional<ForgePorts> forge_ports;
    if (*forge) {
      forge_ports.emplace(**forge, policy, *store, logger);
      job.AddLinkedSystem(forge_ports->source, forge_ports->sink);
    }
    sync::SyncOptions options;
    options.now = now;
    options.run_id = run_id;
    options.wall_now = SystemClock().Now();
    options.in_flight_grace = ro.in_flight_grace;
    options.dry_run = dry_run;
    options.overlap = *overlap;
    options.initial_lookback = *lookback;
    auto const started = std::chrono::steady_clock::now();
    sync::SyncOutcome const outcome = job.RunOnce(options);
    publisher.Publish(
        ctx.program + " sync: ", outcome, *store, now, *client,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), ctx.err);
    if (outcome.lock_held) {
      ctx.out << "casebridge sync: " << outcome.lock_message << "; nothing to do\n";
      exit_code = kExitOk;
    } else {
      ctx.out << "casebridge sync: run " << run_id << (dry_run ? " (dry run)" : "") << " as of "
              << FormatInstant(now) << "\n";
      sync::WriteSummary(ctx.out, outcome, dry_run);
      if (!outcome.status.ok()) {
        ctx.err << ctx.program << " sync: " << outcome.status.message() << "\n";
        if (outcome.status.code() == StatusCode::kResourceExhausted) {
          ctx.err << ctx.program
                  << " sync: stopped at the API budget; progress is saved and the next run "
                     "resumes\n";
        }
        exit_code = ExitCodeFor(outcome.status);
      } else {
        exit_code = kExitOk;
        if (vm.count("fail-on-breach") != 0) {
          for (auto const& [rule, by_status] : outcome.stats.flags) {
            auto it = by_status.find("breached");
            if (it != by_status.end() && it->second > 0) exit_code = kExitBreach;
          }
        }
      }
    }
    ctx.out.flush();
    if (!every || stop.load()) break;
    // Wait for the next run, waking up to notice a stop request.
    auto const until = std::chrono::steady_clock::now() + *every;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (stop.load()) break;
  }
  if (every) ctx.out << "casebridge sync: stopped\n";
  return exit_code;
}

}  // namespace casebridge::cli
