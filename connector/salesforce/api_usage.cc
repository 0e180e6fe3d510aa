#include "connector/salesforce/api_usage.h"

#include <charconv>
#include <cmath>
#include <string>

#include "connector/http/url.h"

namespace casebridge::salesforce {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The part of a `/services/data/vNN.N/…` path after the version, or nullopt.
std::optional<std::string_view> DataResource(std::string_view path) {
  constexpr std::string_view kData = "/services/data/";
  if (!StartsWith(path, kData)) return std::nullopt;
  auto rest = path.substr(kData.size());
  auto const slash = rest.find('/');
  if (slash == std::string_view::npos) return std::string_view();
  return rest.substr(slash);
}

}  // namespace

std::string_view CallKindName(CallKind kind) {
  switch (kind) {
    case CallKind::kAuth:
      return "auth";
    case CallKind::kQuery:
      return "query";
    case CallKind::kWrite:
      return "write";
    case CallKind::kBulk:
      return "bulk";
    case CallKind::kOther:
      return "other";
  }
  return "other";
}

CallKind ClassifyCall(http::Method method, std::string_view url) {
  auto const path = http::PathOf(url);
  std::string_view const p = path;
  if (StartsWith(p, "/services/oauth2/") || StartsWith(p, "/id/")) return CallKind::kAuth;
  auto resource = DataResource(p);
  if (!resource) return CallKind::kOther;
  if (StartsWith(*resource, "/jobs/")) return CallKind::kBulk;
  if (*resource == "/query" || *resource == "/queryAll" || StartsWith(*resource, "/query/") ||
      StartsWith(*resource, "/queryAll/")) {
    return CallKind::kQuery;
  }
  bool const sobjects = StartsWith(*resource, "/sobjects/") || *resource == "/sobjects";
  bool const composite = StartsWith(*resource, "/composite");
  if (method == http::Method::kGet) {
    return sobjects && !EndsWith(*resource, "/describe") ? CallKind::kQuery : CallKind::kOther;
  }
  if (sobjects || composite) return CallKind::kWrite;
  return CallKind::kOther;
}

std::optional<LimitInfo> ParseLimitInfo(std::string_view header_value) {
  constexpr std::string_view kKey = "api-usage=";
  auto pos = header_value.find(kKey);
  // `per-app-api-usage=` must not be mistaken for the org-wide counter.
  while (pos != std::string_view::npos && pos > 0 && header_value[pos - 1] == '-') {
    pos = header_value.find(kKey, pos + 1);
  }
  if (pos == std::string_view::npos) return std::nullopt;
  auto rest = header_value.substr(pos + kKey.size());
  LimitInfo info;
  auto [p1, ec1] = std::from_chars(rest.data(), rest.data() + rest.size(), info.used);
  if (ec1 != std::errc() || p1 == rest.data() + rest.size() || *p1 != '/') return std::nullopt;
  auto [p2, ec2] = std::from_chars(p1 + 1, rest.data() + rest.size(), info.limit);
  if (ec2 != std::errc() || p2 == p1 + 1 || info.used < 0 || info.limit <= 0) return std::nullopt;
  return info;
}

void ApiUsage::Count(CallKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (kind) {
    case CallKind::kAuth:
      ++counts_.auth;
      break;
    case CallKind::kQuery:
      ++counts_.query;
      break;
    case CallKind::kWrite:
      ++counts_.write;
      break;
    case CallKind::kBulk:
      ++counts_.bulk;
      break;
    case CallKind::kOther:
      ++counts_.other;
      break;
  }
}

void ApiUsage::Observe(LimitInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  last_ = info;
}

void ApiUsage::MarkLimitExceeded() {
  std::lock_guard<std::mutex> lock(mu_);
  exceeded_ = true;
}

void ApiUsage::set_budget_share(double share) {
  std::lock_guard<std::mutex> lock(mu_);
  budget_share_ = share;
}

Status ApiUsage::CheckBudget() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (exceeded_) {
    ErrorInfo info;
    info.vendor_code = "REQUEST_LIMIT_EXCEEDED";
    return ResourceExhaustedError(
        "Salesforce API request limit exceeded (REQUEST_LIMIT_EXCEEDED); no further calls this "
        "run",
        info);
  }
  if (!last_) return OkStatus();
  auto const allowed = budget_share_ * static_cast<double>(last_->limit);
  if (static_cast<double>(last_->used) >= allowed) {
    return ResourceExhaustedError(
        "API budget reached: the org has used " + std::to_string(last_->used) + " of " +
        std::to_string(last_->limit) + " daily API requests and this run may use up to " +
        std::to_string(static_cast<std::int64_t>(std::floor(allowed))) + " (" +
        std::to_string(static_cast<int>(std::lround(budget_share_ * 100))) +
        "% of the limit); stopping before the next call");
  }
  return OkStatus();
}

CallCounts ApiUsage::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

std::optional<LimitInfo> ApiUsage::last_usage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

StatusOr<http::HttpResponse> MeteringTransport::Send(http::HttpRequest const& request) {
  auto const kind = ClassifyCall(request.method, request.url);
  if (kind != CallKind::kAuth) {
    if (auto s = usage_->CheckBudget(); !s.ok()) return s;
  }
  usage_->Count(kind);
  auto response = inner_->Send(request);
  if (!response.ok()) return response;
  if (auto h = response->headers.Get("Sforce-Limit-Info")) {
    if (auto info = ParseLimitInfo(*h)) usage_->Observe(*info);
  }
  if (response->status == 403 &&
      response->body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos) {
    usage_->MarkLimitExceeded();
  }
  return response;
}

}  // namespace casebridge::salesforce
