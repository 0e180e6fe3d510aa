// `casebridge demo` (SPEC section 3; issue 5): the main job on the bundled sandbox.
//
// Starts the Salesforce and Forge emulators in this process on free loopback ports, seeded with a
// realistic sample org (connector/sandbox/demo_org.h: a few hundred cases across every branch of
// both procedures, and the Forge tickets, mirrored interactions and service tickets that go with
// them), runs one sync against both through the real HTTP clients with a SQLite state file,
// prints a short summary and writes the compliance reports (report.html, report.csv).
//
// The demo keeps its world in a directory (default ./casebridge-demo): the org as the emulator
// holds it after the run (org.json and forge.json, including what casebridge wrote), the instant
// the demo org
// is "as of" (demo.json), and the state store. Running the demo again restarts the emulator from
// that org at that instant, so the second run finds everything already done and writes nothing.
// `--fresh` starts over with a newly generated org.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "connector/cli/cli.h"
#include "connector/cli/clients.h"
#include "connector/cli/command_options.h"
#include "connector/cli/sync_ports.h"
#include "connector/common/clock.h"
#include "connector/report/report.h"
#include "connector/report/sources.h"
#include "connector/sandbox/demo_org.h"
#include "connector/sandbox/forge_emulator.h"
#include "connector/sandbox/salesforce_emulator.h"
#include "connector/store/state_store.h"
#include "connector/sync/sync_job.h"
#include "mappings/loader.h"
#include "mappings/signals.h"

namespace casebridge::cli {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;
using nlohmann::json;

constexpr char kDemoClientId[] = "casebridge-demo-client";
// A sandbox-only value: the emulator in this process is the only party that knows it.
constexpr char kDemoSecret[] = "casebridge-demo-sandbox-secret";
constexpr char kDemoSecretEnv[] = "CASEBRIDGE_DEMO_CLIENT_SECRET";
constexpr char kDemoForgePasswordEnv[] = "CASEBRIDGE_DEMO_FORGE_PASSWORD";

/// The demo org's clock: the instant the org is "as of".
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant now) : now_(now) {}
  [[nodiscard]] Instant Now() const override { return now_; }

 private:
  Instant now_;
};

std::optional<json> ReadJson(fs::path const& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path.string();
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) {
    error = path.string() + " is not valid JSON (remove the demo directory or use --fresh)";
    return std::nullopt;
  }
  return doc;
}

Status WriteJson(fs::path const& path, json const& doc) {
  fs::path const tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump();
    if (!out) return UnavailableError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return UnavailableError("cannot replace " + path.string() + ": " + ec.message());
  return OkStatus();
}

// The emulator's records as a seed document (what casebridge wrote included).
json DumpOrg(sandbox::SalesforceEmulator const& emulator, json const& original) {
  json doc;
  if (original.contains("_fields")) doc["_fields"] = original["_fields"];
  for (auto const& [object, records] : original.items()) {
    if (object == "_fields") continue;
    doc[object] = json::array();
  }
  for (auto const* object : {"Task", "FeedItem", "CaseHistory"}) {
    if (!doc.contains(object)) doc[object] = json::array();
  }
  for (auto& [object, records] : doc.items()) {
    if (object == "_fields") continue;
    for (auto const& r : emulator.Records(object)) {
      if (r.value("IsDeleted", false)) continue;
      json copy = r;
      copy.erase("attributes");
      records.push_back(std::move(copy));
    }
  }
  return doc;
}

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge demo [--dir DIR] [--cases N] [--fresh]\n\n"
        "Runs the main job against the bundled sandbox: Salesforce and Forge emulators on\n"
        "loopback seeded with a realistic sample org, one sync with a SQLite state file, a\n"
        "summary.\n"
        "No credentials needed. Run it twice: the second run finds nothing new to write.\n\n"
     << opts;
}

}  // namespace

int RunDemoCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "dir", po::value<std::string>()->value_name("DIR")->default_value("casebridge-demo"),
      "where the demo keeps its org, state store and reports")(
      "cases", po::value<int>()->value_name("N")->default_value(300),
      "number of cases of a newly generated org")(
      "now", po::value<std::string>()->value_name("ISO8601"),
      "the instant a newly generated org is as of (default: now)")(
      "fresh", "discard the demo directory's org and state and start over")(
      "log-format", po::value<std::string>()->value_name("text|json")->default_value("text"),
      "log lines on stderr");
  AddLogLevelOption(opts);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done =
          ParseCommandOptions("demo", po::command_line_parser(args).options(opts), usage, ctx, vm))
    return *done;
  auto fail = [&](std::string const& message, int code) {
    ctx.err << ctx.program << " demo: " << message << "\n";
    return code;
  };
  // The summary says what happened: by default only warnings and errors are logged.
  auto const level = ReadLogLevel(vm, LogLevel::kWarn);
  if (auto const* error = std::get_if<std::string>(&level)) return fail(*error, kExitUsage);
  int const cases = vm["cases"].as<int>();
  if (cases < 1 || cases > 200000) return fail("--cases must be 1..200000", kExitUsage);
  fs::path const dir = vm["dir"].as<std::string>();
  std::error_code ec;
  if (vm.count("fresh") != 0) {
    for (auto const* f : {"org.json", "forge.json", "demo.json", "state.db", "state.db-wal",
                          "state.db-shm", "state.db.lock"}) {
      fs::remove(dir / f, ec);
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir.string() + ": " + ec.message(), kExitUsage);

  // The demo world: a new org, or the one the previous run left.
  std::string error;
  json org;
  json forge_org;
  Instant now{};
  bool const resumed = fs::exists(dir / "demo.json") && fs::exists(dir / "org.json") &&
                       fs::exists(dir / "forge.json");
  if (!resumed) {
    // A new org: the state of an older demo (e.g. one from before forge.json) would not match.
    for (auto const* f : {"state.db", "state.db-wal", "state.db-shm", "state.db.lock"}) {
      fs::remove(dir / f, ec);
    }
  }
  if (resumed) {
    auto meta = ReadJson(dir / "demo.json", error);
    if (!meta) return fail(error, kExitUsage);
    auto t = ParseInstant(meta->value("now", ""));
    if (!t) return fail((dir / "demo.json").string() + ": `now` is not a date-time", kExitUsage);
    now = *t;
    auto doc = ReadJson(dir / "org.json", error);
    if (!doc) return fail(error, kExitUsage);
    org = std::move(*doc);
    auto forge_doc = ReadJson(dir / "forge.json", error);
    if (!forge_doc) return fail(error, kExitUsage);
    forge_org = std::move(*forge_doc);
  } else {
    if (vm.count("now") != 0) {
      auto t = ParseInstant(vm["now"].as<std::string>());
      if (!t) return fail("--now: not an ISO-8601 date-time with an offset", kExitUsage);
      now = *t;
    } else {
      now = std::chrono::floor<std::chrono::minutes>(SystemClock().Now());
    }
    sandbox::DemoOrgOptions o;
    o.cases = cases;
    o.now = now;
    org = sandbox::GenerateSalesforceDemoOrg(o);
    forge_org = sandbox::GenerateForgeDemoOrg(o);
    if (auto s = WriteJson(dir / "demo.json", json{{"now", FormatInstant(now)}, {"cases", cases}});
        !s.ok()) {
      return fail(s.message(), kExitRemote);
    }
  }

  // The sandbox org, in this process, on a free loopback port.
  sandbox::SalesforceEmulatorOptions eo;
  sandbox::ConnectedAppOptions app;
  app.client_id = kDemoClientId;
  app.client_secret = kDemoSecret;
  app.client_credentials_username = sandbox::kDemoSalesforceUsername;
  eo.apps.push_back(app);
  eo.clock = std::make_shared<FixedClock>(now);
  sandbox::SalesforceEmulator emulator(eo);
  if (auto s = emulator.SeedFromJson(org); !s.ok()) return fail("seed: " + s.message(), 2);
  if (auto s = emulator.Start("127.0.0.1", 0); !s.ok()) return fail(s.message(), kExitRemote);
  // The sandbox Forge, likewise (its demo user is the emulator's default one).
  sandbox::ForgeEmulatorOptions fo;
  fo.clock = eo.clock;
  sandbox::ForgeEmulator forge(fo);
  if (auto s = forge.SeedFromJson(forge_org); !s.ok()) return fail("forge seed: " + s.message(), 2);
  if (auto s = forge.Start("127.0.0.1", 0); !s.ok()) return fail(s.message(), kExitRemote);

  std::vector<mappings::Problem> problems;
  auto const policy = mappings::LoadPolicy("", problems);
  auto const signals = mappings::LoadSignals("", problems);
  if (!problems.empty()) {
    for (auto const& p : problems) ctx.err << p.ToString() << "\n";
    return fail("the shipped mappings have problems (build problem)", kExitUsage);
  }
  mappings::SalesforceConfig sf;
  sf.login_url = emulator.base_url();
  sf.api_version = emulator.api_version();
  sf.auth_flow = mappings::SalesforceAuthFlow::kClientCredentials;
  sf.client_id = kDemoClientId;
  sf.client_secret.env = kDemoSecretEnv;
  ::setenv(kDemoSecretEnv, kDemoSecret, 1);

  mappings::AppConfig forge_config;
  forge_config.forge.base_url = forge.base_url();
  forge_config.forge.email = std::string(sandbox::kDemoForgeEmail);
  forge_config.forge.password.env = kDemoForgePasswordEnv;
  ::setenv(kDemoForgePasswordEnv, std::string(sandbox::kDemoForgePassword).c_str(), 1);

  std::string const run_id = NewRunId(now);
  auto logger =
      MakeRunLogger(run_id, vm["log-format"].as<std::string>(), std::get<LogLevel>(level));
  SalesforceClientSettings settings;
  settings.logger = logger;
  settings.budget_share = 1.0;
  auto client = MakeSalesforceClient(sf, settings);
  if (!client.ok()) return fail(client.status().message(), ExitCodeFor(client.status()));
  std::string const store_url = "sqlite:" + (dir / "state.db").string();
  auto store = store::OpenStateStore(store_url);
  if (!store.ok()) return fail(store.status().message(), kExitUsage);

  auto const started = std::chrono::steady_clock::now();
  SalesforcePorts salesforce(*client, policy, signals, **store, logger);
  sync::SyncJob job(salesforce.source, salesforce.sink, **store, policy, logger);
  auto forge_client = MakeForgeClient(forge_config, std::chrono::milliseconds(60000), logger);
  if (!forge_client.ok()) {
    return fail("forge: " + forge_client.status().message(), ExitCodeFor(forge_client.status()));
  }
  ForgePorts forge_ports(**forge_client, policy, **store, logger);
  job.AddLinkedSystem(forge_ports.source, forge_ports.sink);
  sync::SyncOptions options;
  options.now = now;
  options.run_id = run_id;
  options.wall_now = SystemClock().Now();
  options.initial_lookback = std::chrono::hours(24 * 90);
  sync::SyncOutcome const outcome = job.RunOnce(options);
  auto const elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);

  auto& out = ctx.out;
  if (outcome.lock_held) {
    out << "casebridge demo: " << outcome.lock_message << "\n";
    return kExitOk;
  }
  out << "casebridge demo: sandbox Salesforce org at " << emulator.base_url() << " as of "
      << FormatInstant(now) << "\n"
      << "                 " << emulator.Records("Case").size() << " cases; state store "
      << store_url << "\n"
      << "                 sandbox Forge at " << forge.base_url() << ": "
      << forge.Records("tickets").size() << " tickets\n";
  if (resumed) {
    out << "                 (the org and state of the previous demo run in " << dir.string()
        << "; --fresh starts over)\n";
  }
  out << "\n";
  sync::WriteSummary(out, outcome, false);
  out << "time:    " << elapsed.count() << " ms\n";
  if (!outcome.status.ok()) {
    return fail(outcome.status.message(), ExitCodeFor(outcome.status));
  }
  if (auto s = WriteJson(dir / "org.json", DumpOrg(emulator, org)); !s.ok()) {
    return fail(s.message(), kExitRemote);
  }
  // Forge as the run left it. State() holds no passwords: the integration user gets its
  // sandbox password back (the others never log in).
  json forge_state = forge.State();
  for (auto& u : forge_state["users"]) {
    if (u.value("id", "") == sandbox::kDemoForgeUserId) {
      u["password"] = std::string(sandbox::kDemoForgePassword);
    }
  }
  if (auto s = WriteJson(dir / "forge.json", forge_state); !s.ok()) {
    return fail(s.message(), kExitRemote);
  }
  // The compliance reports over everything the demo store holds.
  out << "\n";
  for (auto [format, name] : {std::pair{report::Format::kHtml, "report.html"},
                              std::pair{report::Format::kCsv, "report.csv"}}) {
    report::ReportOptions ro;
    ro.format = format;
    ro.from = now - std::chrono::hours(24 * 366);
    ro.to = now + std::chrono::hours(24);
    ro.range_label = "every flag of the demo org";
    ro.time_zone = policy.calendar.time_zone;
    ro.generated_at = now;
    ro.source = "casebridge demo (" + store_url + ")";
    ro.title = "casebridge demo - compliance report";
    ro.links.salesforce_instance_url = emulator.base_url();
    fs::path const path = dir / name;
    auto totals = report::WriteReportFile(ro, path.string(), [&](report::ReportWriter& w) {
      return report::AddFlagsFromStore(**store, w);
    });
    if (!totals.ok()) return fail("report: " + totals.status().message(), kExitRemote);
    out << "report:  " << fs::absolute(path).string() << " (" << totals->flags << " flags, "
        << totals->breached << " breached)\n";
  }
  auto const& st = outcome.stats;
  out << "\n";
  if (st.actions_planned == 0 && st.actions_written == 0) {
    out << "Second run: nothing new was written - every Task, reassignment, feed post and Forge\n"
           "record the procedures call for already exists in the org, in Forge and in the "
           "ledger.\n";
  } else {
    out << "Run `casebridge demo` again: the second run finds nothing new to write.\n";
  }
  emulator.Stop();
  forge.Stop();
  return kExitOk;
}

}  // namespace casebridge::cli
