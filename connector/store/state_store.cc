#include "connector/store/state_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "connector/store/migrations.h"
#include "connector/store/postgres_connection.h"
#include "connector/store/run_locker.h"
#include "connector/store/sql_state_store.h"
#include "connector/store/sqlite_connection.h"

namespace casebridge::store {
namespace {

using store_internal::SqlConnection;

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Where a postgres URL holds a password: [begin, end) offsets of the userinfo password and of
/// every `password=` query value.
struct PasswordSpans {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
};

PasswordSpans FindPasswords(std::string_view url) {
  PasswordSpans out;
  auto const scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  std::size_t const authority_begin = scheme_end + 3;
  std::size_t const authority_end = std::min(url.find_first_of("/?#", authority_begin), url.size());
  std::string_view const authority = url.substr(authority_begin, authority_end - authority_begin);
  if (auto const at = authority.rfind('@'); at != std::string_view::npos) {
    if (auto const colon = authority.substr(0, at).find(':'); colon != std::string_view::npos) {
      out.spans.emplace_back(authority_begin + colon + 1, authority_begin + at);
    }
  }
  if (auto const q = url.find('?', authority_begin); q != std::string_view::npos) {
    std::size_t pos = q + 1;
    while (pos <= url.size()) {
      std::size_t end = std::min(url.find_first_of("&#", pos), url.size());
      std::string_view const param = url.substr(pos, end - pos);
      if (param.starts_with("password=")) {
        out.spans.emplace_back(pos + 9, end);
      }
      if (end >= url.size() || url[end] == '#') break;
      pos = end + 1;
    }
  }
  return out;
}

std::string SqlitePathOf(std::string_view url) {
  std::string path(url.substr(std::string_view("sqlite:").size()));
  if (path.starts_with("//")) path.erase(0, 2);  // sqlite:///abs/path
  return path;
}

Status PathError(std::string const& path, std::string const& why) {
  ErrorInfo info;
  info.file = path;
  return InvalidArgumentError("cannot use '" + path + "' as the SQLite state database: " + why,
                              std::move(info));
}

StatusOr<std::unique_ptr<StateStore>> OpenSqlite(std::string const& url, std::string org) {
  std::string const path = SqlitePathOf(url);
  if (path.empty()) {
    return InvalidArgumentError("state store URL '" + url + "' has no path (sqlite:PATH)");
  }
  bool const memory = path == ":memory:";
  auto conn = store_internal::SqliteConnection::Open(path);
  if (!conn.ok()) return conn.status();
  std::shared_ptr<SqlConnection> shared(std::move(*conn));
  if (Status s = store_internal::ApplyMigrations(*shared); !s.ok()) {
    return Status(s.code(), "state store '" + url + "': " + s.message(), s.info());
  }
  // Org default keeps the lock file it had before orgs existed.
  std::string const lock = org == kDefaultOrg ? path + ".lock" : path + "." + org + ".lock";
  auto locker = memory ? store_internal::MakeProcessLocalRunLocker()
                       : store_internal::MakeFileRunLocker(lock);
  return std::unique_ptr<StateStore>(std::make_unique<store_internal::SqlStateStore>(
      shared, url, std::move(locker), std::move(org)));
}

StatusOr<std::unique_ptr<StateStore>> OpenPostgres(std::string const& url, std::string org) {
  std::string const redacted = RedactStoreUrl(url);
  std::vector<std::string> secrets;
  for (auto const& [b, e] : FindPasswords(url).spans) {
    std::string_view const raw = std::string_view(url).substr(b, e - b);
    if (raw.empty()) continue;
    secrets.emplace_back(raw);
    secrets.push_back(PercentDecode(raw));
  }
  auto conn = store_internal::PostgresConnection::Connect(url, redacted, secrets);
  if (!conn.ok()) return conn.status();
  std::shared_ptr<SqlConnection> shared(std::move(*conn));
  if (Status s = store_internal::ApplyMigrations(*shared); !s.ok()) {
    return Status(s.code(), "state store '" + redacted + "': " + s.message(), s.info());
  }
  auto locker = store_internal::MakePostgresRunLocker(shared, org);
  return std::unique_ptr<StateStore>(std::make_unique<store_internal::SqlStateStore>(
      shared, redacted, std::move(locker), std::move(org)));
}

}  // namespace

Status CheckSqliteLocation(std::string_view url) {
  if (!url.starts_with("sqlite:")) return OkStatus();
  std::string const path = SqlitePathOf(url);
  if (path.empty() || path == ":memory:") return OkStatus();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return PathError(path, "it is a directory");
    if (!S_ISREG(st.st_mode)) return PathError(path, "it is not a regular file");
    if (::access(path.c_str(), R_OK | W_OK) != 0) {
      std::string const why = std::strerror(errno);
      return PathError(path, why + " (it must be readable and writable by this user)");
    }
    return OkStatus();
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return PathError(path, "the directory " + dir.string() + " does not exist");
  }
  std::string const probe = (dir / (".casebridge-probe-" + std::to_string(::getpid()))).string();
  int const fd = ::open(probe.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return PathError(path, "the directory " + dir.string() + " does not accept new files (" +
                               std::strerror(errno) + ")");
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return OkStatus();
}

std::string RedactStoreUrl(std::string_view url) {
  std::string out(url);
  if (!IsPostgresUrl(url)) return out;
  auto spans = FindPasswords(url).spans;
  // Replace from the back so earlier offsets stay valid.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, "***");
  }
  return out;
}

StatusOr<std::unique_ptr<StateStore>> OpenStateStore(std::string const& url, std::string_view org) {
  // The org names a lock file: letters, digits, '_' and '-' only.
  if (org.empty() || !std::all_of(org.begin(), org.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
      })) {
    return InvalidArgumentError("state store: '" + std::string(org) +
                                "' is not an org name (letters, digits, '_' and '-')");
  }
  if (url.starts_with("sqlite:")) return OpenSqlite(url, std::string(org));
  if (IsPostgresUrl(url)) return OpenPostgres(url, std::string(org));
  return InvalidArgumentError("unsupported state store URL '" + RedactStoreUrl(url) +
                              "' (expected sqlite:PATH, sqlite::memory: or "
                              "postgresql://user@host:port/db)");
}

// --- Transaction and RunLock ------------------------------------------------------------------

Transaction::Transaction(Transaction&& other) noexcept
    : driver_(std::exchange(other.driver_, nullptr)) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (driver_ != nullptr) (void)driver_->RollbackTransaction();
    driver_ = std::exchange(other.driver_, nullptr);
  }
  return *this;
}

Transaction::~Transaction() {
  if (driver_ != nullptr) (void)driver_->RollbackTransaction();
}

Status Transaction::Commit() {
  if (driver_ == nullptr) return FailedPreconditionError("the transaction is no longer active");
  Status s = driver_->CommitTransaction();
  if (!driver_->TransactionActive()) driver_ = nullptr;
  return s;
}

Status Transaction::Rollback() {
  if (driver_ == nullptr) return FailedPreconditionError("the transaction is no longer active");
  Status s = driver_->RollbackTransaction();
  if (!driver_->TransactionActive()) driver_ = nullptr;
  return s;
}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    (void)Release();
    holder_ = std::move(other.holder_);
  }
  return *this;
}

RunLock::~RunLock() { (void)Release(); }

Status RunLock::Release() {
  if (!holder_) return OkStatus();
  Status s = holder_->Release();
  holder_.reset();
  return s;
}

}  // namespace casebridge::store
