#include "connector/common/stop_signal.h"

#include <csignal>

namespace casebridge {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int /*signal*/) { g_stop.store(true); }

}  // namespace

std::atomic<bool>& InstallStopSignalHandlers() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  return g_stop;
}

}  // namespace casebridge
