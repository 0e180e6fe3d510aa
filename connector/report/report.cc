#include "connector/report/report.h"

#include <algorithm>
#include <utility>

#include "connector/report/case_flags.h"
#include "connector/report/formats.h"
#include "connector/report/local_time.h"
#include "connector/report/summary.h"
#include "connector/report/text_escape.h"
#include "mappings/catalogue.h"

namespace casebridge::report {
namespace {

using report_internal::Row;

constexpr std::size_t kFlushAt = std::size_t{1} << 20;
constexpr std::array<std::string_view, 4> kStatuses = {"met", "breached", "pending", "info"};

bool IsHttpUrl(std::string_view url) {
  auto starts = [&](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), url.begin(), [](char p, char c) {
      return p == (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    });
  };
  return starts("https://") || starts("http://");
}

std::string_view TrimSlash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

bool Contains(std::vector<std::string> const& set, std::string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// `user:005X` matches "user:005X" and "005X"; `queue:back_office` matches "back_office".
bool OwnerMatches(std::vector<std::string> const& owners, std::string_view owner) {
  if (owners.empty()) return true;
  if (Contains(owners, owner)) return true;
  auto const colon = owner.find(':');
  return colon != std::string_view::npos && Contains(owners, owner.substr(colon + 1));
}

}  // namespace

std::optional<Format> ParseFormat(std::string_view text) {
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  if (text == "md" || text == "markdown") return Format::kMarkdown;
  if (text == "html") return Format::kHtml;
  return std::nullopt;
}

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kCsv:
      return "csv";
    case Format::kJson:
      return "json";
    case Format::kMarkdown:
      return "md";
    case Format::kHtml:
      return "html";
  }
  return "csv";
}

std::string RecordLink(LinkOptions const& options, std::string_view source_system,
                       std::string_view case_id, std::string_view record_url) {
  if (IsHttpUrl(record_url)) return std::string(record_url);
  if (case_id.empty()) return {};
  std::string out;
  if (source_system == "salesforce" && IsHttpUrl(options.salesforce_instance_url)) {
    out += TrimSlash(options.salesforce_instance_url);
    out += "/lightning/r/Case/";
    report_internal::AppendUrlPathSegment(out, case_id);
    out += "/view";
  } else if (source_system == "forge" && IsHttpUrl(options.forge_base_url)) {
    out += TrimSlash(options.forge_base_url);
    std::string_view path = options.forge_record_path;
    if (path.empty() || path.front() != '/') out.push_back('/');
    auto const slot = path.find("{id}");
    if (slot == std::string_view::npos) {
      out += path;
      if (out.back() != '/') out.push_back('/');
      report_internal::AppendUrlPathSegment(out, case_id);
    } else {
      out += path.substr(0, slot);
      report_internal::AppendUrlPathSegment(out, case_id);
      out += path.substr(slot + 4);
    }
  }
  return out;
}

StatusOr<Instant> ParseRangeBound(std::string_view text, bool end, std::string const& time_zone) {
  if (auto day = ParseDate(text)) {
    auto local = report_internal::LocalTime::Create(time_zone);
    if (!local.ok()) return local.status();
    return local->StartOfDay(end ? *day + std::chrono::days(1) : *day);
  }
  if (auto instant = ParseInstant(text)) return *instant;
  ErrorInfo info;
  info.field = end ? "to" : "from";
  return InvalidArgumentError("\"" + std::string(text) +
                                  "\" is neither a date (YYYY-MM-DD) nor an ISO-8601 date-time "
                                  "with an offset (2026-03-01T00:00:00Z)",
                              std::move(info));
}

Status ValidateOptions(ReportOptions const& options) {
  for (auto const& rule : options.filters.rules) {
    if (!mappings::ParseRuleId(rule)) {
      std::string known;
      for (auto id : mappings::kAllRules) {
        if (!known.empty()) known += ", ";
        known += mappings::RuleName(id);
      }
      ErrorInfo info;
      info.field = "rule";
      std::string message = "--rule: unknown rule id \"";
      message += rule;
      message += "\" (known: ";
      message += known;
      message += ')';
      return InvalidArgumentError(std::move(message), std::move(info));
    }
  }
  for (auto const& status : options.filters.statuses) {
    if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end()) {
      ErrorInfo info;
      info.field = "status";
      return InvalidArgumentError(
          "--status: unknown status \"" + status + "\" (use met, breached, pending or info)",
          std::move(info));
    }
  }
  if (options.from >= options.to) {
    ErrorInfo info;
    info.field = "to";
    return InvalidArgumentError("the range is empty: --to (" + FormatInstant(options.to) +
                                    ") must be after --from (" + FormatInstant(options.from) + ")",
                                std::move(info));
  }
  if (options.max_rows == 0) {
    ErrorInfo info;
    info.field = "max-rows";
    return InvalidArgumentError("--max-rows must be at least 1", std::move(info));
  }
  return OkStatus();
}

struct ReportWriter::Impl {
  Impl(ReportOptions o, std::ostream& s, report_internal::LocalTime lt)
      : options(std::move(o)), out(s), local(std::move(lt)) {}

  ReportOptions options;
  std::ostream& out;
  report_internal::LocalTime local;
  std::unique_ptr<report_internal::FormatWriter> format;
  report_internal::Summary summary;
  ReportTotals totals;
  std::string buffer;
  Row scratch;
  std::vector<Row> table;  // heap by RowBefore: the top is the row listed last
  std::uint64_t seq = 0;
  bool finished = false;
  bool failed = false;

  report_internal::Context Ctx() const { return {options, totals, summary}; }

  Status Flush() {
    if (!buffer.empty()) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
    if (!out) {
      failed = true;
      return UnavailableError("writing the report failed");
    }
    return OkStatus();
  }

  void AppendLocal(std::string& dest, std::optional<Instant> t) {
    dest.clear();
    if (t) local.Append(dest, *t);
  }

  static void AppendIso(std::string& dest, std::optional<Instant> t) {
    dest.clear();
    if (t) AppendInstant(dest, *t);
  }

  void BuildRow(store::FlagRecord const& f, std::string_view rule_description,
                std::string_view queue, Row& r) {
    r.case_number.assign(f.case_number);
    r.case_id.assign(f.case_id);
    r.source_system.assign(f.source_system);
    r.subject.assign(f.subject);
    r.rule.assign(f.rule_id);
    r.rule_description.assign(rule_description);
    r.status.assign(f.status);
    r.owner_id.assign(f.owner);
    r.owner_name.assign(f.owner_name);
    r.queue.assign(queue);
    r.installer_id.assign(f.installer);
    r.installer_name.assign(f.installer_name);
    r.tier = f.tier;
    AppendIso(r.started, f.started);
    AppendLocal(r.started_local, f.started);
    AppendIso(r.due, f.due);
    AppendLocal(r.due_local, f.due);
    AppendIso(r.met_at, f.met_at);
    AppendLocal(r.met_at_local, f.met_at);
    r.late_minutes = f.status == "breached"
                         ? std::optional<std::int64_t>(f.late_minutes.value_or(0))
                         : std::nullopt;
    r.evidence.clear();
    AppendEvidenceText(r.evidence, f.status, f.evidence);
    r.link = RecordLink(options.links, f.source_system, f.case_id, f.record_url);
    r.late = r.late_minutes.value_or(0);
    r.started_at = f.started;
    r.seq = seq;
  }
};

ReportWriter::ReportWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportWriter::~ReportWriter() = default;

StatusOr<std::unique_ptr<ReportWriter>> ReportWriter::Create(ReportOptions options,
                                                             std::ostream& out) {
  if (Status s = ValidateOptions(options); !s.ok()) return s;
  auto local = report_internal::LocalTime::Create(options.time_zone);
  if (!local.ok()) return local.status();
  auto impl = std::make_unique<Impl>(std::move(options), out, std::move(local).value());
  switch (impl->options.format) {
    case Format::kCsv:
      impl->format = report_internal::MakeCsvWriter();
      break;
    case Format::kJson:
      impl->format = report_internal::MakeJsonWriter();
      break;
    case Format::kMarkdown:
      impl->format = report_internal::MakeMarkdownWriter();
      break;
    case Format::kHtml:
      impl->format = report_internal::MakeHtmlWriter();
      break;
  }
  impl->buffer.reserve(kFlushAt + std::size_t{64} * 1024);
  impl->format->Begin(impl->Ctx(), impl->buffer);
  return std::unique_ptr<ReportWriter>(new ReportWriter(std::move(impl)));
}

ReportOptions const& ReportWriter::options() const { return impl_->options; }
ReportTotals const& ReportWriter::totals() const { return impl_->totals; }
void ReportWriter::SetSkippedInput(std::int64_t lines) { impl_->totals.skipped_input = lines; }

bool ReportWriter::Matches(store::FlagRecord const& f) const {
  ReportOptions const& o = impl_->options;
  std::optional<Instant> const at =
      o.range_field == RangeField::kStarted ? std::optional<Instant>(f.started) : f.due;
  if (!at || *at < o.from || *at >= o.to) return false;
  ReportFilters const& filters = o.filters;
  if (!filters.rules.empty() && !Contains(filters.rules, f.rule_id)) return false;
  if (!filters.statuses.empty() && !Contains(filters.statuses, f.status)) return false;
  if (!filters.installers.empty() && !Contains(filters.installers, f.installer)) return false;
  return OwnerMatches(filters.owners, f.owner);
}

Status ReportWriter::Add(store::FlagRecord const& f) {
  Impl& m = *impl_;
  if (m.finished) return FailedPreconditionError("report: Add() after Finish()");
  if (m.failed) return UnavailableError("writing the report failed");
  if (!Matches(f)) return OkStatus();

  auto const rule = mappings::ParseRuleId(f.rule_id);
  std::string_view const description = rule ? mappings::RuleDescription(*rule) : std::string_view();
  std::string_view queue = f.queue;
  std::string_view const owner = f.owner;
  if (queue.empty() && owner.starts_with("queue:")) queue = owner.substr(6);
  auto const week = report_internal::IsoWeekOf(m.local.LocalDate(f.started));
  m.summary.Add(f, description, queue, week.monday, week.Label());

  ++m.totals.flags;
  std::string_view const status = f.status;
  bool const breached = status == "breached";
  if (status == "met") ++m.totals.met;
  if (breached) ++m.totals.breached;
  if (status == "pending") ++m.totals.pending;
  if (status == "info") ++m.totals.info;
  ++m.seq;

  if (m.format->WantsRows()) {
    m.BuildRow(f, description, queue, m.scratch);
    m.format->AddRow(m.scratch, m.buffer);
    if (m.buffer.size() >= kFlushAt) {
      if (Status s = m.Flush(); !s.ok()) return s;
    }
  }
  if (m.format->WantsTable() && breached) {
    bool const full = m.table.size() >= m.options.max_rows;
    if (full) {
      m.totals.table_truncated = true;
      // Cheap check before rendering: would this flag be listed before the current last row?
      Row const& last = m.table.front();
      std::int64_t const late = f.late_minutes.value_or(0);
      bool const better = late != last.late ? late > last.late : f.started < last.started_at;
      if (!better) return OkStatus();
    }
    m.BuildRow(f, description, queue, m.scratch);
    if (full) {
      std::pop_heap(m.table.begin(), m.table.end(), report_internal::RowBefore);
      std::swap(m.table.back(), m.scratch);
    } else {
      m.table.push_back(m.scratch);
    }
    std::push_heap(m.table.begin(), m.table.end(), report_internal::RowBefore);
  }
  return OkStatus();
}

Status ReportWriter::Finish() {
  Impl& m = *impl_;
  if (m.finished) return FailedPreconditionError("report: Finish() called twice");
  m.finished = true;
  if (m.failed) return UnavailableError("writing the report failed");
  std::sort_heap(m.table.begin(), m.table.end(), report_internal::RowBefore);
  m.totals.table_rows = static_cast<std::int64_t>(m.table.size());
  m.format->End(m.Ctx(), m.table, m.buffer);
  if (Status s = m.Flush(); !s.ok()) return s;
  m.out.flush();
  if (!m.out) return UnavailableError("writing the report failed");
  return OkStatus();
}

}  // namespace casebridge::report
