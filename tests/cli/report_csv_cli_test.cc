// The CSV export read back by an independent parser (Python's csv module): every field of
// every row must equal the same flag in the JSON export of the same data, including hostile
// values (commas, quotes, line breaks, formula-looking text, non-ASCII), with the BOM and CRLF
// line ends of RFC 4180.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using testing_util::RunCli;
using testing_util::SourcePath;

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command (arguments quoted by the caller) and returns its exit status and output.
int RunShell(std::string const& cmd, std::string& output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) output += buf.data();
  return pclose(p);
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

constexpr char const* kCheckScript = R"py(import csv, io, json, sys

csv_path, json_path = sys.argv[1], sys.argv[2]
raw = open(csv_path, "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
text = raw.decode("utf-8-sig")
# RFC 4180: every record ends in CRLF (line breaks inside quoted fields are data).
assert text.endswith("\r\n"), "last record does not end in CRLF"
rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
header, rows = rows[0], rows[1:]
doc = json.load(open(json_path, encoding="utf-8"))
flags = doc["flags"]
assert len(rows) == len(flags), (len(rows), len(flags))

guarded = {"case_number", "case_id", "source_system", "subject", "owner_id", "owner_name",
           "queue", "installer_id", "installer_name", "evidence", "link"}
expected_header = ["case_number", "case_id", "source_system", "subject", "rule",
                   "rule_description", "status", "owner_id", "owner_name", "queue",
                   "installer_id", "installer_name", "tier", "started", "started_local", "due",
                   "due_local", "met_at", "met_at_local", "late_minutes", "evidence", "link",
                   "time_zone"]
assert header == expected_header, header

def expect(key, value):
    if value is None:
        return ""
    value = str(value)
    if key in guarded and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

checked = 0
for n, (row, flag) in enumerate(zip(rows, flags), start=2):
    assert len(row) == len(header), (n, len(row))
    record = dict(zip(header, row))
    for key in header[:-1]:
        want = expect(key, flag[key])
        assert record[key] == want, (n, key, record[key], want)
        checked += 1
    assert record["time_zone"] == doc["time_zone"], (n, record["time_zone"])
print("ok", len(rows), "rows", checked, "fields")
)py";

TEST(ReportCsvRoundTrip, PythonsCsvModuleReadsBackEveryFieldOfEveryRow) {
  testing_util::TempDir dir;
  std::string const input =
      dir.Write("all.jsonl", ReadFile(SourcePath("tests/data/samples.jsonl")) +
                                 ReadFile(SourcePath("tests/data/report/hostile.jsonl")));
  std::string const csv = dir.path() + "/r.csv";
  std::string const json = dir.path() + "/r.json";
  std::vector<std::string> const common = {"--input",
                                           input,
                                           "--now",
                                           "2026-03-20T15:00:00Z",
                                           "--from",
                                           "2026-03-01",
                                           "--to",
                                           "2026-03-31",
                                           "--forge-url",
                                           "https://forge.example.com",
                                           "--salesforce-url",
                                           "https://example.my.salesforce.com"};
  std::vector<std::string> csv_args = {"report", "--format", "csv", "--bom", "--out", csv};
  csv_args.insert(csv_args.end(), common.begin(), common.end());
  std::vector<std::string> json_args = {"report", "--format", "json", "--out", json};
  json_args.insert(json_args.end(), common.begin(), common.end());
  auto c = RunCli(csv_args);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = RunCli(json_args);
  ASSERT_EQ(j.exit_code, 0) << j.err;

  std::string const raw = ReadFile(csv);
  // The hostile values really are in the file, in their RFC 4180 form.
  EXPECT_THAT(raw, HasSubstr("\"Roof leak,\nsecond line with \"\"quotes\"\"\""));
  EXPECT_THAT(raw, HasSubstr("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""));
  EXPECT_THAT(raw, HasSubstr("Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m"));

  std::string const script = dir.Write("check.py", kCheckScript);
  std::string output;
  int const rc =
      RunShell("python3 " + Quote(script) + " " + Quote(csv) + " " + Quote(json), output);
  EXPECT_EQ(rc, 0) << output;
  // 126 sample flags + 10 hostile ones (6 + 2 + 2, see tests/data/report/README.md).
  EXPECT_THAT(output, HasSubstr("ok 136 rows"));
}

}  // namespace
}  // namespace casebridge
