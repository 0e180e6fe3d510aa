// Option parsing every subcommand shares: Boost.Program_options errors and --help handled the
// same way everywhere.
#pragma once

#include <boost/program_options.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <string_view>

#include "connector/cli/cli.h"

namespace casebridge::cli {

/// Runs `parser` into `vm`. Returns the exit code when the command is already done: a parse
/// error (`casebridge <command>: <error>` and the usage on stderr, exit 2) or --help (the usage
/// on stdout, exit 0); nullopt when the command goes on.
std::optional<int> ParseCommandOptions(std::string_view command,
                                       boost::program_options::command_line_parser parser,
                                       std::function<void(std::ostream&)> const& usage,
                                       CommandContext& ctx,
                                       boost::program_options::variables_map& vm);

}  // namespace casebridge::cli
