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

constexpr std::array<std::pair<FaultKind, std::string_view>, 9> kFaultNames = {{
    {FaultKind::kLatency, "latency"},
    {FaultKind::kHttp500, "http_500"},
    {FaultKind::kHttp503, "http_503"},
    {FaultKind::kUnableToLockRow, "unable_to_lock_row"},
    {FaultKind::kTokenExpired, "token_expired"},
    {FaultKind::kRequestLimitExceeded, "request_limit_exceeded"},
    {FaultKind::kMalformedBody, "malformed_body"},
    {FaultKind::kDropConnection, "drop_connection"},
    {FaultKind::kGarbledBody, "garbled_body"},
}};

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

constexpr std::array<std::pair<ForgeFaultKind, std::string_view>, 9> kKinds = {{
    {ForgeFaultKind::kLatency, "latency"},
    {ForgeFaultKind::kHttp500, "http_500"},
    {ForgeFaultKind::kHttp503, "http_503"},
    {ForgeFaultKind::kRateLimited, "rate_limited"},
    {ForgeFaultKind::kTokenExpired, "token_expired"},
    {ForgeFaultKind::kMalformedBody, "malformed_body"},
    {ForgeFaultKind::kDropConnection, "drop_connection"},
    {ForgeFaultKind::kGarbledBody, "garbled_body"},
    {ForgeFaultKind::kQuotaExceeded, "quota_exceeded"},
}};

constexpr std::int64_t kMaxNumber = 1'000'000;

StatusOr<int> BoundedInt(nlohmann::json const& j, char const* key) {
  auto const& v = j.at(key);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > kMaxNumber) {
    return InvalidArgumentError(std::string("fault: ") + key +
                                " must be a non-negative integer (at most 1000000)");
  }
  return v.get<int>();
}

Status CheckMembers(nlohmann::json const& j) {
  static constexpr std::array<std::string_view, 7> kKnown = {
      "endpoint", "kind", "count", "probability", "latency_ms", "retry_after_s", "after"};
  for (auto const& [key, value] : j.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return InvalidArgumentError("fault: unknown member '" + key + "'");
    }
  }
  return OkStatus();
}

Status ReadNumbers(nlohmann::json const& j, FaultDocument& doc) {
  for (char const* key : {"count", "latency_ms", "retry_after_s", "after"}) {
    if (!j.contains(key)) continue;
    auto n = BoundedInt(j, key);
    if (!n.ok()) return n.status();
    if (std::string_view(key) == "count") doc.count = *n;
    if (std::string_view(key) == "latency_ms") doc.latency = std::chrono::milliseconds(*n);
    if (std::string_view(key) == "retry_after_s") doc.retry_after = std::chrono::seconds(*n);
    if (std::string_view(key) == "after") doc.after = *n;
  }
  if (j.contains("probability")) {
    if (!j.at("probability").is_number()) {
      return InvalidArgumentError("fault: probability must be a number");
    }
    doc.probability = j.at("probability").get<double>();
    if (!(doc.probability > 0.0 && doc.probability <= 1.0)) {
      return InvalidArgumentError("fault: probability must be in (0, 1]");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<FaultDocument> ParseFaultDocument(nlohmann::json const& j) {
  if (!j.is_object()) return InvalidArgumentError("a fault must be a JSON object");
  if (auto s = CheckMembers(j); !s.ok()) return s;
  FaultDocument doc;
  if (!j.contains("kind") || !j.at("kind").is_string()) {
    return InvalidArgumentError("fault: \"kind\" (string) is required");
  }
  doc.kind = j.at("kind").get<std::string>();
  if (j.contains("endpoint")) {
    if (!j.at("endpoint").is_string()) {
      return InvalidArgumentError("fault: endpoint must be a string");
    }
    doc.endpoint = j.at("endpoint").get<std::string>();
  }
  if (auto s = ReadNumbers(j, doc); !s.ok()) return s;
  if (doc.count == 0 && doc.probability >= 1.0 && doc.kind != "latency") {
    return InvalidArgumentError(
        "fault: count 0 (unlimited) needs a probability below 1, or every request fails");
  }
  return doc;
}

nlohmann::json FaultDocumentToJson(FaultDocument const& doc) {
  return {{"endpoint", doc.endpoint},
          {"kind", doc.kind},
          {"count", doc.count},
          {"probability", doc.probability},
          {"latency_ms", doc.latency.count()},
          {"retry_after_s", doc.retry_after.count()},
          {"after", doc.after}};
}

std::string_view EndpointKindName(EndpointKind kind) {
  return NameIn(kEndpointNames, kind, "other");
}

std::optional<EndpointKind> ParseEndpointKind(std::string_view name) {
  return ValueIn(kEndpointNames, name);
}

std::string_view FaultKindName(FaultKind kind) { return NameIn(kFaultNames, kind, "http_503"); }

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  return ValueIn(kFaultNames, name);
}

namespace {
constexpr FaultNames<EndpointKind, FaultKind> kSalesforceNames{ParseEndpointKind, EndpointKindName,
                                                               ParseFaultKind, FaultKindName};
}  // namespace

FaultNames<EndpointKind, FaultKind> const& SalesforceFaultNames() { return kSalesforceNames; }

StatusOr<FaultSpec> FaultSpecFromJson(nlohmann::json const& j) {
  return FaultSpecFromDocument(j, kSalesforceNames);
}

nlohmann::json FaultSpecToJson(FaultSpec const& spec) {
  return FaultSpecToDocument(spec, kSalesforceNames);
}

// --- Forge -------------------------------------------------------------------------------------

std::string_view ForgeEndpointName(ForgeEndpoint e) { return NameIn(kEndpoints, e, "other"); }

std::optional<ForgeEndpoint> ParseForgeEndpoint(std::string_view name) {
  return ValueIn(kEndpoints, name);
}

std::string_view ForgeFaultKindName(ForgeFaultKind kind) {
  return NameIn(kKinds, kind, "http_503");
}

std::optional<ForgeFaultKind> ParseForgeFaultKind(std::string_view name) {
  return ValueIn(kKinds, name);
}

namespace {
constexpr FaultNames<ForgeEndpoint, ForgeFaultKind> kForgeNames{
    ParseForgeEndpoint, ForgeEndpointName, ParseForgeFaultKind, ForgeFaultKindName};
}  // namespace

FaultNames<ForgeEndpoint, ForgeFaultKind> const& ForgeFaultNames() { return kForgeNames; }

StatusOr<ForgeFaultSpec> ForgeFaultSpecFromJson(nlohmann::json const& j) {
  return FaultSpecFromDocument(j, kForgeNames);
}

nlohmann::json ForgeFaultSpecToJson(ForgeFaultSpec const& spec) {
  return FaultSpecToDocument(spec, kForgeNames);
}

}  // namespace casebridge::sandbox
