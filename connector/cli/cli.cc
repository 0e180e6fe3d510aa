#include "connector/cli/cli.h"

#include <array>
#include <string_view>

namespace casebridge::cli {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
};

constexpr std::array<Command, 12> kCommands = {{
    {"demo", "the main job on the bundled sandbox: sample org, one sync, a summary",
     RunDemoCommand},
    {"sync", "one incremental sync (--once) or a loop (--every 15m); --dry-run plans only",
     RunSyncCommand},
    {"backfill", "re-evaluate a range of history; --apply writes, --resume continues",
     RunBackfillCommand},
    {"evaluate", "evaluate case snapshots (JSON Lines) against the procedures", RunEvaluateCommand},
    {"calendar", "business-calendar arithmetic: `due` and `elapsed`", RunCalendarCommand},
    {"check-config", "validate casebridge.json and the mappings, listing every problem",
     RunCheckConfigCommand},
    {"auth", "`auth check`: authenticate to each configured system, print who it is",
     RunAuthCommand},
    {"doctor", "check the org and Forge against the mappings: fields, picklists, queues, access",
     RunDoctorCommand},
    {"report", "compliance export (csv, json, md, html) from the state store or snapshots",
     RunReportCommand},
    {"explain", "why one case stands where it does: timeline, due-time arithmetic, verdicts",
     RunExplainCommand},
    {"whatif", "re-evaluate stored cases under another mappings directory; writes nothing",
     RunWhatifCommand},
    {"sandbox", "run the Salesforce and Forge emulators on loopback, for trying things by hand",
     RunSandboxCommand},
}};

void PrintUsage(std::ostream& os) {
  os << "usage: casebridge <command> [options]\n\ncommands:\n";
  for (auto const& c : kCommands) {
    os << "  " << c.name << std::string(14 - c.name.size(), ' ') << c.summary << "\n";
  }
  os << "\n`casebridge <command> --help` describes a command's options.\n";
}

}  // namespace

int Main(int argc, char const* const* argv, std::ostream& out, std::ostream& err) {
  if (argc < 2) {
    PrintUsage(err);
    return kExitUsage;
  }
  std::string_view const name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(out);
    return kExitOk;
  }
  if (name == "--version") {
    out << "casebridge " << CASEBRIDGE_VERSION << "\n";
    return kExitOk;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  CommandContext ctx{out, err};
  for (auto const& c : kCommands) {
    if (c.name == name) return c.run(args, ctx);
  }
  err << "casebridge: unknown command '" << name << "'\n\n";
  PrintUsage(err);
  return kExitUsage;
}

}  // namespace casebridge::cli
