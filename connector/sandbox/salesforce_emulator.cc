// The cpprest http_listener front of the emulator. This and sandbox_server.cc are the only
// files of the emulator that include cpprest.
#include "connector/sandbox/salesforce_emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "connector/sandbox/api_message.h"
#include "connector/sandbox/salesforce_org.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;
namespace http = web::http;

// Binds a socket to port 0 on `host`, reads the port the kernel chose, closes the socket.
std::optional<int> PickFreePort(std::string const& host) {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  std::string const ip = host == "localhost" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return std::nullopt;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  int const port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

ApiResponse JsonReply(int status, ordered_json body) {
  ApiResponse r;
  r.status = status;
  r.json = std::move(body);
  r.Finish();
  return r;
}

ApiResponse AdminError(int status, std::string const& message) {
  return JsonReply(status, ordered_json{{"error", message}});
}

}  // namespace

struct SalesforceEmulator::Impl {
  explicit Impl(SalesforceEmulatorOptions options) : org(options), faults(options.fault_seed) {}

  SalesforceOrg org;
  FaultInjector faults;

  mutable std::mutex mu;  // listener, host/port, counters
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::string base_url;
  int port = 0;
  std::map<EndpointKind, std::int64_t> counts;

  void Count(EndpointKind kind) {
    std::lock_guard lock(mu);
    ++counts[kind];
  }

  ApiResponse HandleAdmin(ApiRequest const& request);
  void OnRequest(http::http_request request);
};

ApiResponse SalesforceEmulator::Impl::HandleAdmin(ApiRequest const& request) {
  std::string_view const path = request.path;
  std::string const& method = request.method;
  if (path == "/__sandbox/faults") {
    if (method == "DELETE") {
      faults.Clear();
      return JsonReply(200, ordered_json{{"pending", ordered_json::array()}});
    }
    if (method == "POST") {
      json const body = json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
      json list = body;
      if (body.is_object() && body.contains("faults")) list = body.at("faults");
      if (!list.is_array()) list = json::array({list});
      std::vector<FaultSpec> specs;
      for (auto const& item : list) {
        auto spec = FaultSpecFromJson(item);
        if (!spec.ok()) return AdminError(400, spec.status().message());
        specs.push_back(*spec);
      }
      for (auto const& s : specs) faults.Add(s);
    } else if (method != "GET") {
      return AdminError(405, "use GET, POST or DELETE");
    }
    ordered_json pending = ordered_json::array();
    for (auto const& s : faults.Pending())
      pending.push_back(ordered_json::parse(FaultSpecToJson(s).dump()));
    return JsonReply(200, ordered_json{{"pending", std::move(pending)}});
  }
  if (path.starts_with("/__sandbox/state/") && method == "GET") {
    std::string const object(path.substr(std::string_view("/__sandbox/state/").size()));
    ordered_json out = ordered_json::array();
    for (auto const& r : org.Records(object)) out.push_back(ordered_json::parse(r.dump()));
    return JsonReply(200, std::move(out));
  }
  if (path == "/__sandbox/seed" && method == "POST") {
    json const body = json::parse(request.body, nullptr, false, /*ignore_comments=*/true);
    if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
    if (auto s = org.Seed(body); !s.ok()) return AdminError(400, s.message());
    return JsonReply(200, ordered_json{{"ok", true}});
  }
  if (path == "/__sandbox/counters") {
    if (method == "DELETE") {
      std::lock_guard lock(mu);
      counts.clear();
    } else if (method != "GET") {
      return AdminError(405, "use GET or DELETE");
    }
    ordered_json requests = ordered_json::object();
    {
      std::lock_guard lock(mu);
      std::int64_t total = 0;
      for (auto const& [kind, n] : counts) {
        requests[std::string(EndpointKindName(kind))] = n;
        total += n;
      }
      requests["any"] = total;
    }
    return JsonReply(
        200, ordered_json{{"requests", std::move(requests)}, {"api_usage", org.api_usage()}});
  }
  if (path == "/__sandbox/api-usage" && (method == "PUT" || method == "POST")) {
    json const body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("used") ||
        !body.at("used").is_number_integer()) {
      return AdminError(400, "expected {\"used\": <integer>}");
    }
    org.set_api_usage(body.at("used").get<std::int64_t>());
    return JsonReply(200, ordered_json{{"api_usage", org.api_usage()}});
  }
  if (path == "/__sandbox/tokens/expire" && method == "POST") {
    org.ExpireAllTokens();
    return JsonReply(200, ordered_json{{"ok", true}});
  }
  if (path == "/__sandbox/owner-writes" && method == "GET") {
    ordered_json out = ordered_json::array();
    for (auto const& w : org.OwnerWrites()) {
      ordered_json e;
      e["object"] = w.object;
      e["id"] = w.id;
      e["owner_id"] = w.owner_id;
      e["auto_assign"] =
          w.auto_assign_header ? ordered_json(*w.auto_assign_header) : ordered_json(nullptr);
      e["reassigned_by_rule"] = w.reassigned_by_rule;
      out.push_back(std::move(e));
    }
    return JsonReply(200, std::move(out));
  }
  return AdminError(404, "unknown sandbox endpoint " + request.method + " " + request.path);
}

void SalesforceEmulator::Impl::OnRequest(http::http_request request) {
  ApiResponse response;
  bool drop = false;
  try {
    ApiRequest api;
    api.method = request.method();
    for (char& c : api.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto const& [name, value] : request.headers()) api.headers[Lower(name)] = value;
    std::vector<unsigned char> const bytes = request.extract_vector().get();
    api.body.assign(bytes.begin(), bytes.end());
    if (!SetTarget(api, request.request_uri().to_string())) {
      response = SalesforceError(400, "MALFORMED_QUERY", "malformed URL encoding");
      response.Finish();
    } else if (auto kind = SalesforceOrg::Classify(api); !kind) {
      response = HandleAdmin(api);
    } else {
      Count(*kind);
      FaultInjector::Decision const d = faults.Next(*kind);
      if (d.latency.count() > 0) std::this_thread::sleep_for(d.latency);
      bool const post_fault =
          d.fault == FaultKind::kMalformedBody || d.fault == FaultKind::kDropConnection;
      if (d.fault && !post_fault) {
        response = org.FaultResponse(api, *kind, *d.fault);
      } else {
        response = org.Handle(api);
      }
      if (d.fault == FaultKind::kMalformedBody) {
        // A 200 whose JSON stops half-way, as from a proxy that cut the stream.
        if (response.status == 204) response.status = 200;
        if (response.content_type.empty()) response.content_type = "application/json;charset=UTF-8";
        response.body = response.body.size() > 1 ? response.body.substr(0, response.body.size() / 2)
                                                 : std::string("{\"");
      }
      drop = d.fault == FaultKind::kDropConnection;
    }
  } catch (std::exception const& e) {
    response = SalesforceError(500, "UNKNOWN_EXCEPTION", std::string("emulator: ") + e.what());
    response.Finish();
  }

  http::http_response reply(static_cast<http::status_code>(response.status));
  for (auto const& [name, value] : response.headers) reply.headers().add(name, value);
  if (drop) {
    // Headers promise the whole body, half of it is sent, then the listener closes the
    // connection because the body stream ended early: the client sees a truncated transfer.
    std::size_t const full = response.body.size() + 64;
    std::string partial = response.body.substr(0, response.body.size() / 2);
    reply.set_body(std::move(partial), response.content_type.empty()
                                           ? std::string("application/json")
                                           : response.content_type);
    reply.headers().set_content_length(full);
  } else if (!response.body.empty() || !response.content_type.empty()) {
    if (response.status != 204) {
      reply.set_body(std::move(response.body), response.content_type);
    }
  }
  try {
    request.reply(reply).wait();
  } catch (std::exception const&) {
    // The client went away (or the dropped-connection fault closed it): nothing to do.
  }
}

SalesforceEmulator::SalesforceEmulator(SalesforceEmulatorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SalesforceEmulator::~SalesforceEmulator() { Stop(); }

Status SalesforceEmulator::Start(std::string const& host, int port) {
  if (auto s = impl_->org.Validate(); !s.ok()) return s;
  std::lock_guard lock(impl_->mu);
  if (impl_->listener) return FailedPreconditionError("the emulator is already running");
  std::string last_error;
  int const attempts = port == 0 ? 5 : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    int chosen = port;
    if (chosen == 0) {
      auto picked = PickFreePort(host);
      if (!picked) return UnavailableError("cannot find a free port on " + host);
      chosen = *picked;
    }
    std::string const url = "http://" + host + ":" + std::to_string(chosen);
    try {
      auto listener = std::make_unique<http::experimental::listener::http_listener>(url);
      Impl* impl = impl_.get();
      listener->support(
          [impl](http::http_request request) { impl->OnRequest(std::move(request)); });
      listener->open().wait();
      impl_->listener = std::move(listener);
      impl_->port = chosen;
      impl_->base_url = url;
      impl_->org.set_base_url(url);
      return OkStatus();
    } catch (std::exception const& e) {
      last_error = e.what();
    }
  }
  return UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                          last_error);
}

void SalesforceEmulator::Stop() {
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  {
    std::lock_guard lock(impl_->mu);
    listener = std::move(impl_->listener);
  }
  if (!listener) return;
  try {
    listener->close().wait();
  } catch (std::exception const&) {
    // Closing a listener that failed mid-way: nothing left to release.
  }
}

bool SalesforceEmulator::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->listener != nullptr;
}

std::string SalesforceEmulator::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}

int SalesforceEmulator::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->port;
}

std::string SalesforceEmulator::org_id() const { return impl_->org.org_id(); }
std::string SalesforceEmulator::api_version() const { return impl_->org.api_version(); }

Status SalesforceEmulator::SeedFromJson(json const& seed) { return impl_->org.Seed(seed); }

Status SalesforceEmulator::SeedFromFile(std::string const& path) {
  ErrorInfo where;
  where.file = path;
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read seed file " + path, where);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json const seed = json::parse(buffer.str(), nullptr, false, /*ignore_comments=*/true);
  if (seed.is_discarded()) {
    return InvalidArgumentError(path + ": not valid JSON", where);
  }
  auto s = impl_->org.Seed(seed);
  if (!s.ok()) {
    ErrorInfo info = s.info();
    info.file = path;
    return InvalidArgumentError(path + ": " + s.message(), info);
  }
  return s;
}

std::vector<json> SalesforceEmulator::Records(std::string_view object) const {
  return impl_->org.Records(object);
}

std::optional<json> SalesforceEmulator::FindRecord(std::string_view id) const {
  return impl_->org.FindRecord(id);
}

std::vector<OwnerWrite> SalesforceEmulator::OwnerWrites() const { return impl_->org.OwnerWrites(); }

std::int64_t SalesforceEmulator::RequestCount(EndpointKind kind) const {
  std::lock_guard lock(impl_->mu);
  if (kind == EndpointKind::kAny) {
    std::int64_t total = 0;
    for (auto const& [k, n] : impl_->counts) total += n;
    return total;
  }
  auto it = impl_->counts.find(kind);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::map<std::string, std::int64_t> SalesforceEmulator::RequestCounts() const {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, std::int64_t> out;
  for (auto const& [k, n] : impl_->counts) out[std::string(EndpointKindName(k))] = n;
  return out;
}

void SalesforceEmulator::ResetRequestCounts() {
  std::lock_guard lock(impl_->mu);
  impl_->counts.clear();
}

std::int64_t SalesforceEmulator::ApiUsage() const { return impl_->org.api_usage(); }
void SalesforceEmulator::SetApiUsage(std::int64_t used) { impl_->org.set_api_usage(used); }

void SalesforceEmulator::InjectFault(FaultSpec const& spec) { impl_->faults.Add(spec); }
void SalesforceEmulator::ClearFaults() { impl_->faults.Clear(); }
std::vector<FaultSpec> SalesforceEmulator::PendingFaults() const { return impl_->faults.Pending(); }
void SalesforceEmulator::ExpireAllTokens() { impl_->org.ExpireAllTokens(); }

}  // namespace casebridge::sandbox
