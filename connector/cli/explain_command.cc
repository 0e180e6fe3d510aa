// `casebridge explain CASE_ID [--now ISO] [--format text|json|html] [--input FILE] [--out FILE]`
// (issue 15): why one case stands where it does. The case comes from the state store (the
// snapshot the last sync evaluated, and the ledger rows of its actions) or from a snapshot file
// (--input, JSON Lines, matched by id or case number), or read now from Salesforce or Forge
// (--live, through the sync's case source).
#include <boost/program_options.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/cli/clients.h"
#include "connector/cli/command_options.h"
#include "connector/cli/explain_live.h"
#include "connector/cli/offline_setup.h"
#include "connector/engine/snapshot_codec.h"
#include "connector/report/explain.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge explain CASE_ID [--now ISO8601] [--format text|json|html]\n"
        "                          [--input FILE.jsonl | --live | --store URL] [--system NAME]\n"
        "                          [--policy DIR] [--config FILE] [--out FILE]\n\n"
        "Explains one case: its timeline (each event with its source record id) and, for\n"
        "every rule, when its clock started, the business-hours arithmetic to the due time\n"
        "(the hours counted and the closing hours, weekends, holidays and DST days skipped),\n"
        "what met it or what is still awaited, the verdict and minutes late, then the actions\n"
        "planned and their ledger state.\n\n"
        "The case is the snapshot the last sync stored (default), the line of --input whose\n"
        "id or number is CASE_ID, or (--live) the case as Salesforce (or Forge, with --system\n"
        "forge) holds it now, read by id with the config's credentials. It is evaluated at --now "
        "(default: the current time) under\n"
        "--policy (default: the config's mappings_dir, else the shipped defaults).\n"
        "Formats: text (for a chat thread), json, html (one self-contained page).\n\n"
        "Exit status: 0 explained; 2 bad usage, config or input, or the case is not found;\n"
        "--live: 3 authentication failed, 4 the system failed, 5 API budget exhausted.\n\n"
     << opts;
}

std::string Str(po::variables_map const& vm, char const* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

// The line of `path` whose id or number is `id`. Bad lines are skipped (they are not this case).
bool FindInFile(std::string const& path, std::string const& id, std::string const& prefix,
                CommandContext& ctx, engine::Snapshot& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ctx.err << prefix << "cannot read " << path << "\n";
    return false;
  }
  engine::SnapshotReader reader;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (reader.Parse(line, out).ok() && (out.id == id || out.number == id)) return true;
  }
  ctx.err << prefix << "no snapshot of case " << id << " in " << path << "\n";
  return false;
}

// The stored snapshot of `id` (in --system when given) and where it came from.
bool FindInStore(store::StateStore& store, std::string const& id, std::string const& system,
                 std::string const& prefix, CommandContext& ctx, engine::Snapshot& out,
                 std::string& source) {
  auto rows = store.GetCaseSnapshots(id);
  if (!rows.ok()) {
    ctx.err << prefix << "reading the state store failed: " << rows.status().message() << "\n";
    return false;
  }
  std::vector<store::CaseSnapshot> match;
  for (auto& r : *rows) {
    if (system.empty() || r.system == system) match.push_back(std::move(r));
  }
  if (match.empty()) {
    ctx.err << prefix << "the state store has no snapshot of case " << id
            << (system.empty() ? "" : " in " + system)
            << " (a sync stores the snapshot of every case it evaluates)\n";
    return false;
  }
  if (match.size() > 1) {
    ctx.err << prefix << "case " << id << " is stored for several systems; pick one with "
            << "--system (" << match[0].system << ", " << match[1].system << ")\n";
    return false;
  }
  if (Status st = engine::ParseSnapshotLine(match[0].snapshot, out); !st.ok()) {
    ctx.err << prefix << "the stored snapshot of case " << id
            << " is unreadable: " << st.info().field << ": " << st.message() << "\n";
    return false;
  }
  if (out.source.empty()) out.source = match[0].system;
  source = "state store " + store.description() + ", snapshot of the sync at " +
           FormatInstant(match[0].updated_at);
  return true;
}

// --live: the case read now from its system; the exit code (kExitOk when read).
int ReadLive(po::variables_map const& vm, OfflineSettings const& settings,
             LoadedPolicy const& loaded, std::string const& id, std::string const& prefix,
             CommandContext& ctx, engine::Snapshot& snapshot, std::string& source) {
  if (!settings.config_read) {
    ctx.err << prefix << "--live needs the config with the credentials (--config)\n";
    return kExitUsage;
  }
  std::string const dir =
      vm.count("policy") != 0 ? Str(vm, "policy") : settings.config.mappings_dir;
  auto live = ReadCaseLive(settings.config, loaded.policy, dir, id, Str(vm, "system"));
  if (!live.ok()) {
    ctx.err << prefix << live.status().message() << "\n";
    return live.status().code() == StatusCode::kNotFound ? kExitUsage : ExitCodeFor(live.status());
  }
  snapshot = std::move(*live);
  source = (Str(vm, "system") == "forge" ? "Forge" : "Salesforce") +
           std::string(", read live (no ledger consulted)");
  return kExitOk;
}

}  // namespace

int RunExplainCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "case", po::value<std::string>()->value_name("CASE_ID"), "the case id or number")(
      "format", po::value<std::string>()->value_name("FORMAT")->default_value("text"),
      "text, json or html")("input,i", po::value<std::string>()->value_name("FILE"),
                            "read the case from snapshots (JSON Lines) instead of the store")(
      "live", "read the case now from its system (Salesforce, or Forge with --system forge)")(
      "system", po::value<std::string>()->value_name("NAME"),
      "the case's system (salesforce or forge): for --live, or when the store holds both")(
      "policy", po::value<std::string>()->value_name("DIR"),
      "mappings directory (default: the config's mappings_dir, else the shipped defaults)")(
      "out,o", po::value<std::string>()->value_name("FILE"), "write here instead of stdout");
  AddOfflineOptions(opts);
  po::positional_options_description positional;
  positional.add("case", 1);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions(
          "explain", po::command_line_parser(args).options(opts).positional(positional), usage, ctx,
          vm))
    return *done;
  std::string const prefix = ctx.program + " explain: ";
  std::string const id = Str(vm, "case");
  if (id.empty()) {
    ctx.err << prefix << "CASE_ID is required (see --help)\n";
    return kExitUsage;
  }
  auto const format = report::ParseExplainFormat(Str(vm, "format"));
  if (!format) {
    ctx.err << prefix << "--format: unknown format \"" << Str(vm, "format")
            << "\" (use text, json or html)\n";
    return kExitUsage;
  }
  if (vm.count("input") + vm.count("store") + vm.count("live") > 1) {
    ctx.err << prefix << "give one of --input (snapshots), --live and --store\n";
    return kExitUsage;
  }
  Instant now{};
  OfflineSettings settings;
  LoadedPolicy loaded;
  if (!ReadNow(vm, prefix, ctx, now) || !LoadOfflineConfig(vm, prefix, ctx, settings) ||
      !LoadPolicyDir(vm.count("policy") != 0 ? Str(vm, "policy") : settings.config.mappings_dir,
                     prefix, ctx, loaded)) {
    return kExitUsage;
  }

  engine::Snapshot snapshot;
  std::string source;
  std::unique_ptr<store::StateStore> store;
  if (vm.count("input") != 0) {
    if (!FindInFile(Str(vm, "input"), id, prefix, ctx, snapshot)) return kExitUsage;
    source = "snapshot file " + Str(vm, "input");
  } else if (vm.count("live") != 0) {
    if (int const code = ReadLive(vm, settings, loaded, id, prefix, ctx, snapshot, source);
        code != kExitOk) {
      return code;
    }
  } else {
    store = OpenExistingStore(vm, settings, prefix, ctx);
    if (!store || !FindInStore(*store, id, Str(vm, "system"), prefix, ctx, snapshot, source)) {
      return kExitUsage;
    }
  }
  report::Explanation e =
      report::Explain(std::move(snapshot), loaded.policy, *loaded.calendar, now);
  e.source = std::move(source);
  if (store) {
    std::vector<std::string> keys;
    for (auto const& a : e.actions) keys.push_back(a.action.key);
    auto rows = store->GetActions(keys);
    if (!rows.ok()) {
      ctx.err << prefix << "reading the ledger failed: " << rows.status().message() << "\n";
      return kExitUsage;
    }
    report::AttachLedger(e, std::move(*rows));
  }
  auto text = report::RenderExplanation(e, *format);
  if (!text.ok()) {
    ctx.err << prefix << text.status().message() << "\n";
    return kExitUsage;
  }
  return WriteOutput(*text, Str(vm, "out"), prefix, ctx) ? kExitOk : kExitUsage;
}

}  // namespace casebridge::cli
