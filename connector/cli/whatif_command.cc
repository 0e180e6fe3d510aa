// `casebridge whatif --policy DIR [--from DATE --to DATE] [--format text|csv|json]` (issue 15):
// the case snapshots the syncs stored, re-evaluated under the current policy and under DIR,
// side by side. Reads the store only: nothing is written (no flags, no ledger, no runs).
#include <boost/program_options.hpp>

#include <string>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/cli/command_options.h"
#include "connector/cli/offline_setup.h"
#include "connector/engine/snapshot_codec.h"
#include "connector/report/report.h"
#include "connector/report/whatif.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge whatif --policy DIR [--from DATE --to DATE]\n"
        "                         [--format text|csv|json] [--now ISO8601] [--base-policy DIR]\n"
        "                         [--store URL] [--config FILE] [--out FILE]\n\n"
        "Re-evaluates the case snapshots the syncs stored (cases created in the range; all\n"
        "when no range is given) under the current policy (--base-policy, else the config's\n"
        "mappings_dir, else the shipped defaults) and under --policy, at --now (default: the\n"
        "current time). Prints per rule met/breached/pending under each policy and every flag\n"
        "whose verdict changes. Nothing is written to the store.\n\n"
        "Formats: text; json (summary.by_rule per policy, as in the report, and the changes);\n"
        "csv (two rows per changed flag, current and whatif, with the report's flag columns).\n"
        "Dates (YYYY-MM-DD) are whole local days, --to included, as in `casebridge report`.\n\n"
        "Exit status: 0 done; 2 bad usage, config, policy or store.\n\n"
     << opts;
}

std::string Str(po::variables_map const& vm, char const* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

std::string PolicyLabel(std::string const& dir) {
  return dir.empty() ? std::string("shipped defaults") : dir;
}

// The range of creation instants: [--from, --to], or everything.
bool ReadRange(po::variables_map const& vm, std::string const& zone, std::string const& prefix,
               CommandContext& ctx, store::SnapshotQuery& q, std::string& label) {
  q = {engine::BusinessCalendar::kEarliest, engine::BusinessCalendar::kLatest};
  label = "all stored cases";
  if (vm.count("from") == 0 && vm.count("to") == 0) return true;
  if (vm.count("from") == 0 || vm.count("to") == 0) {
    ctx.err << prefix << "give both --from and --to, or neither\n";
    return false;
  }
  auto from = report::ParseRangeBound(Str(vm, "from"), false, zone);
  auto to = report::ParseRangeBound(Str(vm, "to"), true, zone);
  if (!from.ok() || !to.ok()) {
    Status const& bad = !from.ok() ? from.status() : to.status();
    ctx.err << prefix << "--" << bad.info().field << ": " << bad.message() << "\n";
    return false;
  }
  q = {*from, *to};
  label = "created " + Str(vm, "from") + " to " + Str(vm, "to");
  return true;
}

}  // namespace

int RunWhatifCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "policy", po::value<std::string>()->value_name("DIR"), "the mappings directory to try")(
      "base-policy", po::value<std::string>()->value_name("DIR"),
      "the current mappings (default: the config's mappings_dir, else the shipped defaults)")(
      "from", po::value<std::string>()->value_name("DATE"), "cases created from this day")(
      "to", po::value<std::string>()->value_name("DATE"), "cases created up to this day")(
      "format", po::value<std::string>()->value_name("FORMAT")->default_value("text"),
      "text, csv or json")("out,o", po::value<std::string>()->value_name("FILE"),
                           "write here instead of stdout");
  AddOfflineOptions(opts);
  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("whatif", po::command_line_parser(args).options(opts), usage,
                                      ctx, vm))
    return *done;
  std::string const prefix = ctx.program + " whatif: ";
  if (vm.count("policy") == 0) {
    ctx.err << prefix << "--policy is required (the mappings directory to try)\n";
    return kExitUsage;
  }
  auto const format = report::ParseWhatifFormat(Str(vm, "format"));
  if (!format) {
    ctx.err << prefix << "--format: unknown format \"" << Str(vm, "format")
            << "\" (use text, csv or json)\n";
    return kExitUsage;
  }
  Instant now{};
  OfflineSettings settings;
  LoadedPolicy current;
  LoadedPolicy trial;
  if (!ReadNow(vm, prefix, ctx, now) || !LoadOfflineConfig(vm, prefix, ctx, settings)) {
    return kExitUsage;
  }
  std::string const base_dir =
      vm.count("base-policy") != 0 ? Str(vm, "base-policy") : settings.config.mappings_dir;
  if (!LoadPolicyDir(base_dir, prefix, ctx, current) ||
      !LoadPolicyDir(Str(vm, "policy"), prefix, ctx, trial)) {
    return kExitUsage;
  }
  store::SnapshotQuery query;
  report::WhatifLabels labels{PolicyLabel(base_dir), Str(vm, "policy"), "", now};
  if (!ReadRange(vm, current.policy.calendar.time_zone, prefix, ctx, query, labels.range)) {
    return kExitUsage;
  }
  auto store = OpenExistingStore(vm, settings, prefix, ctx);
  if (!store) return kExitUsage;

  engine::Engine const a(current.policy, *current.calendar);
  engine::Engine const b(trial.policy, *trial.calendar);
  report::WhatifRun run(a, b, now);
  engine::SnapshotReader reader;
  engine::Snapshot snapshot;
  Status const read = store->ForEachCaseSnapshot(query, [&](store::CaseSnapshot const& row) {
    if (Status st = reader.Parse(row.snapshot, snapshot); !st.ok()) {
      ++run.result().unreadable;
      ctx.err << prefix << "stored snapshot of " << row.system << " case " << row.case_id
              << " skipped: " << st.info().field << ": " << st.message() << "\n";
      return OkStatus();
    }
    run.Add(row.system, snapshot);
    return OkStatus();
  });
  if (!read.ok()) {
    ctx.err << prefix << "reading the stored snapshots failed: " << read.message() << "\n";
    return kExitUsage;
  }
  std::string const text = report::RenderWhatif(run.result(), labels, *format);
  return WriteOutput(text, Str(vm, "out"), prefix, ctx) ? kExitOk : kExitUsage;
}

}  // namespace casebridge::cli
