// The HTML report opened in headless Chromium (Debian package `chromium`): the page renders
// (a screenshot is taken and must not be blank), its script runs (data-ready, the filter
// count), the DOM holds the expected breached-flag rows and chart elements, and hostile record
// values stay text. Skipped, saying why, only when /usr/bin/chromium is absent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char const* kChromium = "/usr/bin/chromium";

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Quote(std::string const& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command; stdout goes to `output`, stderr to `errors_file`.
int RunShell(std::string const& cmd, std::string& output, std::string const& errors_file) {
  FILE* p = popen((cmd + " 2>" + Quote(errors_file)).c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  return pclose(p);
}

std::size_t Count(std::string const& text, std::string const& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

class ReportHtmlInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kChromium, X_OK) != 0) {
      GTEST_SKIP() << kChromium << " is not installed (Debian package `chromium`; "
                   << "deploy/run.sh test installs it): the page cannot be opened headless";
    }
  }

  // Writes the HTML report of `input` and returns its path.
  std::string Report(std::string const& input, std::vector<std::string> const& extra = {}) {
    std::string out = dir_.path() + "/report.html";
    std::vector<std::string> args = {"report",
                                     "--input",
                                     input,
                                     "--now",
                                     "2026-03-20T15:00:00Z",
                                     "--from",
                                     "2026-03-01",
                                     "--to",
                                     "2026-03-31",
                                     "--format",
                                     "html",
                                     "--out",
                                     out,
                                     "--salesforce-url",
                                     "https://example.my.salesforce.com"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }

  std::string Chromium(std::string const& flags, std::string const& page) {
    std::string out;
    std::string const errors = dir_.path() + "/chromium.err";
    std::string const cmd = std::string("timeout 120 ") + kChromium +
                            " --headless --no-sandbox --disable-gpu --no-first-run"
                            " --disable-dev-shm-usage --user-data-dir=" +
                            Quote(dir_.path() + "/profile") + " " + flags + " " +
                            Quote("file://" + page);
    int const rc = RunShell(cmd, out, errors);
    EXPECT_EQ(rc, 0) << cmd << "\n" << ReadFile(errors);
    return out;
  }

  testing_util::TempDir dir_;
};

TEST_F(ReportHtmlInChromium, TheSampleReportRendersWithItsRowsChartsAndWorkingScript) {
  std::string const page = Report(SourcePath("tests/data/samples.jsonl"));
  std::string const dom = Chromium("--dump-dom", page);
  ASSERT_FALSE(dom.empty());
  // The inline script ran (it marks the page and fills the filter count).
  EXPECT_THAT(dom, HasSubstr("data-ready=\"true\""));
  EXPECT_THAT(dom, HasSubstr("<span id=\"shown-count\">26</span>"));
  // 26 breached flags, the worst first: case 00010005's installer_contact_2d, 23040 min late.
  EXPECT_EQ(Count(dom, "<tr class=\"flag-row\""), 26U);
  std::regex const first_row(
      "<tr class=\"flag-row\" data-case=\"500S000000000005\" data-rule=\"installer_contact_2d\">"
      "<td><a href=\"https://example.my.salesforce.com/lightning/r/Case/500S000000000005/"
      "view\"[^>]*>00010005</a>");
  EXPECT_TRUE(std::regex_search(dom, first_row));
  EXPECT_THAT(dom, HasSubstr("data-v=\"23040\""));
  // Charts: a bar per ISO week (W10-W12), a stacked bar per rule (12 rules).
  EXPECT_THAT(dom, HasSubstr("<svg id=\"chart-weekly\""));
  EXPECT_EQ(Count(dom, "<rect class=\"bar\" data-week=\""), 3U);
  EXPECT_THAT(dom, HasSubstr("data-week=\"2026-W11\""));
  EXPECT_THAT(dom, HasSubstr("<svg id=\"chart-rules\""));
  EXPECT_EQ(Count(dom, "<g class=\"rule-bar\" data-rule=\""), 12U);
  EXPECT_EQ(Count(dom, "class=\"seg-breached\""), 11U);  // every rule but case_not_required
  // Headline numbers and summary tables.
  EXPECT_THAT(dom, HasSubstr("<div class=\"num\" id=\"kpi-breached\">26</div>"));
  EXPECT_THAT(dom, HasSubstr("<div class=\"num\" id=\"kpi-rate\">23.2%</div>"));
  for (char const* id : {"by-rule", "by-owner", "by-queue", "by-installer", "by-week"}) {
    EXPECT_THAT(dom, HasSubstr(std::string("id=\"") + id + "\"")) << id;
  }
  // Nothing is loaded from anywhere: no external src or stylesheet.
  EXPECT_THAT(dom, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(dom, Not(HasSubstr("<link ")));

  std::string const png = dir_.path() + "/report.png";
  Chromium("--window-size=1280,2000 --hide-scrollbars --screenshot=" + Quote(png), page);
  std::string const image = ReadFile(png);
  ASSERT_GT(image.size(), 20'000U) << "screenshot missing or blank";
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // The screenshot is not blank: a uniform page compresses to a handful of distinct bytes
  // after PNG filtering; text, tables and charts give many.
  std::string info;
  std::string const script = dir_.Write("png_info.py", R"py(import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
print(width, height, len(set(zlib.decompress(idat))))
)py");
  std::string const errors = dir_.path() + "/py.err";
  ASSERT_EQ(RunShell("python3 " + Quote(script) + " " + Quote(png), info, errors), 0)
      << ReadFile(errors);
  int width = 0;
  int height = 0;
  int distinct = 0;
  std::istringstream(info) >> width >> height >> distinct;
  EXPECT_EQ(width, 1280);
  EXPECT_EQ(height, 2000);
  EXPECT_GT(distinct, 100) << "the screenshot looks blank: " << info;
}

TEST_F(ReportHtmlInChromium, HostileRecordValuesRenderAsTextInTheBrowser) {
  std::string const page = Report(SourcePath("tests/data/report/hostile.jsonl"));
  std::string const dom = Chromium("--dump-dom", page);
  ASSERT_FALSE(dom.empty());
  EXPECT_THAT(dom, HasSubstr("data-ready=\"true\""));
  // The browser parsed no element out of any value: one script (ours), no img, no b.
  EXPECT_EQ(Count(dom, "<script"), 1U);
  EXPECT_EQ(Count(dom, "<img"), 0U);
  EXPECT_EQ(Count(dom, "<b>"), 0U);
  // ... and shows the values as text (serialised back with entities).
  EXPECT_THAT(dom, HasSubstr("&lt;script&gt;alert('subject')&lt;/script&gt; Installer never"));
  EXPECT_THAT(dom, HasSubstr("\"&gt;&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_THAT(dom, HasSubstr("Tom &amp; Jerry's &lt;b&gt;Installs&lt;/b&gt;"));
  EXPECT_THAT(dom, HasSubstr("Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m"));
  // A javascript: record URL never becomes a link; an https one does.
  EXPECT_THAT(dom, Not(HasSubstr("javascript:")));
  EXPECT_THAT(dom, HasSubstr("href=\"https://acme.my.salesforce.com/lightning/r/Case/"
                             "500H000000000003/view?x=1&amp;y=&quot;2&quot;\""));
  EXPECT_EQ(Count(dom, "<tr class=\"flag-row\""), 9U);
}

}  // namespace
}  // namespace casebridge
