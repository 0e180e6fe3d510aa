// Loading and validating the configuration: `casebridge.json` and a mappings directory.
//
// Files are JSON with comments allowed. Every problem is collected (file, key, what is wrong)
// instead of stopping at the first, so `casebridge check-config` can print them all at once.
// The shipped defaults (mappings/default/*.json) are embedded in the binary at build time and
// used when no mappings directory is given.
#pragma once

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

/// Loads a mappings directory; `dir` empty means the embedded shipped defaults.
/// Problems are appended to `problems`; the returned policy is complete only when none were.
Policy LoadPolicy(std::string const& dir, std::vector<Problem>& problems);

/// LoadPolicy() as a StatusOr: kInvalidArgument listing every problem (one per line).
StatusOr<Policy> LoadPolicyOrError(std::string const& dir);

/// Loads `casebridge.json`; problems are appended to `problems`. Checks secret *sources*
/// (environment variable names, readable files with safe permissions), never reads secrets into
/// the returned struct.
AppConfig LoadAppConfig(std::string const& path, std::vector<Problem>& problems);

}  // namespace casebridge::mappings
