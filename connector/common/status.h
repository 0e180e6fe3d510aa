// Status and StatusOr<T>: the error type that crosses every layer (ARCHITECTURE.md section 2).
//
// A Status is a code plus a human message plus optional details (HTTP status, vendor error code,
// request id, retry-after, file/line of bad input). Messages never carry secrets: callers build
// them from names and codes, not from request bodies.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

namespace casebridge {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kAborted,
  kInternal,
};

/// Stable lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

/// Extra facts about a failure; every field is optional.
struct ErrorInfo {
  int http_status = 0;      // 0 when no HTTP response was involved
  std::string vendor_code;  // e.g. "UNABLE_TO_LOCK_ROW"
  std::string request_id;   // server-side request id, when the server sent one
  std::chrono::milliseconds retry_after{0};
  std::string file;       // input file of a data/config error
  std::int64_t line = 0;  // 1-based line in `file`, 0 when not applicable
  std::string field;      // offending key or field name
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, ErrorInfo info = {})
      : code_(code), message_(std::move(message)), info_(std::move(info)) {}

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] std::string const& message() const { return message_; }
  [[nodiscard]] ErrorInfo const& info() const { return info_; }
  [[nodiscard]] std::chrono::milliseconds retry_after() const { return info_.retry_after; }

  /// "<code>: <message>" plus the details that are set, for logs and stderr.
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(Status const& a, Status const& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  ErrorInfo info_;
};

inline Status OkStatus() { return {}; }
inline Status InvalidArgumentError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kInvalidArgument, std::move(m), std::move(i)};
}
inline Status NotFoundError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kNotFound, std::move(m), std::move(i)};
}
inline Status FailedPreconditionError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kFailedPrecondition, std::move(m), std::move(i)};
}
inline Status UnauthenticatedError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kUnauthenticated, std::move(m), std::move(i)};
}
inline Status ResourceExhaustedError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kResourceExhausted, std::move(m), std::move(i)};
}
inline Status UnavailableError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kUnavailable, std::move(m), std::move(i)};
}
inline Status InternalError(std::string m, ErrorInfo i = {}) {
  return {StatusCode::kInternal, std::move(m), std::move(i)};
}

std::ostream& operator<<(std::ostream& os, Status const& s);

/// Either a value or a non-OK Status. Accessing the value of an error is a programming error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      v_ = Status(StatusCode::kInternal, "StatusOr constructed from an OK status");
    }
  }

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(v_); }
  [[nodiscard]] Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  T const& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  T const& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  T const* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace casebridge
