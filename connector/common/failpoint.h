// Crash points for the crash-consistency tests: `CASEBRIDGE_FAILPOINT=<name>[:<n>]` makes the
// n-th (default first) pass through Failpoint("<name>") kill the process with SIGKILL, exactly
// as `kill -9` would at that instant. Unset (production), a failpoint costs one relaxed atomic
// load. The points are listed where they are used (connector/sync).
#pragma once

#include <string_view>

namespace casebridge {

/// Kills the process with SIGKILL when the environment names this point (see the file comment).
void Failpoint(std::string_view name);

}  // namespace casebridge
