#include "connector/adapters/forge/forge_check.h"

#include <functional>
#include <utility>

namespace casebridge::adapters {
namespace {

// What a listing callback returns to stop after the first record (one page is enough).
constexpr char kEnough[] = "doctor: one record is enough";

bool StoppedOnPurpose(Status const& s) {
  return s.code() == StatusCode::kAborted && s.message() == kEnough;
}

}  // namespace

std::vector<DoctorCheck> CheckForgeEndpoints(forge::Client const& client,
                                             std::string const& email) {
  std::vector<DoctorCheck> checks;
  auto const& m = client.mapping();
  if (Status const s = client.Login(); !s.ok()) {
    checks.push_back(Failed(VerdictFor(s), "Forge login",
                            "at " + client.base_url() + ": " + s.message(),
                            "check forge.base_url, forge.email and the forge.password source in "
                            "casebridge.json; the Forge endpoints were not checked"));
    return checks;
  }
  checks.push_back(Passed("Forge login", "as " + email + " at " + client.base_url()));
  auto const enough = [](auto const& /*record*/) { return Status(StatusCode::kAborted, kEnough); };
  std::vector<std::pair<std::string, std::function<Status()>>> const endpoints = {
      {"tickets.path", [&] { return client.ListTickets({}, enough, [](Status const&) {}); }},
      {"interactions.path",
       [&] { return client.ListInteractions({}, enough, [](Status const&) {}); }},
      {"service_tickets.path",
       [&] { return client.ListServiceTickets({}, enough, [](Status const&) {}); }},
      {"tasks.path", [&] { return client.ListTasks({}, enough, [](Status const&) {}); }},
  };
  std::vector<std::string> const paths = {m.tickets.path, m.interactions.path,
                                          m.service_tickets.path, m.tasks.path};
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    std::string const subject = "Forge GET " + paths[i];
    Status const s = endpoints[i].second();
    if (s.ok() || StoppedOnPurpose(s)) {
      checks.push_back(Passed(subject, "answers (forge.json " + endpoints[i].first + ")"));
    } else {
      checks.push_back(Failed(VerdictFor(s), subject, s.message(),
                              "Forge does not serve forge.json " + endpoints[i].first +
                                  " as mapped: correct the path in forge.json (" + m.origin + ")"));
    }
  }
  return checks;
}

}  // namespace casebridge::adapters
