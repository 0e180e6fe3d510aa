// libFuzzer target: what the Forge client and login parse from a server: error bodies and the
// ticket, interaction, service-ticket, task and user records (with the shipped forge.json).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/forge_login.h"
#include "connector/common/time.h"
#include "connector/forge/errors.h"
#include "connector/forge/record_codec.h"
#include "mappings/forge_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  namespace forge = casebridge::forge;
  namespace codec = casebridge::forge::forge_internal;
  static casebridge::mappings::ForgeMapping const m =
      *casebridge::mappings::LoadForgeMappingOrError("");
  std::string_view const text(reinterpret_cast<char const*>(data), size);
  static_cast<void>(casebridge::auth::ParseForgeErrorBody(text));
  casebridge::http::HttpResponse response;
  response.status = 422;
  response.body = std::string(text);
  static_cast<void>(
      forge::ErrorFromResponse(response, "POST /api/v1/tasks", casebridge::Instant{}));
  auto const doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  static_cast<void>(codec::ParseUser(doc, m.auth));
  static_cast<void>(codec::ParseTicket(doc, m.tickets));
  static_cast<void>(codec::ParseInteraction(doc, m.interactions));
  static_cast<void>(codec::ParseServiceTicket(doc, m.service_tickets));
  static_cast<void>(codec::ParseTask(doc, m.tasks));
  return 0;
}
