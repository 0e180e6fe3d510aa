// Secret canaries (issue 12, "prove it" 4): every secret casebridge can be given — the Salesforce
// client secret, refresh token and JWT private key, the Forge password, a PostgreSQL password —
// is set to a unique canary string, the commands run (sync at every log level, backfill,
// report in every format, auth check, check-config, failing authentication, servers that echo
// the request back in their error bodies), and every byte they leave behind is searched: stdout,
// stderr, every file in the working directory (reports, the SQLite state store and its WAL),
// except the files that hold the secrets themselves. Access tokens (the emulators' and ones a
// hostile server hands out) are searched for too.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connector/sandbox/demo_org.h"
#include "connector/sandbox/forge_emulator.h"
#include "tests/integration/sync_support.h"
#include "tests/support/cli_runner.h"
#include "tests/support/postgres_server.h"
#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing_util::CliResult;
using testing_util::RunCli;

constexpr char kNow[] = "2026-03-20T15:00:00Z";
constexpr char kClientId[] = "3MVG9CasebridgeCanaryApp";
constexpr char kUser[] = "integration@casebridge.sandbox";
constexpr char kForgeEmail[] = "integration@forge.sandbox";
constexpr char kForgePasswordEnv[] = "CASEBRIDGE_TEST_CANARY_FORGE_PASSWORD";

// The canaries: each occurs nowhere but in the secret it stands for.
constexpr char kClientSecret[] = "cnry-client-secret-5d8e2f0a91";
constexpr char kRefreshToken[] = "cnry-refresh-token-c37b4e19d2";
constexpr char kForgePassword[] = "cnry-forge-password-8a1f6c03";
constexpr char kPgPassword[] = "cnry-pg-password-2e9d7b41";
constexpr char kWrongSecret[] = "cnry-wrong-secret-0b7e3d95";
constexpr char kHostileSfToken[] = "00DCANARY0000001!cnry-hostile-sf-token-61ad";
constexpr char kHostileForgeToken[] = "cnry-hostile-forge-token-94c2";

std::string ReadAll(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A hostile HTTP server on loopback: it hands out `kHostileSfToken` / `kHostileForgeToken` on
// the login endpoints and answers every other request with an HTTP 400 whose body echoes the
// whole request (request line, headers — Authorization included — and body) in the vendor's
// error shape. With `refuse_login` the logins fail the same way (echoing the client secret or
// password that was posted).
class EchoServer {
 public:
  explicit EchoServer(bool refuse_login) : refuse_login_(refuse_login) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd_, 16) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("EchoServer: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~EchoServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  EchoServer(EchoServer const&) = delete;
  EchoServer& operator=(EchoServer const&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      int const c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Answer(c, ReadRequest(c));
      close(c);
    }
  }

  static std::string ReadRequest(int c) {
    std::string in;
    char buf[4096];
    std::size_t want = std::string::npos;
    while (want == std::string::npos || in.size() < want) {
      ssize_t const n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      auto const end = in.find("\r\n\r\n");
      if (want == std::string::npos && end != std::string::npos) {
        std::size_t length = 0;
        std::smatch m;
        if (std::regex_search(in, m, std::regex("[Cc]ontent-[Ll]ength: *([0-9]+)"))) {
          length = std::stoul(m[1].str());
        }
        want = end + 4 + length;
      }
    }
    return in;
  }

  void Answer(int c, std::string const& request) {
    ++requests_;
    std::string const line = request.substr(0, request.find("\r\n"));
    int status = 400;
    std::string body;
    if (!refuse_login_ && line.find("/services/oauth2/token") != std::string::npos) {
      status = 200;
      body = json{{"access_token", kHostileSfToken},
                  {"instance_url", url()},
                  {"id", url() + "/id/00DCANARY0000001AAA/005CANARY0000001AAA"},
                  {"token_type", "Bearer"},
                  {"issued_at", "1773990000000"},
                  {"signature", "c2lnbmF0dXJl"}}
                 .dump();
    } else if (!refuse_login_ && line.find("/api/auth/login") != std::string::npos) {
      status = 200;
      body = json{{"token", kHostileForgeToken},
                  {"token_type", "Bearer"},
                  {"expires_in", 3600},
                  {"user", {{"id", "u-1"}, {"email", kForgeEmail}}}}
                 .dump();
    } else if (line.find("/services/oauth2/token") != std::string::npos) {
      body = json{{"error", "invalid_grant"}, {"error_description", "echo: " + request}}.dump();
    } else if (line.find("/services/") != std::string::npos) {
      body =
          json::array({{{"message", "echo: " + request}, {"errorCode", "INVALID_FIELD"}}}).dump();
    } else {
      body = json{{"error", {{"code", "bad_request"}, {"message", "echo: " + request}}}}.dump();
    }
    std::string const reply =
        "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Bad Request") +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    std::size_t off = 0;
    while (off < reply.size()) {
      ssize_t const n = write(c, reply.data() + off, reply.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
  }

  bool refuse_login_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class SecretCanary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = testing_util::GenerateRsaKeyPair(); }

  void SetUp() override {
    unsetenv("CASEBRIDGE_LOG_LEVEL");
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    sandbox::DemoOrgOptions demo;
    demo.cases = 40;
    demo.now = *ParseInstant(kNow);

    sandbox::SalesforceEmulatorOptions o;
    sandbox::ConnectedAppOptions app;
    app.client_id = kClientId;
    app.client_secret = kClientSecret;
    app.jwt_public_key_pem = keys_.public_pem;
    app.client_credentials_username = kUser;
    app.refresh_tokens[kRefreshToken] = kUser;
    o.apps.push_back(app);
    o.clock = clock_;
    o.bulk_polls_until_complete = 0;
    // The JWT assertion is signed at the real time while the org's clock stands at kNow.
    o.jwt_clock_skew = std::chrono::hours(24 * 365 * 3);
    salesforce_ = std::make_unique<sandbox::SalesforceEmulator>(o);
    ASSERT_TRUE(salesforce_->SeedFromJson(sandbox::GenerateSalesforceDemoOrg(demo)).ok());
    ASSERT_TRUE(salesforce_->Start("127.0.0.1", 0).ok());

    json forge_seed = sandbox::GenerateForgeDemoOrg(demo);
    for (auto& u : forge_seed["users"]) {
      if (u.value("email", "") == kForgeEmail) u["password"] = kForgePassword;
    }
    sandbox::ForgeEmulatorOptions fo;
    fo.clock = clock_;
    forge_ = std::make_unique<sandbox::ForgeEmulator>(fo);
    ASSERT_TRUE(forge_->SeedFromJson(forge_seed).ok());
    ASSERT_TRUE(forge_->Start("127.0.0.1", 0).ok());

    // The files that hold secrets are the only ones allowed to contain them.
    Secret(dir_.WritePrivate("secrets/client_secret", std::string(kClientSecret) + "\n"));
    Secret(dir_.WritePrivate("secrets/wrong_secret", std::string(kWrongSecret) + "\n"));
    Secret(dir_.WritePrivate("secrets/refresh_token", std::string(kRefreshToken) + "\n"));
    Secret(dir_.WritePrivate("secrets/sf.key", keys_.private_pem));
    setenv(kForgePasswordEnv, kForgePassword, 1);
    // A line of the key's base64 body stands for the key.
    auto const lines = testing_util::Lines(keys_.private_pem);
    ASSERT_GT(lines.size(), 5U);
    key_canary_ = lines[3];
  }

  void TearDown() override {
    unsetenv(kForgePasswordEnv);
    unsetenv("PGPASSWORD");
    if (salesforce_) salesforce_->Stop();
    if (forge_) forge_->Stop();
  }

  void Secret(std::string const& path) { secret_files_.insert(fs::path(path).lexically_normal()); }

  // The Salesforce section for `flow` against `login_url`, secrets from files.
  static json Salesforce(std::string const& flow, std::string const& login_url,
                         std::string const& secret_file = "secrets/client_secret") {
    json sf = {{"login_url", login_url},
               {"api_version", "62.0"},
               {"auth_flow", flow},
               {"client_id", kClientId}};
    if (flow == "jwt_bearer") {
      sf["username"] = kUser;
      sf["private_key"] = {{"file", "secrets/sf.key"}};
    } else if (flow == "refresh_token") {
      sf["client_secret"] = {{"file", secret_file}};
      sf["refresh_token"] = {{"file", "secrets/refresh_token"}};
    } else {
      sf["client_secret"] = {{"file", secret_file}};
    }
    return sf;
  }

  std::string Config(json salesforce, std::string const& forge_url, std::string const& store,
                     std::string const& name = "casebridge.json") {
    json doc = {{"salesforce", std::move(salesforce)},
                {"forge",
                 {{"base_url", forge_url},
                  {"email", kForgeEmail},
                  {"password", {{"env", kForgePasswordEnv}}}}},
                {"state_store", store},
                {"api_budget_share", 1.0}};
    return dir_.Write(name, doc.dump(2));
  }

  std::string DefaultConfig(std::string const& flow = "client_credentials") {
    return Config(Salesforce(flow, salesforce_->base_url()), forge_->base_url(),
                  "sqlite:" + dir_.path() + "/state.db");
  }

  // Runs the CLI and keeps what it printed for the final search.
  CliResult Run(std::vector<std::string> const& args) {
    auto r = RunCli(args);
    std::string label;
    for (auto const& a : args) label += a + " ";
    printed_.push_back({label + "(stdout)", r.out});
    printed_.push_back({label + "(stderr)", r.err});
    return r;
  }

  CliResult Sync(std::string const& config, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync", "--once", "--config", config, "--now", kNow};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }

  void Reports(std::string const& config) {
    for (auto const* format : {"csv", "json", "md", "html"}) {
      std::string const out = dir_.path() + "/report." + format;
      auto r = Run({"report", "--from", "2026-02-01", "--to", "2026-03-20", "--format", format,
                    "--out", out, "--config", config});
      EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
      EXPECT_TRUE(fs::exists(out)) << out;
    }
  }

  // Every canary, and every pattern of an access token the runs may have seen.
  [[nodiscard]] std::vector<std::string> Canaries() const {
    std::vector<std::string> out = {kClientSecret,   kRefreshToken,      kForgePassword,
                                    kPgPassword,     kWrongSecret,       key_canary_,
                                    kHostileSfToken, kHostileForgeToken, "PRIVATE KEY"};
    // Emulator access tokens: the 15-character org id and '!'.
    out.push_back(salesforce_->org_id().substr(0, 15) + "!");
    return out;
  }

  static std::vector<std::string> Findings(std::string const& what, std::string const& text,
                                           std::vector<std::string> const& canaries) {
    std::vector<std::string> found;
    for (auto const& c : canaries) {
      if (text.find(c) != std::string::npos) found.push_back(what + " contains '" + c + "'");
    }
    static std::regex const forge_token("fg_[0-9a-f]{40}");
    static std::regex const jwt("eyJ[A-Za-z0-9_-]{10,}\\.eyJ");
    if (std::regex_search(text, forge_token)) found.push_back(what + " has a Forge token");
    if (std::regex_search(text, jwt)) found.push_back(what + " has a JWT");
    static std::regex const bearer("Bearer (?!<redacted>)");
    if (std::regex_search(text, bearer)) found.push_back(what + " has a bearer token");
    return found;
  }

  // Searches everything printed so far and every file in the directory but the secrets.
  void ExpectNoCanaryAnywhere() {
    auto const canaries = Canaries();
    std::vector<std::string> found;
    int files = 0;
    for (auto const& [what, text] : printed_) {
      auto f = Findings(what, text, canaries);
      found.insert(found.end(), f.begin(), f.end());
    }
    for (auto const& entry : fs::recursive_directory_iterator(dir_.path())) {
      if (!entry.is_regular_file()) continue;
      if (secret_files_.count(entry.path().lexically_normal()) != 0) continue;
      ++files;
      auto f = Findings(entry.path().string(), ReadAll(entry.path()), canaries);
      found.insert(found.end(), f.begin(), f.end());
    }
    EXPECT_GT(files, 0);
    EXPECT_THAT(found, ::testing::IsEmpty());
  }

  static inline testing_util::RsaKeyPair keys_;
  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> salesforce_;
  std::unique_ptr<sandbox::ForgeEmulator> forge_;
  std::set<fs::path> secret_files_;
  std::string key_canary_;
  std::vector<std::pair<std::string, std::string>> printed_;
};

TEST_F(SecretCanary, SyncBackfillAndReportsAtEveryLogLevel) {
  std::string const config = DefaultConfig();
  auto first = Sync(config, {"--log-level", "debug", "--log-format", "text"});
  ASSERT_EQ(first.exit_code, 0) << first.err.substr(0, 3000);
  // The run really wrote to both systems (so their requests were logged at debug).
  EXPECT_FALSE(sync_test::TaskKeys(*salesforce_).empty());
  EXPECT_THAT(first.err, ::testing::HasSubstr("http POST"));
  for (auto const* level : {"debug", "info", "warn", "error"}) {
    auto r = Sync(config, {"--log-level", level, "--log-format", "json"});
    EXPECT_EQ(r.exit_code, 0) << level << ": " << r.err.substr(0, 2000);
  }
  auto dry = Sync(config, {"--dry-run", "--log-level", "debug"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err.substr(0, 2000);
  for (auto const* extra : {"", "--apply"}) {
    std::vector<std::string> args = {"backfill", "--from",     "2026-02-01", "--to", "2026-03-21",
                                     "--config", config,       "--now",      kNow,   "--log-level",
                                     "debug",    "--progress", "lines"};
    if (*extra != '\0') args.emplace_back(extra);
    auto r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << extra << ": " << r.err.substr(0, 2000);
  }
  Reports(config);
  ASSERT_TRUE(fs::exists(dir_.path() + "/state.db"));
  ExpectNoCanaryAnywhere();
}

TEST_F(SecretCanary, EveryAuthFlowAndAuthCheck) {
  for (auto const* flow : {"jwt_bearer", "client_credentials", "refresh_token"}) {
    std::string const config = DefaultConfig(flow);
    auto check = Run({"auth", "check", "--config", config, "--log-level", "debug"});
    EXPECT_EQ(check.exit_code, 0) << flow << ": " << check.err;
    EXPECT_THAT(check.out, ::testing::HasSubstr(kUser)) << flow;
    auto sync = Sync(config, {"--log-level", "debug"});
    EXPECT_EQ(sync.exit_code, 0) << flow << ": " << sync.err.substr(0, 2000);
    auto cc = Run({"check-config", "--config", config});
    EXPECT_EQ(cc.exit_code, 0) << flow << ": " << cc.out << cc.err;
  }
  ExpectNoCanaryAnywhere();
}

TEST_F(SecretCanary, FailingAuthenticationNamesTheProblemNotTheSecret) {
  // A client secret the org does not know: exit 3 from auth check and sync.
  std::string const config =
      Config(Salesforce("client_credentials", salesforce_->base_url(), "secrets/wrong_secret"),
             forge_->base_url(), "sqlite:" + dir_.path() + "/state.db");
  auto check = Run({"auth", "check", "--config", config, "--log-level", "debug"});
  EXPECT_EQ(check.exit_code, 3) << check.out << check.err;
  auto sync = Sync(config, {"--log-level", "debug"});
  EXPECT_EQ(sync.exit_code, 3) << sync.err;
  // A refresh token the org does not know, and a wrong Forge password.
  Secret(dir_.WritePrivate("secrets/refresh_token", std::string(kWrongSecret) + "-rt\n"));
  auto refresh =
      Run({"auth", "check", "--config", DefaultConfig("refresh_token"), "--log-level", "debug"});
  EXPECT_EQ(refresh.exit_code, 3) << refresh.out << refresh.err;
  setenv(kForgePasswordEnv, kWrongSecret, 1);
  auto forge = Sync(DefaultConfig(), {"--log-level", "debug"});
  EXPECT_EQ(forge.exit_code, 3) << forge.err.substr(0, 2000);
  ExpectNoCanaryAnywhere();
}

TEST_F(SecretCanary, ServersThatEchoTheRequestInTheirErrors) {
  // Logins refused with the posted client secret / password echoed back in the error body.
  {
    EchoServer refusing(/*refuse_login=*/true);
    std::string const config = Config(Salesforce("client_credentials", refusing.url()),
                                      refusing.url(), "sqlite:" + dir_.path() + "/state.db");
    auto check = Run({"auth", "check", "--config", config, "--log-level", "debug"});
    EXPECT_EQ(check.exit_code, 3) << check.out << check.err;
    auto sync = Sync(config, {"--log-level", "debug"});
    EXPECT_EQ(sync.exit_code, 3) << sync.err;
    EXPECT_GT(refusing.requests(), 0);
  }
  // Logins accepted (the server's own tokens are canaries too), then every API call refused
  // with the request — its Authorization header included — echoed back.
  EchoServer echoing(/*refuse_login=*/false);
  std::string const config = Config(Salesforce("client_credentials", echoing.url()), echoing.url(),
                                    "sqlite:" + dir_.path() + "/state2.db");
  auto check = Run({"auth", "check", "--config", config, "--log-level", "debug"});
  EXPECT_NE(check.exit_code, 0) << check.out;
  auto sync = Sync(config, {"--log-level", "debug"});
  EXPECT_EQ(sync.exit_code, 2) << sync.err;
  // The echoed request did reach the user (so the search below is not vacuous), token redacted.
  EXPECT_THAT(sync.err, ::testing::HasSubstr("Authorization:Bearer <redacted>"));
  EXPECT_THAT(check.err, ::testing::HasSubstr("Bearer <redacted>"));
  ExpectNoCanaryAnywhere();
}

TEST_F(SecretCanary, APostgreSqlPasswordIsNeverEchoed) {
  // In the config or on the command line, a password in the URL is refused without echoing it.
  std::string const inline_url =
      std::string("postgresql://postgres:") + kPgPassword + "@127.0.0.1:1/casebridge";
  std::string const param_url =
      std::string("postgresql://postgres@127.0.0.1:1/casebridge?password=") + kPgPassword;
  for (auto const& url : {inline_url, param_url}) {
    // This config holds the canary itself.
    std::string const config = Config(Salesforce("client_credentials", salesforce_->base_url()),
                                      forge_->base_url(), url, "pg-inline.json");
    Secret(config);
    auto cc = Run({"check-config", "--config", config});
    EXPECT_EQ(cc.exit_code, 2) << cc.out << cc.err;
    EXPECT_THAT(cc.out + cc.err, ::testing::HasSubstr("state_store"));
    auto sync = Sync(config);
    EXPECT_EQ(sync.exit_code, 2) << sync.err;
    for (auto const* cmd : {"sync", "report"}) {
      std::vector<std::string> args = {cmd, "--store", url, "--config", DefaultConfig()};
      if (std::string(cmd) == "report") {
        args.insert(args.end(), {"--from", "2026-03-01", "--to", "2026-03-20", "--format", "csv",
                                 "--out", dir_.path() + "/pg.csv"});
      }
      // On the command line the URL is redacted and tried: a connection failure (exit 4).
      auto r = Run(args);
      EXPECT_THAT(r.exit_code, ::testing::AnyOf(2, 4)) << cmd << ": " << r.err;
      EXPECT_THAT(r.err, ::testing::HasSubstr("***")) << cmd;
    }
  }
  // The password from PGPASSWORD: a real server (trust authentication accepts it), then an
  // unreachable one.
  setenv("PGPASSWORD", kPgPassword, 1);
  auto server = testing_util::SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.status();
  auto db = (*server)->CreateDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  std::string const config =
      Config(Salesforce("client_credentials", salesforce_->base_url()), forge_->base_url(), *db);
  auto ok = Sync(config, {"--log-level", "debug"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err.substr(0, 2000);
  auto down = Sync(
      config, {"--store", "postgresql://postgres@127.0.0.1:1/casebridge", "--log-level", "debug"});
  EXPECT_NE(down.exit_code, 0);
  ExpectNoCanaryAnywhere();
}

TEST_F(SecretCanary, SecretsGivenWrongAreRefusedWithoutBeingShown) {
  // Inline in the config (a bare string, or a `value` member), readable by others, a key file
  // that is not a key: each refused by check-config and by the commands, naming the key.
  fs::permissions(dir_.Write("secrets/open_secret", std::string(kClientSecret) + "\n"),
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read,
                  fs::perm_options::replace);
  Secret(dir_.path() + "/secrets/open_secret");
  Secret(dir_.WritePrivate("secrets/not_a_key", std::string("-----BEGIN PRIVATE KEY-----\n") +
                                                    kClientSecret +
                                                    "\n-----END PRIVATE KEY-----\n"));
  json bare = Salesforce("client_credentials", salesforce_->base_url());
  bare["client_secret"] = kClientSecret;
  json value = bare;
  value["client_secret"] = {{"value", kClientSecret}};
  json open = Salesforce("client_credentials", salesforce_->base_url(), "secrets/open_secret");
  json not_key = Salesforce("jwt_bearer", salesforce_->base_url());
  not_key["private_key"] = {{"file", "secrets/not_a_key"}};
  int n = 0;
  for (auto const& sf : {bare, value, open, not_key}) {
    // The inline ones hold the canary in the config itself.
    std::string const config = Config(sf, forge_->base_url(), "sqlite:" + dir_.path() + "/state.db",
                                      n < 2 ? "inline.json" : "casebridge.json");
    if (n++ < 2) Secret(config);
    auto cc = Run({"check-config", "--config", config});
    auto check = Run({"auth", "check", "--config", config, "--log-level", "debug"});
    auto sync = Sync(config, {"--log-level", "debug"});
    if (n < 4) {
      EXPECT_EQ(cc.exit_code, 2) << n << ": " << cc.out << cc.err;
      EXPECT_THAT(cc.out + cc.err, ::testing::HasSubstr("client_secret")) << n;
      EXPECT_EQ(check.exit_code, 2) << n << ": " << check.err;
      EXPECT_EQ(sync.exit_code, 2) << n << ": " << sync.err;
    } else {
      EXPECT_THAT(check.exit_code, ::testing::AnyOf(2, 3)) << check.err;
      EXPECT_THAT(check.out + check.err, ::testing::HasSubstr("private_key"));
    }
  }
  ExpectNoCanaryAnywhere();
}

}  // namespace
}  // namespace casebridge
