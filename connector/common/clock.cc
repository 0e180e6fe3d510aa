#include "connector/common/clock.h"

#include <thread>

namespace casebridge {

Sleeper RealSleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

}  // namespace casebridge
