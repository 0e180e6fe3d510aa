// Observability of `casebridge sync` (issue 14 item 6), through the binary against the Salesforce
// emulator: --metrics-file is valid Prometheus text exposition (checked by a strict parser below)
// whose figures are the run's summary; JSON log lines carry the run id and the worker; and in
// --every mode the listener answers /metrics, /healthz and /readyz (503 after a failing run).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connector/http/cpprest_transport.h"
#include "connector/sandbox/sf_ids.h"
#include "tests/integration/sync_support.h"
#include "tests/support/background_process.h"
#include "tests/support/cli_runner.h"

namespace casebridge {
namespace {

using nlohmann::json;
using sandbox::MakeId;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kNow[] = "2026-03-05T15:00:00Z";
constexpr std::int64_t kNowEpoch = 1772722800;
constexpr int kTier1 = 6;  // a tier_followup task each
constexpr int kTier4 = 3;  // a notify_manager feed post each

std::string const kBackOffice = MakeId("00G", 1);
std::string const kSupport = MakeId("00G", 2);
std::string const kHomeowner = MakeId("003", 1);

json Org() {
  json org;
  org["_fields"] = sync_test::OrgFields();
  sync_test::AddQueuesAndHomeowner(org, kBackOffice, kSupport, kHomeowner);
  json cases = json::array();
  for (int i = 0; i < kTier1 + kTier4; ++i) {
    cases.push_back({{"Id", MakeId("500", static_cast<std::uint64_t>(i + 1))},
                     {"Subject", "Inverter offline"},
                     {"Status", "New"},
                     {"Reason", "General Inquiry"},
                     {"OwnerId", kSupport},
                     {"ContactId", kHomeowner},
                     {"Escalation_Tier__c", i < kTier1 ? 1 : 4},
                     {"CreatedDate", "2026-03-05T10:00:00Z"}});
  }
  org["Case"] = cases;
  return org;
}

// --- A strict parser of the Prometheus text exposition format 0.0.4 --------------------------

struct Exposition {
  std::map<std::string, std::string> types;  // metric family -> type
  std::map<std::string, double> samples;     // `name{a="x",b="y"}` (labels sorted) -> value
  std::vector<std::string> errors;           // "line N: what is wrong"
  [[nodiscard]] double Value(std::string const& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? std::nan("") : it->second;
  }
  [[nodiscard]] double Sum(std::string const& name) const {  // every series of one metric
    double total = 0;
    for (auto const& [series, v] : samples) {
      if (series == name || series.starts_with(name + "{")) total += v;
    }
    return total;
  }
};

bool IsMetricName(std::string const& s) {
  static std::regex const re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  return std::regex_match(s, re);
}

// Reads `{a="x",...}` from `line` at `pos` (just after the `{`) into sorted labels.
bool ParseLabels(std::string const& line, std::size_t& pos,
                 std::map<std::string, std::string>& labels, std::string& error) {
  static std::regex const label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  while (pos < line.size() && line[pos] != '}') {
    auto const eq = line.find('=', pos);
    if (eq == std::string::npos) return (error = "label without '='"), false;
    std::string const name = line.substr(pos, eq - pos);
    if (!std::regex_match(name, label_name) || name.starts_with("__")) {
      return (error = "bad label name '" + name + "'"), false;
    }
    pos = eq + 1;
    if (pos >= line.size() || line[pos] != '"') return (error = "label value not quoted"), false;
    std::string value;
    for (++pos; pos < line.size() && line[pos] != '"'; ++pos) {
      if (line[pos] != '\\') {
        value += line[pos];
        continue;
      }
      if (++pos >= line.size()) return (error = "dangling backslash"), false;
      char const c = line[pos];
      if (c != '\\' && c != '"' && c != 'n') return (error = "bad escape"), false;
      value += c == 'n' ? '\n' : c;
    }
    if (pos >= line.size()) return (error = "unterminated label value"), false;
    ++pos;  // the closing quote
    if (!labels.emplace(name, value).second) return (error = "label " + name + " twice"), false;
    if (pos < line.size() && line[pos] == ',') ++pos;
  }
  if (pos >= line.size()) return (error = "unterminated label set"), false;
  ++pos;  // '}'
  return true;
}

bool ParseValue(std::string const& text, double& value) {
  if (text == "+Inf" || text == "-Inf" || text == "NaN") return (value = 0), true;
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size();
}

Exposition ParseExposition(std::string const& text) {
  Exposition e;
  std::set<std::string> helped;
  std::set<std::string> finished;  // families whose samples are over (another one started)
  std::string current;             // the family of the previous line
  int n = 0;
  auto fail = [&](std::string const& what) {
    e.errors.push_back("line " + std::to_string(n) + ": " + what);
  };
  if (text.empty() || text.back() != '\n') e.errors.emplace_back("does not end with a newline");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) {
      fail("empty line");
      continue;
    }
    if (line[0] == '#') {
      std::istringstream words(line.substr(1));
      std::string keyword;
      std::string name;
      words >> keyword >> name;
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      if (!IsMetricName(name)) fail("bad metric name in " + keyword);
      if (e.samples.count(name) != 0 || finished.count(name) != 0 || current == name) {
        fail(keyword + " of " + name + " after its samples");
      }
      if (keyword == "HELP" && !helped.insert(name).second) fail("second HELP of " + name);
      if (keyword == "TYPE") {
        std::string type;
        std::string extra;
        words >> type >> extra;
        static std::set<std::string> const kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (kTypes.count(type) == 0 || !extra.empty()) fail("bad TYPE line");
        if (!e.types.emplace(name, type).second) fail("second TYPE of " + name);
      }
      continue;
    }
    std::size_t pos = 0;
    while (pos < line.size() && line[pos] != '{' && line[pos] != ' ') ++pos;
    std::string const name = line.substr(0, pos);
    if (!IsMetricName(name)) {
      fail("bad metric name '" + name + "'");
      continue;
    }
    std::map<std::string, std::string> labels;
    std::string error;
    if (pos < line.size() && line[pos] == '{' && !ParseLabels(line, ++pos, labels, error)) {
      fail(error);
      continue;
    }
    if (pos >= line.size() || line[pos] != ' ') {
      fail("no value");
      continue;
    }
    std::istringstream rest(line.substr(pos + 1));
    std::string value_text;
    std::string timestamp;
    std::string extra;
    rest >> value_text >> timestamp >> extra;
    double value = 0;
    if (!ParseValue(value_text, value) || !extra.empty()) fail("bad value '" + value_text + "'");
    if (e.types.count(name) == 0 || helped.count(name) == 0)
      fail(name + ": no HELP/TYPE before it");
    if (e.types.count(name) != 0 && e.types.at(name) == "counter" && value < 0) {
      fail(name + ": a negative counter");
    }
    if (finished.count(name) != 0) fail(name + ": samples not grouped together");
    if (!current.empty() && current != name) finished.insert(current);
    current = name;
    std::string series = name;
    char sep = '{';
    for (auto const& [k, v] : labels) {
      series += sep + k + "=\"" + v + "\"";
      sep = ',';
    }
    if (!labels.empty()) series += '}';
    if (!e.samples.emplace(series, value).second) fail("duplicate series " + series);
  }
  return e;
}

TEST(PrometheusParser, RejectsWhatTheFormatForbids) {
  // The parser must be able to fail: each of these breaks one rule.
  for (std::string const bad : {
           "x 1\n",                                                       // no HELP/TYPE
           "# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",                      // duplicate series
           "# HELP x h\n# TYPE x gauge\nx{a=\"1\"} 1\n# TYPE x gauge\n",  // TYPE after samples
           "# HELP x h\n# TYPE x gauge\nx{a=1} 1\n",                      // unquoted label value
           "# HELP x h\n# TYPE x gauge\nx one\n",                         // not a number
           "# HELP x h\n# TYPE x gauge\nx 1",                             // no final newline
           "# HELP 1x h\n# TYPE 1x gauge\n1x 1\n",                        // bad name
           "# HELP x h\n# TYPE x counter\nx -1\n",                        // negative counter
       }) {
    EXPECT_FALSE(ParseExposition(bad).errors.empty()) << bad;
  }
  Exposition const ok =
      ParseExposition("# HELP x h\n# TYPE x gauge\nx{b=\"q\\\"\",a=\"\\n\"} 1.5\nx 2\n");
  EXPECT_TRUE(ok.errors.empty()) << ok.errors.front();
  EXPECT_EQ(ok.Value("x{a=\"\n\",b=\"q\"\"}"), 1.5);
}

// --- The run's own figures, from its summary --------------------------------------------------

std::int64_t SummaryNumber(std::string const& out, std::string const& pattern) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(pattern))) return -1;
  return std::stoll(m[1].str());
}

std::string ReadFile(std::string const& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SyncMetrics : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    emulator_ = sync_test::StartEmulator(Org(), clock_);
    config_ = sync_test::WriteConfig(dir_, *emulator_, "sqlite:" + dir_.path() + "/state.db");
  }

  std::vector<std::string> Args(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"sync", "--config",     config_, "--now",
                                     kNow,   "--log-format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  testing_util::TempDir dir_;
  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  std::string config_;
};

TEST_F(SyncMetrics, TheMetricsFileIsValidExpositionWithTheRunsFigures) {
  emulator_->SetApiUsage(25000);
  std::string const path = dir_.path() + "/casebridge.prom";
  auto r = testing_util::RunCli(Args({"--once", "--metrics-file", path, "--worker", "w-7"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Exposition const e = ParseExposition(ReadFile(path));
  ASSERT_TRUE(e.errors.empty()) << e.errors.front() << "\n" << ReadFile(path);
  // No temporary file is left behind: it was renamed into place.
  for (auto const& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }

  for (auto const& [name, type] :
       std::map<std::string, std::string>{{"casebridge_cases_read_total", "counter"},
                                          {"casebridge_flags", "gauge"},
                                          {"casebridge_actions_written_total", "counter"},
                                          {"casebridge_actions_failed_total", "counter"},
                                          {"casebridge_api_calls_total", "counter"},
                                          {"casebridge_api_usage_ratio", "gauge"},
                                          {"casebridge_run_duration_seconds", "gauge"},
                                          {"casebridge_last_success_timestamp_seconds", "gauge"}}) {
    EXPECT_EQ(e.types.count(name) != 0 ? e.types.at(name) : "", type) << name;
  }
  // The figures are the summary's.
  std::int64_t const written = SummaryNumber(r.out, R"(ledger; (\d+) written)");
  EXPECT_EQ(written, kTier1 + kTier4) << r.out;
  EXPECT_EQ(e.Value("casebridge_actions_written_total{system=\"salesforce\"}"), written);
  EXPECT_EQ(e.Value("casebridge_actions_failed_total{system=\"salesforce\"}"),
            SummaryNumber(r.out, R"((\d+) failed)"));
  EXPECT_EQ(e.Value("casebridge_cases_read_total"), SummaryNumber(r.out, R"((\d+) read,)"));
  EXPECT_EQ(e.Sum("casebridge_api_calls_total"), SummaryNumber(r.out, R"(api:\s+(\d+) calls)"));
  EXPECT_GT(e.Value("casebridge_api_calls_total{kind=\"write\",system=\"salesforce\"}"), 0);
  // Every rule of the summary's flags table (met / breached / pending / info): the first run
  // evaluated every case, so the store holds exactly these.
  std::regex const flag_row(R"(^  (\S+) +(\d+) / (\d+) / (\d+) / (\d+)$)");
  int rules = 0;
  for (auto const& line : testing_util::Lines(r.out)) {
    std::smatch m;
    if (!std::regex_match(line, m, flag_row)) continue;
    ++rules;
    int i = 2;
    for (char const* status : {"met", "breached", "pending"}) {
      EXPECT_EQ(e.Value("casebridge_flags{rule=\"" + m[1].str() + "\",status=\"" + status + "\"}"),
                std::stod(m[i++].str()))
          << line;
    }
  }
  EXPECT_GT(rules, 0) << r.out;
  EXPECT_GT(e.Sum("casebridge_flags"), 0);
  // The emulator's Sforce-Limit-Info: 25,000 of 100,000 before the run, plus the run's calls.
  double const usage = e.Value("casebridge_api_usage_ratio{system=\"salesforce\"}");
  EXPECT_GT(usage, 0.25);
  EXPECT_LE(usage, static_cast<double>(emulator_->ApiUsage()) / 100000.0);
  EXPECT_GE(e.Value("casebridge_run_duration_seconds"), 0);
  EXPECT_EQ(e.Value("casebridge_last_success_timestamp_seconds"), kNowEpoch);

  // JSON log lines name the run and the worker.
  std::smatch run;
  ASSERT_TRUE(std::regex_search(r.out, run, std::regex(R"(sync: run (\S+))")));
  int log_lines = 0;
  for (auto const& line : testing_util::Lines(r.err)) {
    auto const j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j.value("run", ""), run[1].str()) << line;
    EXPECT_EQ(j.value("worker", ""), "w-7") << line;
    ++log_lines;
  }
  EXPECT_GT(log_lines, 0) << r.err;

  // A second run replaces the file: nothing new to write.
  r = testing_util::RunCli(Args({"--once", "--metrics-file", path}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Exposition const again = ParseExposition(ReadFile(path));
  ASSERT_TRUE(again.errors.empty()) << again.errors.front();
  EXPECT_EQ(again.Value("casebridge_actions_written_total{system=\"salesforce\"}"), 0);
  EXPECT_EQ(again.Sum("casebridge_flags"), e.Sum("casebridge_flags"));
}

TEST_F(SyncMetrics, BackfillWritesTheMetricsFileToo) {
  std::string const path = dir_.path() + "/backfill.prom";
  auto r = testing_util::RunCli({"backfill", "--config", config_, "--now", kNow, "--from",
                                 "2026-03-01", "--to", "2026-03-06", "--apply", "--log-format",
                                 "json", "--metrics-file", path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Exposition const e = ParseExposition(ReadFile(path));
  ASSERT_TRUE(e.errors.empty()) << e.errors.front() << "\n" << ReadFile(path);
  std::int64_t const written = SummaryNumber(r.out, R"(ledger; (\d+) written)");
  EXPECT_EQ(written, kTier1 + kTier4) << r.out;
  EXPECT_EQ(e.Value("casebridge_actions_written_total{system=\"salesforce\"}"), written);
  EXPECT_EQ(e.Value("casebridge_cases_read_total"), SummaryNumber(r.out, R"((\d+) read,)"));
  EXPECT_EQ(e.Value("casebridge_last_success_timestamp_seconds"), kNowEpoch);
}

TEST_F(SyncMetrics, BadMetricsOptionsAreUsageErrors) {
  auto r = testing_util::RunCli(Args({"--once", "--metrics-listen", "127.0.0.1:0"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--metrics-listen needs --every"));
  r = testing_util::RunCli(Args({"--every", "1m", "--metrics-listen", "127.0.0.1:http"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--metrics-listen: the port must be a number"));
  r = testing_util::RunCli(Args({"--once", "--metrics-file", dir_.path() + "/no/such/x.prom"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--metrics-file: the directory " + dir_.path() + "/no/such"));
}

// --- --every with the listener ------------------------------------------------------------------

struct Reply {
  int status = 0;
  std::string body;
};

Reply Get(std::string const& url) {
  static http::CpprestTransport transport{http::CpprestTransportOptions{}};
  http::HttpRequest request;
  request.url = url;
  request.timeout = std::chrono::milliseconds(5000);
  auto r = transport.Send(request);
  if (!r.ok()) return {0, r.status().message()};
  return {r->status, r->body};
}

TEST_F(SyncMetrics, EveryModeServesMetricsHealthAndReadiness) {
  testing_util::BackgroundProcess sync([&] {
    std::vector<std::string> argv = {CASEBRIDGE_BINARY};
    for (auto& a : Args({"--every", "1s", "--metrics-listen", "127.0.0.1:0"})) argv.push_back(a);
    return argv;
  }());
  std::smatch m;
  std::string listening;
  ASSERT_TRUE(sync.WaitForLine(
      [&](std::string const& line) {
        if (!std::regex_search(line, m, std::regex(R"(on (http://127\.0\.0\.1:\d+)$)"))) {
          return false;
        }
        listening = m[1].str();
        return true;
      },
      std::chrono::seconds(20)))
      << sync.output();
  auto const summary_end = [](std::string const& line) { return line.starts_with("api:"); };

  // After a good run: /metrics parses and counts the run's writes, /readyz is 200.
  ASSERT_TRUE(sync.WaitForLine(summary_end, std::chrono::seconds(20))) << sync.output();
  Reply metrics = Get(listening + "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  Exposition const e = ParseExposition(metrics.body);
  ASSERT_TRUE(e.errors.empty()) << e.errors.front() << "\n" << metrics.body;
  EXPECT_EQ(e.Value("casebridge_actions_written_total{system=\"salesforce\"}"), kTier1 + kTier4);
  EXPECT_EQ(Get(listening + "/healthz").status, 200);
  Reply ready = Get(listening + "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(Get(listening + "/nothing").status, 404);

  // A failing run (the org's daily limit is exceeded): /readyz is 503 with the reason, the
  // process stays alive.
  sandbox::FaultSpec fault;
  fault.endpoint = sandbox::EndpointKind::kQuery;
  fault.kind = sandbox::FaultKind::kRequestLimitExceeded;
  emulator_->InjectFault(fault);
  ASSERT_TRUE(sync.WaitForLine(
      [](std::string const& line) {
        return line.find("stopped at the API budget") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << sync.output();
  emulator_->ClearFaults();
  ready = Get(listening + "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_THAT(ready.body, StartsWith("not ready: the last run failed: "));
  EXPECT_EQ(std::count(ready.body.begin(), ready.body.end(), '\n'), 1) << ready.body;
  EXPECT_EQ(Get(listening + "/healthz").status, 200);

  // The failed run's summary, then the next (good) run's: ready again.
  ASSERT_TRUE(sync.WaitForLine(summary_end, std::chrono::seconds(20))) << sync.output();
  ASSERT_TRUE(sync.WaitForLine(summary_end, std::chrono::seconds(20))) << sync.output();
  ready = Get(listening + "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

}  // namespace
}  // namespace casebridge
