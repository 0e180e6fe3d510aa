// The `casebridge` command line: subcommand dispatch and exit codes (SPEC section 3).
// Each subcommand lives in its own `<name>_command.cc` and parses its own options with
// Boost.Program_options; every one answers `--help`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace casebridge::cli {

/// SPEC section 3 exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitBreach = 1,  // completed with breached flags and --fail-on-breach
  kExitUsage = 2,   // bad usage, config or input
  kExitAuth = 3,    // authentication failed
  kExitRemote = 4,  // remote API failure after retries
  kExitBudget = 5,  // API budget exhausted, progress saved
};

struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  std::string program = "casebridge";
};

/// A subcommand: `args` are the words after the subcommand name.
using CommandFn = int (*)(std::vector<std::string> const& args, CommandContext& ctx);

int RunCalendarCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunEvaluateCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunCheckConfigCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunAuthCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunDoctorCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunSandboxCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunReportCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunSyncCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunDemoCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunBackfillCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunExplainCommand(std::vector<std::string> const& args, CommandContext& ctx);
int RunWhatifCommand(std::vector<std::string> const& args, CommandContext& ctx);

/// Entry point used by main(): dispatches argv to a subcommand and returns the exit code.
int Main(int argc, char const* const* argv, std::ostream& out, std::ostream& err);

}  // namespace casebridge::cli
