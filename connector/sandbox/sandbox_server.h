// Entry point of `casebridge sandbox`: runs the Salesforce and Forge emulators in the
// foreground, prints their base URLs and the throwaway demo credentials, and serves until asked
// to stop.
#pragma once

#include <atomic>
#include <ostream>
#include <string>

#include "connector/sandbox/emulator_options.h"
#include "connector/sandbox/forge_service.h"

namespace casebridge::sandbox {

struct SandboxServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = pick a free port
  /// Seed document; empty = the embedded default org (DefaultSalesforceSeed()).
  std::string seed_file;
  /// PEM public key or certificate for JWT assertions; empty = generate a throwaway RSA key
  /// pair for this run.
  std::string jwt_public_key_file;
  /// Where to write the generated private key (mode 0600) so a client can sign JWTs; empty =
  /// not written (JWT bearer then needs `jwt_public_key_file`).
  std::string jwt_private_key_out;
  /// Demo connected app (sandbox-only values, printed at start-up).
  std::string client_id = "casebridge-sandbox-client";
  std::string client_secret = "casebridge-sandbox-secret";
  std::string username = "integration@casebridge.sandbox";
  std::string refresh_token = "casebridge-sandbox-refresh-token";
  /// Everything else (API version, limits, clock, …). Its `apps` are kept; the demo app is
  /// added to them.
  SalesforceEmulatorOptions salesforce;
  /// The Forge emulator: its port (0 = any free one; -1 = do not start it) and seed document
  /// (empty = the embedded default, DefaultForgeSeed()). Its users: the demo user.
  int forge_port = 0;
  std::string forge_seed_file;
  /// When > 0: seed both emulators with a generated demo org of this many cases (demo_org.h,
  /// as of start-up) instead of the seed files.
  int demo_cases = 0;
};

/// Starts the emulator, prints the base URL and demo credentials to `out`, and serves until
/// `stop` becomes true (polled every 100 ms). Returns 0 after a clean stop, 2 when the options,
/// seed or key are unusable or the port cannot be bound (the reason goes to `err`).
int RunSandboxServer(SandboxServerOptions const& options, std::ostream& out, std::ostream& err,
                     std::atomic<bool> const& stop);

}  // namespace casebridge::sandbox
