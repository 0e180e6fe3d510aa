// Loading and validating the configuration: `casebridge.json` and a mappings directory.
//
// Files are JSON with comments allowed. Every problem is collected (file, key, what is wrong)
// instead of stopping at the first, so `casebridge check-config` can print them all at once.
// The shipped defaults (mappings/default/*.json) are embedded in the binary at build time and
// used when no mappings directory is given.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "connector/common/status.h"
#include "mappings/app_config.h"
#include "mappings/policy.h"

namespace casebridge::mappings {

/// One configuration problem. `key` is a JSON-pointer-like path, e.g. `rules.followup_5d.hours`.
struct Problem {
  std::string file;
  std::string key;
  std::string message;
  /// "<file>: <key>: <message>"
  [[nodiscard]] std::string ToString() const;
};

/// Writes `p.ToString()` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, Problem const& p);

/// Loads a mappings directory; `dir` empty means the embedded shipped defaults.
/// Problems are appended to `problems`; the returned policy is complete only when none were.
/// Keys of mappings problems start with the file's name (`rules.followup_5d.hours`); the files
/// and their keys are documented in mappings/README.md. Reentrant (reads only the files and
/// the tz database).
Policy LoadPolicy(std::string const& dir, std::vector<Problem>& problems);

/// LoadPolicy() as a StatusOr: kInvalidArgument listing every problem (one per line).
StatusOr<Policy> LoadPolicyOrError(std::string const& dir);

/// Loads `casebridge.json`; problems are appended to `problems`. Checks secret *sources*
/// (environment variable names, readable files with safe permissions), never reads secrets into
/// the returned struct. Relative paths (mappings_dir, secret files, ca_bundle, an SQLite path)
/// are returned resolved against the config file's directory. Secrets given inline are
/// problems whose messages never contain the value. Reads the environment (getenv): not safe
/// to call concurrently with setenv.
AppConfig LoadAppConfig(std::string const& path, std::vector<Problem>& problems);

}  // namespace casebridge::mappings
