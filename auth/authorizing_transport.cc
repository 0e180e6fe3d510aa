#include "auth/authorizing_transport.h"

#include <nlohmann/json.hpp>
#include <string>

#include "connector/common/redact.h"
#include "connector/http/url.h"

namespace casebridge::auth {
namespace {

// The `errorCode` of a Salesforce error body (`[{"message","errorCode"}]`), if any.
std::string VendorCode(std::string const& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_array() && !doc.empty()) doc = doc.front();
  if (doc.is_object() && doc.contains("errorCode") && doc.at("errorCode").is_string()) {
    return doc.at("errorCode").get<std::string>();
  }
  return {};
}

// 401 from REST (INVALID_SESSION_ID); the identity URL answers an expired or revoked token with
// 403 "Bad_OAuth_Token" instead.
bool IsRejectedToken(http::HttpResponse const& r) {
  return r.status == 401 ||
         (r.status == 403 && r.body.find("Bad_OAuth_Token") != std::string::npos);
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

StatusOr<http::HttpResponse> AuthorizingTransport::SendWith(http::HttpRequest const& request,
                                                            Token const& token) {
  http::HttpRequest out = request;
  if (!out.url.empty() && out.url.front() == '/') out.url = TrimSlash(token.instance_url) + out.url;
  auto const where = std::string(http::MethodName(request.method)) + " " + http::PathOf(out.url);
  if (auto s = http::RequireSecureUrl(out.url, where); !s.ok()) return s;
  auto const target = http::ParseUrl(out.url);
  auto const instance = http::ParseUrl(token.instance_url);
  auto const identity = http::ParseUrl(token.identity_url);
  bool const allowed = target && ((instance && target->Origin() == instance->Origin()) ||
                                  (identity && target->Origin() == identity->Origin()));
  if (!allowed) {
    return InvalidArgumentError(where + ": refusing to send the access token to " +
                                (target ? target->host : std::string("an unknown host")) +
                                " (neither the instance nor the identity host)");
  }
  std::string header = "Bearer ";
  header += token.access_token.Reveal();
  out.headers.Set("Authorization", std::move(header));
  auto response = inner_->Send(out);
  // A server may echo the request (its Authorization header included) in an error body, which
  // ends up in a message the user sees: the token leaves this layer only as "<redacted>".
  if (response.ok()) {
    response->body = RedactSecret(std::move(response->body), token.access_token.Reveal());
  }
  // The copy held the token: overwrite it before it is released.
  for (auto const& [name, value] : out.headers) {
    if (http::HeaderNameEquals(name, "Authorization")) {
      auto& v = const_cast<std::string&>(value);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
      std::fill(v.begin(), v.end(), '\0');
    }
  }
  return response;
}

StatusOr<http::HttpResponse> AuthorizingTransport::Send(http::HttpRequest const& request) {
  auto token = tokens_->Get();
  if (!token.ok()) return token.status();
  auto response = SendWith(request, *token);
  if (!response.ok() || !IsRejectedToken(*response)) return response;

  // Expired or revoked session: one new token, one replay.
  tokens_->Invalidate(token->access_token);
  auto fresh = tokens_->Get();
  if (!fresh.ok()) return fresh.status();
  auto replay = SendWith(request, *fresh);
  if (!replay.ok() || !IsRejectedToken(*replay)) return replay;
  ErrorInfo info;
  info.http_status = replay->status;
  info.vendor_code = VendorCode(replay->body);
  // Do not keep a token the server rejects twice.
  tokens_->Invalidate(fresh->access_token);
  return UnauthenticatedError(std::string(http::MethodName(request.method)) + " " +
                                  http::PathOf(request.url) +
                                  ": the server rejected a freshly issued access token (HTTP " +
                                  std::to_string(info.http_status) +
                                  (info.vendor_code.empty() ? "" : " " + info.vendor_code) +
                                  "); check the integration user's permissions and session "
                                  "settings",
                              info);
}

}  // namespace casebridge::auth
