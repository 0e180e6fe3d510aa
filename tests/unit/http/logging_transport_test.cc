#include "connector/http/logging_transport.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "tests/support/fake_transport.h"

namespace casebridge::http {
namespace {

struct Capture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
  Capture() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
  }
};

TEST(LoggingTransport, LogsMethodPathStatusLatencyAndAllowListedHeadersOnly) {
  Capture cap;
  auto fake = std::make_shared<testing_util::FakeTransport>();
  int tick = 0;
  LoggingTransportOptions options;
  options.now = [&tick] {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(tick += 42));
  };
  LoggingTransport t(fake, cap.logger, options);
  fake->Enqueue(200, R"({"access_token":"00Dxx!SECRETTOKEN"})",
                {{"Sforce-Limit-Info", "api-usage=18/5000"}, {"Set-Cookie", "sid=SECRETCOOKIE"}});
  HttpRequest r;
  r.method = Method::kGet;
  r.url =
      "https://acme.my.salesforce.com/services/data/v62.0/query?q=SELECT%20Id%20FROM%20Case"
      "%20WHERE%20Name%20%3D%20%27Jane%20Doe%27";
  r.headers.Set("Authorization", "Bearer 00Dxx!SECRETTOKEN");
  r.headers.Set("Sforce-Query-Options", "batchSize=2000");
  ASSERT_TRUE(t.Send(r).ok());
  auto const log = cap.out.str();
  EXPECT_NE(log.find("GET https://acme.my.salesforce.com/services/data/v62.0/query?<"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("-> 200"), std::string::npos) << log;
  EXPECT_NE(log.find("in 42ms"), std::string::npos) << log;
  EXPECT_NE(log.find("Sforce-Limit-Info: api-usage=18/5000"), std::string::npos) << log;
  EXPECT_NE(log.find("Sforce-Query-Options: batchSize=2000"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
  EXPECT_EQ(log.find("Jane"), std::string::npos) << log;
  EXPECT_EQ(log.find("Authorization"), std::string::npos) << log;
}

TEST(LoggingTransport, FormBodiesAreNeverLoggedOnlyTheirSize) {
  Capture cap;
  auto fake = std::make_shared<testing_util::FakeTransport>();
  LoggingTransport t(fake, cap.logger);
  fake->Enqueue(400, R"({"error":"invalid_client","error_description":"bad secret"})");
  HttpRequest r;
  r.method = Method::kPost;
  r.url = "https://login.salesforce.com/services/oauth2/token";
  r.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  r.body = "grant_type=client_credentials&client_id=abc&client_secret=TOPSECRET";
  ASSERT_TRUE(t.Send(r).ok());
  auto const log = cap.out.str();
  EXPECT_NE(log.find("POST https://login.salesforce.com/services/oauth2/token"), std::string::npos);
  EXPECT_NE(log.find("body=" + std::to_string(r.body.size()) + "B"), std::string::npos) << log;
  EXPECT_NE(log.find("-> 400"), std::string::npos);
  EXPECT_EQ(log.find("TOPSECRET"), std::string::npos) << log;
  EXPECT_EQ(log.find("client_secret"), std::string::npos) << log;
}

TEST(LoggingTransport, TransportFailuresAreLoggedAsWarnings) {
  Capture cap;
  auto fake = std::make_shared<testing_util::FakeTransport>();
  LoggingTransport t(fake, cap.logger);
  fake->EnqueueError(UnavailableError("no response (connection reset): GET /services/data"));
  HttpRequest r;
  r.url = "http://127.0.0.1:9/services/data/v62.0/query?q=x";
  EXPECT_FALSE(t.Send(r).ok());
  auto const log = cap.out.str();
  EXPECT_NE(log.find("[warning]"), std::string::npos) << log;
  EXPECT_NE(log.find("failed: unavailable"), std::string::npos) << log;
}

TEST(FormatLogLine, ControlCharactersInHeaderValuesCannotForgeLines) {
  HttpRequest r;
  r.url = "https://x/services/data";
  HttpResponse resp;
  resp.status = 200;
  resp.headers.Set("Sforce-Locator", "abc\n[error] forged");
  auto const line = FormatLogLine(r, &resp, OkStatus(), std::chrono::milliseconds(1));
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

TEST(FormatLogLine, ShowsThePortUnlessItIsTheSchemeDefault) {
  HttpResponse resp;
  resp.status = 200;
  auto line_for = [&](std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    return FormatLogLine(r, &resp, OkStatus(), std::chrono::milliseconds(1));
  };
  EXPECT_NE(line_for("http://127.0.0.1:8443/services/data?q=1")
                .find("GET http://127.0.0.1:8443/services/data?<3 bytes>"),
            std::string::npos);
  EXPECT_NE(line_for("https://forge.internal:9443/api/v1/tasks")
                .find("GET https://forge.internal:9443/api/v1/tasks "),
            std::string::npos);
  EXPECT_NE(line_for("https://acme.my.salesforce.com:443/services/data")
                .find("GET https://acme.my.salesforce.com/services/data "),
            std::string::npos);
  EXPECT_NE(line_for("http://[::1]:80/x").find("GET http://[::1]/x "), std::string::npos);
}

}  // namespace
}  // namespace casebridge::http
