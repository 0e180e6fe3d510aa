// The one HTTP front both emulators serve through (issue 11 item 5):
//   EmulatorListener  — the cpprest http_listener on loopback (the only sandbox file that includes
//                       it): picks a free port, turns each HTTP request into an ApiRequest and the
//                       handler's ApiResponse back into HTTP, and can cut a reply mid-body.
//   EmulatorFront     — the base class of both emulators, what every emulator does around its
//                       own API: counts requests by endpoint, runs the fault injector (latency,
//                       an injected error reply, a truncated or garbled body, a dropped
//                       connection), and
//                       serves the shared `/__sandbox/faults` and `/__sandbox/counters`.
// The Salesforce emulator and the Forge emulator are each an EmulatorFront owning an
// EmulatorListener (two ports: their URLs are configured separately, as the real systems are).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"
#include "connector/sandbox/api_message.h"
#include "connector/sandbox/fault_injector.h"

namespace casebridge::sandbox {

/// A reply and what to do to it on the wire.
struct WireReply {
  ApiResponse response;
  /// Promise the whole body in Content-Length, send half of it, close the connection.
  bool drop_connection = false;
};

class EmulatorListener {
 public:
  /// Called on the listener's threads for each request. `target_ok` is false when the request
  /// target could not be percent-decoded (then `request.path` is empty).
  using Handler = std::function<WireReply(ApiRequest const& request, bool target_ok)>;

  explicit EmulatorListener(Handler handler);
  ~EmulatorListener();
  EmulatorListener(EmulatorListener const&) = delete;
  EmulatorListener& operator=(EmulatorListener const&) = delete;

  /// Starts serving on http://host:port. Port 0 picks a free port (retrying a few times if
  /// another process takes it first). Errors: the port cannot be bound (kUnavailable), already
  /// started (kFailedPrecondition; `name` names the emulator).
  Status Start(std::string const& host, int port, std::string_view name);
  /// Stops serving (idempotent).
  void Stop();
  [[nodiscard]] bool running() const;
  /// `http://<host>:<port>` (no trailing slash); empty before Start.
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A JSON reply of the emulator's own (`/__sandbox/…`) endpoints.
ApiResponse AdminReply(int status, nlohmann::ordered_json body);
/// `{"error": message}` with `status`.
ApiResponse AdminError(int status, std::string const& message);

/// Reads a seed document (JSON, comments allowed) from `path`; errors name the file. `seed`
/// applies it; its error is prefixed with the path.
Status SeedFromFileWith(std::string const& path, std::string_view what,
                        std::function<Status(nlohmann::json const&)> const& seed);

/// Cuts a reply's body in half, as a proxy that cut the stream would (a 204 becomes a 200 with
/// a JSON content type, so the client expects a body).
void TruncateBody(ApiResponse& response);

/// Replaces a reply's body by valid JSON of the wrong shape, as a misbehaving gateway or a
/// changed API would send: an array for an object, an object for anything else (a 204 becomes a
/// 200 with a JSON content type, so the client reads the body).
void GarbleBody(ApiResponse& response);

/// The base of both emulator classes: what every emulator does around its own API.
template <typename Endpoint, typename Kind>
class EmulatorFront {
 public:
  using Spec = BasicFaultSpec<Endpoint, Kind>;

  /// Starts serving on http://host:port after Validate(). Port 0 picks a free port (retrying a
  /// few times if another process takes it first). Errors: invalid options or seed
  /// (Validate()), the port cannot be bound (kUnavailable), already started
  /// (kFailedPrecondition).
  Status Start(std::string const& host = "127.0.0.1", int port = 0) {
    if (auto s = Validate(); !s.ok()) return s;
    auto s = listener_.Start(host, port, name_);
    if (s.ok()) OnStarted(listener_.base_url());
    return s;
  }
  /// Stops serving (idempotent). State is kept.
  void Stop() { listener_.Stop(); }
  [[nodiscard]] bool running() const { return listener_.running(); }
  /// `http://127.0.0.1:<port>` (no trailing slash): the base URL to configure.
  [[nodiscard]] std::string base_url() const { return listener_.base_url(); }
  [[nodiscard]] int port() const { return listener_.port(); }

  /// HTTP requests received for `endpoint` (faulted ones included); kAny = all of them. The
  /// emulator's own /__sandbox/ endpoints are not counted.
  [[nodiscard]] std::int64_t RequestCount(Endpoint endpoint) const {
    std::lock_guard lock(mu_);
    std::int64_t total = 0;
    for (auto const& [e, n] : counts_) {
      if (endpoint == Endpoint::kAny || e == endpoint) total += n;
    }
    return total;
  }
  /// Counts by endpoint name ("query", "tickets", …).
  [[nodiscard]] std::map<std::string, std::int64_t> RequestCounts() const {
    std::lock_guard lock(mu_);
    std::map<std::string, std::int64_t> out;
    for (auto const& [e, n] : counts_) out[std::string(names_.endpoint_name(e))] = n;
    return out;
  }
  void ResetRequestCounts() {
    std::lock_guard lock(mu_);
    counts_.clear();
    fault_hits_.clear();
  }
  /// Requests each fault kind hit, by kind name ("http_503", "latency", …); reset with the
  /// request counts.
  [[nodiscard]] std::map<std::string, std::int64_t> FaultHits() const {
    std::lock_guard lock(mu_);
    return fault_hits_;
  }

  /// Adds records from a seed document (each emulator's format); nothing is added on error.
  virtual Status SeedFromJson(nlohmann::json const& seed) = 0;
  /// Reads a seed document (JSON, comments allowed) from a file and applies SeedFromJson();
  /// errors name the file.
  Status SeedFromFile(std::string const& path) {
    return SeedFromFileWith(path, "seed file",
                            [this](nlohmann::json const& seed) { return SeedFromJson(seed); });
  }
  /// Invalidates every issued token (the next API call gets the vendor's 401).
  virtual void ExpireAllTokens() = 0;

  void InjectFault(Spec const& spec) { faults_.Add(spec); }
  void ClearFaults() { faults_.Clear(); }
  /// Faults still armed (count = remaining hits, 0 = unlimited).
  [[nodiscard]] std::vector<Spec> PendingFaults() const { return faults_.Pending(); }

 protected:
  /// `name` names the emulator in errors. The derived class's destructor must call Stop()
  /// (requests are dispatched to it until then).
  EmulatorFront(std::uint64_t fault_seed, FaultNames<Endpoint, Kind> names, std::string name)
      : faults_(fault_seed),
        names_(names),
        name_(std::move(name)),
        listener_([this](ApiRequest const& r, bool target_ok) { return Dispatch(r, target_ok); }) {}
  virtual ~EmulatorFront() = default;
  EmulatorFront(EmulatorFront const&) = delete;
  EmulatorFront& operator=(EmulatorFront const&) = delete;

  /// Checked by Start() before listening.
  [[nodiscard]] virtual Status Validate() const = 0;
  /// Called once the listener is up, with its base URL.
  virtual void OnStarted(std::string const& /*base_url*/) {}
  /// One request (on the listener's threads); `target_ok` as in EmulatorListener::Handler.
  virtual WireReply Dispatch(ApiRequest const& request, bool target_ok) = 0;

  /// One API request to `endpoint`: counted, delayed by latency faults, then answered by
  /// `fault_reply(spec)` when a fault hits before the request is processed, else by `handle()`;
  /// a truncated-body or dropped-connection fault is applied to that reply.
  WireReply Serve(Endpoint endpoint, std::function<ApiResponse(Spec const&)> const& fault_reply,
                  std::function<ApiResponse()> const& handle) {
    {
      std::lock_guard lock(mu_);
      ++counts_[endpoint];
    }
    auto const d = faults_.Next(endpoint);
    if (d.latency.count() > 0 || d.fault) {
      std::lock_guard lock(mu_);
      if (d.latency.count() > 0) ++fault_hits_[std::string(names_.kind_name(Kind::kLatency))];
      if (d.fault) ++fault_hits_[std::string(names_.kind_name(d.fault->kind))];
    }
    if (d.latency.count() > 0) std::this_thread::sleep_for(d.latency);
    bool const truncate = d.Is(Kind::kMalformedBody);
    bool const drop = d.Is(Kind::kDropConnection);
    bool const garble = d.Is(Kind::kGarbledBody);
    WireReply out;
    out.response = d.fault && !truncate && !drop && !garble ? fault_reply(*d.fault) : handle();
    if (truncate) TruncateBody(out.response);
    if (garble) GarbleBody(out.response);
    out.drop_connection = drop;
    return out;
  }

  /// `/__sandbox/faults` (GET list, POST arm one spec or `{"faults": [...]}`, DELETE clear),
  /// `POST /__sandbox/seed` (SeedFromJson, comments allowed), `POST /__sandbox/tokens/expire`
  /// and `/__sandbox/counters` (GET, DELETE; `extra` is added to the GET body); nullopt for any
  /// other path.
  std::optional<ApiResponse> HandleSharedAdmin(ApiRequest const& request,
                                               nlohmann::ordered_json const& extra) {
    if (request.path == "/__sandbox/faults") return HandleFaults(request);
    if (request.path == "/__sandbox/seed" && request.method == "POST") {
      auto const body = nlohmann::json::parse(request.body, nullptr, false, true);
      if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
      if (auto s = SeedFromJson(body); !s.ok()) return AdminError(400, s.message());
      return AdminReply(200, nlohmann::ordered_json{{"ok", true}});
    }
    if (request.path == "/__sandbox/tokens/expire" && request.method == "POST") {
      ExpireAllTokens();
      return AdminReply(200, nlohmann::ordered_json{{"ok", true}});
    }
    if (request.path != "/__sandbox/counters") return std::nullopt;
    if (request.method == "DELETE") {
      ResetRequestCounts();
    } else if (request.method != "GET") {
      return AdminError(405, "use GET or DELETE");
    }
    nlohmann::ordered_json requests = nlohmann::ordered_json::object();
    for (auto const& [name, n] : RequestCounts()) requests[name] = n;
    requests["any"] = RequestCount(Endpoint::kAny);
    nlohmann::ordered_json hits = nlohmann::ordered_json::object();
    for (auto const& [name, n] : FaultHits()) hits[name] = n;
    nlohmann::ordered_json body{{"requests", std::move(requests)}, {"faults", std::move(hits)}};
    for (auto const& [key, value] : extra.items()) body[key] = value;
    return AdminReply(200, std::move(body));
  }

 private:
  ApiResponse HandleFaults(ApiRequest const& request) {
    if (request.method == "DELETE") {
      faults_.Clear();
    } else if (request.method == "POST") {
      nlohmann::json const body = nlohmann::json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return AdminError(400, "the body is not valid JSON");
      nlohmann::json list = body;
      if (body.is_object() && body.contains("faults")) list = body.at("faults");
      if (!list.is_array()) list = nlohmann::json::array({list});
      std::vector<Spec> specs;
      for (auto const& item : list) {
        auto spec = FaultSpecFromDocument(item, names_);
        if (!spec.ok()) return AdminError(400, spec.status().message());
        specs.push_back(*spec);
      }
      for (auto const& s : specs) faults_.Add(s);
    } else if (request.method != "GET") {
      return AdminError(405, "use GET, POST or DELETE");
    }
    nlohmann::ordered_json pending = nlohmann::ordered_json::array();
    for (auto const& s : faults_.Pending()) {
      pending.push_back(nlohmann::ordered_json::parse(FaultSpecToDocument(s, names_).dump()));
    }
    return AdminReply(200, nlohmann::ordered_json{{"pending", std::move(pending)}});
  }

  BasicFaultInjector<Endpoint, Kind> faults_;
  FaultNames<Endpoint, Kind> names_;
  std::string name_;
  mutable std::mutex mu_;
  std::map<Endpoint, std::int64_t> counts_;
  std::map<std::string, std::int64_t> fault_hits_;
  EmulatorListener listener_;  // last: stopped before the rest goes
};

}  // namespace casebridge::sandbox
