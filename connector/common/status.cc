#include "connector/common/status.h"

#include <string>

namespace casebridge {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  if (!info_.file.empty()) {
    out += info_.file;
    if (info_.line > 0) out += ":" + std::to_string(info_.line);
    out += ": ";
  }
  out += message_;
  if (info_.http_status != 0) out += " [http " + std::to_string(info_.http_status) + "]";
  if (!info_.vendor_code.empty()) out += " [" + info_.vendor_code + "]";
  if (!info_.request_id.empty()) out += " [request " + info_.request_id + "]";
  return out;
}

std::ostream& operator<<(std::ostream& os, Status const& s) { return os << s.ToString(); }

}  // namespace casebridge
