// One line of `casebridge doctor`: what was checked against a live system, the verdict and, when
// something a sync needs is not there, the fix (e.g. the deploy/salesforce file that declares
// the missing field). Never carries a secret: details name fields, queues, endpoints and users.
#pragma once

#include <string>
#include <utility>

#include "connector/common/status.h"

namespace casebridge::adapters {

struct DoctorCheck {
  std::string verdict;  // "ok", "missing", "wrong type", "not unique", "no access", "failed", …
  std::string subject;  // "field Case.Installer__c", "queue Back_Office", "Forge login"
  std::string detail;   // what was found
  std::string fix;      // what to do (empty when ok)
  bool passed = false;  // true when a sync has what it needs here
};

inline DoctorCheck Passed(std::string subject, std::string detail) {
  return {"ok", std::move(subject), std::move(detail), "", true};
}

inline DoctorCheck Failed(std::string verdict, std::string subject, std::string detail,
                          std::string fix) {
  return {std::move(verdict), std::move(subject), std::move(detail), std::move(fix), false};
}

/// The verdict for a call that failed: "refused" (credentials), "unreachable", "missing" (404),
/// "no access" (403), else "failed".
inline std::string VerdictFor(Status const& s) {
  switch (s.code()) {
    case StatusCode::kUnauthenticated:
      return "refused";
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return "unreachable";
    case StatusCode::kNotFound:
      return "missing";
    case StatusCode::kPermissionDenied:
      return "no access";
    default:
      return "failed";
  }
}

}  // namespace casebridge::adapters
