// TLS as a user meets it (issue 12 defects 6 and 7), on loopback: an `openssl s_server` with a
// self-signed certificate made for the test, and `casebridge auth check` run against it.
//   - Without the certificate's CA the client must say `TLS certificate verification failed for
//     127.0.0.1`, exit 4, and try exactly once (it used to print `no response (Unknown error
//     167772294)` after five attempts).
//   - `forge.ca_bundle` must reach the Forge transport (Forge used to ignore it).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using testing_util::BackgroundProcess;
using testing_util::RunCli;

constexpr char const* kSecretEnv = "CASEBRIDGE_IT_TLS_SECRET";
constexpr char const* kPasswordEnv = "CASEBRIDGE_IT_TLS_FORGE_PASSWORD";
// What s_server prints for each handshake the client aborted because it did not trust the cert.
constexpr char const* kRejected = "alert unknown ca";

int Count(std::string const& text, std::string const& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class TlsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path() + "/cert.pem";
    std::string const key = dir_.path() + "/key.pem";
    std::string const make_cert =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(make_cert.c_str()), 0) << "openssl req failed";
    server_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_, "-key", key, "-www"});
    std::string port;
    ASSERT_TRUE(server_->WaitForLine(
        [&](std::string const& line) {
          if (line.rfind("ACCEPT", 0) != 0) return false;
          port = line.substr(line.rfind(':') + 1);
          return true;
        },
        std::chrono::seconds(20)))
        << server_->output();
    url_ = "https://127.0.0.1:" + port;
    ::setenv(kSecretEnv, "tls-test-secret", 1);
    ::setenv(kPasswordEnv, "tls-test-password", 1);
  }

  std::string WriteConfig(nlohmann::json const& config) {
    return dir_.Write("casebridge.json", config.dump(2));
  }

  // The handshakes s_server saw rejected so far (reads what it printed, up to a short bound).
  int Rejections(int at_least) {
    server_->WaitForLine([](std::string const&) { return false; }, std::chrono::milliseconds(300));
    int const n = Count(server_->output(), kRejected);
    EXPECT_GE(n, at_least) << server_->output();
    return n;
  }

  testing_util::TempDir dir_;
  std::string cert_;
  std::string url_;
  std::unique_ptr<BackgroundProcess> server_;
};

TEST_F(TlsCli, AnUntrustedSalesforceCertificateIsNamedAndNotRetried) {
  auto const config = WriteConfig({{"salesforce",
                                    {{"login_url", url_},
                                     {"auth_flow", "client_credentials"},
                                     {"client_id", "tls-test-app"},
                                     {"client_secret", {{"env", kSecretEnv}}}}}});
  auto const r = RunCli({"auth", "check", "--config", config});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("TLS certificate verification failed for 127.0.0.1"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("Unknown error"), std::string::npos) << r.err;
  EXPECT_EQ(Rejections(1), 1) << "the TLS failure was retried:\n" << server_->output();
}

TEST_F(TlsCli, ForgeUsesItsOwnCaBundle) {
  nlohmann::json forge = {
      {"base_url", url_}, {"email", "tls@example.com"}, {"password", {{"env", kPasswordEnv}}}};
  auto const untrusted = RunCli({"auth", "check", "--config", WriteConfig({{"forge", forge}})});
  EXPECT_EQ(untrusted.exit_code, 4) << untrusted.out << untrusted.err;
  EXPECT_NE(untrusted.err.find("TLS certificate verification failed for 127.0.0.1"),
            std::string::npos)
      << untrusted.err;
  int const rejected = Rejections(1);
  EXPECT_EQ(rejected, 1) << "the TLS failure was retried:\n" << server_->output();

  // With forge.ca_bundle the handshake succeeds: s_server (an HTTPS page server, not Forge) then
  // fails the login some other way, and rejects no further handshake.
  forge["ca_bundle"] = cert_;
  // s_server does not answer the login POST: a short timeout keeps the test quick.
  auto const trusted =
      RunCli({"auth", "check", "--timeout", "1", "--config", WriteConfig({{"forge", forge}})});
  EXPECT_NE(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_EQ(trusted.err.find("TLS"), std::string::npos) << trusted.err;
  EXPECT_EQ(Rejections(rejected), rejected) << server_->output();
}

}  // namespace
}  // namespace casebridge
