// Helpers for the Salesforce client unit tests: a client over a FakeTransport with a counting
// token source, and builders for query pages and collection results.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/token_source.h"
#include "connector/salesforce/client.h"
#include "tests/support/fake_transport.h"

namespace casebridge::salesforce::test {

inline constexpr char const* kInstance = "https://acme.my.salesforce.com";
inline constexpr char const* kIdentity =
    "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA";

/// Hands out "tok-1", "tok-2", … and counts fetches (no HTTP).
class CountingTokenSource : public auth::TokenSource {
 public:
  StatusOr<auth::Token> Fetch() override {
    int const n = ++fetches_;
    auth::Token t;
    t.access_token = auth::SecretString("tok-" + std::to_string(n));
    t.instance_url = kInstance;
    t.identity_url = kIdentity;
    return t;
  }
  [[nodiscard]] int fetches() const { return fetches_; }

 private:
  std::atomic<int> fetches_{0};
};

struct TestClient {
  std::shared_ptr<testing_util::FakeTransport> transport;
  std::shared_ptr<CountingTokenSource> tokens;
  testing_util::RecordingSleeper sleeper;
  Client client;
};

inline TestClient MakeTestClient(ClientOptions options = {}) {
  auto transport = std::make_shared<testing_util::FakeTransport>();
  auto tokens = std::make_shared<CountingTokenSource>();
  testing_util::RecordingSleeper sleeper;
  auto client = Client::Create(
      transport,
      [tokens](std::shared_ptr<http::HttpTransport> const&)
          -> StatusOr<std::shared_ptr<auth::TokenSource>> {
        return std::shared_ptr<auth::TokenSource>(tokens);
      },
      std::move(options), sleeper);
  if (!client.ok()) std::abort();
  return TestClient{transport, tokens, sleeper, *client};
}

/// A query page with records {"Id":"500…<i>","CaseNumber":"<i>"} for i in [from, from+count).
inline std::string CasePage(int from, int count, int total,
                            std::optional<std::string> const& next) {
  nlohmann::json records = nlohmann::json::array();
  for (int i = from; i < from + count; ++i) {
    records.push_back({{"attributes", {{"type", "Case"}, {"url", "/x"}}},
                       {"Id", "500" + std::to_string(100000 + i)},
                       {"CaseNumber", std::to_string(i)}});
  }
  nlohmann::json page = {{"totalSize", total}, {"done", !next.has_value()}};
  if (next) page["nextRecordsUrl"] = *next;
  page["records"] = records;
  return page.dump();
}

inline http::Headers LimitInfo(int used, int limit) {
  return {{"Sforce-Limit-Info", "api-usage=" + std::to_string(used) + "/" + std::to_string(limit)}};
}

inline std::string SalesforceError(std::string const& code, std::string const& message) {
  return nlohmann::json::array({{{"errorCode", code}, {"message", message}}}).dump();
}

}  // namespace casebridge::salesforce::test
