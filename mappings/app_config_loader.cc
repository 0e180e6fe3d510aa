// Loading and validating casebridge.json (SPEC section 4). Secret *sources* are checked
// (environment variable set, file readable, key file not group/other accessible); secret values
// are never stored, and no message ever contains one.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "mappings/json_check.h"
#include "mappings/loader.h"

namespace casebridge::mappings {
namespace {

namespace fs = std::filesystem;
using json_internal::Checker;
using json_internal::Join;
using json_internal::Json;
using json_internal::TypeName;

constexpr std::string_view kInlineSecret =
    "secrets must not be stored in the config file; use {\"env\": …} or {\"file\": …}";

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Relative paths in the config resolve against the directory of the config file.
std::string Resolve(fs::path const& base, std::string const& p) {
  fs::path path(p);
  if (path.is_absolute() || base.empty()) return path.lexically_normal().string();
  return (base / path).lexically_normal().string();
}

bool IsEnvName(std::string_view s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s.front())) == 0) &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
         });
}

// "scheme://[userinfo@]host[:port][/…]": the host part, and whether userinfo has a password.
struct UrlParts {
  std::string scheme;
  std::string host;
  bool has_password = false;
  bool has_userinfo = false;
};

std::optional<UrlParts> SplitUrl(std::string_view url) {
  auto const sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = std::string(url.substr(0, sep));
  std::transform(parts.scheme.begin(), parts.scheme.end(), parts.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto rest = url.substr(sep + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.has_userinfo = true;
    parts.has_password = authority.substr(0, at).find(':') != std::string_view::npos;
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    auto const close = authority.find(']');
    parts.host = std::string(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  } else {
    parts.host = std::string(authority.substr(0, authority.find(':')));
  }
  if (parts.host.empty()) return std::nullopt;
  return parts;
}

// localhost, [::1] or a dotted IPv4 address in 127.0.0.0/8 (not a DNS name such as 127.evil.com).
bool IsLoopback(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  return host.substr(0, 4) == "127." && std::all_of(host.begin(), host.end(), [](char c) {
           return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0;
         });
}

// A base URL for a remote system: https, or http on loopback only (the sandbox).
void CheckServiceUrl(Checker& c, std::string const& key, std::string const& url) {
  auto parts = SplitUrl(url);
  if (!parts) {
    c.Add(key, "not a URL (expected https://host[:port][/path])");
    return;
  }
  if (parts->has_userinfo) {
    c.Add(key, "must not contain credentials; use the secret settings");
    return;
  }
  if (parts->scheme == "https") return;
  if (parts->scheme == "http" && IsLoopback(parts->host)) return;
  c.Add(key, "must use https:// (plain http:// is allowed only for localhost, e.g. the sandbox)");
}

enum class SecretUse { kUnused, kNeeded };
enum class SecretKind { kPlain, kPrivateKey };

// Checks a secret file that a needed secret reads: it exists, is a readable regular file private
// to its owner, and is not empty (a private key: has a PEM header). `what` names it in messages
// ("secret file PATH" or "credential NAME ($CREDENTIALS_DIRECTORY/NAME)").
void CheckSecretFile(Checker& c, std::string const& key, std::string const& file,
                     std::string const& what, SecretKind kind) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    c.Add(key, what + " does not exist or cannot be reached");
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    c.Add(key, what + " is not a regular file");
    return;
  }
  if (::access(file.c_str(), R_OK) != 0) {
    c.Add(key, what + " is not readable by this user");
    return;
  }
  // Every secret file, not only a private key, must be private to its owner.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    c.Add(key, std::string(kind == SecretKind::kPrivateKey ? "private key file " : "secret file ") +
                   file + " is readable by group/others; chmod 600");
    return;
  }
  if (kind == SecretKind::kPrivateKey) {
    // Only a shape check: the content is neither kept nor reported.
    std::ifstream in(file, std::ios::binary);
    std::string head(8192, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head.find("-----BEGIN") == std::string::npos ||
        head.find("PRIVATE KEY-----") == std::string::npos) {
      c.Add(key, "private key file " + file +
                     " does not look like a PEM private key (no BEGIN … PRIVATE KEY line)");
    }
  } else if (st.st_size == 0) {
    c.Add(key, what + " is empty");
  }
}

// {"credential": "NAME"}: the file NAME in $CREDENTIALS_DIRECTORY, where systemd puts what a unit's
// LoadCredential=NAME:PATH (or SetCredential=) hands the service. Only a needed secret must be
// there; `out.file` stays empty while $CREDENTIALS_DIRECTORY is not set.
void LoadCredential(Checker& c, std::string const& key, std::string const& name, SecretUse use,
                    SecretKind kind, SecretSource& out) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    c.Add(key,
          Quote(name) + " is not a credential name (a file name, as in LoadCredential=NAME:…)");
    return;
  }
  out.credential = name;
  char const* dir = std::getenv("CREDENTIALS_DIRECTORY");
  bool const have_dir = dir != nullptr && *dir != '\0';
  if (have_dir) out.file = (fs::path(dir) / name).lexically_normal().string();
  if (use != SecretUse::kNeeded) return;
  if (!have_dir) {
    c.Add(key, "credential " + name +
                   ": $CREDENTIALS_DIRECTORY is not set (systemd sets it for a service with "
                   "LoadCredential=" +
                   name + ":PATH)");
    return;
  }
  CheckSecretFile(c, key, out.file, "credential " + name + " (" + out.file + ")", kind);
}

// Reads a secret source object. `use` decides whether its availability is checked (an unused
// secret is only checked for shape). Never reads or reports the secret's value.
SecretSource LoadSecret(Checker& c, Json const& section, std::string const& section_path,
                        std::string_view key, SecretUse use, SecretKind kind,
                        fs::path const& base) {
  SecretSource out;
  std::string const path = Join(section_path, key);
  auto it = section.find(key);
  if (it == section.end() || it->is_null()) {
    if (use == SecretUse::kNeeded) {
      c.Add(path, R"(missing required secret; give {"env": "NAME"} or {"file": "PATH"})");
    }
    return out;
  }
  Json const& v = *it;
  if (v.is_string() || v.is_number() || v.is_boolean() || v.is_array()) {
    c.Add(path, std::string(kInlineSecret));
    return out;
  }
  if (!v.is_object()) {
    c.Add(path, R"(expected {"env": "NAME"} or {"file": "PATH"}, got )" + TypeName(v));
    return out;
  }
  bool bad = false;
  for (auto const& [k, ignored] : v.items()) {
    if (k == "env" || k == "file" || k == "credential") continue;
    bad = true;
    if (k == "value" || k == "secret" || k == "password" || k == "key" || k == "token") {
      c.Add(Join(path, k), std::string(kInlineSecret));
    } else {
      c.Add(Join(path, k),
            "unknown key " + Quote(k) + " (a secret takes only env, file or credential)");
    }
  }
  bool const has_env = v.contains("env");
  bool const has_file = v.contains("file");
  bool const has_credential = v.contains("credential");
  if (int{has_env} + int{has_file} + int{has_credential} > 1) {
    c.Add(path, "give either env or file (or credential), not several");
    return out;
  }
  if (!has_env && !has_file && !has_credential) {
    if (!bad) c.Add(path, R"(expected {"env": "NAME"} or {"file": "PATH"})");
    return out;
  }
  if (has_env) {
    auto name = c.StringValue(v.at("env"), Join(path, "env"));
    if (!name) return out;
    if (!IsEnvName(*name)) {
      c.Add(Join(path, "env"), Quote(*name) + " is not an environment variable name");
      return out;
    }
    out.env = *name;
    if (use == SecretUse::kNeeded) {
      char const* value = std::getenv(name->c_str());
      if (value == nullptr) {
        c.Add(Join(path, "env"), "environment variable " + *name + " is not set");
      } else if (*value == '\0') {
        c.Add(Join(path, "env"), "environment variable " + *name + " is empty");
      }
    }
    return out;
  }
  if (has_credential) {
    std::string const cpath = Join(path, "credential");
    if (auto name = c.StringValue(v.at("credential"), cpath)) {
      LoadCredential(c, cpath, *name, use, kind, out);
    }
    return out;
  }
  auto file = c.StringValue(v.at("file"), Join(path, "file"));
  if (!file) return out;
  out.file = Resolve(base, *file);
  if (use == SecretUse::kNeeded) {
    CheckSecretFile(c, Join(path, "file"), out.file, "secret file " + out.file, kind);
  }
  return out;
}

// `ca_bundle` (a readable file, resolved against `base`) and `proxy` (http(s)://host:port without
// a password) of the `salesforce` or `forge` section.
void LoadTransportKeys(Checker& c, Json const& section, std::string const& root,
                       fs::path const& base, std::string& ca_bundle, std::string& proxy) {
  if (auto s = c.OptionalString(section, root, "ca_bundle"); s && !s->empty()) {
    ca_bundle = Resolve(base, *s);
    std::error_code ec;
    if (!fs::is_regular_file(ca_bundle, ec) || ::access(ca_bundle.c_str(), R_OK) != 0) {
      c.Add(Join(root, "ca_bundle"), "CA bundle " + ca_bundle + " is not a readable file");
    }
  }
  if (auto s = c.OptionalString(section, root, "proxy"); s && !s->empty()) {
    auto parts = SplitUrl(*s);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
      c.Add(Join(root, "proxy"), "not a proxy URL (expected http://host:port)");
    } else if (parts->has_password) {
      // The URL is not echoed: it carries a password.
      c.Add(Join(root, "proxy"), std::string(kInlineSecret) + " (the proxy URL has a password)");
    } else {
      proxy = *s;
    }
  }
}

void LoadSalesforce(Checker& c, Json const& sf, std::string const& root, fs::path const& base,
                    SalesforceConfig& out) {
  if (!c.IsObject(sf, root)) return;
  c.KnownKeys(sf, root,
              {"login_url", "api_version", "auth_flow", "client_id", "username", "private_key",
               "client_secret", "refresh_token", "ca_bundle", "proxy", "jwt_audience"});
  if (sf.contains("login_url")) {
    if (auto s = c.StringValue(sf.at("login_url"), Join(root, "login_url"))) {
      CheckServiceUrl(c, Join(root, "login_url"), *s);
      out.login_url = *s;
    }
  }
  if (sf.contains("api_version")) {
    if (auto s = c.StringValue(sf.at("api_version"), Join(root, "api_version"))) {
      auto const dot = s->find('.');
      bool ok = dot != std::string::npos && dot > 0 && dot + 2 == s->size() && (*s)[dot + 1] == '0';
      for (std::size_t i = 0; ok && i < dot; ++i) {
        ok = std::isdigit(static_cast<unsigned char>((*s)[i])) != 0;
      }
      if (ok) {
        out.api_version = *s;
      } else {
        c.Add(Join(root, "api_version"), "invalid API version " + Quote(*s) + " (e.g. \"62.0\")");
      }
    }
  }
  std::optional<SalesforceAuthFlow> flow = out.auth_flow;
  if (sf.contains("auth_flow")) {
    flow.reset();
    if (auto s = c.StringValue(sf.at("auth_flow"), Join(root, "auth_flow"))) {
      if (*s == "jwt_bearer") {
        flow = SalesforceAuthFlow::kJwtBearer;
      } else if (*s == "client_credentials") {
        flow = SalesforceAuthFlow::kClientCredentials;
      } else if (*s == "refresh_token") {
        flow = SalesforceAuthFlow::kRefreshToken;
      } else {
        c.Add(Join(root, "auth_flow"), "unknown auth flow " + Quote(*s) +
                                           " (expected jwt_bearer, client_credentials or "
                                           "refresh_token)");
      }
    }
  }
  if (flow) out.auth_flow = *flow;

  // What each flow needs (SPEC 5): JWT bearer signs for a username with a private key; client
  // credentials uses the connected app's secret; refresh token needs the token and the secret.
  bool const jwt = flow == SalesforceAuthFlow::kJwtBearer;
  bool const cc = flow == SalesforceAuthFlow::kClientCredentials;
  bool const rt = flow == SalesforceAuthFlow::kRefreshToken;
  if (auto s = flow ? c.String(sf, root, "client_id") : c.OptionalString(sf, root, "client_id")) {
    out.client_id = *s;
  }
  if (jwt) {
    if (auto s = c.String(sf, root, "username")) {
      if (json_internal::LooksLikeEmail(*s)) {
        out.username = *s;
      } else {
        c.Add(Join(root, "username"),
              Quote(*s) + " is not a Salesforce username (they look like e-mail addresses)");
      }
    }
  } else if (auto s = c.OptionalString(sf, root, "username")) {
    out.username = *s;
  }
  auto use = [](bool needed) { return needed ? SecretUse::kNeeded : SecretUse::kUnused; };
  out.private_key = LoadSecret(c, sf, root, "private_key", use(jwt), SecretKind::kPrivateKey, base);
  out.client_secret =
      LoadSecret(c, sf, root, "client_secret", use(cc || rt), SecretKind::kPlain, base);
  out.refresh_token = LoadSecret(c, sf, root, "refresh_token", use(rt), SecretKind::kPlain, base);

  LoadTransportKeys(c, sf, root, base, out.ca_bundle, out.proxy);
  if (auto s = c.OptionalString(sf, root, "jwt_audience"); s && !s->empty()) {
    CheckServiceUrl(c, Join(root, "jwt_audience"), *s);
    out.jwt_audience = *s;
  }
}

void LoadForge(Checker& c, Json const& forge, std::string const& root, fs::path const& base,
               ForgeConfig& out) {
  if (!c.IsObject(forge, root)) return;
  c.KnownKeys(forge, root, {"base_url", "email", "password", "ca_bundle", "proxy"});
  if (auto s = c.String(forge, root, "base_url")) {
    CheckServiceUrl(c, Join(root, "base_url"), *s);
    out.base_url = *s;
  }
  if (auto s = c.String(forge, root, "email")) {
    if (json_internal::LooksLikeEmail(*s)) {
      out.email = *s;
    } else {
      c.Add(Join(root, "email"), Quote(*s) + " is not an e-mail address");
    }
  }
  out.password =
      LoadSecret(c, forge, root, "password", SecretUse::kNeeded, SecretKind::kPlain, base);
  LoadTransportKeys(c, forge, root, base, out.ca_bundle, out.proxy);
}

void LoadStateStore(Checker& c, Json const& v, fs::path const& base, std::string& out) {
  auto s = c.StringValue(v, "state_store");
  if (!s) return;
  if (s->rfind("sqlite:", 0) == 0) {
    std::string const file = s->substr(7);
    if (file.empty()) {
      c.Add("state_store", "sqlite: needs a file path, e.g. \"sqlite:casebridge-state.db\"");
    } else if (file == ":memory:") {
      out = *s;
    } else {
      out = "sqlite:" + Resolve(base, file);
    }
    return;
  }
  if (s->rfind("postgresql://", 0) == 0 || s->rfind("postgres://", 0) == 0) {
    auto parts = SplitUrl(*s);
    if (!parts) {
      c.Add("state_store", "not a PostgreSQL URI (expected postgresql://user@host/db)");
    } else if (parts->has_password || s->find("password=") != std::string::npos) {
      // The URI is not echoed: it carries a password.
      c.Add("state_store",
            std::string(kInlineSecret) + " (put the database password in PGPASSWORD or ~/.pgpass)");
    } else {
      out = *s;
    }
    return;
  }
  c.Add("state_store", "unknown state store (expected \"sqlite:PATH\" or \"postgresql://…\")");
}

// `api_budget_share` (top level or of an org) at `key`.
void LoadBudgetShare(Checker& c, Json const& v, std::string const& key, double& out) {
  if (!v.is_number()) {
    c.Add(key, "expected a number, got " + TypeName(v));
    return;
  }
  double const share = v.get<double>();
  if (!std::isfinite(share) || share <= 0 || share > 1) {
    c.Add(key, "must be greater than 0 and at most 1 (a share of the daily API limit)");
    return;
  }
  out = share;
}

// An org name keys state store rows, lock files and metrics labels: short, lower-case, no spaces.
bool IsOrgName(std::string_view s) {
  auto const ok = [](char ch, bool first) {
    bool const alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    return alnum || (!first && (ch == '_' || ch == '-'));
  };
  if (s.empty() || s.size() > 40) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ok(s[i], i == 0)) return false;
  }
  return true;
}

// One element of `orgs` at `path` ("orgs[1]"); `defaults` carries the top-level share/mappings.
void LoadOrg(Checker& c, Json const& v, std::string const& path, fs::path const& base,
             AppConfig const& defaults, std::vector<OrgConfig>& out) {
  if (!c.IsObject(v, path)) return;
  c.KnownKeys(v, path, {"name", "salesforce", "forge", "mappings", "api_budget_share"});
  OrgConfig org;
  org.api_budget_share = defaults.api_budget_share;
  org.mappings_dir = defaults.mappings_dir;
  if (auto name = c.String(v, path, "name")) {
    if (!IsOrgName(*name)) {
      c.Add(Join(path, "name"),
            Quote(*name) +
                " is not an org name (1-40 of a-z, 0-9, '_' and '-', starting with a "
                "letter or digit)");
    } else if (std::any_of(out.begin(), out.end(),
                           [&](OrgConfig const& o) { return o.name == *name; })) {
      c.Add(Join(path, "name"), "duplicate org name " + Quote(*name));
    } else {
      org.name = *name;
    }
  }
  if (auto const* sf = c.Required(v, path, "salesforce")) {
    LoadSalesforce(c, *sf, Join(path, "salesforce"), base, org.salesforce);
  }
  if (v.contains("forge")) LoadForge(c, v.at("forge"), Join(path, "forge"), base, org.forge);
  if (v.contains("mappings")) {
    if (auto s = c.StringValue(v.at("mappings"), Join(path, "mappings"))) {
      org.mappings_dir = Resolve(base, *s);
    }
  }
  if (v.contains("api_budget_share")) {
    LoadBudgetShare(c, v.at("api_budget_share"), Join(path, "api_budget_share"),
                    org.api_budget_share);
  }
  out.push_back(std::move(org));
}

// `orgs`: a non-empty array of orgs; the top-level `salesforce` and `forge` then belong in them.
void LoadOrgs(Checker& c, Json const& doc, fs::path const& base, AppConfig& config) {
  Json const& orgs = doc.at("orgs");
  if (!c.IsArray(orgs, "orgs")) return;
  if (orgs.empty()) {
    c.Add("orgs", "names no org (remove it for a single org, or list each org)");
    return;
  }
  for (char const* key : {"salesforce", "forge"}) {
    if (doc.contains(key)) {
      c.Add(key, std::string("with \"orgs\", each org has its own \"") + key +
                     "\": move this section into orgs[]");
    }
  }
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    LoadOrg(c, orgs.at(i), json_internal::Index("orgs", i), base, config, config.orgs);
  }
}

}  // namespace

OrgConfig const* AppConfig::FindOrg(std::string_view name) const {
  auto it =
      std::find_if(orgs.begin(), orgs.end(), [&](OrgConfig const& o) { return o.name == name; });
  return it == orgs.end() ? nullptr : &*it;
}

AppConfig AppConfig::ForOrg(OrgConfig const& selected) const {
  AppConfig out = *this;
  out.salesforce = selected.salesforce;
  out.forge = selected.forge;
  out.api_budget_share = selected.api_budget_share;
  out.mappings_dir = selected.mappings_dir;
  out.org = selected.name;
  return out;
}

std::string AppConfig::OrgNames() const {
  std::string out;
  for (auto const& o : orgs) out += (out.empty() ? "" : ", ") + o.name;
  return out;
}

AppConfig LoadAppConfig(std::string const& path, std::vector<Problem>& problems) {
  AppConfig config;
  Checker c(path, problems);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    c.Add("", "config file does not exist");
    return config;
  }
  if (!fs::is_regular_file(path, ec)) {
    c.Add("", "not a regular file");
    return config;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    c.Add("", "cannot be read (check its permissions)");
    return config;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto doc = c.Parse(buf.str(), "");
  if (!doc) return config;
  fs::path const base = fs::path(path).parent_path();

  c.KnownKeys(*doc, "",
              {"salesforce", "forge", "state_store", "api_budget_share", "mappings_dir", "orgs"});
  bool const several = doc->contains("orgs");
  if (!several && doc->contains("salesforce"))
    LoadSalesforce(c, doc->at("salesforce"), "salesforce", base, config.salesforce);
  if (!several && doc->contains("forge"))
    LoadForge(c, doc->at("forge"), "forge", base, config.forge);
  if (doc->contains("state_store"))
    LoadStateStore(c, doc->at("state_store"), base, config.state_store);
  if (doc->contains("api_budget_share")) {
    LoadBudgetShare(c, doc->at("api_budget_share"), "api_budget_share", config.api_budget_share);
  }
  if (doc->contains("mappings_dir")) {
    if (auto s = c.StringValue(doc->at("mappings_dir"), "mappings_dir")) {
      config.mappings_dir = Resolve(base, *s);
    }
  }
  if (several) {
    LoadOrgs(c, *doc, base, config);
    if (!config.orgs.empty()) config = config.ForOrg(config.orgs.front());
    return config;
  }
  config.orgs.push_back(OrgConfig{std::string(kDefaultOrg), config.salesforce, config.forge,
                                  config.api_budget_share, config.mappings_dir});
  return config;
}

}  // namespace casebridge::mappings
