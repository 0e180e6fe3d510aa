// Files casebridge writes that hold case data (reports): created readable and writable by their
// owner only, whatever the umask.
#pragma once

#include <string>

#include "connector/common/status.h"

namespace casebridge {

/// Creates `path` as an empty file with mode 0600 (exactly: not widened by a permissive umask,
/// not narrowed by a strict one), replacing nothing: kAlreadyExists when `path` exists (pass a
/// fresh temporary name and rename it into place). Open it afterwards with std::ofstream, which
/// keeps the mode. kUnavailable naming the path and the reason for other failures.
Status CreatePrivateFile(std::string const& path);

}  // namespace casebridge
