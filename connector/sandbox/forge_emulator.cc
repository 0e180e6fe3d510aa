// The Forge emulator: its service (forge_service.h) behind the emulators' one HTTP front
// (emulator_listener.h).
#include "connector/sandbox/forge_emulator.h"

#include <utility>

#include "connector/sandbox/api_message.h"
#include "connector/sandbox/emulator_listener.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

ordered_json Ordered(json const& j) { return ordered_json::parse(j.dump()); }

}  // namespace

struct ForgeEmulator::Impl {
  explicit Impl(ForgeEmulatorOptions const& options) : service(options) {}
  ForgeService service;
};

WireReply ForgeEmulator::Dispatch(ApiRequest const& api, bool target_ok) {
  auto& service = impl_->service;
  auto const endpoint =
      target_ok ? ForgeService::Classify(api) : std::optional(ForgeEndpoint::kOther);
  if (endpoint) {
    return Serve(
        *endpoint, [&](ForgeFaultSpec const& fault) { return service.FaultResponse(api, fault); },
        [&] { return service.Handle(api); });
  }
  WireReply reply;
  if (auto shared = HandleSharedAdmin(api, ordered_json{{"logins", service.logins()}})) {
    reply.response = *std::move(shared);
  } else if (api.path == "/__sandbox/state" && api.method == "GET") {
    reply.response = AdminReply(200, Ordered(service.State()));
  } else if (api.path.starts_with("/__sandbox/state/") && api.method == "GET") {
    std::string const collection(api.path.substr(std::string_view("/__sandbox/state/").size()));
    auto const state = service.State();
    reply.response = state.contains(collection)
                         ? AdminReply(200, Ordered(state.at(collection)))
                         : AdminError(404, "unknown collection '" + collection + "'");
  } else {
    reply.response = AdminError(404, "unknown sandbox endpoint " + api.method + " " + api.path);
  }
  return reply;
}

ForgeEmulator::ForgeEmulator(ForgeEmulatorOptions const& options)
    : EmulatorFront(options.fault_seed, ForgeFaultNames(), "Forge emulator"),
      impl_(std::make_unique<Impl>(options)) {}

ForgeEmulator::~ForgeEmulator() { Stop(); }

Status ForgeEmulator::Validate() const { return impl_->service.Validate(); }

Status ForgeEmulator::SeedFromJson(json const& seed) { return impl_->service.Seed(seed); }

std::vector<json> ForgeEmulator::Records(std::string_view collection) const {
  return impl_->service.Records(collection);
}

json ForgeEmulator::State() const { return impl_->service.State(); }

std::int64_t ForgeEmulator::Logins() const { return impl_->service.logins(); }

void ForgeEmulator::ExpireAllTokens() { impl_->service.ExpireAllTokens(); }

}  // namespace casebridge::sandbox
