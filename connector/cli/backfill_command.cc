// `casebridge backfill --from DATE --to DATE [--apply] [--resume]` (SPEC section 3; issue 5).
//
// Re-evaluates the Salesforce cases created in [from, to) chunk by chunk (default a week per
// chunk), storing their flags for the reports. A dry run unless --apply: with --apply the missing
// actions are planned and written (exactly once, like the sync). Each chunk is checkpointed, so a
// backfill interrupted (Ctrl-C, a crash) or stopped by the API budget (exit 5) continues with
// --resume after its last complete chunk. On a TTY a progress bar shows rate and ETA; otherwise
// a log line every few seconds. With several orgs in the config, every org (or the one --org
// names) is backfilled one after the other, each its own run with its own checkpoint; the exit
// code is the worst of them.
#include <boost/program_options.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
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
#include "connector/store/state_store.h"
#include "connector/sync/sync_job.h"
#include "mappings/loader.h"
#include "mappings/signals.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge backfill --from DATE --to DATE [--apply] [--resume | --shared] "
        "[options]\n\n"
        "Re-evaluates the cases created in [--from, --to) and stores their flags. A dry run\n"
        "unless --apply, which also writes the missing actions (each exactly once). Resumable\n"
        "with --resume after an interrupt or a budget stop (exit 5).\n\n"
        "Several workers: start the same command with --shared in N processes (e.g. a\n"
        "Kubernetes Job with parallelism N) on a PostgreSQL state store; they split the chunks,\n"
        "and a worker that dies loses its chunk to the others after --lease.\n\n"
        "DATE is YYYY-MM-DD (midnight UTC) or an ISO-8601 date-time with an offset.\n\n"
     << opts;
}

std::optional<Instant> ParseDateOrInstant(std::string const& text) {
  if (auto d = ParseDate(text)) return Instant(*d);
  return ParseInstant(text);
}

std::string Hms(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  auto const s = static_cast<long>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

// Progress on stderr: a bar redrawn in place on a TTY, a plain line every 5 s otherwise.
class ProgressReporter {
 public:
  explicit ProgressReporter(bool tty) : tty_(tty), start_(Clock::now()), last_(start_) {}

  void Update(sync::BackfillProgress const& p) {
    auto const now = Clock::now();
    bool const done = p.chunk == p.chunks;
    if (!done && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(5))) {
      return;
    }
    last_ = now;
    double const elapsed = std::chrono::duration<double>(now - start_).count();
    double const rate = elapsed > 0 ? static_cast<double>(p.cases_done) / elapsed : 0;
    double const left =
        static_cast<double>(std::max<std::int64_t>(0, p.cases_total - p.cases_done));
    std::string const eta = rate > 0 ? Hms(left / rate) : "--:--";
    double const fraction = p.cases_total > 0
                                ? std::min(1.0, static_cast<double>(p.cases_done) / p.cases_total)
                                : static_cast<double>(p.chunk) / static_cast<double>(p.chunks);
    if (tty_) {
      int const width = 30;
      int const filled = static_cast<int>(fraction * width);
      std::fprintf(stderr, "\r[%s%s] %3d%% %lld/%lld cases, chunk %lld/%lld, %.0f cases/s, ETA %s ",
                   std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                   static_cast<int>(fraction * 100), static_cast<long long>(p.cases_done),
                   static_cast<long long>(p.cases_total), static_cast<long long>(p.chunk),
                   static_cast<long long>(p.chunks), rate, eta.c_str());
      if (done) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr,
                   "backfill: %lld/%lld cases (%d%%), chunk %lld/%lld, %.0f cases/s, ETA %s\n",
                   static_cast<long long>(p.cases_done), static_cast<long long>(p.cases_total),
                   static_cast<int>(fraction * 100), static_cast<long long>(p.chunk),
                   static_cast<long long>(p.chunks), rate, eta.c_str());
    }
    std::fflush(stderr);
  }

 private:
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_;
};

// --shared, --lease, --run-name: nullopt without --shared; the error names the option.
std::variant<std::optional<sync::SharedBackfill>, std::string> ReadSharedOptions(
    po::variables_map const& vm, std::string const& worker) {
  if (vm.count("shared") == 0) {
    if (vm.count("run-name") != 0) return std::string("--run-name needs --shared");
    return std::optional<sync::SharedBackfill>();
  }
  if (vm.count("resume") != 0) {
    return std::string(
        "--resume and --shared do not go together: a shared backfill continues where its "
        "workers stopped when the same command runs again");
  }
  sync::SharedBackfill shared;
  auto lease = ParseDurationText(vm["lease"].as<std::string>());
  if (!lease || lease->count() < 1) return std::string("--lease: expected e.g. 30s (at least 1s)");
  shared.lease = *lease;
  if (vm.count("run-name") != 0) {
    shared.run_name = vm["run-name"].as<std::string>();
    if (shared.run_name.empty()) return std::string("--run-name: expected a name");
  }
  // Unique among the run's workers even when every pod is started with the same --worker.
  shared.worker = worker + "/" + std::to_string(::getpid()) + "/" + NewRunId(Instant{});
  shared.clock = [] { return std::chrono::floor<std::chrono::seconds>(SystemClock().Now()); };
  shared.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  return std::optional<sync::SharedBackfill>(std::move(shared));
}

// A PostgreSQL state store is where several workers meet; SQLite is single-process.
bool IsPostgresUrl(std::string const& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

void WriteSharedSummary(std::ostream& out, sync::SharedOutcome const& shared) {
  out << "shared backfill: run '" << shared.run_name << "': ";
  if (shared.already_complete) {
    out << "already completed (" << shared.items
        << " items); nothing to do (another --run-name starts it again)\n";
    return;
  }
  out << shared.items_done << " item(s) done by this worker (" << shared.items_taken_over
      << " taken over from workers whose lease expired";
  if (shared.items_lost > 0) out << ", " << shared.items_lost << " lost to another worker";
  out << "); checkpoint " << shared.done_prefix << "/" << shared.items << " items done in order\n";
}

struct BackfillSettings {
  RunOptionValues const& run;
  po::variables_map const& vm;
  Instant from;
  Instant to;
  std::chrono::seconds chunk;
  std::string progress_mode;
  std::optional<sync::SharedBackfill> shared;  // --shared
};

// Prints one org's backfill outcome; returns its exit code.
int ReportBackfill(BackfillSettings const& a, sync::SyncOutcome const& outcome,
                   std::string const& org_label, std::string const& prefix, CommandContext& ctx) {
  bool const apply = a.vm.count("apply") != 0;
  if (outcome.lock_held) {
    ctx.out << "casebridge backfill:" << org_label << " " << outcome.lock_message
            << "; nothing done\n";
    return kExitOk;
  }
  ctx.out << "casebridge backfill:" << org_label << " " << FormatInstant(a.from) << " .. "
          << FormatInstant(a.to)
          << (apply ? "" : " (dry run: nothing written; --apply writes the actions)") << "\n";
  if (outcome.resumed_from_chunk >= 0) {
    ctx.out << "resumed after chunk " << outcome.resumed_from_chunk << "\n";
  }
  if (outcome.shared) WriteSharedSummary(ctx.out, *outcome.shared);
  sync::WriteSummary(ctx.out, outcome, !apply);
  if (!outcome.status.ok()) {
    ctx.err << prefix << outcome.status.message() << "\n";
    if (outcome.status.code() == StatusCode::kResourceExhausted) {
      ctx.err << prefix
              << (outcome.shared ? "stopped at the API budget; run the same command again to "
                                   "continue with the chunks not done yet\n"
                                 : "stopped at the API budget; run it again with --resume to "
                                   "continue after the last complete chunk\n");
    }
    return ExitCodeFor(outcome.status);
  }
  return kExitOk;
}

// The backfill of one org (its own config view, mappings, store scope, checkpoint, lock and run
// record); returns its exit code.
int BackfillOneOrg(BackfillSettings const& a, std::string const& org, MetricsPublisher& publisher,
                   CommandContext& ctx) {
  RunOptionValues const& ro = a.run;
  auto prepared = PrepareRun("backfill", ro.config, ro.store, ctx, org);
  if (auto const* code = std::get_if<int>(&prepared)) return *code;
  RunSetup& setup = std::get<RunSetup>(prepared);
  if (a.shared && !IsPostgresUrl(ro.store.empty() ? setup.config.state_store : ro.store)) {
    ctx.err << ctx.program
            << " backfill: --shared needs a PostgreSQL state store (postgresql://...): SQLite is "
               "single-process, so run one backfill process without --shared, or move the state "
               "to PostgreSQL\n";
    return kExitUsage;
  }
  auto const& config = setup.config;
  auto& store = *setup.store;
  bool const several = config.orgs.size() > 1;
  std::string const prefix = ctx.program + " backfill: " + (several ? "org " + org + ": " : "");

  Instant const now =
      ro.now ? *ro.now : std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
  std::string const run_id = NewRunId(now);
  auto logger = MakeRunLogger(run_id, ro.log_format, ro.log_level, ro.worker, config.org);
  auto client = MakeRunSalesforceClient(config, ro.jwt_audience, logger);
  if (!client.ok()) {
    ctx.err << prefix << "salesforce: " << client.status().message() << "\n";
    return ExitCodeFor(client.status());
  }
  bool const apply = a.vm.count("apply") != 0;
  bool const tty =
      a.progress_mode == "bar" || (a.progress_mode == "auto" && ::isatty(STDERR_FILENO));
  ProgressReporter reporter(tty);
  sync::SyncOptions options;
  options.now = now;
  options.run_id = run_id;
  options.wall_now = SystemClock().Now();
  options.in_flight_grace = ro.in_flight_grace;
  options.dry_run = !apply;
  sync::BackfillSpec spec;
  spec.from = a.from;
  spec.to = a.to;
  spec.chunk = a.chunk;
  spec.resume = a.vm.count("resume") != 0;
  spec.shared = a.shared;
  spec.on_progress = [&](sync::BackfillProgress const& p) { reporter.Update(p); };
  options.backfill = spec;
  auto forge = MakeForgeClient(config, std::chrono::milliseconds(60000), logger);
  if (!forge.ok()) {
    ctx.err << prefix << "forge: " << forge.status().message() << "\n";
    return ExitCodeFor(forge.status());
  }
  adapters::SalesforceSourceOptions source_options;
  source_options.bulk_above = a.vm["bulk-above"].as<long long>();
  SalesforcePorts salesforce(*client, setup.policy, setup.signals, store, logger, source_options);
  salesforce.org.KeepQueuesIn(store, now);
  sync::SyncJob job(salesforce.source, salesforce.sink, store, setup.policy, logger);
  std::optional<ForgePorts> forge_ports;
  if (*forge) {
    forge_ports.emplace(**forge, setup.policy, store, logger);
    job.AddLinkedSystem(forge_ports->source, forge_ports->sink);
  }
  auto const started = Clock::now();
  sync::SyncOutcome const outcome = job.RunOnce(options);
  publisher.Publish(prefix, outcome, store, now, *client,
                    std::chrono::duration<double>(Clock::now() - started).count(), ctx.err);
  return ReportBackfill(a, outcome, several ? " org " + org : "", prefix, ctx);
}

}  // namespace

int RunBackfillCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "from", po::value<std::string>()->value_name("DATE"), "first creation date (inclusive)")(
      "to", po::value<std::string>()->value_name("DATE"), "last creation date (exclusive)")(
      "apply", "write the missing actions (default: a dry run that writes nothing remote)")(
      "resume", "continue an interrupted backfill of the same range after its last chunk")(
      "chunk", po::value<std::string>()->value_name("DURATION")->default_value("7d"),
      "creation-date span of one checkpointed chunk")(
      "bulk-above", po::value<long long>()->value_name("N")->default_value(10000),
      "read chunks with Bulk API 2.0 jobs when the range averages more than N cases per chunk")(
      "progress", po::value<std::string>()->default_value("auto"), "auto | bar | lines")(
      "shared",
      "share this backfill with every other process started with the same --from, --to, "
      "--chunk and --apply (PostgreSQL state store): the first creates the run's chunks, the "
      "others join, each claims one chunk at a time (see deploy/README.md)")(
      "lease", po::value<std::string>()->value_name("DURATION")->default_value("30s"),
      "with --shared: a worker that stops renewing its chunk for this long (it died) loses it "
      "to another worker")("run-name", po::value<std::string>()->value_name("NAME"),
                           "with --shared: the run's name (default: derived from the range, "
                           "chunk and mode); a new name runs a completed backfill again");
  AddRunOptions(opts);
  AddMetricsOptions(opts, /*listen=*/false);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("backfill", po::command_line_parser(args).options(opts),
                                      usage, ctx, vm))
    return *done;
  auto usage_error = [&](std::string const& message) {
    ctx.err << ctx.program << " backfill: " << message << "\n";
    return kExitUsage;
  };
  if (vm.count("from") == 0 || vm.count("to") == 0)
    return usage_error("--from and --to are required");
  auto from = ParseDateOrInstant(vm["from"].as<std::string>());
  auto to = ParseDateOrInstant(vm["to"].as<std::string>());
  if (!from) return usage_error("--from: expected YYYY-MM-DD or an ISO-8601 date-time");
  if (!to) return usage_error("--to: expected YYYY-MM-DD or an ISO-8601 date-time");
  if (*to <= *from) return usage_error("--to must be after --from");
  auto chunk = ParseDurationText(vm["chunk"].as<std::string>());
  if (!chunk || chunk->count() <= 0) return usage_error("--chunk: expected e.g. 1d or 7d");
  if (vm["bulk-above"].as<long long>() < 0) return usage_error("--bulk-above: expected N >= 0");
  std::string const progress_mode = vm["progress"].as<std::string>();
  if (progress_mode != "auto" && progress_mode != "bar" && progress_mode != "lines") {
    return usage_error("--progress: expected auto, bar or lines");
  }

  auto run_options = ReadRunOptions(vm);
  if (auto const* error = std::get_if<std::string>(&run_options)) return usage_error(*error);
  RunOptionValues const& ro = std::get<RunOptionValues>(run_options);
  auto metrics_options = ReadMetricsOptions(vm);
  if (auto const* error = std::get_if<std::string>(&metrics_options)) return usage_error(*error);
  auto orgs = SelectRunOrgs("backfill", ro.config, ro.org, ctx);
  if (auto const* code = std::get_if<int>(&orgs)) return *code;
  MetricsPublisher publisher(std::get<MetricsOptionValues>(metrics_options),
                             std::chrono::seconds(0));
  auto shared = ReadSharedOptions(vm, ro.worker);
  if (auto const* error = std::get_if<std::string>(&shared)) return usage_error(*error);
  BackfillSettings settings{ro,
                            vm,
                            *from,
                            *to,
                            *chunk,
                            progress_mode,
                            std::move(std::get<std::optional<sync::SharedBackfill>>(shared))};
  // Each org is its own backfill (own checkpoint, lock and run record); one failing does not
  // stop the next, and the exit code is the worst of them.
  return RunEachOrg(
      std::get<std::vector<std::string>>(orgs), "backfill", ctx.out,
      [&](std::string const& org) { return BackfillOneOrg(settings, org, publisher, ctx); });
}

}  // namespace casebridge::cli
