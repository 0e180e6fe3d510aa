// `casebridge sandbox` as a child process for CLI tests: started on free ports, its banner read
// for the URLs and the throwaway demo credentials, and a casebridge.json pointing at it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/background_process.h"

namespace casebridge::testing_util {

/// The value after `label` on a line of the sandbox's banner, e.g. "login / instance URL:".
inline std::string BannerValue(std::string const& text, std::string const& label) {
  auto const at = text.find(label);
  if (at == std::string::npos) return {};
  auto const begin = text.find_first_not_of(' ', at + label.size());
  auto const end = text.find_first_of(" \n", begin);
  return text.substr(begin, end - begin);
}

/// A running sandbox and what its banner says.
struct SandboxProcess {
  std::unique_ptr<BackgroundProcess> process;
  std::string salesforce_url;
  std::string forge_url;
  std::string client_id;
  std::string client_secret;
  std::string forge_user;

  /// Starts `casebridge sandbox --port 0 <args>` and reads its banner; false (with the output
  /// in a test failure) when it did not come up.
  bool Start(std::vector<std::string> const& args) {
    std::vector<std::string> argv = {CASEBRIDGE_BINARY, "sandbox", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    process = std::make_unique<BackgroundProcess>(argv);
    bool const up = process->WaitForLine(
        [](std::string const& line) { return line.find("Press Ctrl-C") != std::string::npos; },
        std::chrono::seconds(30));
    EXPECT_TRUE(up) << process->output();
    auto const& banner = process->output();
    salesforce_url = BannerValue(banner, "login / instance URL:");
    forge_url = BannerValue(banner, "Forge emulator listening on");
    client_id = BannerValue(banner, "client id:");
    client_secret = BannerValue(banner, "client secret:");
    forge_user = BannerValue(banner, "demo user:");
    return up && !salesforce_url.empty() && !forge_url.empty();
  }

  /// casebridge.json for both emulators; the secrets come from the environment variables named
  /// (set here to the sandbox's values).
  nlohmann::json Config(char const* secret_env, char const* forge_password_env,
                        std::string const& forge_password) const {
    setenv(secret_env, client_secret.c_str(), 1);
    setenv(forge_password_env, forge_password.c_str(), 1);
    return {{"salesforce",
             {{"login_url", salesforce_url},
              {"api_version", "62.0"},
              {"auth_flow", "client_credentials"},
              {"client_id", client_id},
              {"client_secret", {{"env", secret_env}}}}},
            {"forge",
             {{"base_url", forge_url},
              {"email", forge_user},
              {"password", {{"env", forge_password_env}}}}}};
  }
};

}  // namespace casebridge::testing_util
