#include "connector/store/run_locker.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace casebridge::store::store_internal {
namespace {

/// "pid=123 since=2026-03-02T14:05:00Z run=abc" -> value of `key` ("" when absent).
std::string Field(std::string_view text, std::string_view key) {
  std::string const needle = std::string(key) + "=";
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string_view::npos) {
    if (pos == 0 || text[pos - 1] == ' ') {
      auto const start = pos + needle.size();
      auto const end = text.find_first_of(" \n", start);
      return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
    }
    pos += needle.size();
  }
  return {};
}

class FileLockHolder final : public LockHolder {
 public:
  FileLockHolder(int fd, std::shared_ptr<bool> held) : fd_(fd), held_(std::move(held)) {}
  ~FileLockHolder() override { (void)Release(); }
  FileLockHolder(FileLockHolder const&) = delete;
  FileLockHolder& operator=(FileLockHolder const&) = delete;

  Status Release() override {
    if (fd_ < 0) return OkStatus();
    // Clear the holder facts first so they are never shown for a lock nobody holds.
    (void)!ftruncate(fd_, 0);
    int const rc = flock(fd_, LOCK_UN);
    int const err = errno;
    close(fd_);
    fd_ = -1;
    *held_ = false;
    if (rc != 0) return InternalError(std::string("cannot release the run lock: ") + strerror(err));
    return OkStatus();
  }

 private:
  int fd_;
  std::shared_ptr<bool> held_;
};

class FileRunLocker final : public RunLocker {
 public:
  explicit FileRunLocker(std::string path) : path_(std::move(path)) {}

  StatusOr<RunLock> TryLock(LockOptions const& options) override {
    if (options.shared) return SharedNeedsPostgres();
    if (*held_) return FailedPreconditionError("this store already holds the run lock");
    // Owner-only like the database (it names the run and its process).
    int const fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return UnavailableError("cannot open the run lock file '" + path_ + "': " + strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int const err = errno;
      if (err != EWOULDBLOCK) {
        close(fd);
        return UnavailableError("cannot lock '" + path_ + "': " + strerror(err));
      }
      std::string content(256, '\0');
      ssize_t const n = pread(fd, content.data(), content.size(), 0);
      close(fd);
      content.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
      return LockHeldError(Field(content, "since"), Field(content, "pid"), Field(content, "run"));
    }
    std::string const info = "pid=" + std::to_string(getpid()) +
                             " since=" + FormatInstant(options.now) + " run=" + options.run_id +
                             "\n";
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, info.data(), info.size(), 0) != static_cast<ssize_t>(info.size())) {
      int const err = errno;
      flock(fd, LOCK_UN);
      close(fd);
      return UnavailableError("cannot write the run lock file '" + path_ + "': " + strerror(err));
    }
    *held_ = true;
    return RunLock(std::make_unique<FileLockHolder>(fd, held_));
  }

 private:
  std::string path_;
  std::shared_ptr<bool> held_ = std::make_shared<bool>(false);
};

struct LocalLockState {
  bool held = false;
  std::string since;
  std::string run_id;
};

class LocalLockHolder final : public LockHolder {
 public:
  explicit LocalLockHolder(std::shared_ptr<LocalLockState> state) : state_(std::move(state)) {}
  ~LocalLockHolder() override { (void)Release(); }
  LocalLockHolder(LocalLockHolder const&) = delete;
  LocalLockHolder& operator=(LocalLockHolder const&) = delete;
  Status Release() override {
    if (state_) *state_ = LocalLockState{};
    state_.reset();
    return OkStatus();
  }

 private:
  std::shared_ptr<LocalLockState> state_;
};

class ProcessLocalRunLocker final : public RunLocker {
 public:
  StatusOr<RunLock> TryLock(LockOptions const& options) override {
    if (options.shared) return SharedNeedsPostgres();
    if (state_->held) {
      return LockHeldError(state_->since, std::to_string(getpid()), state_->run_id);
    }
    *state_ = LocalLockState{true, FormatInstant(options.now), options.run_id};
    return RunLock(std::make_unique<LocalLockHolder>(state_));
  }

 private:
  std::shared_ptr<LocalLockState> state_ = std::make_shared<LocalLockState>();
};

class PostgresLockHolder final : public LockHolder {
 public:
  PostgresLockHolder(std::weak_ptr<SqlConnection> conn, std::shared_ptr<bool> held,
                     std::int64_t key, bool shared)
      : conn_(std::move(conn)), held_(std::move(held)), key_(key), shared_(shared) {}
  ~PostgresLockHolder() override { (void)Release(); }
  PostgresLockHolder(PostgresLockHolder const&) = delete;
  PostgresLockHolder& operator=(PostgresLockHolder const&) = delete;

  Status Release() override {
    if (!*held_) return OkStatus();
    *held_ = false;
    auto conn = conn_.lock();
    if (!conn) return OkStatus();  // the session is gone, and the lock with it
    auto r = conn->Execute(shared_ ? "SELECT CASE WHEN pg_advisory_unlock_shared(CAST(? AS "
                                     "BIGINT)) THEN 1 ELSE 0 END"
                                   : "SELECT CASE WHEN pg_advisory_unlock(CAST(? AS BIGINT)) "
                                     "THEN 1 ELSE 0 END",
                           {SqlValue(key_)});
    return r.ok() ? OkStatus() : r.status();
  }

 private:
  std::weak_ptr<SqlConnection> conn_;
  std::shared_ptr<bool> held_;
  std::int64_t key_;
  bool shared_;
};

class PostgresRunLocker final : public RunLocker {
 public:
  PostgresRunLocker(std::weak_ptr<SqlConnection> conn, std::string org)
      : conn_(std::move(conn)), org_(std::move(org)), key_(PostgresRunLockKey(org_)) {}

  StatusOr<RunLock> TryLock(LockOptions const& options) override {
    if (*held_) return FailedPreconditionError("this store already holds the run lock");
    auto conn = conn_.lock();
    if (!conn) return FailedPreconditionError("the store is closed");
    bool acquired = false;
    auto r = conn->Execute(options.shared ? "SELECT CASE WHEN pg_try_advisory_lock_shared(CAST(? "
                                            "AS BIGINT)) THEN 1 ELSE 0 END"
                                          : "SELECT CASE WHEN pg_try_advisory_lock(CAST(? AS "
                                            "BIGINT)) THEN 1 ELSE 0 END",
                           {SqlValue(key_)}, [&acquired](SqlRow const& row) {
                             acquired = row.Int(0) == 1;
                             return OkStatus();
                           });
    if (!r.ok()) return r.status();
    if (!acquired) {
      std::string since, pid, run_id;
      auto q = conn->Execute(
          "SELECT pid, since, run_id FROM run_lock_holder "
          "WHERE org = ? AND id = 1",
          {org_}, [&](SqlRow const& row) {
            pid = std::to_string(row.Int(0));
            since = FormatInstant(row.Time(1));
            run_id = row.String(2);
            return OkStatus();
          });
      if (!q.ok()) return q.status();
      return LockHeldError(since, pid, run_id);
    }
    *held_ = true;
    RunLock lock(std::make_unique<PostgresLockHolder>(conn_, held_, key_, options.shared));
    auto w = conn->Execute(
        "INSERT INTO run_lock_holder (org, id, pid, since, run_id) VALUES (?, 1, ?, ?, ?) "
        "ON CONFLICT (org, id) DO UPDATE SET pid = excluded.pid, since = excluded.since, "
        "run_id = excluded.run_id",
        {SqlValue(org_), SqlValue(std::int64_t{getpid()}), SqlValue::Time(options.now),
         SqlValue(options.run_id)});
    if (!w.ok()) return w.status();  // `lock` releases on the way out
    return lock;
  }

 private:
  std::weak_ptr<SqlConnection> conn_;
  std::string org_;
  std::int64_t key_;
  std::shared_ptr<bool> held_ = std::make_shared<bool>(false);
};

}  // namespace

std::int64_t PostgresRunLockKey(std::string_view org) {
  if (org == "default") return kPostgresRunLockKey;
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (char c : org) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(kPostgresRunLockKey) ^ hash);
}

Status SharedNeedsPostgres() {
  return FailedPreconditionError(
      "a run shared by several workers needs a PostgreSQL state store: SQLite is "
      "single-process");
}

Status LockHeldError(std::string_view since, std::string_view pid, std::string_view run_id) {
  std::string message = "another casebridge run holds the lock (since ";
  message += since.empty() ? "unknown" : since;
  message += ", pid ";
  message += pid.empty() ? "unknown" : pid;
  if (!run_id.empty()) {
    message += ", run ";
    message += run_id;
  }
  message += ")";
  ErrorInfo info;
  info.vendor_code = "RUN_LOCK_HELD";
  return Status(StatusCode::kAborted, std::move(message), std::move(info));
}

std::unique_ptr<RunLocker> MakeFileRunLocker(std::string lock_path) {
  return std::make_unique<FileRunLocker>(std::move(lock_path));
}

std::unique_ptr<RunLocker> MakeProcessLocalRunLocker() {
  return std::make_unique<ProcessLocalRunLocker>();
}

std::unique_ptr<RunLocker> MakePostgresRunLocker(std::weak_ptr<SqlConnection> conn,
                                                 std::string org) {
  return std::make_unique<PostgresRunLocker>(std::move(conn), std::move(org));
}

}  // namespace casebridge::store::store_internal
