#include "tests/support/background_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace casebridge::testing_util {

BackgroundProcess::BackgroundProcess(std::vector<std::string> const& argv) {
  std::array<int, 2> out{};
  if (::pipe(out.data()) != 0) throw std::runtime_error("BackgroundProcess: pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, out[1]);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  args.push_back(nullptr);
  int const rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("BackgroundProcess: cannot start " + argv.front());
  }
  out_fd_ = out[0];
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    // Bounded wait for a clean stop, then SIGKILL.
    for (int i = 0; i < 50 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (i == 49) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool BackgroundProcess::WaitForLine(std::function<bool(std::string const&)> const& ready,
                                    std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
      std::string const line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (ready(line)) return true;
    }
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    std::array<char, 4096> buf{};
    ssize_t const n = ::read(out_fd_, buf.data(), buf.size());
    if (n <= 0) return false;
    output_.append(buf.data(), static_cast<std::size_t>(n));
    pending_.append(buf.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace casebridge::testing_util
