// ReportWriter: range and filters, links, escaping of hostile values per format, the bounded
// breached table, streaming in bounded memory, write failures.
#include "connector/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace casebridge::report {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

store::FlagRecord Flag(std::string const& case_id, std::string rule, std::string status,
                       Instant started, std::int64_t late = 0) {
  store::FlagRecord f;
  f.case_id = case_id;
  f.case_number = "N-" + case_id;
  f.source_system = "salesforce";
  f.rule_id = std::move(rule);
  f.status = std::move(status);
  f.started = started;
  f.due = started + 4h;
  if (f.status == "breached") f.late_minutes = late;
  if (f.status == "met") f.met_at = started + 1h;
  f.evidence = R"({"met_by":null,"awaiting":"homeowner_contacted"})";
  f.owner = "user:005A";
  f.installer = "001I";
  f.tier = 2;
  return f;
}

ReportOptions Options(Format format) {
  ReportOptions o;
  o.format = format;
  o.from = T("2026-03-01T00:00:00Z");
  o.to = T("2026-04-01T00:00:00Z");
  o.time_zone = "America/New_York";
  o.generated_at = T("2026-03-20T15:00:00Z");
  o.source = "unit test";
  o.links.salesforce_instance_url = "https://acme.my.salesforce.com/";
  o.links.forge_base_url = "https://forge.example.com";
  return o;
}

// Writes a report of `flags` and returns its text.
std::string Write(ReportOptions const& options, std::vector<store::FlagRecord> const& flags,
                  ReportTotals* totals = nullptr) {
  std::ostringstream out;
  auto writer = ReportWriter::Create(options, out);
  EXPECT_TRUE(writer.ok()) << writer.status();
  if (!writer.ok()) return "";
  for (auto const& f : flags) EXPECT_TRUE((*writer)->Add(f).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  if (totals != nullptr) *totals = (*writer)->totals();
  return out.str();
}

std::vector<std::string> CaseIds(std::string const& json_text) {
  auto const j = nlohmann::json::parse(json_text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << json_text;
  std::vector<std::string> ids;
  if (j.is_discarded()) return ids;
  for (auto const& f : j.at("flags")) ids.push_back(f.at("case_id").get<std::string>());
  return ids;
}

store::FlagRecord Hostile() {
  auto f = Flag("500X", "response_4bh", "breached", T("2026-03-10T14:00:00Z"), 75);
  f.subject = "<script>alert('subject')</script>";
  f.owner_name = R"("><img src=x onerror=alert(1)>)";
  f.installer_name = "Tom & Jerry's <b>Installs</b>";
  f.queue = "back_office</td><td>";
  f.case_number = "<i>00042</i>";
  f.record_url = "javascript:alert(document.cookie)";
  f.evidence = R"({"text":"</script><script>alert(3)</script>"})";
  return f;
}

TEST(ReportWriter, OnlyFlagsInTheRangeAndPassingEveryFilterAreWritten) {
  std::vector<store::FlagRecord> flags = {
      Flag("A", "response_4bh", "breached", T("2026-03-02T14:00:00Z"), 10),
      Flag("B", "response_4bh", "met", T("2026-03-02T15:00:00Z")),
      Flag("C", "followup_5d", "breached", T("2026-03-03T14:00:00Z"), 20),
      Flag("D", "response_4bh", "breached", T("2026-02-28T23:59:59Z"), 5),  // before the range
      Flag("E", "response_4bh", "breached", T("2026-04-01T00:00:00Z"), 5),  // `to` is excluded
  };
  flags[2].owner = "queue:back_office";
  flags[2].installer = "001J";
  EXPECT_THAT(CaseIds(Write(Options(Format::kJson), flags)), ::testing::ElementsAre("A", "B", "C"));

  auto by_rule = Options(Format::kJson);
  by_rule.filters.rules = {"response_4bh"};
  EXPECT_THAT(CaseIds(Write(by_rule, flags)), ::testing::ElementsAre("A", "B"));

  auto by_status = Options(Format::kJson);
  by_status.filters.statuses = {"breached"};
  EXPECT_THAT(CaseIds(Write(by_status, flags)), ::testing::ElementsAre("A", "C"));

  auto by_owner = Options(Format::kJson);
  by_owner.filters.owners = {"back_office"};  // a bare key matches queue:back_office
  EXPECT_THAT(CaseIds(Write(by_owner, flags)), ::testing::ElementsAre("C"));
  by_owner.filters.owners = {"user:005A", "005Z"};
  EXPECT_THAT(CaseIds(Write(by_owner, flags)), ::testing::ElementsAre("A", "B"));

  auto by_installer = Options(Format::kJson);
  by_installer.filters.installers = {"001J"};
  EXPECT_THAT(CaseIds(Write(by_installer, flags)), ::testing::ElementsAre("C"));

  auto by_due = Options(Format::kJson);
  by_due.range_field = RangeField::kDue;
  by_due.from = T("2026-03-02T18:30:00Z");  // A is due 18:00, B 19:00, C 03-03 18:00
  EXPECT_THAT(CaseIds(Write(by_due, flags)), ::testing::ElementsAre("B", "C"));
}

TEST(ReportWriter, BadOptionsAreRejectedNamingTheOption) {
  std::ostringstream out;
  auto o = Options(Format::kCsv);
  o.filters.rules = {"response_4h"};
  auto w = ReportWriter::Create(o, out);
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(),
              AllOf(HasSubstr("--rule"), HasSubstr("response_4h"), HasSubstr("response_4bh")));
  o = Options(Format::kCsv);
  o.filters.statuses = {"late"};
  EXPECT_THAT(ReportWriter::Create(o, out).status().message(), HasSubstr("--status"));
  o = Options(Format::kCsv);
  o.to = o.from;
  EXPECT_THAT(ReportWriter::Create(o, out).status().message(), HasSubstr("range is empty"));
  o = Options(Format::kCsv);
  o.max_rows = 0;
  EXPECT_THAT(ReportWriter::Create(o, out).status().message(), HasSubstr("--max-rows"));
  o = Options(Format::kCsv);
  o.time_zone = "Nowhere/Atlantis";
  EXPECT_THAT(ReportWriter::Create(o, out).status().message(), HasSubstr("Nowhere/Atlantis"));
}

TEST(ReportWriter, HtmlShowsHostileRecordValuesAsText) {
  std::string const html = Write(Options(Format::kHtml), {Hostile()});
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("Tom &amp; Jerry&#39;s &lt;b&gt;Installs&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("back_office&lt;/td&gt;&lt;td&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;i&gt;00042&lt;/i&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));  // a non-http record_url is never a link
  // Exactly one script element: ours.
  std::size_t scripts = 0;
  for (auto pos = html.find("<script"); pos != std::string::npos;
       pos = html.find("<script", pos + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 1U);
  EXPECT_THAT(html, HasSubstr("Content-Security-Policy"));
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));
}

TEST(ReportWriter, MarkdownCsvAndJsonEscapeHostileValuesForTheirSyntax) {
  store::FlagRecord f = Hostile();
  f.subject = "a|b\nsecond line, with \"quotes\"";
  f.owner_name = "=cmd|' /C calc'!A0";
  std::string const md = Write(Options(Format::kMarkdown), {f});
  EXPECT_THAT(md, HasSubstr("a\\|b second line, with \"quotes\""));
  EXPECT_THAT(md, HasSubstr("\\<i\\>00042\\</i\\>"));

  std::string const csv = Write(Options(Format::kCsv), {f});
  EXPECT_THAT(csv, HasSubstr("\"a|b\nsecond line, with \"\"quotes\"\"\""));
  EXPECT_THAT(csv, HasSubstr(",'=cmd|' /C calc'!A0,"));

  std::string const json = Write(Options(Format::kJson), {f});
  auto const j = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json;
  auto const& row = j.at("flags").at(0);
  EXPECT_EQ(row.at("subject"), f.subject);
  EXPECT_EQ(row.at("owner_name"), f.owner_name);
  // The javascript: record_url is not used: the link is built from the instance URL instead.
  EXPECT_EQ(row.at("link"), "https://acme.my.salesforce.com/lightning/r/Case/500X/view");
}

TEST(ReportWriter, InvalidUtf8InARecordStillGivesValidJson) {
  auto f = Flag("500U", "response_4bh", "met", T("2026-03-05T14:00:00Z"));
  f.subject = "caf\xE9 \xFF";  // Latin-1 bytes
  std::string const json = Write(Options(Format::kJson), {f});
  auto const j = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j.at("flags").at(0).at("subject"), "caf\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST(ReportWriter, LinksAreBuiltPerSourceSystemAndRecordUrlsWinWhenTheyAreHttp) {
  LinkOptions links;
  links.salesforce_instance_url = "https://acme.my.salesforce.com/";
  links.forge_base_url = "https://forge.example.com/";
  EXPECT_EQ(RecordLink(links, "salesforce", "500Dn00000AbCdE"),
            "https://acme.my.salesforce.com/lightning/r/Case/500Dn00000AbCdE/view");
  EXPECT_EQ(RecordLink(links, "forge", "T 77/x"), "https://forge.example.com/tickets/T%2077%2Fx");
  links.forge_record_path = "app/#/ticket/{id}?tab=log";
  EXPECT_EQ(RecordLink(links, "forge", "77"), "https://forge.example.com/app/#/ticket/77?tab=log");
  EXPECT_EQ(RecordLink(links, "salesforce", "500A", "https://elsewhere/500A"),
            "https://elsewhere/500A");
  EXPECT_EQ(RecordLink(links, "salesforce", "500A", "javascript:alert(1)"),
            "https://acme.my.salesforce.com/lightning/r/Case/500A/view");
  EXPECT_EQ(RecordLink(LinkOptions{}, "salesforce", "500A"), "");
  EXPECT_EQ(RecordLink(links, "zendesk", "9"), "");
}

TEST(ReportWriter, CsvHasAHeaderCrlfLinesLocalTimesAndAnOptionalBom) {
  auto o = Options(Format::kCsv);
  std::string const plain = Write(o, {Flag("A", "response_4bh", "met", T("2026-03-06T22:30:00Z"))});
  EXPECT_EQ(plain.rfind("case_number,case_id,source_system,subject,rule,", 0), 0U);
  EXPECT_THAT(plain, HasSubstr("\r\nN-A,A,salesforce,,response_4bh,"));
  EXPECT_THAT(plain, HasSubstr(",2026-03-06T22:30:00Z,2026-03-06 17:30:00,"));
  EXPECT_THAT(plain, HasSubstr(",America/New_York\r\n"));
  EXPECT_THAT(plain, HasSubstr(",https://acme.my.salesforce.com/lightning/r/Case/A/view,"));
  o.bom = true;
  std::string const bom = Write(o, {});
  EXPECT_EQ(bom.rfind("\xEF\xBB\xBF"
                      "case_number,",
                      0),
            0U);
}

TEST(ReportWriter, TheBreachedTableKeepsTheWorstRowsAndSaysItWasTruncated) {
  std::vector<store::FlagRecord> flags;
  flags.reserve(51);
  for (int i = 0; i < 50; ++i) {
    flags.push_back(Flag("C" + std::to_string(i), "response_4bh", "breached",
                         T("2026-03-02T14:00:00Z") + std::chrono::minutes(i), (i * 37) % 101));
  }
  flags.push_back(Flag("M", "response_4bh", "met", T("2026-03-02T14:00:00Z")));
  auto o = Options(Format::kHtml);
  o.max_rows = 5;
  ReportTotals totals;
  std::string const html = Write(o, flags, &totals);
  EXPECT_TRUE(totals.table_truncated);
  EXPECT_EQ(totals.table_rows, 5);
  EXPECT_EQ(totals.breached, 50);
  EXPECT_THAT(html, HasSubstr("id=\"table-truncated\">Showing the 5 worst of 50 breached"));
  // Late minutes (i*37)%101 for i < 50: the five largest are 100, 97, 96, 94, 93.
  std::vector<std::string> lates;
  for (auto pos = html.find("class=\"flag-row\""); pos != std::string::npos;
       pos = html.find("class=\"flag-row\"", pos + 1)) {
    auto const row_end = html.find("</tr>", pos);
    std::string const late_cell = R"(<td class="num" data-v=")";
    auto const cell = html.rfind(late_cell, html.rfind(R"(<td class="evidence")", row_end));
    auto const v = cell + late_cell.size();
    lates.push_back(html.substr(v, html.find('"', v) - v));
  }
  EXPECT_THAT(lates, ::testing::ElementsAre("100", "97", "96", "94", "93"));

  std::string const md = Write(
      [&] {
        auto m = Options(Format::kMarkdown);
        m.max_rows = 5;
        return m;
      }(),
      flags);
  EXPECT_THAT(md, HasSubstr("Showing the 5 worst of 50 breached flags"));
}

TEST(ReportWriter, AddAfterFinishAndFinishTwiceAreRefused) {
  std::ostringstream out;
  auto w = ReportWriter::Create(Options(Format::kCsv), out);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_EQ((*w)->Add(Flag("A", "response_4bh", "met", T("2026-03-02T14:00:00Z"))).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*w)->Finish().code(), StatusCode::kFailedPrecondition);
}

TEST(ReportWriter, AFailingOutputStreamIsReportedAsUnavailable) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto w = ReportWriter::Create(Options(Format::kJson), out);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->Finish().code(), StatusCode::kUnavailable);
}

TEST(ParseRangeBound, DatesAreWholeLocalDaysAndInstantsAreExact) {
  auto const from = ParseRangeBound("2026-03-08", false, "America/New_York");
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(*from, T("2026-03-08T05:00:00Z"));  // EST midnight
  auto const to = ParseRangeBound("2026-03-08", true, "America/New_York");
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(*to, T("2026-03-09T04:00:00Z"));  // the next midnight is EDT: a 23-hour day
  auto const exact = ParseRangeBound("2026-03-08T12:00:00-05:00", true, "America/New_York");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, T("2026-03-08T17:00:00Z"));
  auto const bad = ParseRangeBound("March 8", false, "America/New_York");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().info().field, "from");
  EXPECT_THAT(bad.status().message(), HasSubstr("March 8"));
}

std::size_t AllocatedBytes() { return mallinfo2().uordblks; }

TEST(ReportWriter, HalfAMillionFlagsStreamInBoundedMemoryInEveryFormat) {
  constexpr int kFlags = 500'000;
  for (Format format : {Format::kCsv, Format::kJson, Format::kHtml}) {
    // A sink that discards output: what matters is what the writer keeps.
    struct NullBuf : std::streambuf {
      int overflow(int c) override { return c; }
      std::streamsize xsputn(char const* /*s*/, std::streamsize n) override { return n; }
    } null_buf;
    std::ostream sink(&null_buf);
    auto o = Options(format);
    o.from = T("2025-01-01T00:00:00Z");
    o.to = T("2027-01-01T00:00:00Z");
    o.max_rows = 1000;
    auto w = ReportWriter::Create(o, sink);
    ASSERT_TRUE(w.ok());
    store::FlagRecord f = Flag("500", "response_4bh", "breached", T("2025-01-06T14:00:00Z"));
    std::size_t baseline = 0;
    std::size_t peak = 0;
    for (int i = 0; i < kFlags; ++i) {
      f.case_id = "500" + std::to_string(i);
      f.started = T("2025-01-06T14:00:00Z") + std::chrono::minutes(i);  // ~50 weeks
      f.owner = "user:" + std::to_string(i % 40);
      f.installer = "001" + std::to_string(i % 300);
      f.status = i % 3 == 0 ? "breached" : "met";
      f.late_minutes = i % 3 == 0 ? std::optional<std::int64_t>(i % 5000) : std::nullopt;
      ASSERT_TRUE((*w)->Add(f).ok());
      if (i == 50'000) baseline = AllocatedBytes();
      if (i > 50'000 && i % 10'000 == 0) peak = std::max(peak, AllocatedBytes());
    }
    ASSERT_TRUE((*w)->Finish().ok());
    EXPECT_EQ((*w)->totals().flags, kFlags);
    std::size_t const growth = peak > baseline ? peak - baseline : 0;
    // Holding the rows would take > 100 MB; the writer keeps counters, histograms with at most
    // 5,000 distinct values per group and (HTML) the 1,000 worst rows.
    EXPECT_LT(growth, 4U * 1024 * 1024)
        << FormatName(format) << ": memory grew by " << growth << " bytes";
  }
}

}  // namespace
}  // namespace casebridge::report
