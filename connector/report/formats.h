// Internal: one writer per output format behind a small interface, fed by ReportWriter.
// Writers append to a caller-owned buffer (ReportWriter flushes it in large chunks).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "connector/report/report.h"
#include "connector/report/summary.h"

namespace casebridge::report::report_internal {

/// One flag as shown: every value already rendered as text ("" = none).
struct Row {
  std::string case_number;
  std::string case_id;
  std::string source_system;
  std::string subject;
  std::string rule;
  std::string rule_description;
  std::string status;
  std::string owner_id;
  std::string owner_name;
  std::string queue;
  std::string installer_id;
  std::string installer_name;
  std::optional<int> tier;
  std::string started;
  std::string started_local;
  std::string due;
  std::string due_local;
  std::string met_at;
  std::string met_at_local;
  std::optional<std::int64_t> late_minutes;
  std::string evidence;
  std::string link;

  // Order of the breached-flags table (most minutes late first; see RowBefore()).
  std::int64_t late = 0;
  Instant started_at{};
  std::uint64_t seq = 0;  // arrival order, the last tie-breaker

  [[nodiscard]] std::string const& OwnerDisplay() const {
    return owner_name.empty() ? owner_id : owner_name;
  }
  [[nodiscard]] std::string const& InstallerDisplay() const {
    return installer_name.empty() ? installer_id : installer_name;
  }
};

/// True when `a` is listed before `b` in the breached table: more minutes late, then earlier
/// start, then arrival order.
inline bool RowBefore(Row const& a, Row const& b) {
  if (a.late != b.late) return a.late > b.late;
  if (a.started_at != b.started_at) return a.started_at < b.started_at;
  return a.seq < b.seq;
}

struct Context {
  ReportOptions const& options;
  ReportTotals const& totals;
  Summary const& summary;  // complete only in End()
};

class FormatWriter {
 public:
  virtual ~FormatWriter() = default;
  /// Wants AddRow() for every matching flag (CSV, JSON).
  [[nodiscard]] virtual bool WantsRows() const = 0;
  /// Wants the breached-flags table in End() (Markdown, HTML).
  [[nodiscard]] virtual bool WantsTable() const = 0;
  virtual void Begin(Context const& ctx, std::string& out) = 0;
  virtual void AddRow(Row const& row, std::string& out) = 0;
  /// `table`: the breached flags kept, in display order.
  virtual void End(Context const& ctx, std::span<Row const> table, std::string& out) = 0;
};

std::unique_ptr<FormatWriter> MakeCsvWriter();
std::unique_ptr<FormatWriter> MakeJsonWriter();
std::unique_ptr<FormatWriter> MakeMarkdownWriter();
std::unique_ptr<FormatWriter> MakeHtmlWriter();

// --- Helpers shared by the writers ---------------------------------------------------------

void AppendInt(std::string& out, std::int64_t v);
/// A ratio as a JSON number with at most 4 decimals (0.25, 1, 0.3333); `null` when absent.
void AppendJsonRatio(std::string& out, std::optional<double> r);
/// A ratio as a percentage with one decimal ("25.0%"); "–" when absent.
void AppendPercent(std::string& out, std::optional<double> r);
/// The `p` percentile of `h` as text: "–" when empty, prefixed with "≈" when not exact.
void AppendLate(std::string& out, LateHistogram const& h, double p);
/// An optional integer as text; "–" when absent.
void AppendOptInt(std::string& out, std::optional<std::int64_t> v);
/// "2026-03-01T05:00:00Z to 2026-04-01T04:00:00Z" or the options' range_label, plus which
/// instant places a flag in it, e.g. "flags started 2026-03-01 to 2026-03-31 (America/New_York)".
std::string RangeDescription(ReportOptions const& options);
/// The filters in words ("rule response_4bh; status breached"), "none" when there are none.
std::string FiltersDescription(ReportFilters const& filters);
/// "started" or "due".
std::string_view RangeFieldName(RangeField field);

}  // namespace casebridge::report::report_internal
