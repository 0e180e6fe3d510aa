#include "connector/cli/command_options.h"

namespace casebridge::cli {

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

}  // namespace casebridge::cli
