// Internal: the three ways a store takes its run lock (see StateStore::TryLock).
#pragma once

#include <memory>
#include <string>

#include "connector/store/sql_connection.h"
#include "connector/store/state_store.h"

namespace casebridge::store::store_internal {

class RunLocker {
 public:
  virtual ~RunLocker() = default;
  /// The lock, or kAborted ("RUN_LOCK_HELD") when another holder has it. For the file and
  /// PostgreSQL lockers a second TryLock through the same locker while its lock is held fails
  /// with kFailedPrecondition; for the process-local one (the only possible contender) kAborted.
  virtual StatusOr<RunLock> TryLock(LockOptions const& options) = 0;
};

/// flock(LOCK_EX | LOCK_NB) on `lock_path` (created if missing); the holder's pid, start and
/// run id are written into the file for the competing run's message.
std::unique_ptr<RunLocker> MakeFileRunLocker(std::string lock_path);

/// A lock private to this locker (in-memory databases, which no other store can open).
std::unique_ptr<RunLocker> MakeProcessLocalRunLocker();

/// pg_try_advisory_lock(PostgresRunLockKey(org)) on the store's session; the holder is recorded
/// in `run_lock_holder` under `org`. The lock is released with the session if the connection dies.
std::unique_ptr<RunLocker> MakePostgresRunLocker(std::weak_ptr<SqlConnection> conn,
                                                 std::string org);

/// kAborted, vendor code "RUN_LOCK_HELD": "another casebridge run holds the lock (since …,
/// pid …, run …)". Empty parts are shown as "unknown" (run omitted).
Status LockHeldError(std::string_view since, std::string_view pid, std::string_view run_id);

/// kFailedPrecondition: a shared run lock (LockOptions::shared) needs PostgreSQL.
Status SharedNeedsPostgres();

/// The fixed advisory-lock key ("CBRUNLCK").
inline constexpr std::int64_t kPostgresRunLockKey = 0x434252554E4C434B;

/// The advisory-lock key of `org`: kPostgresRunLockKey for org "default" (as before orgs), else
/// that key mixed with the FNV-1a hash of the name.
std::int64_t PostgresRunLockKey(std::string_view org);

}  // namespace casebridge::store::store_internal
