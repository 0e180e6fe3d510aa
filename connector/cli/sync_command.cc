// `casebridge sync [--once | --every 15m] [--dry-run]` (SPEC section 3; connector/sync).
//
// --once (the default) runs one incremental sync and exits; --every INTERVAL runs one, waits,
// and repeats until SIGTERM/SIGINT, finishing the current run first (a clean shutdown for a
// systemd service or a Kubernetes Deployment). A run that finds another run holding the lock
// says so and exits 0 (a scheduler firing twice is not an error). With several orgs in the
// config, each round runs every org (or the one --org names) one after the other, each its own
// run; the exit code is the worst of them (WorseExitCode) and a last line names each org's.
#include <boost/program_options.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

struct OrgSyncSettings {
  RunOptionValues const& run;
  bool dry_run = false;
  bool fail_on_breach = false;
  std::chrono::seconds overlap{0};
  std::chrono::seconds lookback{0};
};

bool HasBreaches(sync::SyncOutcome const& outcome) {
  for (auto const& [rule, by_status] : outcome.stats.flags) {
    auto it = by_status.find("breached");
    if (it != by_status.end() && it->second > 0) return true;
  }
  return false;
}

struct OrgResult {
  int exit_code = kExitOk;
  bool ran = false;  // false: its configuration, store or clients could not be set up
};

// One sync run of one org (its own config view, mappings, store scope, lock and run record).
OrgResult SyncOneOrg(OrgSyncSettings const& a, std::string const& org, MetricsPublisher& publisher,
                     CommandContext& ctx) {
  RunOptionValues const& ro = a.run;
  auto prepared = PrepareRun("sync", ro.config, ro.store, ctx, org);
  if (auto const* code = std::get_if<int>(&prepared)) return {*code, false};
  RunSetup& setup = std::get<RunSetup>(prepared);
  auto const& config = setup.config;
  std::string const prefix =
      ctx.program + " sync: " + (config.orgs.size() > 1 ? "org " + org + ": " : "");
  Instant const now =
      ro.now ? *ro.now : std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
  std::string const run_id = NewRunId(now);
  auto logger = MakeRunLogger(run_id, ro.log_format, ro.log_level, ro.worker, config.org);
  auto client = MakeRunSalesforceClient(config, ro.jwt_audience, logger);
  if (!client.ok()) {
    ctx.err << prefix << "salesforce: " << client.status().message() << "\n";
    return {ExitCodeFor(client.status()), false};
  }
  auto forge = MakeForgeClient(config, std::chrono::milliseconds(60000), logger);
  if (!forge.ok()) {
    ctx.err << prefix << "forge: " << forge.status().message() << "\n";
    return {ExitCodeFor(forge.status()), false};
  }
  auto& store = *setup.store;
  SalesforcePorts salesforce(*client, setup.policy, setup.signals, store, logger);
  salesforce.org.KeepQueuesIn(store, now, /*read_only=*/a.dry_run);
  sync::SyncJob job(salesforce.source, salesforce.sink, store, setup.policy, logger);
  std::optional<ForgePorts> forge_ports;
  if (*forge) {
    forge_ports.emplace(**forge, setup.policy, store, logger);
    job.AddLinkedSystem(forge_ports->source, forge_ports->sink);
  }
  sync::SyncOptions options;
  options.now = now;
  options.run_id = run_id;
  options.wall_now = SystemClock().Now();
  options.in_flight_grace = ro.in_flight_grace;
  options.dry_run = a.dry_run;
  options.overlap = a.overlap;
  options.initial_lookback = a.lookback;
  auto const started = std::chrono::steady_clock::now();
  sync::SyncOutcome const outcome = job.RunOnce(options);
  publisher.Publish(
      prefix, outcome, store, now, *client,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), ctx.err);
  std::string const org_label = config.orgs.size() > 1 ? " org " + org : "";
  if (outcome.lock_held) {
    ctx.out << "casebridge sync:" << org_label << " " << outcome.lock_message
            << "; nothing to do\n";
    return {kExitOk, true};
  }
  ctx.out << "casebridge sync:" << org_label << " run " << run_id << (a.dry_run ? " (dry run)" : "")
          << " as of " << FormatInstant(now) << "\n";
  sync::WriteSummary(ctx.out, outcome, a.dry_run);
  if (!outcome.status.ok()) {
    ctx.err << prefix << outcome.status.message() << "\n";
    if (outcome.status.code() == StatusCode::kResourceExhausted) {
      ctx.err << prefix
              << "stopped at the API budget; progress is saved and the next run resumes\n";
    }
    return {ExitCodeFor(outcome.status), true};
  }
  return {a.fail_on_breach && HasBreaches(outcome) ? kExitBreach : kExitOk, true};
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
  auto orgs = SelectRunOrgs("sync", ro.config, ro.org, ctx);
  if (auto const* code = std::get_if<int>(&orgs)) return *code;

  MetricsPublisher publisher(std::get<MetricsOptionValues>(metrics_options),
                             every.value_or(std::chrono::seconds(0)));
  if (auto s = publisher.Start("sync", ctx.out); !s.ok()) {
    return usage_error("--metrics-listen: " + s.message());
  }
  std::atomic<bool> const& stop = InstallStopSignalHandlers();
  OrgSyncSettings settings{ro, vm.count("dry-run") != 0, vm.count("fail-on-breach") != 0, *overlap,
                           *lookback};
  int exit_code = kExitOk;
  while (true) {
    // Each org is its own run (own lock, run record and watermarks); one failing does not stop
    // the next, and the exit code is the worst of them.
    exit_code = kExitOk;
    bool any_ran = false;
    std::vector<std::pair<std::string, int>> results;
    for (auto const& org : std::get<std::vector<std::string>>(orgs)) {
      OrgResult const result = SyncOneOrg(settings, org, publisher, ctx);
      results.emplace_back(org, result.exit_code);
      exit_code = WorseExitCode(exit_code, result.exit_code);
      any_ran = any_ran || result.ran;
      ctx.out.flush();
      if (stop.load()) break;
    }
    WriteOrgResults(ctx.out, "sync", results);
    ctx.out.flush();
    // A loop where no org can even start (configuration, credentials) stops: nothing would change.
    if (!every || stop.load() || !any_ran) break;
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
