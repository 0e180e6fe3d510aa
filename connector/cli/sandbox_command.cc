// `casebridge sandbox`: runs the bundled emulators standalone, for trying things by hand.
#include <boost/program_options.hpp>
#include <iostream>

#include "connector/cli/cli.h"
#include "connector/common/stop_signal.h"
#include "connector/sandbox/sandbox_server.h"

namespace casebridge::cli {

namespace po = boost::program_options;

int RunSandboxCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  sandbox::SandboxServerOptions options;
  po::options_description desc(
      "usage: casebridge sandbox [--port N] [options]\n\n"
      "Runs the Salesforce and Forge emulators on loopback until Ctrl-C / SIGTERM. It prints\n"
      "their base URLs and the throwaway demo credentials (sandbox-only values, never real\n"
      "secrets).\n\noptions");
  desc.add_options()("help,h", "show this help")(
      "port", po::value<int>(&options.port)->default_value(0), "port to listen on (0 = any free)")(
      "host", po::value<std::string>(&options.host)->default_value("127.0.0.1"),
      "address to bind (keep it on loopback)")(
      "seed", po::value<std::string>(&options.seed_file),
      "seed org JSON file (default: the bundled sample org)")(
      "jwt-public-key", po::value<std::string>(&options.jwt_public_key_file),
      "PEM public key that verifies JWT bearer assertions (default: a fresh throwaway key)")(
      "jwt-private-key-out", po::value<std::string>(&options.jwt_private_key_out),
      "write the throwaway private key here (mode 0600) for `auth check`")(
      "forge-port", po::value<int>(&options.forge_port)->default_value(0),
      "port of the Forge emulator (0 = any free, -1 = do not start it)")(
      "forge-seed", po::value<std::string>(&options.forge_seed_file),
      "Forge seed JSON file (default: the bundled sample data)")(
      "demo-org", po::value<int>(&options.demo_cases)->value_name("N"),
      "seed both emulators with a generated sample org of N cases (as of now) instead");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (po::error const& e) {
    ctx.err << "casebridge sandbox: " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help") != 0) {
    ctx.out << desc << "\n";
    return kExitOk;
  }
  if (options.port < 0 || options.port > 65535) {
    ctx.err << "casebridge sandbox: --port must be between 0 and 65535\n";
    return kExitUsage;
  }
  if (vm.count("demo-org") != 0 && (options.demo_cases < 1 || options.demo_cases > 1000000)) {
    ctx.err << "casebridge sandbox: --demo-org must be between 1 and 1000000 (cases)\n";
    return kExitUsage;
  }
  if (options.forge_port < -1 || options.forge_port > 65535) {
    ctx.err << "casebridge sandbox: --forge-port must be -1 or between 0 and 65535\n";
    return kExitUsage;
  }
  auto& stop = InstallStopSignalHandlers();
  return sandbox::RunSandboxServer(options, ctx.out, ctx.err, stop);
}

}  // namespace casebridge::cli
