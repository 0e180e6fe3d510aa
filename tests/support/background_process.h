// A child process that runs alongside a test (a `casebridge sandbox`, an `openssl s_server`):
// started with its stdout on a pipe, read line by line until it says it is ready, and stopped
// with SIGTERM (then SIGKILL) when the object goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace casebridge::testing_util {

class BackgroundProcess {
 public:
  /// Spawns `argv[0]` (looked up on PATH) with `argv`; stdin is /dev/null, stderr is merged
  /// into stdout. Throws std::runtime_error when it cannot be started.
  explicit BackgroundProcess(std::vector<std::string> const& argv);
  ~BackgroundProcess();
  BackgroundProcess(BackgroundProcess const&) = delete;
  BackgroundProcess& operator=(BackgroundProcess const&) = delete;

  /// Reads output lines until `ready` returns true for one (true), or the process ends or
  /// `timeout` passes (false). Every line read is kept in output().
  bool WaitForLine(std::function<bool(std::string const&)> const& ready,
                   std::chrono::milliseconds timeout);

  /// Everything read so far.
  [[nodiscard]] std::string const& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::string pending_;
};

}  // namespace casebridge::testing_util
