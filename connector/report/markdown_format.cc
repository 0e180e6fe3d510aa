// Markdown for pasting into a ticket or chat: headline numbers, the summaries (at most
// kMaxGroupRows groups each, worst first) and the breached flags (worst first, up to max_rows).
#include "connector/report/formats.h"
#include "connector/report/text_escape.h"

namespace casebridge::report::report_internal {
namespace {

constexpr std::size_t kMaxGroupRows = 50;

void Cell(std::string& out, std::string_view text) {
  out += " ";
  AppendMarkdown(out, text);
  out += " |";
}

void NumCell(std::string& out, std::int64_t v) {
  out += " ";
  AppendInt(out, v);
  out += " |";
}

void GroupTable(std::string& out, std::string_view title, std::string_view key_header,
                std::vector<GroupView> const& groups, bool installer, bool show_key) {
  out += "\n## ";
  out += title;
  out += "\n\n";
  if (groups.empty()) {
    out += "No flags.\n";
    return;
  }
  out += "| ";
  out += key_header;
  out += " |";
  if (show_key) out += " Id |";
  out += " Flags | Met | Breached | Pending | Breach rate | Median late (min) | p90 late (min) |";
  if (installer) out += " 2-day contact breached |";
  out += "\n|---|";
  if (show_key) out += "---|";
  out += "--:|--:|--:|--:|--:|--:|--:|";
  if (installer) out += "--:|";
  out += '\n';
  std::size_t const shown = std::min(groups.size(), kMaxGroupRows);
  for (std::size_t i = 0; i < shown; ++i) {
    GroupStats const& g = *groups[i].stats;
    out += '|';
    Cell(out, g.label);
    if (show_key) Cell(out, groups[i].key.empty() ? std::string_view("(none)") : groups[i].key);
    NumCell(out, g.total());
    NumCell(out, g.met);
    NumCell(out, g.breached);
    NumCell(out, g.pending);
    out += ' ';
    AppendPercent(out, g.BreachRate());
    out += " | ";
    AppendLate(out, g.late, 0.5);
    out += " | ";
    AppendLate(out, g.late, 0.9);
    out += " |";
    if (installer) {
      out += ' ';
      AppendInt(out, g.installer_contact_breached);
      out += " of ";
      AppendInt(out, g.installer_contact_total);
      out += " |";
    }
    out += '\n';
  }
  if (groups.size() > shown) {
    out += "\n… and ";
    AppendInt(out, static_cast<std::int64_t>(groups.size() - shown));
    out += " more (the JSON export lists them all).\n";
  }
}

class MarkdownWriter final : public FormatWriter {
 public:
  [[nodiscard]] bool WantsRows() const override { return false; }
  [[nodiscard]] bool WantsTable() const override { return true; }
  void Begin(Context const& /*ctx*/, std::string& /*out*/) override {}
  void AddRow(Row const& /*row*/, std::string& /*out*/) override {}

  void End(Context const& ctx, std::span<Row const> table, std::string& out) override {
    ReportOptions const& o = ctx.options;
    GroupStats const& t = ctx.summary.totals();
    out += "# ";
    AppendMarkdown(out, o.title);
    out += "\n\n";
    AppendMarkdown(out, RangeDescription(o));
    out += " (time zone ";
    AppendMarkdown(out, o.time_zone);
    out += "); generated ";
    AppendInstant(out, o.generated_at);
    out += "; flags as of ";
    AppendInstant(out, o.AsOf());
    out += ".  \nSource: ";
    AppendMarkdown(out, o.source);
    out += ". Filters: ";
    AppendMarkdown(out, FiltersDescription(o.filters));
    out += ".\n\n";
    if (ctx.totals.skipped_input > 0) {
      out += "**Warning:** ";
      AppendInt(out, ctx.totals.skipped_input);
      out += " input lines were skipped as bad; their cases are missing from this report.\n\n";
    }
    out += "**";
    AppendInt(out, t.total());
    out += " flags: ";
    AppendInt(out, t.breached);
    out += " breached, ";
    AppendInt(out, t.pending);
    out += " pending, ";
    AppendInt(out, t.met);
    out += " met, ";
    AppendInt(out, t.info);
    out += " info.** Breach rate ";
    AppendPercent(out, t.BreachRate());
    out += " of decided clocks; minutes late: median ";
    AppendLate(out, t.late, 0.5);
    out += ", p90 ";
    AppendLate(out, t.late, 0.9);
    out += ".\n";

    GroupTable(out, "By rule", "Rule", ctx.summary.ByRule(), false, true);
    GroupTable(out, "By owner", "Owner", ctx.summary.ByOwner(), false, true);
    GroupTable(out, "By queue", "Queue", ctx.summary.ByQueue(), false, false);
    GroupTable(out, "By installer", "Installer", ctx.summary.ByInstaller(), true, true);
    GroupTable(out, "By week", "Week", ctx.summary.ByWeek(), false, false);

    out += "\n## Breached flags (most minutes late first)\n\n";
    if (table.empty()) {
      out += "No breached flags.\n";
      return;
    }
    if (ctx.totals.table_truncated) {
      out += "Showing the ";
      AppendInt(out, static_cast<std::int64_t>(table.size()));
      out += " worst of ";
      AppendInt(out, t.breached);
      out += " breached flags (--max-rows); the CSV and JSON exports list them all.\n\n";
    }
    out +=
        "| Case | Subject | Rule | Owner | Installer | Due (local) | Met at (local) | Late (min) "
        "| Evidence |\n|---|---|---|---|---|---|---|--:|---|\n";
    for (Row const& r : table) {
      out += "| ";
      std::string_view const label = r.case_number.empty() ? r.case_id : r.case_number;
      if (!r.link.empty()) {
        out += '[';
        AppendMarkdown(out, label);
        out += "](<";
        AppendMarkdown(out, r.link);
        out += ">)";
      } else {
        AppendMarkdown(out, label);
      }
      out += " |";
      Cell(out, r.subject);
      Cell(out, r.rule);
      Cell(out, r.OwnerDisplay());
      Cell(out, r.InstallerDisplay());
      Cell(out, r.due_local);
      Cell(out, r.met_at_local);
      out += ' ';
      AppendOptInt(out, r.late_minutes);
      out += " |";
      Cell(out, r.evidence);
      out += '\n';
    }
  }
};

}  // namespace

std::unique_ptr<FormatWriter> MakeMarkdownWriter() { return std::make_unique<MarkdownWriter>(); }

}  // namespace casebridge::report::report_internal
