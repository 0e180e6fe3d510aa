#include "connector/sandbox/sandbox_server.h"

#include "connector/sandbox/demo_org.h"
#include "connector/sandbox/forge_emulator.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "connector/sandbox/crypto_util.h"
#include "connector/sandbox/salesforce_emulator.h"

namespace casebridge::sandbox {
namespace {

// Cases per part of a generated demo org (see GenerateSalesforceDemoOrgInParts).
constexpr std::size_t kDemoCasesPerPart = 20000;

Status WritePrivateKey(std::string const& path, std::string const& pem) {
  int const fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) return InvalidArgumentError("cannot write " + path);
  ::fchmod(fd, 0600);  // an existing file keeps its mode otherwise
  std::size_t written = 0;
  while (written < pem.size()) {
    ssize_t const n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n <= 0) {
      ::close(fd);
      return InvalidArgumentError("cannot write " + path);
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return OkStatus();
}

}  // namespace

int RunSandboxServer(SandboxServerOptions const& options, std::ostream& out, std::ostream& err,
                     std::atomic<bool> const& stop) {
  SalesforceEmulatorOptions sf = options.salesforce;
  ConnectedAppOptions app;
  app.client_id = options.client_id;
  app.client_secret = options.client_secret;
  app.client_credentials_username = options.username;
  app.refresh_tokens[options.refresh_token] = options.username;
  std::string key_note;
  if (!options.jwt_public_key_file.empty()) {
    std::ifstream in(options.jwt_public_key_file);
    if (!in) {
      err << "casebridge sandbox: cannot read " << options.jwt_public_key_file << "\n";
      return 2;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    app.jwt_public_key_pem = buffer.str();
    key_note = "verified with " + options.jwt_public_key_file;
  } else {
    auto pair = GenerateRsaKeyPair();
    if (!pair.ok()) {
      err << "casebridge sandbox: " << pair.status().message() << "\n";
      return 2;
    }
    app.jwt_public_key_pem = pair->public_pem;
    if (!options.jwt_private_key_out.empty()) {
      if (auto s = WritePrivateKey(options.jwt_private_key_out, pair->private_pem); !s.ok()) {
        err << "casebridge sandbox: " << s.message() << "\n";
        return 2;
      }
      key_note = "private key written to " + options.jwt_private_key_out;
    } else {
      key_note = "throwaway key, not written (pass a private-key output path to use JWT)";
    }
  }
  sf.apps.push_back(app);

  SalesforceEmulator emulator(sf);
  DemoOrgOptions demo;
  demo.cases = options.demo_cases;
  demo.now = sf.clock ? sf.clock->Now() : SystemClock().Now();
  // A demo org is generated and seeded a part at a time, so that only one part of the seed
  // document is ever in memory; what seeding freed goes back to the system.
  Status seeded = options.demo_cases > 0
                      ? GenerateSalesforceDemoOrgInParts(
                            demo, kDemoCasesPerPart,
                            [&](nlohmann::json part) { return emulator.SeedFromJson(part); })
                  : options.seed_file.empty() ? emulator.SeedFromJson(nlohmann::json::parse(
                                                    DefaultSalesforceSeed(), nullptr, false, true))
                                              : emulator.SeedFromFile(options.seed_file);
  if (!seeded.ok()) {
    err << "casebridge sandbox: seed: " << seeded.message() << "\n";
    return 2;
  }
  malloc_trim(0);
  if (auto s = emulator.Start(options.host, options.port); !s.ok()) {
    err << "casebridge sandbox: " << s.message() << "\n";
    return 2;
  }
  std::string const base = emulator.base_url();
  out << "Salesforce emulator listening on " << base << "\n"
      << "  login / instance URL: " << base << "\n"
      << "  token endpoint:       " << base << "/services/oauth2/token\n"
      << "  REST API:             " << base << "/services/data/v" << emulator.api_version() << "/\n"
      << "  org id:               " << emulator.org_id() << "\n"
      << "Demo credentials (sandbox-only values):\n"
      << "  client id:            " << options.client_id << "\n"
      << "  client secret:        " << options.client_secret << "  (client_credentials)\n"
      << "  username:             " << options.username << "  (JWT sub)\n"
      << "  refresh token:        " << options.refresh_token << "\n"
      << "  JWT audience:         https://login.salesforce.com or " << base << "\n"
      << "  JWT key:              " << key_note << "\n"
      << "Emulator controls: " << base << "/__sandbox/ (faults, state, seed, counters)\n";
  std::unique_ptr<ForgeEmulator> forge;
  if (options.forge_port >= 0) {
    forge = std::make_unique<ForgeEmulator>(ForgeEmulatorOptions{});
    Status fs =
        options.demo_cases > 0 ? forge->SeedFromJson(GenerateForgeDemoOrg(demo))
        : options.forge_seed_file.empty()
            ? forge->SeedFromJson(nlohmann::json::parse(DefaultForgeSeed(), nullptr, false, true))
            : forge->SeedFromFile(options.forge_seed_file);
    if (!fs.ok()) {
      err << "casebridge sandbox: forge seed: " << fs.message() << "\n";
      emulator.Stop();
      return 2;
    }
    malloc_trim(0);
    if (auto s = forge->Start(options.host, options.forge_port); !s.ok()) {
      err << "casebridge sandbox: forge: " << s.message() << "\n";
      emulator.Stop();
      return 2;
    }
    ForgeUserOptions const user = DemoForgeUser();
    out << "Forge emulator listening on " << forge->base_url() << "\n"
        << "  login:                POST " << forge->base_url() << "/api/auth/login\n"
        << "  demo user:            " << user.email << " / " << user.password
        << "  (sandbox-only values)\n"
        << "Emulator controls: " << forge->base_url() << "/__sandbox/\n";
  }
  out << "Press Ctrl-C to stop.\n";
  out.flush();
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  emulator.Stop();
  if (forge) forge->Stop();
  out << "Emulators stopped.\n";
  return 0;
}

}  // namespace casebridge::sandbox
