#include "connector/common/failpoint.h"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>

namespace casebridge {
namespace {

struct Armed {
  std::string name;
  long nth = 1;
  long hits = 0;
  bool enabled = false;
};

Armed& State() {
  static Armed armed = [] {
    Armed a;
    char const* env = std::getenv("CASEBRIDGE_FAILPOINT");
    if (env == nullptr || *env == '\0') return a;
    std::string const spec(env);
    auto const colon = spec.find(':');
    a.name = spec.substr(0, colon);
    if (colon != std::string::npos) a.nth = std::strtol(spec.c_str() + colon + 1, nullptr, 10);
    if (a.nth < 1) a.nth = 1;
    a.enabled = true;
    return a;
  }();
  return armed;
}

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

void Failpoint(std::string_view name) {
  Armed& a = State();
  if (!a.enabled) return;
  std::lock_guard<std::mutex> lock(Mutex());
  if (name != a.name) return;
  if (++a.hits == a.nth) std::raise(SIGKILL);
}

}  // namespace casebridge
