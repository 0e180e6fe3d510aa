// RunCli (cli_runner.h) with a deadline, for commands that would serve forever if they accepted
// their input by mistake (`casebridge sandbox`).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace casebridge::testing_util {

struct DeadlineResult {
  CliResult result;
  bool timed_out = false;  // still running at the deadline: killed with SIGKILL
};

/// Runs CASEBRIDGE_BINARY with `args` (no stdin) and kills it when it is still running after
/// `timeout`; what it printed until then is kept.
DeadlineResult RunCliWithin(std::vector<std::string> const& args,
                            std::chrono::milliseconds timeout);

}  // namespace casebridge::testing_util
