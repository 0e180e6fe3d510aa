#include "connector/store/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

namespace casebridge::store::store_internal {
namespace {

Status MapSqliteError(int rc, int extended, std::string message) {
  ErrorInfo info;
  info.vendor_code = "SQLITE_" + std::to_string(extended);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError("database is busy: " + message, std::move(info));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return UnavailableError(std::move(message), std::move(info));
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE) {
        return Status(StatusCode::kAlreadyExists, std::move(message), std::move(info));
      }
      return FailedPreconditionError(std::move(message), std::move(info));
    case SQLITE_NOTADB:  // the configured path holds some other file
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return InvalidArgumentError(std::move(message), std::move(info));
    default:
      return InternalError(std::move(message), std::move(info));
  }
}

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  [[nodiscard]] bool IsNull(int col) const override {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  [[nodiscard]] std::int64_t Int(int col) const override {
    return sqlite3_column_int64(stmt_, col);
  }
  [[nodiscard]] std::string_view Text(int col) const override {
    auto const* p = sqlite3_column_text(stmt_, col);
    if (p == nullptr) return {};
    return {reinterpret_cast<char const*>(p),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
  }

 private:
  sqlite3_stmt* stmt_;
};

/// Resets (and, for uncached statements, finalizes) a statement on scope exit.
class StatementGuard {
 public:
  StatementGuard(sqlite3_stmt* stmt, bool owned) : stmt_(stmt), owned_(owned) {}
  ~StatementGuard() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  StatementGuard(StatementGuard const&) = delete;
  StatementGuard& operator=(StatementGuard const&) = delete;

 private:
  sqlite3_stmt* stmt_;
  bool owned_;
};

// errno values that say the configured path cannot hold a database (a configuration error):
// missing or non-directory parents, no permission, read-only or pseudo file systems, a directory.
bool IsPathProblem(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case ENXIO:
    case ENODEV:
    case EINVAL:
      return true;
    default:
      return false;
  }
}

// Creates the database file, readable and writable by its owner only, when it does not exist yet
// (SQLite would create it 0644; its -wal and -shm files copy the database file's mode). An
// existing file keeps its mode. kInvalidArgument when `path` cannot be a database file.
Status PrepareDatabaseFile(std::string const& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) {
    ::fchmod(fd, S_IRUSR | S_IWUSR);  // exactly 0600, whatever the umask
    ::close(fd);
    return OkStatus();
  }
  int err = errno;
  if (err == EEXIST) {  // check it can be opened for writing (a directory, a read-only file)
    do {
      fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd >= 0) {
      ::close(fd);
      return OkStatus();
    }
    err = errno;
  }
  std::string message = "cannot use '" + path +
                        "' as the SQLite state database: " + std::strerror(err) +
                        " (the directory must exist and be writable, and the path must not be a "
                        "directory)";
  ErrorInfo info;
  info.file = path;
  if (IsPathProblem(err)) return InvalidArgumentError(std::move(message), std::move(info));
  return UnavailableError(std::move(message), std::move(info));
}

}  // namespace

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(std::string const& path,
                                                                   int busy_timeout_ms) {
  if (path != ":memory:") {
    if (Status s = PrepareDatabaseFile(path); !s.ok()) return s;
  }
  sqlite3* db = nullptr;
  int const rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open SQLite database '" + path +
                          "': " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    int const extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    sqlite3_close(db);
    return MapSqliteError(rc, extended, std::move(message));
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // Schedulers opening a fresh file together: switching it to WAL needs a lock SQLite does not
  // wait for through the busy handler, so the open-time statements retry while the database is
  // busy, up to the busy timeout.
  auto const deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  auto retry_busy = [&](auto const& step) -> Status {
    for (int attempt = 0;; ++attempt) {
      Status st = step();
      bool const busy = st.code() == StatusCode::kUnavailable &&
                        st.message().find("database is busy") != std::string::npos;
      if (!busy || std::chrono::steady_clock::now() >= deadline) return st;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * (attempt + 1), 50)));
    }
  };
  Status s = retry_busy(
      [&] { return conn->ExecScript("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"); });
  if (!s.ok()) return s;
  if (path != ":memory:") {
    std::string mode;
    s = retry_busy([&]() -> Status {
      auto r = conn->Execute(
          "PRAGMA journal_mode = WAL", {},
          [&mode](SqlRow const& row) {
            mode = row.String(0);
            return OkStatus();
          },
          /*cache=*/false);
      return r.status();
    });
    if (!s.ok()) return s;
    if (mode != "wal") {
      return FailedPreconditionError("cannot enable WAL journaling on SQLite database '" + path +
                                     "' (journal mode is '" + mode + "')");
    }
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status SqliteConnection::Error(int rc, std::string_view what) const {
  return MapSqliteError(rc, sqlite3_extended_errcode(db_),
                        std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status SqliteConnection::ExecScript(std::string const& sql) {
  char* err = nullptr;
  int const rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return OkStatus();
  std::string message = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return MapSqliteError(rc, sqlite3_extended_errcode(db_), "SQLite: " + message);
}

StatusOr<std::int64_t> SqliteConnection::Execute(std::string const& sql,
                                                 std::span<SqlValue const> params,
                                                 RowCallback const& on_row, bool cache) {
  sqlite3_stmt* stmt = nullptr;
  bool owned = !cache;
  if (cache) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) stmt = it->second;
  }
  if (stmt == nullptr) {
    int const rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                                      cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "SQLite prepare");
    if (stmt == nullptr) return InternalError("SQLite prepare: empty statement");
    if (cache) cache_.emplace(sql, stmt);
  }
  StatementGuard guard(stmt, owned);
  if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
    return InternalError("SQLite: statement expects " +
                         std::to_string(sqlite3_bind_parameter_count(stmt)) + " parameters, got " +
                         std::to_string(params.size()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    int const index = static_cast<int>(i) + 1;
    SqlValue const& v = params[i];
    int rc = SQLITE_OK;
    if (v.is_null()) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (v.is_int()) {
      rc = sqlite3_bind_int64(stmt, index, v.as_int());
    } else {
      std::string_view text = v.as_text();
      // A null data pointer would bind NULL: bind "" for an empty view.
      rc = sqlite3_bind_text64(stmt, index, text.data() != nullptr ? text.data() : "", text.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return Error(rc, "SQLite bind");
  }
  SqliteRow row(stmt);
  for (;;) {
    int const rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      if (on_row) {
        Status s = on_row(row);
        if (!s.ok()) return s;
      }
      continue;
    }
    if (rc == SQLITE_DONE) break;
    return Error(rc, "SQLite");
  }
  if (sqlite3_stmt_readonly(stmt) != 0) return std::int64_t{0};
  return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

}  // namespace casebridge::store::store_internal
