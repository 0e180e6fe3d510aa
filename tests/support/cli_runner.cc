#include "tests/support/cli_runner.h"
#include "tests/support/cli_deadline.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <stdexcept>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace casebridge::testing_util {
namespace {

void CheckSys(int rc, char const* what) {
  if (rc != 0) throw std::runtime_error(std::string("RunCli: ") + what + " failed");
}

// RunCli with a deadline (zero: none); `timed_out` tells whether the child had to be killed.
CliResult Run(std::vector<std::string> const& args, std::string const& stdin_text,
              std::chrono::milliseconds timeout, bool& timed_out) {
  std::array<int, 2> in{};
  std::array<int, 2> out{};
  std::array<int, 2> err{};
  CheckSys(pipe(in.data()), "pipe");
  CheckSys(pipe(out.data()), "pipe");
  CheckSys(pipe(err.data()), "pipe");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
    posix_spawn_file_actions_addclose(&fa, fd);
  }
  std::vector<std::string> argv_s;
  argv_s.emplace_back(CASEBRIDGE_BINARY);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_s.size() + 1);
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  int const rc = posix_spawn(&pid, CASEBRIDGE_BINARY, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  CheckSys(rc, "posix_spawn");

  // Feed stdin and drain stdout/stderr together so no pipe fills up and blocks the child.
  CliResult result;
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t written = 0;
  if (stdin_text.empty()) {
    close(in[1]);
    in[1] = -1;
  } else {
    fcntl(in[1], F_SETFL, O_NONBLOCK);
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::array<char, 65536> buf{};
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    std::array<pollfd, 3> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}}};
    nfds_t const n = in[1] >= 0 ? 3 : 2;
    int wait_ms = -1;
    if (timeout.count() > 0 && !timed_out) {
      auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
    }
    int const ready = poll(fds.data(), n, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) {  // the deadline passed: the child is stopped, its output read to the end
      kill(pid, SIGKILL);
      timed_out = true;
      continue;
    }
    auto drain = [&](pollfd const& p, std::string& sink, bool& open) {
      if (!open || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return;
      auto const got = read(p.fd, buf.data(), buf.size());
      if (got <= 0) {
        open = false;
      } else {
        sink.append(buf.data(), static_cast<std::size_t>(got));
      }
    };
    drain(fds[0], result.out, out_open);
    drain(fds[1], result.err, err_open);
    if (n == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      auto const put = write(in[1], stdin_text.data() + written, stdin_text.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 || written == stdin_text.size()) {
        close(in[1]);
        in[1] = -1;
      }
    }
  }
  if (in[1] >= 0) close(in[1]);
  close(out[0]);
  close(err[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  result.max_rss_kb = usage.ru_maxrss;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

CliResult RunCli(std::vector<std::string> const& args, std::string const& stdin_text) {
  bool timed_out = false;
  return Run(args, stdin_text, std::chrono::milliseconds::zero(), timed_out);
}

DeadlineResult RunCliWithin(std::vector<std::string> const& args,
                            std::chrono::milliseconds timeout) {
  DeadlineResult out;
  out.result = Run(args, "", timeout, out.timed_out);
  return out;
}

std::string SourcePath(std::string const& relative) {
  return std::string(CASEBRIDGE_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> Lines(std::string const& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace casebridge::testing_util
