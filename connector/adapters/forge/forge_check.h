// `casebridge doctor`, Forge part: logs in with the configured credentials and asks each Forge
// endpoint casebridge uses (forge.json: tickets, interactions, service tickets, tasks) for one
// page, stopping at its first record: one login and one GET per endpoint. Reads only.
#pragma once

#include <string>
#include <vector>

#include "connector/adapters/doctor_check.h"
#include "connector/forge/client.h"

namespace casebridge::adapters {

/// One DoctorCheck for the login (as `email`; the password is never printed) and one per
/// endpoint. A refused or unreachable login yields that one failed check. Never fails as a whole.
std::vector<DoctorCheck> CheckForgeEndpoints(forge::Client const& client, std::string const& email);

}  // namespace casebridge::adapters
