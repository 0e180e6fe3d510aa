#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "connector/report/formats.h"

namespace casebridge::report::report_internal {
namespace {

void AppendList(std::string& out, char const* what, std::vector<std::string> const& values) {
  if (values.empty()) return;
  if (!out.empty()) out += "; ";
  out += what;
  out += ' ';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += values[i];
  }
}

}  // namespace

void AppendInt(std::string& out, std::int64_t v) { out += std::to_string(v); }

void AppendJsonRatio(std::string& out, std::optional<double> r) {
  if (!r) {
    out += "null";
    return;
  }
  std::array<char, 32> buf{};
  int const n = std::snprintf(buf.data(), buf.size(), "%.4f", std::round(*r * 10000.0) / 10000.0);
  std::string_view text(buf.data(), static_cast<std::size_t>(std::max(n, 0)));
  while (text.size() > 1 && text.back() == '0') text.remove_suffix(1);
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  out += text;
}

void AppendPercent(std::string& out, std::optional<double> r) {
  if (!r) {
    out += "\xE2\x80\x93";  // en dash
    return;
  }
  std::array<char, 32> buf{};
  int const n = std::snprintf(buf.data(), buf.size(), "%.1f%%", *r * 100.0);
  out.append(buf.data(), static_cast<std::size_t>(std::max(n, 0)));
}

void AppendOptInt(std::string& out, std::optional<std::int64_t> v) {
  if (!v) {
    out += "\xE2\x80\x93";
    return;
  }
  AppendInt(out, *v);
}

void AppendLate(std::string& out, LateHistogram const& h, double p) {
  auto const v = h.Percentile(p);
  if (v && !h.exact()) out += "\xE2\x89\x88";  // ≈
  AppendOptInt(out, v);
}

std::string_view RangeFieldName(RangeField field) {
  return field == RangeField::kStarted ? "started" : "due";
}

std::string RangeDescription(ReportOptions const& options) {
  std::string out = "flags ";
  out += options.range_field == RangeField::kStarted ? "started " : "due ";
  if (!options.range_label.empty()) {
    out += options.range_label;
  } else {
    out += "from ";
    AppendInstant(out, options.from);
    out += " until ";
    AppendInstant(out, options.to);
  }
  return out;
}

std::string FiltersDescription(ReportFilters const& filters) {
  std::string out;
  AppendList(out, filters.rules.size() == 1 ? "rule" : "rules", filters.rules);
  AppendList(out, filters.owners.size() == 1 ? "owner" : "owners", filters.owners);
  AppendList(out, filters.installers.size() == 1 ? "installer" : "installers", filters.installers);
  AppendList(out, filters.statuses.size() == 1 ? "status" : "statuses", filters.statuses);
  if (out.empty()) out = "none";
  return out;
}

}  // namespace casebridge::report::report_internal
