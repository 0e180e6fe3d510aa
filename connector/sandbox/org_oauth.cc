// OAuth 2.0 token endpoint (JWT bearer, client credentials, refresh token), token revocation
// and the identity URL of the emulated org.
#include <algorithm>
#include <chrono>
#include <utility>

#include "connector/sandbox/crypto_util.h"
#include "connector/sandbox/salesforce_org.h"
#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kJwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

ApiResponse OAuthError(std::string const& error, std::string const& description, int status = 400) {
  ApiResponse r;
  r.status = status;
  ordered_json j;
  j["error"] = error;
  j["error_description"] = description;
  r.json = std::move(j);
  return r;
}

ApiResponse TextResponse(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "text/plain;charset=UTF-8";
  r.body = std::move(body);
  return r;
}

std::optional<std::string> FormValue(std::vector<std::pair<std::string, std::string>> const& form,
                                     std::string_view name) {
  for (auto const& [k, v] : form) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t const end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

Record const* SalesforceOrg::FindActiveUser(std::string_view username) const {
  for (Record const* u : store_.Table("User")) {
    json const& name = u->Get("Username");
    if (u->deleted() || !name.is_string() || !EqualsIgnoreCase(name.get<std::string>(), username)) {
      continue;
    }
    if (u->Get("IsActive") == json(false)) return nullptr;
    return u;
  }
  return nullptr;
}

ApiResponse SalesforceOrg::IssueToken(ConnectedAppOptions const& app, std::string const& user_id) {
  Instant const now = Now();
  std::erase_if(sessions_, [&](auto const& kv) { return kv.second.expires <= now; });
  std::string const token = org_id_.substr(0, 15) + "!" + RandomToken(72);
  sessions_[token] = Session{user_id, app.client_id, now + options_.token_lifetime};
  std::string const id_url = base_url_ + "/id/" + org_id_ + "/" + user_id;
  std::string const issued_at = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  ApiResponse r;
  ordered_json j;
  j["access_token"] = token;
  j["signature"] = HmacSha256Base64(app.client_secret.empty() ? app.client_id : app.client_secret,
                                    id_url + issued_at);
  j["scope"] = app.scope;
  j["instance_url"] = base_url_;
  j["id"] = id_url;
  j["token_type"] = "Bearer";
  j["issued_at"] = issued_at;
  r.json = std::move(j);
  return r;
}

ApiResponse SalesforceOrg::HandleToken(ApiRequest const& request) {
  if (request.method != "POST") return OAuthError("invalid_request", "must use HTTP POST");
  auto form = ParseQueryString(request.body);
  if (!form) return OAuthError("invalid_request", "malformed request body");
  auto const grant = FormValue(*form, "grant_type");
  if (!grant) return OAuthError("unsupported_grant_type", "grant type not supported");

  auto find_app = [&](std::string_view client_id) -> ConnectedAppOptions const* {
    for (auto const& app : options_.apps) {
      if (app.client_id == client_id) return &app;
    }
    return nullptr;
  };
  auto authorized = [](ConnectedAppOptions const& app, std::string_view username) {
    if (app.authorized_usernames.empty()) return true;
    return std::any_of(app.authorized_usernames.begin(), app.authorized_usernames.end(),
                       [&](std::string const& u) { return EqualsIgnoreCase(u, username); });
  };

  if (*grant == kJwtGrant) {
    auto const assertion = FormValue(*form, "assertion");
    if (!assertion || assertion->empty()) return OAuthError("invalid_grant", "invalid assertion");
    auto const parts = Split(*assertion, '.');
    if (parts.size() != 3) return OAuthError("invalid_grant", "invalid assertion");
    auto header_text = Base64UrlDecode(parts[0]);
    auto claims_text = Base64UrlDecode(parts[1]);
    auto signature = Base64UrlDecode(parts[2]);
    if (!header_text || !claims_text || !signature) {
      return OAuthError("invalid_grant", "invalid assertion");
    }
    json const header = json::parse(*header_text, nullptr, false);
    json const claims = json::parse(*claims_text, nullptr, false);
    if (header.is_discarded() || claims.is_discarded() || !header.is_object() ||
        !claims.is_object() || !header.contains("alg") || header.at("alg") != "RS256") {
      return OAuthError("invalid_grant", "invalid assertion");
    }
    if (!claims.contains("iss") || !claims.at("iss").is_string()) {
      return OAuthError("invalid_client_id", "client identifier invalid");
    }
    ConnectedAppOptions const* app = find_app(claims.at("iss").get<std::string>());
    if (app == nullptr) return OAuthError("invalid_client_id", "client identifier invalid");
    auto key = app_keys_.find(app->client_id);
    if (key == app_keys_.end()) {
      return OAuthError("invalid_grant", "invalid assertion (no certificate on the app)");
    }
    std::string const signed_part = std::string(parts[0]) + "." + std::string(parts[1]);
    if (!key->second.VerifyRs256(signed_part, *signature)) {
      return OAuthError("invalid_grant", "invalid assertion");
    }
    std::vector<std::string> audiences = {"https://login.salesforce.com",
                                          "https://test.salesforce.com", base_url_};
    audiences.insert(audiences.end(), options_.extra_audiences.begin(),
                     options_.extra_audiences.end());
    auto aud_ok = [&](json const& a) {
      if (!a.is_string()) return false;
      std::string s = a.get<std::string>();
      while (!s.empty() && s.back() == '/') s.pop_back();
      return std::find(audiences.begin(), audiences.end(), s) != audiences.end();
    };
    bool audience_valid = false;
    if (claims.contains("aud")) {
      json const& aud = claims.at("aud");
      if (aud.is_array()) {
        audience_valid = std::any_of(aud.begin(), aud.end(), aud_ok);
      } else {
        audience_valid = aud_ok(aud);
      }
    }
    if (!audience_valid) return OAuthError("invalid_grant", "audience is invalid");
    if (!claims.contains("exp") || !claims.at("exp").is_number()) {
      return OAuthError("invalid_grant", "invalid assertion (exp is missing)");
    }
    auto const exp = Instant(std::chrono::seconds(claims.at("exp").get<std::int64_t>()));
    Instant const now = Now();
    if (exp <= now) return OAuthError("invalid_grant", "invalid assertion (the JWT has expired)");
    if (exp > now + options_.jwt_max_validity + options_.jwt_clock_skew) {
      return OAuthError("invalid_grant",
                        "invalid assertion (exp must be within 3 minutes of the current time)");
    }
    std::string username;
    for (char const* claim : {"prn", "sub"}) {  // prn wins over sub
      if (claims.contains(claim) && claims.at(claim).is_string()) {
        username = claims.at(claim).get<std::string>();
        break;
      }
    }
    Record const* user = FindActiveUser(username);
    if (user == nullptr || !authorized(*app, username)) {
      return OAuthError("invalid_grant", "user hasn't approved this consumer");
    }
    return IssueToken(*app, user->id);
  }

  if (*grant == "client_credentials") {
    auto client_id = FormValue(*form, "client_id");
    auto client_secret = FormValue(*form, "client_secret");
    if (auto basic = request.Header("Authorization");
        basic && basic->size() > 6 && EqualsIgnoreCase(basic->substr(0, 6), "Basic ")) {
      auto decoded = Base64Decode(basic->substr(6));
      if (!decoded || decoded->find(':') == std::string::npos) {
        return OAuthError("invalid_client", "invalid client credentials");
      }
      std::size_t const colon = decoded->find(':');
      client_id = PercentDecode(decoded->substr(0, colon), true).value_or("");
      client_secret = PercentDecode(decoded->substr(colon + 1), true).value_or("");
    }
    if (!client_id) return OAuthError("invalid_client_id", "client identifier invalid");
    ConnectedAppOptions const* app = find_app(*client_id);
    if (app == nullptr) return OAuthError("invalid_client_id", "client identifier invalid");
    if (app->client_secret.empty() || !client_secret || *client_secret != app->client_secret) {
      return OAuthError("invalid_client", "invalid client credentials");
    }
    if (app->client_credentials_username.empty()) {
      return OAuthError("invalid_grant", "no client credentials user enabled");
    }
    Record const* user = FindActiveUser(app->client_credentials_username);
    if (user == nullptr) return OAuthError("invalid_grant", "no client credentials user enabled");
    return IssueToken(*app, user->id);
  }

  if (*grant == "refresh_token") {
    auto client_id = FormValue(*form, "client_id");
    auto refresh = FormValue(*form, "refresh_token");
    auto client_secret = FormValue(*form, "client_secret");
    if (!client_id) return OAuthError("invalid_client_id", "client identifier invalid");
    ConnectedAppOptions const* app = find_app(*client_id);
    if (app == nullptr) return OAuthError("invalid_client_id", "client identifier invalid");
    if (client_secret && *client_secret != app->client_secret) {
      return OAuthError("invalid_client", "invalid client credentials");
    }
    auto it = refresh ? refresh_tokens_.find(*refresh) : refresh_tokens_.end();
    if (it == refresh_tokens_.end() || it->second.client_id != app->client_id) {
      return OAuthError("invalid_grant", "expired access/refresh token");
    }
    Record const* user = FindActiveUser(it->second.username);
    if (user == nullptr) return OAuthError("invalid_grant", "inactive user");
    ApiResponse r = IssueToken(*app, user->id);
    if (app->rotate_refresh_tokens) {
      RefreshGrant grant_copy = it->second;
      refresh_tokens_.erase(it);
      std::string const next = RandomToken(48);
      refresh_tokens_[next] = std::move(grant_copy);
      (*r.json)["refresh_token"] = next;
    }
    return r;
  }
  return OAuthError("unsupported_grant_type", "grant type not supported");
}

ApiResponse SalesforceOrg::HandleRevoke(ApiRequest const& request) {
  if (request.method != "POST" && request.method != "GET") {
    return OAuthError("invalid_request", "must use HTTP POST");
  }
  std::optional<std::string> token = request.Param("token");
  if (!token) {
    auto form = ParseQueryString(request.body);
    if (form) token = FormValue(*form, "token");
  }
  if (!token) return OAuthError("invalid_request", "missing token");
  if (sessions_.erase(*token) == 0 && refresh_tokens_.erase(*token) == 0) {
    return OAuthError("invalid_token", "invalid token");
  }
  ApiResponse r;
  r.content_type = "text/plain;charset=UTF-8";
  return r;
}

ApiResponse SalesforceOrg::HandleIdentity(ApiRequest const& request) {
  std::string token;
  if (auto header = request.Header("Authorization")) {
    auto const space = header->find(' ');
    if (space != std::string::npos) token = header->substr(space + 1);
  } else if (auto param = request.Param("oauth_token")) {
    token = *param;
  }
  auto it = sessions_.find(token);
  if (it == sessions_.end() || Now() >= it->second.expires) {
    return TextResponse(403, "Bad_OAuth_Token");
  }
  auto const parts = Split(std::string_view(request.path).substr(4), '/');  // after "/id/"
  if (parts.size() != 2) return TextResponse(404, "Bad_Id");
  Record const* user = store_.Find(parts[1]);
  if (!SameId(parts[0], org_id_) || user == nullptr || user->object != "User") {
    return TextResponse(404, "Bad_Id");
  }
  auto str = [&](char const* field) -> ordered_json {
    json const& v = user->Get(field);
    return v.is_string() ? ordered_json(v.get<std::string>()) : ordered_json(nullptr);
  };
  std::string const base = base_url_;
  ApiResponse r;
  ordered_json j;
  j["id"] = base + "/id/" + org_id_ + "/" + user->id;
  j["asserted_user"] = user->id.substr(0, 15) == it->second.user_id.substr(0, 15);
  j["user_id"] = user->id;
  j["organization_id"] = org_id_;
  j["username"] = str("Username");
  j["nick_name"] = str("Alias");
  j["display_name"] = str("Name");
  j["email"] = str("Email");
  j["email_verified"] = true;
  j["first_name"] = str("FirstName");
  j["last_name"] = str("LastName");
  j["timezone"] =
      user->Get("TimeZoneSidKey").is_string() ? str("TimeZoneSidKey") : ordered_json("GMT");
  j["active"] = user->Get("IsActive") != json(false);
  j["user_type"] = "STANDARD";
  j["language"] = "en_US";
  j["locale"] = "en_US";
  j["utcOffset"] = 0;
  j["last_modified_date"] = str("LastModifiedDate");
  j["is_app_installed"] = true;
  ordered_json urls;
  urls["enterprise"] = base + "/services/Soap/c/{version}/" + org_id_.substr(0, 15);
  urls["metadata"] = base + "/services/Soap/m/{version}/" + org_id_.substr(0, 15);
  urls["partner"] = base + "/services/Soap/u/{version}/" + org_id_.substr(0, 15);
  urls["rest"] = base + "/services/data/v{version}/";
  urls["sobjects"] = base + "/services/data/v{version}/sobjects/";
  urls["search"] = base + "/services/data/v{version}/search/";
  urls["query"] = base + "/services/data/v{version}/query/";
  urls["profile"] = base + "/" + user->id.substr(0, 15);
  urls["custom_domain"] = base;
  j["urls"] = std::move(urls);
  r.json = std::move(j);
  return r;
}

}  // namespace casebridge::sandbox
