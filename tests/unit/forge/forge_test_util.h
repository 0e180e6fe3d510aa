// Shared helpers of the Forge client unit tests: a client over a FakeTransport with the shipped
// mapping, a password in an environment variable, a recording sleeper and a settable clock.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "connector/forge/client.h"
#include "mappings/forge_mapping.h"
#include "tests/support/fake_transport.h"

namespace casebridge::forge::testing {

inline constexpr char const* kPasswordEnv = "CASEBRIDGE_TEST_FORGE_PASSWORD";
inline constexpr char const* kPassword = "s3cret-Forge-pw!";
inline constexpr char const* kBaseUrl = "https://forge.example.com";

inline Instant At(char const* iso) { return *ParseInstant(iso); }

inline mappings::ForgeMapping ShippedMapping() {
  auto m = mappings::LoadForgeMappingOrError("");
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

inline mappings::ForgeConfig Config() {
  ::setenv(kPasswordEnv, kPassword, 1);
  mappings::ForgeConfig c;
  c.base_url = kBaseUrl;
  c.email = "integration@forge.example.com";
  c.password.env = kPasswordEnv;
  return c;
}

inline std::string LoginReply(std::string const& token) {
  return R"({"token":")" + token + R"(","token_type":"Bearer","expires_in":3600})";
}

struct Harness {
  std::shared_ptr<testing_util::FakeTransport> transport =
      std::make_shared<testing_util::FakeTransport>();
  testing_util::RecordingSleeper sleeper;
  std::shared_ptr<testing_util::SettableClock> clock =
      std::make_shared<testing_util::SettableClock>(At("2026-03-02T14:05:00Z"));

  Client Make(mappings::ForgeMapping mapping = ShippedMapping(), ClientOptions options = {}) {
    options.connection.retry.initial_delay = std::chrono::milliseconds(100);
    auto c = Client::Create(Config(), std::move(mapping), transport, options, sleeper, clock);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }
};

}  // namespace casebridge::forge::testing
