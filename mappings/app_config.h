// casebridge.json: where the systems are, where secrets come from, the state store, the API
// budget and the mappings directory (SPEC section 4). Secrets are never values here: only the
// name of an environment variable or the path of a file holding them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace casebridge::mappings {

/// Where a secret comes from: exactly one of `env` or `file` is set. A systemd credential
/// ({"credential": "NAME"} in the config) is a file: `file` is $CREDENTIALS_DIRECTORY/NAME and
/// `credential` keeps NAME for messages.
struct SecretSource {
  std::string env;   // environment variable name
  std::string file;  // path to a file (mode must not allow group/other access for keys)
  // systemd credential name, when `file` came from one. Initialised so that the {env, file}
  // aggregates written before it existed stay complete (-Wmissing-field-initializers).
  std::string credential = {};
  [[nodiscard]] bool empty() const { return env.empty() && file.empty(); }
};

enum class SalesforceAuthFlow { kJwtBearer, kClientCredentials, kRefreshToken };

struct SalesforceConfig {
  std::string login_url = "https://login.salesforce.com";
  std::string api_version = "62.0";
  SalesforceAuthFlow auth_flow = SalesforceAuthFlow::kJwtBearer;
  std::string client_id;
  std::string username;        // JWT `sub`
  SecretSource private_key;    // JWT bearer: PEM private key
  SecretSource client_secret;  // client credentials / refresh token flows
  SecretSource refresh_token;  // refresh token flow
  std::string ca_bundle;       // optional custom CA bundle path
  std::string proxy;           // optional; HTTPS_PROXY applies when empty
  /// JWT `aud` when the token endpoint is not login/test.salesforce.com (My Domain login
  /// URLs still use https://login.salesforce.com unless the org says otherwise); empty = derived.
  std::string jwt_audience;
};

struct ForgeConfig {
  std::string base_url;
  std::string email;
  SecretSource password;
  /// Forge's own CA bundle and proxy: an internal Forge often sits behind a company CA or a
  /// different proxy than Salesforce, so the `salesforce` keys are not shared.
  std::string ca_bundle;  // optional custom CA bundle path
  std::string proxy;      // optional; HTTPS_PROXY applies when empty
};

/// The org a config without `orgs` names, and the org of every state row written before orgs.
inline constexpr std::string_view kDefaultOrg = "default";

/// One Salesforce org of `orgs[]`: its own connections, mappings and API budget share.
struct OrgConfig {
  std::string name;  // [a-z0-9][a-z0-9_-]{0,39}; keys every state store row of the org
  SalesforceConfig salesforce;
  ForgeConfig forge;  // base_url empty = no Forge for this org
  double api_budget_share = 0.5;
  std::string mappings_dir;  // empty = the shipped defaults
};

struct AppConfig {
  SalesforceConfig salesforce;
  ForgeConfig forge;
  std::string state_store = "sqlite:casebridge-state.db";  // or postgresql://…
  double api_budget_share = 0.5;  // max share of the org's daily API limit one run may use
  std::string mappings_dir;       // empty = the shipped defaults
  /// Every org, in config order; never empty after LoadAppConfig. A config without `orgs` is
  /// the one org `default` made of the top-level salesforce/forge/api_budget_share/mappings_dir.
  /// The top-level fields above describe the first org (or the one ForOrg() selected).
  std::vector<OrgConfig> orgs;
  /// The name of the org the top-level fields describe (kDefaultOrg for a single-org config).
  std::string org = std::string(kDefaultOrg);

  /// The org named `name`, or nullptr.
  [[nodiscard]] OrgConfig const* FindOrg(std::string_view name) const;
  /// This config seen as org `org` alone: the top-level salesforce, forge, api_budget_share,
  /// mappings_dir and `org` are that org's (orgs[] is kept). `org` must be one of orgs[].
  [[nodiscard]] AppConfig ForOrg(OrgConfig const& org) const;
  /// "emea, apac" (for "unknown org" messages).
  [[nodiscard]] std::string OrgNames() const;
};

}  // namespace casebridge::mappings
