// The cpprest http_listener front of the Forge emulator (the state is in forge_service.cc).
#include "connector/sandbox/forge_emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>

#include <cctype>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "connector/sandbox/api_message.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;
namespace http = web::http;

// Binds a socket to port 0 on `host`, reads the port the kernel chose, closes the socket.
std::optional<int> FreePort(std::string const& host) {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  std::string const ip = host == "localhost" ? "127.0.0.1" : host;
  bool ok = ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) == 1 &&
            ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  socklen_t len = sizeof(addr);
  ok = ok && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return std::nullopt;
  return static_cast<int>(ntohs(addr.sin_port));
}

ApiResponse AdminReply(int status, ordered_json body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.json = std::move(body);
  r.Finish();
  return r;
}

ApiResponse AdminError(int status, std::string const& message) {
  return AdminReply(status, ordered_json{{"error", message}});
}

ordered_json Ordered(json const& j) { return ordered_json::parse(j.dump()); }

}  // namespace

struct ForgeEmulator::Impl {
  explicit Impl(ForgeEmulatorOptions const& options)
      : service(options), faults(options.fault_seed) {}

  ForgeService service;
  ForgeFaultInjector faults;

  mutable std::mutex mu;  // listener, host/port, counters
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::string base_url;
  int port = 0;
  std::map<ForgeEndpoint, std::int64_t> counts;

  ApiResponse HandleAdmin(ApiRequest const& request);
  void OnRequest(http::http_request request);
};

ApiResponse ForgeEmulator::Impl::HandleAdmin(ApiRequest const& request) {
  std::string_view const path = request.path;
  std::string const& method = request.method;
  if (path == "/__sandbox/faults") {
    if (method == "DELETE") {
      faults.Clear();
    } else if (method == "POST") {
      json const body = json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
      json list = body;
      if (body.is_object() && body.contains("faults")) list = body.at("faults");
      if (!list.is_array()) list = json::array({list});
      std::vector<ForgeFaultSpec> specs;
      for (auto const& item : list) {
        auto spec = ForgeFaultSpecFromJson(item);
        if (!spec.ok()) return AdminError(400, spec.status().message());
        specs.push_back(*spec);
      }
      for (auto const& s : specs) faults.Add(s);
    } else if (method != "GET") {
      return AdminError(405, "use GET, POST or DELETE");
    }
    ordered_json pending = ordered_json::array();
    for (auto const& s : faults.Pending()) pending.push_back(Ordered(ForgeFaultSpecToJson(s)));
    return AdminReply(200, ordered_json{{"pending", std::move(pending)}});
  }
  if (path == "/__sandbox/state" && method == "GET")
    return AdminReply(200, Ordered(service.State()));
  if (path.starts_with("/__sandbox/state/") && method == "GET") {
    std::string const collection(path.substr(std::string_view("/__sandbox/state/").size()));
    auto const state = service.State();
    if (!state.contains(collection)) {
      return AdminError(404, "unknown collection '" + collection + "'");
    }
    return AdminReply(200, Ordered(state.at(collection)));
  }
  if (path == "/__sandbox/seed" && method == "POST") {
    json const body = json::parse(request.body, nullptr, false, /*ignore_comments=*/true);
    if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
    if (auto s = service.Seed(body); !s.ok()) return AdminError(400, s.message());
    return AdminReply(200, ordered_json{{"ok", true}});
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
        requests[std::string(ForgeEndpointName(kind))] = n;
        total += n;
      }
      requests["any"] = total;
    }
    return AdminReply(
        200, ordered_json{{"requests", std::move(requests)}, {"logins", service.logins()}});
  }
  if (path == "/__sandbox/tokens/expire" && method == "POST") {
    service.ExpireAllTokens();
    return AdminReply(200, ordered_json{{"ok", true}});
  }
  return AdminError(404, "unknown sandbox endpoint " + request.method + " " + request.path);
}

void ForgeEmulator::Impl::OnRequest(http::http_request request) {
  ApiResponse response;
  bool drop = false;
  try {
    ApiRequest api;
    api.method = request.method();
    for (char& c : api.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto const& [name, value] : request.headers()) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      api.headers[lower] = value;
    }
    std::vector<unsigned char> const bytes = request.extract_vector().get();
    api.body.assign(bytes.begin(), bytes.end());
    auto const endpoint = SetTarget(api, request.request_uri().to_string())
                              ? ForgeService::Classify(api)
                              : std::optional(ForgeEndpoint::kOther);
    if (!endpoint) {
      response = HandleAdmin(api);
    } else {
      {
        std::lock_guard lock(mu);
        ++counts[*endpoint];
      }
      ForgeFaultInjector::Decision const d = faults.Next(*endpoint);
      if (d.latency.count() > 0) std::this_thread::sleep_for(d.latency);
      bool const post_fault = d.fault && (d.fault->kind == ForgeFaultKind::kMalformedBody ||
                                          d.fault->kind == ForgeFaultKind::kDropConnection);
      if (d.fault && !post_fault) {
        response = service.FaultResponse(api, *d.fault);
      } else {
        response = service.Handle(api);
      }
      if (d.fault && d.fault->kind == ForgeFaultKind::kMalformedBody) {
        // A 2xx whose JSON stops half-way, as from a proxy that cut the stream.
        response.body = response.body.size() > 1 ? response.body.substr(0, response.body.size() / 2)
                                                 : std::string("{\"");
      }
      drop = d.fault && d.fault->kind == ForgeFaultKind::kDropConnection;
    }
  } catch (std::exception const& e) {
    response = AdminError(500, std::string("emulator: ") + e.what());
  }

  http::http_response reply(static_cast<http::status_code>(response.status));
  for (auto const& [name, value] : response.headers) reply.headers().add(name, value);
  std::string const type =
      response.content_type.empty() ? std::string("application/json") : response.content_type;
  if (drop) {
    // Headers promise the whole body, half of it is sent, then the connection closes early.
    std::size_t const full = response.body.size() + 64;
    reply.set_body(response.body.substr(0, response.body.size() / 2), type);
    reply.headers().set_content_length(full);
  } else if (response.status != 204) {
    reply.set_body(std::move(response.body), type);
  }
  try {
    request.reply(reply).wait();
  } catch (std::exception const&) {
    // The client went away (or the dropped-connection fault closed it): nothing to do.
  }
}

ForgeEmulator::ForgeEmulator(ForgeEmulatorOptions const& options)
    : impl_(std::make_unique<Impl>(options)) {}

ForgeEmulator::~ForgeEmulator() { Stop(); }

Status ForgeEmulator::Start(std::string const& host, int port) {
  if (auto s = impl_->service.Validate(); !s.ok()) return s;
  std::lock_guard lock(impl_->mu);
  if (impl_->listener) return FailedPreconditionError("the Forge emulator is already running");
  std::string last_error;
  int const attempts = port == 0 ? 5 : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    int chosen = port;
    if (chosen == 0) {
      auto picked = FreePort(host);
      if (!picked) return UnavailableError("cannot find a free port on " + host);
      chosen = *picked;
    }
    std::string const url = "http://" + host + ":" + std::to_string(chosen);
    try {
      auto listener = std::make_unique<http::experimental::listener::http_listener>(url);
      Impl* impl = impl_.get();
      listener->support([impl](http::http_request const& r) { impl->OnRequest(r); });
      listener->open().wait();
      impl_->listener = std::move(listener);
      impl_->port = chosen;
      impl_->base_url = url;
      return OkStatus();
    } catch (std::exception const& e) {
      last_error = e.what();
    }
  }
  return UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                          last_error);
}

void ForgeEmulator::Stop() {
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

bool ForgeEmulator::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->listener != nullptr;
}

std::string ForgeEmulator::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}

int ForgeEmulator::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->port;
}

Status ForgeEmulator::SeedFromJson(json const& seed) { return impl_->service.Seed(seed); }

Status ForgeEmulator::SeedFromFile(std::string const& path) {
  ErrorInfo where;
  where.file = path;
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read Forge seed file " + path, where);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json const seed = json::parse(buffer.str(), nullptr, false, /*ignore_comments=*/true);
  if (seed.is_discarded()) return InvalidArgumentError(path + ": not valid JSON", where);
  auto s = impl_->service.Seed(seed);
  if (!s.ok()) {
    ErrorInfo info = s.info();
    info.file = path;
    return InvalidArgumentError(path + ": " + s.message(), info);
  }
  return s;
}

std::vector<json> ForgeEmulator::Records(std::string_view collection) const {
  return impl_->service.Records(collection);
}

json ForgeEmulator::State() const { return impl_->service.State(); }

std::int64_t ForgeEmulator::RequestCount(ForgeEndpoint endpoint) const {
  std::lock_guard lock(impl_->mu);
  if (endpoint == ForgeEndpoint::kAny) {
    std::int64_t total = 0;
    for (auto const& [k, n] : impl_->counts) total += n;
    return total;
  }
  auto it = impl_->counts.find(endpoint);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::map<std::string, std::int64_t> ForgeEmulator::RequestCounts() const {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, std::int64_t> out;
  for (auto const& [k, n] : impl_->counts) out[std::string(ForgeEndpointName(k))] = n;
  return out;
}

void ForgeEmulator::ResetRequestCounts() {
  std::lock_guard lock(impl_->mu);
  impl_->counts.clear();
}

std::int64_t ForgeEmulator::Logins() const { return impl_->service.logins(); }

void ForgeEmulator::InjectFault(ForgeFaultSpec const& spec) { impl_->faults.Add(spec); }
void ForgeEmulator::ClearFaults() { impl_->faults.Clear(); }
std::vector<ForgeFaultSpec> ForgeEmulator::PendingFaults() const { return impl_->faults.Pending(); }
void ForgeEmulator::ExpireAllTokens() { impl_->service.ExpireAllTokens(); }

}  // namespace casebridge::sandbox
