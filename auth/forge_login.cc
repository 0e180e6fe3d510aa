#include "auth/forge_login.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "auth/secret.h"
#include "connector/common/redact.h"
#include "connector/http/response_errors.h"
#include "connector/http/url.h"

namespace casebridge::auth {
namespace {

using Json = nlohmann::json;

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The member at a dotted path (`token`, `data.access_token`), or nullptr.
Json const* Member(Json const& doc, std::string_view path) {
  Json const* cur = &doc;
  while (!path.empty()) {
    auto const dot = path.find('.');
    std::string const key(path.substr(0, dot));
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &cur->at(key);
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return cur;
}

Json* MutableMember(Json& doc, std::string_view path) {
  return const_cast<Json*>(Member(doc, path));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

// Sets the member at a dotted path, creating intermediate objects.
void SetMember(Json& doc, std::string_view path, Json value) {
  Json* cur = &doc;
  for (;;) {
    auto const dot = path.find('.');
    std::string const key(path.substr(0, dot));
    if (dot == std::string_view::npos) {
      (*cur)[key] = std::move(value);
      return;
    }
    Json& next = (*cur)[key];
    if (!next.is_object()) next = Json::object();
    cur = &next;
    path.remove_prefix(dot + 1);
  }
}

}  // namespace

ForgeErrorBody ParseForgeErrorBody(std::string_view body) {
  ForgeErrorBody out;
  Json const doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("error")) return out;
  auto str = [](Json const& o, char const* key) -> std::string {
    if (o.is_object() && o.contains(key) && o.at(key).is_string()) {
      return o.at(key).get<std::string>();
    }
    return {};
  };
  Json const& e = doc.at("error");
  if (e.is_object()) {
    out.code = str(e, "code");
    out.message = str(e, "message");
    out.field = str(e, "field");
  } else if (e.is_string()) {
    out.code = e.get<std::string>();
    out.message = str(doc, "message");
    if (out.message.empty()) out.message = str(doc, "error_description");
  }
  return out;
}

std::string SanitizeServerMessage(std::string_view text, std::string_view secret, std::size_t max) {
  std::string out = RedactSecret(std::string(text), secret);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (out.size() > max) {
    out.resize(max);
    out += "…";
  }
  return out;
}

ForgeLoginTokenSource::ForgeLoginTokenSource(std::shared_ptr<http::HttpTransport> transport,
                                             ForgeLoginOptions options,
                                             std::shared_ptr<Clock const> clock)
    : transport_(std::move(transport)), options_(std::move(options)), clock_(std::move(clock)) {
  options_.base_url = TrimSlash(options_.base_url);
}

StatusOr<Token> ForgeLoginTokenSource::Fetch() {
  auto password =
      ReadSecret(options_.password, "forge.password", SecretFormat::kTrimTrailingWhitespace);
  if (!password.ok()) return password.status();

  http::HttpRequest request;
  request.method = http::Method::kPost;
  request.url = options_.base_url + options_.login_path;
  request.timeout = options_.timeout;
  request.headers.Set("Content-Type", "application/json");
  request.headers.Set("Accept", "application/json");
  {
    Json body = Json::object();
    SetMember(body, options_.email_field, options_.email);
    SetMember(body, options_.password_field, std::string(password->Reveal()));
    request.body = body.dump();
    // `body` held the password: overwrite its copy before it is released.
    if (Json* p = MutableMember(body, options_.password_field); p != nullptr && p->is_string()) {
      auto& text = p->get_ref<std::string&>();
      std::fill(text.begin(), text.end(), '\0');
    }
  }
  std::string const where = "forge login (POST " + options_.login_path + ")";
  auto response = transport_->Send(request);
  std::fill(request.body.begin(), request.body.end(), '\0');
  if (!response.ok()) {
    Status const& s = response.status();
    // The transport's own words (no response arrived, so nothing of the server is in them).
    return Status(s.code(), where + ": " + SanitizeServerMessage(s.message()), s.info());
  }
  int const code = response->status;
  if (code >= 200 && code < 300) {
    Json const doc = Json::parse(response->body, nullptr, false);
    Json const* token = doc.is_discarded() ? nullptr : Member(doc, options_.token_field);
    if (token == nullptr || !token->is_string() || token->get<std::string>().empty()) {
      ErrorInfo info;
      info.http_status = code;
      info.field = options_.token_field;
      return InternalError(where + ": HTTP " + std::to_string(code) + " without a token in `" +
                               options_.token_field + "` (check forge.json auth.token_field)",
                           info);
    }
    Token out;
    out.access_token = SecretString(token->get<std::string>());
    out.instance_url = options_.base_url;
    out.issued_at = clock_->Now();
    return out;
  }

  ForgeErrorBody const error = ParseForgeErrorBody(response->body);
  ErrorInfo info;
  info.http_status = code;
  info.vendor_code = error.code;
  if (auto id = response->headers.Get("X-Request-Id")) info.request_id = *id;
  if (auto ra = response->headers.Get("Retry-After")) {
    info.retry_after = http::ParseRetryAfter(*ra, clock_->Now());
  }
  std::string detail = "HTTP " + std::to_string(code);
  if (!error.code.empty())
    detail += " " + SanitizeServerMessage(error.code, password->Reveal(), 60);
  if (!error.message.empty()) {
    detail += ": " + SanitizeServerMessage(error.message, password->Reveal());
  }
  switch (code) {
    case 401:
    case 403:
      return UnauthenticatedError(where + ": Forge refused the credentials of " + options_.email +
                                      " (" + detail +
                                      "); check forge.email and the password source",
                                  info);
    case 400:
    case 404:
    case 405:
    case 415:
    case 422:
      return InvalidArgumentError(
          where + ": " + detail + "; check forge.base_url and the auth section of forge.json",
          info);
    case 408:
      return Status(StatusCode::kDeadlineExceeded, where + ": " + detail, info);
    case 429:
      return UnavailableError(where + ": rate limited (" + detail + ")", info);
    default:
      break;
  }
  if (code >= 500) return UnavailableError(where + ": " + detail, info);
  return InternalError(where + ": unexpected " + detail, info);
}

StatusOr<std::shared_ptr<TokenSource>> MakeForgeLoginTokenSource(
    std::shared_ptr<http::HttpTransport> transport, ForgeLoginOptions options,
    std::shared_ptr<Clock const> clock) {
  if (options.base_url.empty()) {
    return InvalidArgumentError("forge.base_url: required (the Forge server to log in to)");
  }
  if (auto s = http::RequireSecureUrl(options.base_url, "forge.base_url"); !s.ok()) return s;
  if (options.email.empty()) return InvalidArgumentError("forge.email: required");
  if (options.password.empty()) {
    return InvalidArgumentError("forge.password: required ({\"env\": …} or {\"file\": …})");
  }
  if (options.login_path.empty() || options.login_path.front() != '/') {
    return InvalidArgumentError("forge.json auth.login_path: must start with '/'");
  }
  if (options.email_field.empty() || options.password_field.empty() ||
      options.token_field.empty()) {
    return InvalidArgumentError(
        "forge.json auth: email_field, password_field and token_field "
        "are required");
  }
  if (!transport || !clock)
    return InvalidArgumentError("forge login: transport and clock are required");
  return std::shared_ptr<TokenSource>(std::make_shared<ForgeLoginTokenSource>(
      std::move(transport), std::move(options), std::move(clock)));
}

}  // namespace casebridge::auth
