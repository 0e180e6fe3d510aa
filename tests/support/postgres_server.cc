#include "tests/support/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace casebridge::testing_util {
namespace {

namespace fs = std::filesystem;

constexpr char const* kInstallHint =
    "PostgreSQL server binaries not found (looked for $CASEBRIDGE_PG_BINDIR and "
    "/usr/lib/postgresql/<version>/bin/initdb): install Debian's `postgresql` package "
    "(apt-get install postgresql) to run the PostgreSQL state-store tests";

/// $CASEBRIDGE_PG_BINDIR, else the highest-numbered /usr/lib/postgresql/<v>/bin with initdb.
std::string FindBinDir() {
  if (char const* env = std::getenv("CASEBRIDGE_PG_BINDIR"); env != nullptr && *env != '\0') {
    return fs::exists(fs::path(env) / "initdb") ? std::string(env) : std::string();
  }
  std::error_code ec;
  std::string best;
  long best_version = -1;
  for (auto const& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto const name = entry.path().filename().string();
    char* end = nullptr;
    long const version = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || *end != '\0') continue;
    if (!fs::exists(entry.path() / "bin" / "initdb", ec)) continue;
    if (version > best_version) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

std::string ShellQuote(std::string const& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Tail(std::string const& path, std::size_t n = 1500) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > n) text = "..." + text.substr(text.size() - n);
  return text;
}

/// Prefix that runs a command as the `postgres` user when we are root (the server refuses to
/// run as root); empty otherwise.
std::vector<std::string> AsServerUser() {
  if (geteuid() != 0) return {};
  for (char const* p : {"/usr/sbin/runuser", "/sbin/runuser"}) {
    if (access(p, X_OK) == 0) return {p, "-u", "postgres", "--"};
  }
  return {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"};
}

/// Runs argv (no shell), stdin from /dev/null, stdout+stderr appended to `log`, in `cwd`.
/// Returns the exit code, or -1 when it could not run.
int Run(std::vector<std::string> const& argv, std::string const& log, std::string const& cwd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int const rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> Concat(std::vector<std::string> a, std::vector<std::string> const& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

int FreeLoopbackPort() {
  int const fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

/// Where the cluster runs: in RAM (/dev/shm) when it has room, so a busy disk does not slow the
/// tests down; else the temporary directory.
fs::path ScratchParent() {
  struct statvfs st {};
  if (access("/dev/shm", W_OK) == 0 && statvfs("/dev/shm", &st) == 0 &&
      static_cast<unsigned long long>(st.f_bavail) * st.f_frsize > (1ULL << 30)) {
    return "/dev/shm";
  }
  return fs::temp_directory_path();
}

/// Where a freshly initialised cluster is cached: next to the test executable.
std::string TemplateDir(std::string const& bin_dir) {
  std::error_code ec;
  auto const exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::string key = fs::path(bin_dir).parent_path().filename().string();
  if (bin_dir.rfind("/usr/lib/postgresql/", 0) != 0 || key.empty()) key = "custom";
  // Bump the suffix when the initdb options change: an old template must not be reused.
  return (exe.parent_path() / (".postgres-template-" + key + "-v1")).string();
}

}  // namespace

StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::string const bin_dir = FindBinDir();
  if (bin_dir.empty()) return FailedPreconditionError(kInstallHint);
  auto const as_server = AsServerUser();
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (!as_server.empty()) {
    passwd const* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return FailedPreconditionError(
          "tests run as root but there is no `postgres` user to run the server as: install "
          "Debian's `postgresql` package");
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }

  std::string dir_template = (ScratchParent() / "casebridge-pg-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    return InternalError(std::string("mkdtemp: ") + std::strerror(errno));
  }
  std::string const dir = dir_template;
  if (chown(dir.c_str(), uid, gid) != 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return InternalError("chown " + dir + ": " + std::strerror(errno));
  }
  std::string const data = dir + "/data";
  std::string const log = dir + "/setup.log";
  auto const pg_ctl = bin_dir + "/pg_ctl";

  // The watchdog: blocks until our end of the pipe closes (destructor, exit, crash, SIGKILL),
  // then stops the server and removes the directory. Its own session: Ctrl-C spares it.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return InternalError(std::string("pipe2: ") + std::strerror(errno));
  }
  std::string stop_command;
  for (auto const& a : as_server) stop_command += ShellQuote(a) + " ";
  stop_command += ShellQuote(pg_ctl) + " -D " + ShellQuote(data) + " -m immediate -w stop";
  std::string const script =
      "cat >/dev/null 2>&1; " + stop_command + " >/dev/null 2>&1; rm -rf " + ShellQuote(dir);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  char const* const sh_argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t watchdog = 0;
  int const spawn_rc = posix_spawn(&watchdog, "/bin/sh", &actions, &attr,
                                   const_cast<char* const*>(sh_argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (spawn_rc != 0) {
    close(fds[1]);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return InternalError(std::string("cannot start the watchdog: ") + std::strerror(spawn_rc));
  }
  // From here on the destructor (through the watchdog) cleans up whatever happens.
  std::unique_ptr<PostgresServer> server(new PostgresServer(bin_dir, dir, watchdog, fds[1]));

  // A cluster: copy the cached template, else initdb (and cache the result).
  std::string const tmpl = TemplateDir(bin_dir);
  bool have_data = false;
  if (!tmpl.empty() && fs::exists(tmpl + "/PG_VERSION")) {
    have_data = Run({"/bin/cp", "-a", tmpl, data}, log, dir) == 0;
    if (!have_data) {
      std::error_code ec;
      fs::remove_all(data, ec);
    }
  }
  if (!have_data) {
    int const rc =
        Run(Concat(as_server, {bin_dir + "/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                               "--no-sync", "-E", "UTF8", "--locale=C", "--wal-segsize=1"}),
            log, dir);
    if (rc != 0) {
      return InternalError("initdb failed (exit " + std::to_string(rc) + "):\n" + Tail(log));
    }
    if (!tmpl.empty()) {  // best effort; concurrent programs race benignly through rename()
      std::string const staging = tmpl + ".tmp-" + std::to_string(getpid());
      if (Run({"/bin/cp", "-a", data, staging}, log, dir) == 0) {
        std::error_code ec;
        fs::rename(staging, tmpl, ec);
        if (ec) fs::remove_all(staging, ec);
      }
    }
  }

  std::string const server_log = dir + "/server.log";
  for (int attempt = 0; attempt < 3; ++attempt) {
    int const port = FreeLoopbackPort();
    if (port == 0) return InternalError("no free loopback port");
    std::string const options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) +
                                " -k " + dir +
                                " -c fsync=off -c full_page_writes=off"
                                " -c synchronous_commit=off -c max_connections=40"
                                " -c max_wal_size=64MB -c min_wal_size=4MB"
                                " -c dynamic_shared_memory_type=mmap";
    int const rc = Run(Concat(as_server, {pg_ctl, "-D", data, "-l", server_log, "-w", "-t", "30",
                                          "-o", options, "start"}),
                       log, dir);
    if (rc == 0) {
      server->port_ = port;
      return server;
    }
  }
  return InternalError("pg_ctl start failed three times:\n" + Tail(log) + "\nserver log:\n" +
                       Tail(server_log));
}

PostgresServer::~PostgresServer() {
  close(watchdog_fd_);
  int status = 0;
  while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

StatusOr<std::string> PostgresServer::CreateDatabase() {
  std::string const base = "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/";
  // initdb's `postgres` database is empty and unused: hand it out first, which saves a
  // CREATE DATABASE (a second or so) in every one-test process that ctest starts.
  if (databases_++ == 0) return base + "postgres";
  std::string const name = "casebridge_" + std::to_string(databases_);
  std::string const log = dir_ + "/createdb.log";
  int const rc = Run({bin_dir_ + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                      "postgres", name},
                     log, dir_);
  if (rc != 0) {
    return InternalError("createdb " + name + " failed (exit " + std::to_string(rc) + "):\n" +
                         Tail(log));
  }
  return base + name;
}

StatusOr<PostgresServer*> SharedPostgresServer() {
  static StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Start();
  if (!server.ok()) return server.status();
  return server->get();
}

}  // namespace casebridge::testing_util
