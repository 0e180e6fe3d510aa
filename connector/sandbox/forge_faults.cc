#include "connector/sandbox/forge_faults.h"

#include <array>
#include <string>
#include <utility>

namespace casebridge::sandbox {
namespace {

constexpr std::array<std::pair<ForgeEndpoint, std::string_view>, 8> kEndpoints = {{
    {ForgeEndpoint::kLogin, "login"},
    {ForgeEndpoint::kMe, "me"},
    {ForgeEndpoint::kTickets, "tickets"},
    {ForgeEndpoint::kInteractions, "interactions"},
    {ForgeEndpoint::kServiceTickets, "service_tickets"},
    {ForgeEndpoint::kTasks, "tasks"},
    {ForgeEndpoint::kOther, "other"},
    {ForgeEndpoint::kAny, "any"},
}};

constexpr std::array<std::pair<ForgeFaultKind, std::string_view>, 7> kKinds = {{
    {ForgeFaultKind::kLatency, "latency"},
    {ForgeFaultKind::kHttp500, "http_500"},
    {ForgeFaultKind::kHttp503, "http_503"},
    {ForgeFaultKind::kRateLimited, "rate_limited"},
    {ForgeFaultKind::kTokenExpired, "token_expired"},
    {ForgeFaultKind::kMalformedBody, "malformed_body"},
    {ForgeFaultKind::kDropConnection, "drop_connection"},
}};

StatusOr<int> NonNegativeInt(nlohmann::json const& j, char const* key) {
  auto const& v = j.at(key);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 1'000'000) {
    return InvalidArgumentError(std::string("fault: ") + key +
                                " must be a non-negative integer (at most 1000000)");
  }
  return v.get<int>();
}

}  // namespace

std::string_view ForgeEndpointName(ForgeEndpoint e) {
  for (auto const& [k, n] : kEndpoints) {
    if (k == e) return n;
  }
  return "other";
}

std::optional<ForgeEndpoint> ParseForgeEndpoint(std::string_view name) {
  for (auto const& [k, n] : kEndpoints) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view ForgeFaultKindName(ForgeFaultKind kind) {
  for (auto const& [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "http_503";
}

std::optional<ForgeFaultKind> ParseForgeFaultKind(std::string_view name) {
  for (auto const& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

StatusOr<ForgeFaultSpec> ForgeFaultSpecFromJson(nlohmann::json const& j) {
  if (!j.is_object()) return InvalidArgumentError("a fault must be a JSON object");
  for (auto const& [key, value] : j.items()) {
    static constexpr std::array<std::string_view, 6> kKnown = {
        "endpoint", "kind", "count", "probability", "latency_ms", "retry_after_s"};
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return InvalidArgumentError("fault: unknown member '" + key + "'");
    }
  }
  ForgeFaultSpec spec;
  if (!j.contains("kind") || !j.at("kind").is_string()) {
    return InvalidArgumentError("fault: \"kind\" (string) is required");
  }
  auto kind = ParseForgeFaultKind(j.at("kind").get<std::string>());
  if (!kind) {
    return InvalidArgumentError("fault: unknown kind '" + j.at("kind").get<std::string>() + "'");
  }
  spec.kind = *kind;
  if (j.contains("endpoint")) {
    if (!j.at("endpoint").is_string()) {
      return InvalidArgumentError("fault: endpoint must be a string");
    }
    auto e = ParseForgeEndpoint(j.at("endpoint").get<std::string>());
    if (!e) {
      return InvalidArgumentError("fault: unknown endpoint '" +
                                  j.at("endpoint").get<std::string>() + "'");
    }
    spec.endpoint = *e;
  }
  if (j.contains("count")) {
    auto n = NonNegativeInt(j, "count");
    if (!n.ok()) return n.status();
    spec.count = *n;
  }
  if (j.contains("probability")) {
    if (!j.at("probability").is_number()) {
      return InvalidArgumentError("fault: probability must be a number");
    }
    spec.probability = j.at("probability").get<double>();
    if (!(spec.probability > 0.0 && spec.probability <= 1.0)) {
      return InvalidArgumentError("fault: probability must be in (0, 1]");
    }
  }
  if (spec.count == 0 && spec.probability >= 1.0 && spec.kind != ForgeFaultKind::kLatency) {
    return InvalidArgumentError(
        "fault: count 0 (unlimited) needs a probability below 1, or every request fails");
  }
  if (j.contains("latency_ms")) {
    auto n = NonNegativeInt(j, "latency_ms");
    if (!n.ok()) return n.status();
    spec.latency = std::chrono::milliseconds(*n);
  }
  if (j.contains("retry_after_s")) {
    auto n = NonNegativeInt(j, "retry_after_s");
    if (!n.ok()) return n.status();
    spec.retry_after = std::chrono::seconds(*n);
  }
  return spec;
}

nlohmann::json ForgeFaultSpecToJson(ForgeFaultSpec const& spec) {
  return {{"endpoint", ForgeEndpointName(spec.endpoint)},
          {"kind", ForgeFaultKindName(spec.kind)},
          {"count", spec.count},
          {"probability", spec.probability},
          {"latency_ms", spec.latency.count()},
          {"retry_after_s", spec.retry_after.count()}};
}

void ForgeFaultInjector::Add(ForgeFaultSpec spec) {
  std::lock_guard lock(mu_);
  int const remaining = spec.count == 0 ? -1 : spec.count;
  faults_.push_back({spec, remaining});
}

void ForgeFaultInjector::Clear() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

ForgeFaultInjector::Decision ForgeFaultInjector::Next(ForgeEndpoint endpoint) {
  std::lock_guard lock(mu_);
  Decision d;
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  for (auto& armed : faults_) {
    if (armed.remaining == 0) continue;
    if (armed.spec.endpoint != ForgeEndpoint::kAny && armed.spec.endpoint != endpoint) continue;
    bool const is_latency = armed.spec.kind == ForgeFaultKind::kLatency;
    if (!is_latency && d.fault) continue;  // one failure per request
    if (armed.spec.probability < 1.0 && dist(rng_) >= armed.spec.probability) continue;
    if (armed.remaining > 0) --armed.remaining;
    if (is_latency) {
      d.latency += armed.spec.latency;
    } else {
      d.fault = armed.spec;
    }
  }
  std::erase_if(faults_, [](Armed const& a) { return a.remaining == 0; });
  return d;
}

std::vector<ForgeFaultSpec> ForgeFaultInjector::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<ForgeFaultSpec> out;
  for (auto const& a : faults_) {
    ForgeFaultSpec s = a.spec;
    s.count = a.remaining < 0 ? 0 : a.remaining;
    out.push_back(s);
  }
  return out;
}

}  // namespace casebridge::sandbox
