// SIGINT/SIGTERM as a stop request, for long-running commands (`sync --every`, `sandbox`):
// they finish their current step and exit cleanly.
#pragma once

#include <atomic>

namespace casebridge {

/// Installs SIGINT and SIGTERM handlers that set the returned flag (process-wide; calling it
/// again returns the same flag).
std::atomic<bool>& InstallStopSignalHandlers();

}  // namespace casebridge
