// Option parsing every subcommand shares: Boost.Program_options errors and --help handled the
// same way everywhere, and the log level of the commands that log.
#pragma once

#include <boost/program_options.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

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

/// How much a command logs (stderr). Even debug never shows a secret: HTTP lines carry the
/// method, origin, path, query length, status and allow-listed headers only.
enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };

/// Adds `--log-level debug|info|warn|error`. It has no Boost default so that ReadLogLevel() can
/// tell "not given" from "given".
void AddLogLevelOption(boost::program_options::options_description& opts);

/// The options of the commands that connect to the systems to check them (`auth check`,
/// `doctor`): --help, --config FILE, --jwt-audience URL, --timeout SECONDS (default 30) and
/// --log-level.
void AddConnectionCheckOptions(boost::program_options::options_description& opts);

/// The level: --log-level, else $CASEBRIDGE_LOG_LEVEL (when set and non-empty), else `fallback`.
/// The error names the option or the variable and the accepted values.
std::variant<LogLevel, std::string> ReadLogLevel(boost::program_options::variables_map const& vm,
                                                 LogLevel fallback);

}  // namespace casebridge::cli
