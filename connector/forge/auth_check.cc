#include "connector/forge/auth_check.h"

#include <utility>

namespace casebridge::forge {

Status CheckForgeAuth(mappings::ForgeConfig const& config, mappings::ForgeMapping const& mapping,
                      std::shared_ptr<http::HttpTransport> wire, std::shared_ptr<Clock const> clock,
                      Sleeper sleeper, std::ostream& out, ClientOptions options) {
  if (config.base_url.empty()) {
    out << "forge: not configured\n";
    return OkStatus();
  }
  auto client = Client::Create(config, mapping, std::move(wire), options, std::move(sleeper),
                               std::move(clock));
  if (!client.ok()) return client.status();
  std::string who;
  if (mapping.auth.me_path.empty()) {
    if (auto s = client->Login(); !s.ok()) return s;
    who = config.email + " (forge.json maps no who-am-I endpoint)";
  } else {
    auto user = client->CurrentUser();
    if (user.ok()) {
      who = user->email.empty() ? config.email : user->email;
      who += " (";
      if (!user->name.empty()) who += user->name + ", ";
      who += "id " + user->id + ")";
    } else if (user.status().code() == StatusCode::kNotFound) {
      // Logged in (the 404 came with a valid token), but Forge has no who-am-I endpoint.
      if (auto s = client->Login(); !s.ok()) return s;
      who = config.email + " (who-am-I endpoint GET " + mapping.auth.me_path + " not available)";
    } else {
      return user.status();
    }
  }
  auto const calls = client->calls();
  out << "forge: authenticated at " << client->base_url() << "\n"
      << "  user:  " << who << "\n"
      << "  calls: " << calls.login << " login, " << calls.read << " read\n";
  return OkStatus();
}

}  // namespace casebridge::forge
