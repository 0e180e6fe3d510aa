// Injected time: library code never reads the system clock or sleeps directly, so tests
// control both (ARCHITECTURE.md section 3).
#pragma once

#include <chrono>
#include <functional>

#include "connector/common/time.h"

namespace casebridge {

/// Wall-clock source. Thread-safe implementations.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Instant Now() const = 0;
};

/// The real system clock (only the CLI composition root creates one).
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Instant Now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

/// Waits for a duration; tests record the delays instead of sleeping.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

/// A Sleeper that really sleeps.
Sleeper RealSleeper();

}  // namespace casebridge
