// Compliance report exports (SPEC 3 `casebridge report`): per-flag rows and summaries as CSV,
// JSON, Markdown or one self-contained HTML page.
//
// Flow: flags (store::FlagRecord) from the state store (StateStore::ForEachFlag, see
// sources.h) or from snapshots evaluated by the engine (case_flags.h)
//   -> ReportWriter::Add(): range and filters, summary counters, the row streamed to the
//      output (CSV, JSON) or kept in a bounded "worst breaches" table (Markdown, HTML)
//   -> ReportWriter::Finish(): summaries, headline numbers, charts, closing.
//
// Streaming and memory: CSV and JSON write every matching flag as it arrives, so their output
// is complete and memory does not grow with the number of flags. Summaries are counters per
// group plus bounded late-minute histograms (summary.h). Markdown and HTML show the summaries
// first, so they hold back only their table of breached flags, which keeps the `max_rows`
// worst (most minutes late) and says so when more were breached.
//
// Row fields (CSV columns, JSON members): case_number, case_id, source_system, subject, rule,
// rule_description, status, owner_id, owner_name, queue, installer_id, installer_name, tier,
// started, started_local, due, due_local, met_at, met_at_local, late_minutes, evidence, link.
// Instants are ISO-8601 UTC (`Z`); the *_local columns are `YYYY-MM-DD HH:MM:SS` wall time in
// the report's zone (the business calendar's). A name that is not known falls back to the id.
//
// Every value taken from a record is escaped for its format: JSON string escapes, RFC 4180
// quoting (plus a `'` before a leading = + - @ so spreadsheets do not run it as a formula),
// Markdown backslash escapes, HTML entities (a subject holding `<script>` renders as text). The
// HTML page loads nothing: inline CSS, inline SVG charts, one inline script for sorting and
// filtering, and a Content-Security-Policy that forbids any network access. Links are only
// http(s) URLs.
//
// Thread-safety: a ReportWriter is not thread-safe; use one per report.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/store/records.h"

namespace casebridge::report {

enum class Format : std::uint8_t { kCsv, kJson, kMarkdown, kHtml };

/// `csv`, `json`, `md` (or `markdown`), `html`; nullopt otherwise.
std::optional<Format> ParseFormat(std::string_view text);
/// `csv`, `json`, `md`, `html`.
std::string_view FormatName(Format format);

/// Where record links point. A flag's own `record_url` (when it is an http(s) URL) wins.
struct LinkOptions {
  /// Salesforce instance, e.g. `https://acme.my.salesforce.com`: Case links are
  /// `<instance>/lightning/r/Case/<id>/view`. Empty: no links to Salesforce records.
  std::string salesforce_instance_url;
  /// Forge web app, e.g. `https://forge.example.com`. Empty: no links to Forge records.
  std::string forge_base_url;
  /// Path of a Forge ticket page under `forge_base_url`; `{id}` is replaced by the ticket id.
  std::string forge_record_path = "/tickets/{id}";
  /// HTML: each breached row also links to `explain/<case id>.html` (a `casebridge explain`
  /// page written next to the report by `casebridge report --explain-pages`).
  bool explain_pages = false;
};

/// The link to a case record: `record_url` when it is an http(s) URL, else built from
/// `options` by `source_system` (`salesforce` | `forge`); "" when no base URL is known.
std::string RecordLink(LinkOptions const& options, std::string_view source_system,
                       std::string_view case_id, std::string_view record_url = {});

/// Flags kept in a report. Each list is a set of accepted values; an empty list accepts all.
struct ReportFilters {
  std::vector<std::string> rules;       // rule ids (SPEC 1.4)
  std::vector<std::string> owners;      // `user:<id>` / `queue:<key>`, or a bare id/key
  std::vector<std::string> installers;  // installer ids
  std::vector<std::string> statuses;    // met | breached | pending | info
};

/// Which instant of a flag places it in the range.
enum class RangeField : std::uint8_t { kStarted, kDue };

struct ReportOptions {
  Format format = Format::kCsv;
  /// Flags whose `range_field` instant lies in [from, to).
  Instant from{};
  Instant to{};
  RangeField range_field = RangeField::kStarted;
  /// How the range was asked for, shown in the report (e.g. "2026-03-01 to 2026-03-31");
  /// empty = the two instants.
  std::string range_label;
  ReportFilters filters;
  /// IANA zone of the local-time columns, of date ranges and of ISO-week grouping.
  std::string time_zone = "UTC";
  /// Shown as the report's time (the CLI's --now; injected, never read from a clock here).
  Instant generated_at{};
  /// The one instant the report states its flags as of (issue 16), shown in the JSON, HTML and
  /// Markdown reports: minutes late of unmet breached flags, and pending versus breached, are
  /// as of it (AddFlagsFromStore restates stored flags to it). A store report uses the end of
  /// the last successful run or --now; a snapshot report the evaluation instant. nullopt:
  /// `generated_at`.
  std::optional<Instant> as_of;
  [[nodiscard]] Instant AsOf() const { return as_of.value_or(generated_at); }
  /// Where the flags came from, shown in the report (no secrets: redact URLs first).
  std::string source;
  std::string title = "Compliance report";
  /// CSV: start with a UTF-8 byte order mark (Excel then reads the file as UTF-8).
  bool bom = false;
  /// Markdown/HTML: rows of the breached-flags table (the worst kept). >= 1.
  std::size_t max_rows = 5000;
  LinkOptions links;
};

/// Parses one end of a report range. A date `YYYY-MM-DD` means whole local days in
/// `time_zone`: as the start (`end` false) its local midnight, as the end (`end` true) the
/// midnight after it, so `--from 2026-03-01 --to 2026-03-31` covers all of March. An ISO-8601
/// instant with an offset is taken as is (an end instant is exclusive). kInvalidArgument for
/// anything else or an unknown zone.
StatusOr<Instant> ParseRangeBound(std::string_view text, bool end, std::string const& time_zone);

/// Checks filters (known rule ids and statuses), the range and max_rows.
/// kInvalidArgument naming the offending option.
Status ValidateOptions(ReportOptions const& options);

struct ReportTotals {
  std::int64_t flags = 0;  // flags written / counted (after range and filters)
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t pending = 0;
  std::int64_t info = 0;
  std::int64_t table_rows = 0;     // Markdown/HTML: rows in the breached-flags table
  bool table_truncated = false;    // more breached flags than max_rows
  std::int64_t skipped_input = 0;  // input lines skipped as bad (snapshot input)
};

class ReportWriter {
 public:
  /// Validates `options` (ValidateOptions, and the time zone) and writes the report's
  /// beginning to `out`, which must outlive the writer. kInvalidArgument on bad options.
  static StatusOr<std::unique_ptr<ReportWriter>> Create(ReportOptions options, std::ostream& out);
  ~ReportWriter();
  ReportWriter(ReportWriter const&) = delete;
  ReportWriter& operator=(ReportWriter const&) = delete;

  [[nodiscard]] ReportOptions const& options() const;

  /// True when `flag` lies in the range and passes every filter.
  [[nodiscard]] bool Matches(store::FlagRecord const& flag) const;

  /// Counts and writes `flag` when it Matches() (others are ignored). Output is buffered and
  /// written in large chunks. kUnavailable when writing to the stream fails;
  /// kFailedPrecondition after Finish().
  Status Add(store::FlagRecord const& flag);

  /// Records how many input lines were skipped as bad (shown in the report).
  void SetSkippedInput(std::int64_t lines);

  /// Writes the summaries and the end of the document and flushes. kUnavailable when writing
  /// fails; kFailedPrecondition when called twice.
  Status Finish();

  [[nodiscard]] ReportTotals const& totals() const;

 private:
  struct Impl;
  explicit ReportWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace casebridge::report
