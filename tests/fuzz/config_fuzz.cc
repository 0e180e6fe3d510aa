// libFuzzer target: the casebridge.json loader (commented JSON, every section's checks) and the
// forge.json mapping parser, over the same bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/forge_mapping.h"
#include "mappings/loader.h"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static std::string const path =
      "/tmp/casebridge-config-fuzz-" + std::to_string(getpid()) + ".json";
  std::string_view const text(reinterpret_cast<char const*>(data), size);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  std::vector<casebridge::mappings::Problem> problems;
  static_cast<void>(casebridge::mappings::LoadAppConfig(path, problems));
  problems.clear();
  static_cast<void>(casebridge::mappings::ParseForgeMapping(text, "forge.json", problems));
  return 0;
}
