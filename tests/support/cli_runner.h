// Runs the built `casebridge` binary as a user would and captures what it printed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace casebridge::testing_util {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::int64_t max_rss_kb = 0;  // the child's peak resident set size (getrusage ru_maxrss), in KiB
};

/// Runs CASEBRIDGE_BINARY with `args` (no shell: arguments are passed verbatim), optional
/// `stdin_text`, and returns its exit code, stdout and stderr.
CliResult RunCli(std::vector<std::string> const& args, std::string const& stdin_text = "");

/// Absolute path of a file under the source tree, e.g. SourcePath("tests/data/x.jsonl").
std::string SourcePath(std::string const& relative);

/// Splits text into lines (without the trailing newline characters).
std::vector<std::string> Lines(std::string const& text);

}  // namespace casebridge::testing_util
