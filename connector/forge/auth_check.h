// The Forge part of `casebridge auth check`: log in with the configured e-mail and password
// source, ask Forge who that is, and print it — never the token or the password.
#pragma once

#include <memory>
#include <ostream>

#include "connector/common/clock.h"
#include "connector/common/status.h"
#include "connector/forge/client.h"
#include "connector/http/http_transport.h"
#include "mappings/app_config.h"
#include "mappings/forge_mapping.h"

namespace casebridge::forge {

/// Logs in to `config.base_url` through `wire` and prints, on success,
///   forge: authenticated at <base_url>
///     user:  <email> (<name>, id <id>)      (or "who-am-I endpoint not available" when Forge
///                                             answers 404 to forge.json `auth.me_path`)
///     calls: <n> login, <n> read
/// When `config.base_url` is empty it prints "forge: not configured" and returns OK.
/// Errors (nothing printed; the caller reports them and maps them to exit codes, e.g.
/// kUnauthenticated -> 3): those of Client::Create (kInvalidArgument for the config) and of
/// the login (kUnauthenticated for a wrong e-mail/password — the message never contains the
/// password —, kFailedPrecondition for an unreadable password source, kUnavailable, …).
/// The CLI composition root passes the production wire (CpprestTransport, optionally under
/// LoggingTransport), SystemClock and RealSleeper().
Status CheckForgeAuth(mappings::ForgeConfig const& config, mappings::ForgeMapping const& mapping,
                      std::shared_ptr<http::HttpTransport> wire, std::shared_ptr<Clock const> clock,
                      Sleeper sleeper, std::ostream& out, ClientOptions options = {});

}  // namespace casebridge::forge
