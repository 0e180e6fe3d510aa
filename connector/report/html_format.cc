// HTML: one self-contained page (inline CSS, inline SVG charts, one small inline script, a
// Content-Security-Policy that allows no network access), readable on a laptop and printable:
// headline numbers, breach rate by ISO week, flags by rule, the breached flags (sortable,
// filterable, worst first, up to max_rows) and the summaries by owner, queue, installer and week.
// Every value taken from a record goes through AppendHtml().
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "connector/report/formats.h"
#include "connector/report/text_escape.h"

namespace casebridge::report::report_internal {
namespace {

constexpr std::size_t kMaxGroupRows = 50;  // per summary table (worst first)
constexpr std::size_t kMaxWeeks = 104;     // weeks drawn in the chart (the latest)
constexpr std::size_t kMaxBarLabels = 26;  // weekly bars get a percentage label up to this many

constexpr std::string_view kHead = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="generator" content="casebridge report">
)html";

constexpr std::string_view kStyle = R"css(<style>
:root { --met: #2e7d32; --breached: #c62828; --pending: #b7791f; --info: #78909c;
  --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 2px 0; }
.warning { background: #fff4e5; border: 1px solid #f0b35a; padding: 8px 12px; border-radius: 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 8px; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
  min-width: 130px; }
.card .num { font-size: 26px; font-weight: 600; }
.card .lbl { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad .num { color: var(--breached); }
svg { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .axis { stroke: var(--line); }
svg .bar { fill: var(--breached); }
svg .seg-met { fill: var(--met); } svg .seg-breached { fill: var(--breached); }
svg .seg-pending { fill: var(--pending); } svg .seg-info { fill: var(--info); }
svg text { fill: var(--ink); } svg text.muted { fill: var(--muted); }
.legend span { display: inline-block; margin-right: 14px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.controls { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.controls input, .controls select { font: inherit; padding: 4px 8px; border: 1px solid var(--line);
  border-radius: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); position: sticky; top: 0; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort=ascending]::after { content: " \25B2"; }
table.sortable th[aria-sort=descending]::after { content: " \25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.evidence { color: var(--muted); max-width: 28em; }
td.when { white-space: nowrap; }
tr.flag-row:hover { background: #fbfcfd; }
.note { color: var(--muted); font-style: italic; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; font-size: 11px; }
  .controls, footer { display: none; }
  th { position: static; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
}
</style>
)css";

constexpr std::string_view kScript = R"js(<script>
(function () {
  'use strict';
  function cellKey(row, i, numeric) {
    var cell = row.cells[i];
    if (!cell) return numeric ? -Infinity : '';
    var v = cell.getAttribute('data-v');
    if (v === null) v = cell.textContent;
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(heads, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var numeric = th.getAttribute('data-type') === 'num';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a, i, numeric), y = cellKey(b, i, numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  });
  var table = document.getElementById('breached-table');
  var text = document.getElementById('filter-text');
  var rule = document.getElementById('filter-rule');
  var shown = document.getElementById('shown-count');
  if (table && text && rule && shown) {
    var filter = function () {
      var q = text.value.toLowerCase(), r = rule.value, n = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = (!r || row.getAttribute('data-rule') === r) &&
                 (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
        row.hidden = !ok;
        if (ok) n++;
      });
      shown.textContent = String(n);
    };
    text.addEventListener('input', filter);
    rule.addEventListener('change', filter);
    filter();
  }
  document.documentElement.setAttribute('data-ready', 'true');
})();
</script>
)js";

void Fixed(std::string& out, double v) {
  std::array<char, 32> buf{};
  int const n = std::snprintf(buf.data(), buf.size(), "%.1f", v);
  out.append(buf.data(), static_cast<std::size_t>(std::max(n, 0)));
}

void Td(std::string& out, std::string_view text, char const* cls = nullptr) {
  out += cls != nullptr ? std::string(R"(<td class=")") + cls + R"(">)" : std::string("<td>");
  AppendHtml(out, text);
  out += "</td>";
}

void NumTd(std::string& out, std::optional<std::int64_t> v) {
  out += R"(<td class="num" data-v=")";
  if (v) AppendInt(out, *v);
  out += R"(">)";
  AppendOptInt(out, v);
  out += "</td>";
}

void LateTd(std::string& out, LateHistogram const& h, double p) {
  auto const v = h.Percentile(p);
  out += R"(<td class="num" data-v=")";
  if (v) AppendInt(out, *v);
  out += h.exact() ? R"(">)" : R"x(" title="approximate (within 1.6%)">)x";
  AppendLate(out, h, p);
  out += "</td>";
}

void RateTd(std::string& out, std::optional<double> r) {
  out += R"(<td class="num" data-v=")";
  if (r) AppendJsonRatio(out, r);
  out += R"(">)";
  AppendPercent(out, r);
  out += "</td>";
}

void Card(std::string& out, std::string_view id, std::string_view value, std::string_view label,
          bool bad) {
  out += bad ? R"(<div class="card bad">)" : R"(<div class="card">)";
  out += R"(<div class="num" id=")";
  out += id;
  out += R"(">)";
  AppendHtml(out, value);
  out += R"(</div><div class="lbl">)";
  AppendHtml(out, label);
  out += "</div></div>\n";
}

std::string LateText(LateHistogram const& h, double p) {
  std::string s;
  AppendLate(s, h, p);
  return s;
}

// Breach rate per ISO week as vertical bars (0-100%).
void WeeklyChart(std::string& out, std::vector<GroupView> weeks) {
  if (weeks.size() > kMaxWeeks) weeks.erase(weeks.begin(), weeks.end() - kMaxWeeks);
  constexpr double kWidth = 760;
  constexpr double kHeight = 240;
  constexpr double kLeft = 44;
  constexpr double kRight = 12;
  constexpr double kTop = 12;
  constexpr double kBottom = 44;
  double const plot_w = kWidth - kLeft - kRight;
  double const plot_h = kHeight - kTop - kBottom;
  out += R"(<svg id="chart-weekly" class="chart" viewBox="0 0 760 240" width="760" height="240" )"
         R"(role="img" aria-label="Breach rate by ISO week">)";
  out += "\n<title>Breach rate by ISO week</title>\n";
  for (int pct = 0; pct <= 100; pct += 25) {
    double const y = kTop + plot_h * (1.0 - pct / 100.0);
    out += R"(<line class="axis" x1=")";
    Fixed(out, kLeft);
    out += R"(" x2=")";
    Fixed(out, kWidth - kRight);
    out += R"(" y1=")";
    Fixed(out, y);
    out += R"(" y2=")";
    Fixed(out, y);
    out += R"("/><text class="muted" x=")";
    Fixed(out, kLeft - 6);
    out += R"(" y=")";
    Fixed(out, y + 4);
    out += R"(" text-anchor="end">)";
    AppendInt(out, pct);
    out += "%</text>\n";
  }
  if (weeks.empty()) {
    out += R"(<text x="380" y="120" text-anchor="middle" class="muted">No flags in range</text>)";
  }
  double const slot = weeks.empty() ? plot_w : plot_w / static_cast<double>(weeks.size());
  double const bar_w = std::clamp(slot * 0.7, 1.0, 48.0);
  std::size_t const label_every = std::max<std::size_t>(1, (weeks.size() + 11) / 12);
  for (std::size_t i = 0; i < weeks.size(); ++i) {
    GroupStats const& g = *weeks[i].stats;
    double const x = kLeft + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    auto const rate = g.BreachRate();
    double const h = rate ? plot_h * *rate : 0.0;
    out += R"(<rect class="bar" data-week=")";
    AppendHtml(out, g.label);
    out += R"(" data-rate=")";
    if (rate) AppendJsonRatio(out, rate);
    out += R"(" x=")";
    Fixed(out, x);
    out += R"(" y=")";
    Fixed(out, kTop + plot_h - h);
    out += R"(" width=")";
    Fixed(out, bar_w);
    out += R"(" height=")";
    Fixed(out, h);
    out += R"("><title>)";
    AppendHtml(out, g.label);
    out += " (from ";
    AppendHtml(out, weeks[i].key);
    out += "): ";
    AppendPercent(out, rate);
    out += " breached (";
    AppendInt(out, g.breached);
    out += " of ";
    AppendInt(out, g.met + g.breached);
    out += " decided, ";
    AppendInt(out, g.pending);
    out += " pending)</title></rect>\n";
    if (rate && weeks.size() <= kMaxBarLabels) {
      out += R"(<text class="muted" x=")";
      Fixed(out, x + bar_w / 2);
      out += R"(" y=")";
      Fixed(out, kTop + plot_h - h - 4);
      out += R"(" text-anchor="middle">)";
      AppendPercent(out, rate);
      out += "</text>\n";
    }
    if (i % label_every == 0) {
      out += R"(<text class="muted" x=")";
      Fixed(out, x + bar_w / 2);
      out += R"(" y=")";
      Fixed(out, kHeight - kBottom + 16);
      out += R"(" text-anchor="middle">)";
      AppendHtml(out, g.label);
      out += "</text>\n";
    }
  }
  out += "</svg>\n";
}

// Flags per rule as horizontal stacked bars (met / breached / pending / info).
void RuleChart(std::string& out, std::vector<GroupView> const& rules) {
  constexpr double kLabelW = 180;
  constexpr double kBarW = 500;
  constexpr double kRowH = 24;
  constexpr double kWidth = kLabelW + kBarW + 70;
  double const height = std::max(1.0, static_cast<double>(rules.size())) * kRowH + 8;
  std::int64_t max_total = 1;
  for (auto const& r : rules) max_total = std::max(max_total, r.stats->total());
  out += R"(<svg id="chart-rules" class="chart" viewBox="0 0 )";
  Fixed(out, kWidth);
  out += ' ';
  Fixed(out, height);
  out += R"(" width=")";
  Fixed(out, kWidth);
  out += R"(" height=")";
  Fixed(out, height);
  out += R"(" role="img" aria-label="Flags by rule: met, breached, pending">)";
  out += "\n<title>Flags by rule</title>\n";
  if (rules.empty()) {
    out += R"(<text x="10" y="18" class="muted">No flags in range</text>)";
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    GroupStats const& g = *rules[i].stats;
    double const y = 4 + kRowH * static_cast<double>(i);
    out += R"(<g class="rule-bar" data-rule=")";
    AppendHtml(out, rules[i].key);
    out += R"("><text x=")";
    Fixed(out, kLabelW - 8);
    out += R"(" y=")";
    Fixed(out, y + 15);
    out += R"(" text-anchor="end">)";
    AppendHtml(out, rules[i].key);
    out += "</text>";
    double x = kLabelW;
    auto segment = [&](char const* cls, char const* what, std::int64_t n) {
      if (n == 0) return;
      double const w = kBarW * static_cast<double>(n) / static_cast<double>(max_total);
      out += R"(<rect class=")";
      out += cls;
      out += R"(" x=")";
      Fixed(out, x);
      out += R"(" y=")";
      Fixed(out, y + 3);
      out += R"(" width=")";
      Fixed(out, w);
      out += R"(" height=")";
      Fixed(out, kRowH - 8);
      out += R"("><title>)";
      AppendHtml(out, rules[i].key);
      out += ": ";
      AppendInt(out, n);
      out += ' ';
      out += what;
      out += "</title></rect>";
      x += w;
    };
    segment("seg-met", "met", g.met);
    segment("seg-breached", "breached", g.breached);
    segment("seg-pending", "pending", g.pending);
    segment("seg-info", "info", g.info);
    out += R"(<text class="muted" x=")";
    Fixed(out, x + 6);
    out += R"(" y=")";
    Fixed(out, y + 15);
    out += R"(">)";
    AppendInt(out, g.breached);
    out += " / ";
    AppendInt(out, g.total());
    out += "</text></g>\n";
  }
  out += "</svg>\n";
}

void GroupTable(std::string& out, std::string_view id, std::string_view title,
                std::string_view key_header, std::vector<GroupView> const& groups, bool installer,
                bool show_key) {
  out += R"(<section id=")";
  out += id;
  out += R"(-section"><h2>)";
  out += title;
  out += "</h2>\n";
  if (groups.empty()) {
    out += "<p class=\"note\">No flags.</p></section>\n";
    return;
  }
  out += R"(<div class="table-wrap"><table class="sortable summary" id=")";
  out += id;
  out += R"("><thead><tr><th>)";
  out += key_header;
  out += "</th>";
  if (show_key) out += "<th>Id</th>";
  out += R"(<th class="num" data-type="num">Flags</th><th class="num" data-type="num">Met</th>)"
         R"(<th class="num" data-type="num">Breached</th>)"
         R"(<th class="num" data-type="num">Pending</th>)"
         R"(<th class="num" data-type="num">Breach rate</th>)"
         R"(<th class="num" data-type="num">Median late (min)</th>)"
         R"(<th class="num" data-type="num">p90 late (min)</th>)";
  if (installer) out += R"(<th class="num" data-type="num">2-day contact breached</th>)";
  out += "</tr></thead><tbody>\n";
  std::size_t const shown = std::min(groups.size(), kMaxGroupRows);
  for (std::size_t i = 0; i < shown; ++i) {
    GroupStats const& g = *groups[i].stats;
    out += "<tr>";
    Td(out, g.label);
    if (show_key) Td(out, groups[i].key.empty() ? std::string_view("(none)") : groups[i].key);
    NumTd(out, g.total());
    NumTd(out, g.met);
    NumTd(out, g.breached);
    NumTd(out, g.pending);
    RateTd(out, g.BreachRate());
    LateTd(out, g.late, 0.5);
    LateTd(out, g.late, 0.9);
    if (installer) {
      out += R"(<td class="num" data-v=")";
      AppendInt(out, g.installer_contact_breached);
      out += R"(">)";
      AppendInt(out, g.installer_contact_breached);
      out += " of ";
      AppendInt(out, g.installer_contact_total);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
  if (groups.size() > shown) {
    out += R"(<p class="note">Showing the )";
    AppendInt(out, static_cast<std::int64_t>(shown));
    out += " worst of ";
    AppendInt(out, static_cast<std::int64_t>(groups.size()));
    out += "; the JSON export lists them all.</p>\n";
  }
  out += "</section>\n";
}

class HtmlWriter final : public FormatWriter {
 public:
  [[nodiscard]] bool WantsRows() const override { return false; }
  [[nodiscard]] bool WantsTable() const override { return true; }
  void Begin(Context const& /*ctx*/, std::string& /*out*/) override {}
  void AddRow(Row const& /*row*/, std::string& /*out*/) override {}

  void End(Context const& ctx, std::span<Row const> table, std::string& out) override {
    ReportOptions const& o = ctx.options;
    GroupStats const& t = ctx.summary.totals();
    out += kHead;
    out += "<title>";
    AppendHtml(out, o.title);
    out += "</title>\n";
    out += kStyle;
    out += "</head>\n<body>\n<header>\n<h1>";
    AppendHtml(out, o.title);
    out += "</h1>\n<p class=\"meta\" id=\"range\">";
    AppendHtml(out, RangeDescription(o));
    out += " (time zone ";
    AppendHtml(out, o.time_zone);
    out += ") &middot; generated ";
    AppendInstant(out, o.generated_at);
    out += " &middot; <span id=\"as-of\">flags as of <time datetime=\"";
    AppendInstant(out, o.AsOf());
    out += "\">";
    AppendInstant(out, o.AsOf());
    out += "</time></span></p>\n<p class=\"meta\">Source: ";
    AppendHtml(out, o.source);
    out += " &middot; filters: ";
    AppendHtml(out, FiltersDescription(o.filters));
    out += "</p>\n";
    if (ctx.totals.skipped_input > 0) {
      out += R"(<p class="warning" id="skipped-input">)";
      AppendInt(out, ctx.totals.skipped_input);
      out += " input lines were skipped as bad; their cases are missing from this report.</p>\n";
    }
    out += "</header>\n<section class=\"cards\" id=\"headline\">\n";
    Card(out, "kpi-flags", std::to_string(t.total()), "flags", false);
    Card(out, "kpi-breached", std::to_string(t.breached), "breached", t.breached > 0);
    std::string rate;
    AppendPercent(rate, t.BreachRate());
    Card(out, "kpi-rate", rate, "breach rate (decided clocks)", t.breached > 0);
    Card(out, "kpi-pending", std::to_string(t.pending), "pending", false);
    Card(out, "kpi-met", std::to_string(t.met), "met", false);
    Card(out, "kpi-median", LateText(t.late, 0.5), "median minutes late", false);
    Card(out, "kpi-p90", LateText(t.late, 0.9), "p90 minutes late", false);
    out += "</section>\n";

    out += "<section id=\"weekly-section\"><h2>Breach rate by week</h2>\n";
    out +=
        R"(<p class="meta">Share of decided clocks (met or breached) that were breached, by the )"
        "ISO week the clock started in.</p>\n";
    WeeklyChart(out, ctx.summary.ByWeek());
    out += "</section>\n";

    auto const rules = ctx.summary.ByRule();
    out += "<section id=\"rules-section\"><h2>Flags by rule</h2>\n";
    out +=
        "<p class=\"legend\"><span><i style=\"background:var(--met)\"></i>met</span>"
        "<span><i style=\"background:var(--breached)\"></i>breached</span>"
        "<span><i style=\"background:var(--pending)\"></i>pending</span>"
        "<span><i style=\"background:var(--info)\"></i>info</span></p>\n";
    RuleChart(out, rules);
    out += "</section>\n";
    GroupTable(out, "by-rule", "By rule", "Rule", rules, false, true);

    BreachedTable(ctx, table, rules, out);

    GroupTable(out, "by-owner", "By owner", "Owner", ctx.summary.ByOwner(), false, true);
    GroupTable(out, "by-queue", "By queue", "Queue", ctx.summary.ByQueue(), false, false);
    GroupTable(out, "by-installer", "By installer", "Installer", ctx.summary.ByInstaller(), true,
               true);
    GroupTable(out, "by-week", "By week", "Week", ctx.summary.ByWeek(), false, false);

    out +=
        "<footer>casebridge report &middot; breach rate = breached / (met + breached); "
        "minutes late are nearest-rank percentiles of breached flags.</footer>\n";
    out += kScript;
    out += "</body>\n</html>\n";
  }

 private:
  static void BreachedTable(Context const& ctx, std::span<Row const> table,
                            std::vector<GroupView> const& rules, std::string& out) {
    std::int64_t const breached = ctx.summary.totals().breached;
    out += "<section id=\"breached-section\"><h2>Breached flags</h2>\n";
    if (table.empty()) {
      out += "<p class=\"note\" id=\"no-breaches\">No breached flags.</p></section>\n";
      return;
    }
    if (ctx.totals.table_truncated) {
      out += R"(<p class="warning" id="table-truncated">Showing the )";
      AppendInt(out, static_cast<std::int64_t>(table.size()));
      out += " worst of ";
      AppendInt(out, breached);
      out +=
          " breached flags (--max-rows). The CSV and JSON exports of the same range list them "
          "all.</p>\n";
    }
    out += R"(<div class="controls"><label>Filter <input id="filter-text" type="search" )"
           R"(placeholder="case, owner, installer, subject…"></label><label>Rule <select )"
           R"(id="filter-rule"><option value="">all rules</option>)";
    for (auto const& r : rules) {
      if (r.stats->breached == 0) continue;
      out += R"(<option value=")";
      AppendHtml(out, r.key);
      out += R"(">)";
      AppendHtml(out, r.key);
      out += "</option>";
    }
    out += R"(</select></label><span class="meta"><span id="shown-count">)";
    AppendInt(out, static_cast<std::int64_t>(table.size()));
    out += "</span> of ";
    AppendInt(out, static_cast<std::int64_t>(table.size()));
    out += " shown, most minutes late first; click a heading to sort</span></div>\n";
    out += R"(<div class="table-wrap"><table class="sortable" id="breached-table"><thead><tr>)"
           "<th>Case</th><th>Subject</th><th>Rule</th><th>Owner</th><th>Queue</th>"
           R"(<th>Installer</th><th class="num" data-type="num">Tier</th><th>Started (local)</th>)"
           "<th>Due (local)</th><th>Met at (local)</th>"
           R"(<th class="num" data-type="num">Minutes late</th><th>Evidence</th>)"
           "</tr></thead><tbody>\n";
    for (Row const& r : table) {
      out += R"(<tr class="flag-row" data-case=")";
      AppendHtml(out, r.case_id);
      out += R"(" data-rule=")";
      AppendHtml(out, r.rule);
      out += R"("><td>)";
      std::string_view const label = r.case_number.empty() ? r.case_id : r.case_number;
      if (!r.link.empty()) {
        out += R"(<a href=")";
        AppendHtml(out, r.link);
        out += R"(" target="_blank" rel="noopener noreferrer">)";
        AppendHtml(out, label);
        out += "</a>";
      } else {
        AppendHtml(out, label);
      }
      if (ctx.options.links.explain_pages) {
        out += R"( <a class="why" href="explain/)";
        report_internal::AppendUrlPathSegment(out, r.case_id);
        out += R"(.html">why</a>)";
      }
      out += "</td>";
      Td(out, r.subject);
      out += R"(<td title=")";
      AppendHtml(out, r.rule_description);
      out += R"(">)";
      AppendHtml(out, r.rule);
      out += "</td>";
      Td(out, r.OwnerDisplay());
      Td(out, r.queue);
      Td(out, r.InstallerDisplay());
      NumTd(out, r.tier ? std::optional<std::int64_t>(*r.tier) : std::nullopt);
      out += R"(<td class="when" data-v=")";
      AppendHtml(out, r.started);
      out += R"(">)";
      AppendHtml(out, r.started_local);
      out += R"(</td><td class="when" data-v=")";
      AppendHtml(out, r.due);
      out += R"(">)";
      AppendHtml(out, r.due_local);
      out += R"(</td><td class="when" data-v=")";
      AppendHtml(out, r.met_at);
      out += R"(">)";
      AppendHtml(out, r.met_at_local);
      out += "</td>";
      NumTd(out, r.late_minutes);
      Td(out, r.evidence, "evidence");
      out += "</tr>\n";
    }
    out += "</tbody></table></div>\n</section>\n";
  }
};

}  // namespace

std::unique_ptr<FormatWriter> MakeHtmlWriter() { return std::make_unique<HtmlWriter>(); }

}  // namespace casebridge::report::report_internal
