// The only file that includes the cpprest HTTP client (ARCHITECTURE.md: keep cpprestsdk behind
// our interfaces so it can be replaced).
#include "connector/http/cpprest_transport.h"

#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "connector/http/url.h"

namespace casebridge::http {
namespace {

namespace wh = web::http;
namespace whc = web::http::client;

wh::method ToCpprest(Method m) {
  switch (m) {
    case Method::kGet:
      return wh::methods::GET;
    case Method::kPost:
      return wh::methods::POST;
    case Method::kPatch:
      return wh::methods::PATCH;
    case Method::kPut:
      return wh::methods::PUT;
    case Method::kDelete:
      return wh::methods::DEL;
  }
  return wh::methods::GET;
}

std::string ProxyFromEnvironment() {
  for (char const* name : {"HTTPS_PROXY", "https_proxy"}) {
    if (char const* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  }
  return {};
}

// The host of an absolute URL, for messages ("" when it has none).
std::string HostOf(std::string const& url) {
  auto parts = ParseUrl(url);
  return parts ? parts->host : std::string();
}

// A failure inside TLS (OpenSSL's SSL library: the handshake, certificate verification) as
// opposed to the network. cpprest reports it as an http_exception whose error value is the
// packed OpenSSL error code (e.g. 167772294 = certificate verify failed), whatever its category.
std::optional<Status> TlsError(std::error_code const& ec, std::string const& url,
                               std::string const& where) {
  if (ec.value() <= 0) return std::nullopt;
  auto const packed = static_cast<unsigned long>(ec.value());
  if (ERR_GET_LIB(packed) != ERR_LIB_SSL) return std::nullopt;
  // Not kUnavailable: a certificate the client does not trust stays untrusted, so the call is
  // not retried (exit 4 with this message instead of five identical attempts).
  if (ERR_GET_REASON(packed) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    return InternalError("TLS certificate verification failed for " + HostOf(url) +
                         ": its certificate is not trusted by the system store or the configured "
                         "ca_bundle (" +
                         where + ")");
  }
  char const* reason = ERR_reason_error_string(packed);
  return InternalError("TLS handshake with " + HostOf(url) + " failed (" +
                       (reason != nullptr ? std::string(reason) : ec.message()) + "): " + where);
}

// Builds the error for a request that got no complete response. Never includes the URL's query
// string or any header: those may carry data the caller considers sensitive.
Status TransportError(wh::http_exception const& e, HttpRequest const& request) {
  auto const ec = e.error_code();
  std::string const where =
      std::string(MethodName(request.method)) + " " + request.url.substr(0, request.url.find('?'));
  if (auto tls = TlsError(ec, request.url, where)) return *tls;
  if (ec == std::errc::timed_out || ec == std::errc::operation_canceled) {
    return {StatusCode::kDeadlineExceeded, "timed out: " + where};
  }
  return UnavailableError("no response (" + ec.message() + "): " + where);
}

}  // namespace

struct CpprestTransport::Impl {
  CpprestTransportOptions options;
  std::mutex mu;
  std::map<std::pair<std::string, long long>, std::shared_ptr<whc::http_client>> clients;

  std::shared_ptr<whc::http_client> ClientFor(web::uri const& uri,
                                              std::chrono::milliseconds timeout) {
    auto origin = uri.scheme() + "://" + uri.host() + ":" + std::to_string(uri.port());
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = clients[{origin, timeout.count()}];
    if (slot) return slot;
    whc::http_client_config cfg;
    cfg.set_timeout(timeout);
    cfg.set_validate_certificates(true);
    if (!options.proxy.empty()) cfg.set_proxy(web::web_proxy(web::uri(options.proxy)));
    if (!options.ca_bundle.empty()) {
      auto bundle = options.ca_bundle;
      cfg.set_ssl_context_callback(
          [bundle](boost::asio::ssl::context& ctx) { ctx.load_verify_file(bundle); });
    }
    web::uri_builder base;
    base.set_scheme(uri.scheme()).set_host(uri.host()).set_port(uri.port());
    slot = std::make_shared<whc::http_client>(base.to_uri(), cfg);
    return slot;
  }
};

CpprestTransport::CpprestTransport(CpprestTransportOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.proxy.empty()) impl_->options.proxy = ProxyFromEnvironment();
}

CpprestTransport::~CpprestTransport() = default;

StatusOr<HttpResponse> CpprestTransport::Send(HttpRequest const& request) {
  try {
    web::uri const uri(request.url);
    auto client = impl_->ClientFor(uri, request.timeout);
    wh::http_request req(ToCpprest(request.method));
    auto resource = uri.resource().to_string();
    req.set_request_uri(resource.empty() ? "/" : resource);
    std::string content_type = "application/json";
    for (auto const& [name, value] : request.headers) {
      if (HeaderNameEquals(name, "Content-Type")) {
        content_type = value;
      } else {
        req.headers().add(name, value);
      }
    }
    if (!request.body.empty() || request.method == Method::kPost ||
        request.method == Method::kPatch || request.method == Method::kPut) {
      req.set_body(request.body, content_type);
    }
    auto response = client->request(req).get();
    HttpResponse out;
    out.status = response.status_code();
    for (auto const& [name, value] : response.headers()) out.headers.Add(name, value);
    auto bytes = response.extract_vector().get();
    out.body.assign(bytes.begin(), bytes.end());
    return out;
  } catch (wh::http_exception const& e) {
    return TransportError(e, request);
  } catch (web::uri_exception const&) {
    return InvalidArgumentError("malformed URL for " + std::string(MethodName(request.method)));
  } catch (std::exception const& e) {
    return UnavailableError(std::string("transport failure: ") + e.what());
  }
}

}  // namespace casebridge::http
