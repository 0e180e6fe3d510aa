#include "connector/sandbox/fault_injector.h"

#include <array>
#include <utility>

namespace casebridge::sandbox {
namespace {

constexpr std::array<std::pair<EndpointKind, std::string_view>, 10> kEndpointNames = {{
    {EndpointKind::kToken, "token"},
    {EndpointKind::kIdentity, "identity"},
    {EndpointKind::kQuery, "query"},
    {EndpointKind::kSObject, "sobject"},
    {EndpointKind::kCollections, "collections"},
    {EndpointKind::kComposite, "composite"},
    {EndpointKind::kBulk, "bulk"},
    {EndpointKind::kLimits, "limits"},
    {EndpointKind::kOther, "other"},
    {EndpointKind::kAny, "any"},
}};

constexpr std::array<std::pair<FaultKind, std::string_view>, 8> kFaultNames = {{
    {FaultKind::kLatency, "latency"},
    {FaultKind::kHttp500, "http_500"},
    {FaultKind::kHttp503, "http_503"},
    {FaultKind::kUnableToLockRow, "unable_to_lock_row"},
    {FaultKind::kTokenExpired, "token_expired"},
    {FaultKind::kRequestLimitExceeded, "request_limit_exceeded"},
    {FaultKind::kMalformedBody, "malformed_body"},
    {FaultKind::kDropConnection, "drop_connection"},
}};

}  // namespace

std::string_view EndpointKindName(EndpointKind kind) {
  for (auto const& [k, n] : kEndpointNames) {
    if (k == kind) return n;
  }
  return "other";
}

std::optional<EndpointKind> ParseEndpointKind(std::string_view name) {
  for (auto const& [k, n] : kEndpointNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view FaultKindName(FaultKind kind) {
  for (auto const& [k, n] : kFaultNames) {
    if (k == kind) return n;
  }
  return "http_503";
}

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (auto const& [k, n] : kFaultNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

StatusOr<FaultSpec> FaultSpecFromJson(nlohmann::json const& j) {
  if (!j.is_object()) return InvalidArgumentError("a fault must be a JSON object");
  FaultSpec spec;
  if (!j.contains("kind") || !j.at("kind").is_string()) {
    return InvalidArgumentError("fault: \"kind\" (string) is required");
  }
  auto kind = ParseFaultKind(j.at("kind").get<std::string>());
  if (!kind) {
    return InvalidArgumentError("fault: unknown kind '" + j.at("kind").get<std::string>() + "'");
  }
  spec.kind = *kind;
  if (j.contains("endpoint")) {
    if (!j.at("endpoint").is_string())
      return InvalidArgumentError("fault: endpoint must be a string");
    auto e = ParseEndpointKind(j.at("endpoint").get<std::string>());
    if (!e) {
      return InvalidArgumentError("fault: unknown endpoint '" +
                                  j.at("endpoint").get<std::string>() + "'");
    }
    spec.endpoint = *e;
  }
  if (j.contains("count")) {
    if (!j.at("count").is_number_integer() || j.at("count").get<int>() < 0) {
      return InvalidArgumentError("fault: count must be a non-negative integer");
    }
    spec.count = j.at("count").get<int>();
  }
  if (j.contains("probability")) {
    if (!j.at("probability").is_number())
      return InvalidArgumentError("fault: probability must be a number");
    spec.probability = j.at("probability").get<double>();
    if (!(spec.probability > 0.0 && spec.probability <= 1.0)) {
      return InvalidArgumentError("fault: probability must be in (0, 1]");
    }
  }
  if (j.contains("latency_ms")) {
    if (!j.at("latency_ms").is_number_integer() || j.at("latency_ms").get<int>() < 0) {
      return InvalidArgumentError("fault: latency_ms must be a non-negative integer");
    }
    spec.latency = std::chrono::milliseconds(j.at("latency_ms").get<int>());
  }
  return spec;
}

nlohmann::json FaultSpecToJson(FaultSpec const& spec) {
  return {{"endpoint", EndpointKindName(spec.endpoint)},
          {"kind", FaultKindName(spec.kind)},
          {"count", spec.count},
          {"probability", spec.probability},
          {"latency_ms", spec.latency.count()}};
}

void FaultInjector::Add(FaultSpec spec) {
  std::lock_guard lock(mu_);
  int const remaining = spec.count == 0 ? -1 : spec.count;
  faults_.push_back({spec, remaining});
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

FaultInjector::Decision FaultInjector::Next(EndpointKind kind) {
  std::lock_guard lock(mu_);
  Decision d;
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  for (auto& armed : faults_) {
    if (armed.remaining == 0) continue;
    if (armed.spec.endpoint != EndpointKind::kAny && armed.spec.endpoint != kind) continue;
    bool const is_latency = armed.spec.kind == FaultKind::kLatency;
    if (!is_latency && d.fault) continue;  // one failure per request
    if (armed.spec.probability < 1.0 && dist(rng_) >= armed.spec.probability) continue;
    if (armed.remaining > 0) --armed.remaining;
    if (is_latency) {
      d.latency += armed.spec.latency;
    } else {
      d.fault = armed.spec.kind;
    }
  }
  std::erase_if(faults_, [](Armed const& a) { return a.remaining == 0; });
  return d;
}

std::vector<FaultSpec> FaultInjector::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<FaultSpec> out;
  for (auto const& a : faults_) {
    FaultSpec s = a.spec;
    s.count = a.remaining < 0 ? 0 : a.remaining;
    out.push_back(s);
  }
  return out;
}

}  // namespace casebridge::sandbox
