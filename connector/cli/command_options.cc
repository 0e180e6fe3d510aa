#include "connector/cli/command_options.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace casebridge::cli {
namespace {

constexpr std::array<std::pair<std::string_view, LogLevel>, 4> kLevels = {{
    {"debug", LogLevel::kDebug},
    {"info", LogLevel::kInfo},
    {"warn", LogLevel::kWarn},
    {"error", LogLevel::kError},
}};

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  for (auto const& [name, level] : kLevels) {
    if (text == name) return level;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> ParseCommandOptions(std::string_view command,
                                       boost::program_options::command_line_parser parser,
                                       std::function<void(std::ostream&)> const& usage,
                                       CommandContext& ctx,
                                       boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  try {
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (po::error const& e) {
    ctx.err << ctx.program << " " << command << ": " << e.what() << "\n\n";
    usage(ctx.err);
    return kExitUsage;
  }
  if (vm.count("help") != 0) {
    usage(ctx.out);
    return kExitOk;
  }
  return std::nullopt;
}

void AddLogLevelOption(boost::program_options::options_description& opts) {
  opts.add_options()(
      "log-level", boost::program_options::value<std::string>()->value_name("LEVEL"),
      "debug, info, warn or error (default $CASEBRIDGE_LOG_LEVEL, else the command's own); "
      "debug adds every HTTP exchange and never shows a secret");
}

void AddConnectionCheckOptions(boost::program_options::options_description& opts) {
  namespace po = boost::program_options;
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->value_name("FILE"), "casebridge.json to use")(
      "jwt-audience", po::value<std::string>()->value_name("URL"),
      "JWT `aud` for a My Domain or loopback login URL (default https://login.salesforce.com)")(
      "timeout", po::value<int>()->value_name("SECONDS")->default_value(30),
      "timeout of each HTTP request");
  AddLogLevelOption(opts);
}

std::variant<LogLevel, std::string> ReadLogLevel(boost::program_options::variables_map const& vm,
                                                 LogLevel fallback) {
  std::string text;
  std::string source;
  if (vm.count("log-level") != 0) {
    text = vm["log-level"].as<std::string>();
    source = "--log-level";
  } else if (char const* env = std::getenv("CASEBRIDGE_LOG_LEVEL");
             env != nullptr && *env != '\0') {
    text = env;
    source = "CASEBRIDGE_LOG_LEVEL";
  } else {
    return fallback;
  }
  if (auto level = ParseLogLevel(text)) return *level;
  std::string shown = text.substr(0, 40);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return source + ": expected debug, info, warn or error, got '" + shown + "'";
}

}  // namespace casebridge::cli
