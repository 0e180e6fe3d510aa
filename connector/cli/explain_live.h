// `explain --live`: one case read now from its system, by id, through the sync's case source
// (connector/adapters), so it is the snapshot a sync would evaluate.
#pragma once

#include <string>

#include "connector/common/status.h"
#include "connector/engine/snapshot.h"
#include "mappings/app_config.h"
#include "mappings/policy.h"

namespace casebridge::cli {

/// Case `id` of `system` ("salesforce", the default when empty, or "forge") as its system holds
/// it now. `mappings_dir` gives signals.json / forge.json. Errors: the client's (authentication,
/// budget, remote), kInvalidArgument for a system that is not configured, kNotFound when the
/// system has no such case (or could not convert it: the message says why).
StatusOr<engine::Snapshot> ReadCaseLive(mappings::AppConfig const& config,
                                        mappings::Policy const& policy,
                                        std::string const& mappings_dir, std::string const& id,
                                        std::string const& system);

}  // namespace casebridge::cli
