// `casebridge auth check`: authenticates to each configured system and prints who it is.
// (Declared here until the lead adds it to cli.h and the dispatcher table in cli.cc.)
#pragma once

#include <string>
#include <vector>

#include "connector/cli/cli.h"

namespace casebridge::cli {

/// `auth check [--config FILE] [--jwt-audience URL] [--timeout SECONDS]`. Exit codes: 0 when
/// every configured system accepted the credentials, 2 for bad usage or configuration, 3 when
/// authentication failed, 4 for a remote failure after retries, 5 when the API budget is spent.
/// Never prints a token, assertion or secret.
int RunAuthCommand(std::vector<std::string> const& args, CommandContext& ctx);

}  // namespace casebridge::cli
