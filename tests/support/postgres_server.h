// A throwaway PostgreSQL server for tests, from Debian's `postgresql` package.
//
// Start() makes a temporary directory (in /dev/shm when it has room), initialises a cluster in it
// (`initdb`, trust auth, no fsync; run as the `postgres` user when the tests run as root), starts
// it with `pg_ctl` listening only on 127.0.0.1 on a free port with its socket inside the directory,
// and returns the handle. The destructor stops the server and removes the directory; a watchdog
// process does the same if the test program dies without running destructors (crash, SIGKILL), so
// no server outlives its test program.
//
// To keep the many one-test processes of `ctest` fast, the freshly initialised cluster is kept as
// a template next to the test executable (`.postgres-template-<version>/`, a build artefact like
// the executable itself) and copied instead of re-running initdb.
//
// Binaries: $CASEBRIDGE_PG_BINDIR, else the highest /usr/lib/postgresql/<version>/bin. When none
// is found, Start() fails with a message saying to install the `postgresql` package.
#pragma once

#include <memory>
#include <string>

#include "connector/common/status.h"

namespace casebridge::testing_util {

class PostgresServer {
 public:
  static StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(PostgresServer const&) = delete;
  PostgresServer& operator=(PostgresServer const&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// A database on this server that no earlier call returned, empty (the first call returns
  /// initdb's unused `postgres` database, later ones create one); returns its URL
  /// `postgresql://postgres@127.0.0.1:<port>/<name>`.
  StatusOr<std::string> CreateDatabase();

 private:
  PostgresServer(std::string bin_dir, std::string dir, int watchdog_pid, int watchdog_fd)
      : bin_dir_(std::move(bin_dir)),
        dir_(std::move(dir)),
        watchdog_pid_(watchdog_pid),
        watchdog_fd_(watchdog_fd) {}

  std::string bin_dir_;
  std::string dir_;
  int watchdog_pid_;
  int watchdog_fd_;  // closing it makes the watchdog stop the server and remove `dir_`
  int port_ = 0;
  int databases_ = 0;
};

/// One server per test program, started on first use (later calls return the same server, or
/// the same error). It is stopped when the program exits.
StatusOr<PostgresServer*> SharedPostgresServer();

}  // namespace casebridge::testing_util
