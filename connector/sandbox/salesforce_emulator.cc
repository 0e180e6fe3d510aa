// The Salesforce emulator: its org (salesforce_org.h) behind the emulators' one HTTP front
// (emulator_listener.h).
#include "connector/sandbox/salesforce_emulator.h"

#include <utility>

#include "connector/sandbox/api_message.h"
#include "connector/sandbox/emulator_listener.h"
#include "connector/sandbox/salesforce_org.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

}  // namespace

struct SalesforceEmulator::Impl {
  explicit Impl(SalesforceEmulatorOptions options) : org(std::move(options)) {}
  SalesforceOrg org;
};

namespace {

ApiResponse OwnerWritesReply(std::vector<OwnerWrite> const& writes) {
  ordered_json out = ordered_json::array();
  for (auto const& w : writes) {
    ordered_json e;
    e["object"] = w.object;
    e["id"] = w.id;
    e["owner_id"] = w.owner_id;
    e["auto_assign"] =
        w.auto_assign_header ? ordered_json(*w.auto_assign_header) : ordered_json(nullptr);
    e["reassigned_by_rule"] = w.reassigned_by_rule;
    out.push_back(std::move(e));
  }
  return AdminReply(200, std::move(out));
}

// `/__sandbox/` endpoints only the Salesforce emulator has.
ApiResponse SalesforceAdmin(SalesforceOrg& org, ApiRequest const& request) {
  std::string_view const path = request.path;
  std::string const& method = request.method;
  if (path.starts_with("/__sandbox/state/") && method == "GET") {
    std::string const object(path.substr(std::string_view("/__sandbox/state/").size()));
    ordered_json out = ordered_json::array();
    for (auto const& r : org.Records(object)) out.push_back(ordered_json::parse(r.dump()));
    return AdminReply(200, std::move(out));
  }
  if (path == "/__sandbox/api-usage" && (method == "PUT" || method == "POST")) {
    json const body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("used") ||
        !body.at("used").is_number_integer()) {
      return AdminError(400, "expected {\"used\": <integer>}");
    }
    org.set_api_usage(body.at("used").get<std::int64_t>());
    return AdminReply(200, ordered_json{{"api_usage", org.api_usage()}});
  }
  if (path == "/__sandbox/owner-writes" && method == "GET")
    return OwnerWritesReply(org.OwnerWrites());
  return AdminError(404, "unknown sandbox endpoint " + request.method + " " + request.path);
}

}  // namespace

WireReply SalesforceEmulator::Dispatch(ApiRequest const& api, bool target_ok) {
  WireReply reply;
  if (!target_ok) {
    reply.response = SalesforceError(400, "MALFORMED_QUERY", "malformed URL encoding");
    reply.response.Finish();
    return reply;
  }
  auto& org = impl_->org;
  auto const kind = SalesforceOrg::Classify(api);
  if (kind) {
    return Serve(
        *kind, [&](FaultSpec const& fault) { return org.FaultResponse(api, *kind, fault.kind); },
        [&] { return org.Handle(api); });
  }
  auto shared = HandleSharedAdmin(api, ordered_json{{"api_usage", org.api_usage()}});
  reply.response = shared ? *std::move(shared) : SalesforceAdmin(org, api);
  return reply;
}

SalesforceEmulator::SalesforceEmulator(SalesforceEmulatorOptions options)
    : EmulatorFront(options.fault_seed, SalesforceFaultNames(), "emulator"),
      impl_(std::make_unique<Impl>(std::move(options))) {}

SalesforceEmulator::~SalesforceEmulator() { Stop(); }

Status SalesforceEmulator::Validate() const { return impl_->org.Validate(); }

void SalesforceEmulator::OnStarted(std::string const& base_url) {
  impl_->org.set_base_url(base_url);
}

std::string SalesforceEmulator::org_id() const { return impl_->org.org_id(); }
std::string SalesforceEmulator::api_version() const { return impl_->org.api_version(); }

Status SalesforceEmulator::SeedFromJson(json const& seed) { return impl_->org.Seed(seed); }

std::vector<json> SalesforceEmulator::Records(std::string_view object) const {
  return impl_->org.Records(object);
}

std::optional<json> SalesforceEmulator::FindRecord(std::string_view id) const {
  return impl_->org.FindRecord(id);
}

std::vector<OwnerWrite> SalesforceEmulator::OwnerWrites() const { return impl_->org.OwnerWrites(); }

std::int64_t SalesforceEmulator::ApiUsage() const { return impl_->org.api_usage(); }
void SalesforceEmulator::SetApiUsage(std::int64_t used) { impl_->org.set_api_usage(used); }

void SalesforceEmulator::ExpireAllTokens() { impl_->org.ExpireAllTokens(); }

}  // namespace casebridge::sandbox
