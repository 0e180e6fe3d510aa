// PLACEHOLDER while the module is being written; replaced before commit.
#include "connector/cli/cli.h"

namespace casebridge::cli {

int RunEvaluateCommand(std::vector<std::string> const& /*args*/, CommandContext& ctx) {
  ctx.err << "not built yet\n";
  return kExitUsage;
}

}  // namespace casebridge::cli
