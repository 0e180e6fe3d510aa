#include "connector/forge/metering.h"

#include "connector/http/url.h"

namespace casebridge::forge {

std::string_view CallKindName(CallKind kind) {
  switch (kind) {
    case CallKind::kLogin:
      return "login";
    case CallKind::kRead:
      return "read";
    case CallKind::kWrite:
      return "write";
    case CallKind::kOther:
      return "other";
  }
  return "other";
}

CallKind ClassifyCall(http::Method method, std::string_view url, std::string_view login_path) {
  std::string const path = http::PathOf(url);
  if (method == http::Method::kPost && !login_path.empty() && path.size() >= login_path.size() &&
      std::string_view{path}.substr(path.size() - login_path.size()) == login_path) {
    return CallKind::kLogin;
  }
  switch (method) {
    case http::Method::kGet:
      return CallKind::kRead;
    case http::Method::kPost:
    case http::Method::kPatch:
    case http::Method::kPut:
    case http::Method::kDelete:
      return CallKind::kWrite;
  }
  return CallKind::kOther;
}

void CallCounter::Count(CallKind kind) {
  std::lock_guard lock(mu_);
  switch (kind) {
    case CallKind::kLogin:
      ++counts_.login;
      break;
    case CallKind::kRead:
      ++counts_.read;
      break;
    case CallKind::kWrite:
      ++counts_.write;
      break;
    case CallKind::kOther:
      ++counts_.other;
      break;
  }
}

CallCounts CallCounter::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

StatusOr<http::HttpResponse> MeteringTransport::Send(http::HttpRequest const& request) {
  counter_->Count(ClassifyCall(request.method, request.url, login_path_));
  return inner_->Send(request);
}

}  // namespace casebridge::forge
