// JSON (schema: connector/report/report.schema.json): the header members, then `flags`
// streamed one object per line, then totals and summaries.
#include "connector/report/formats.h"
#include "connector/report/text_escape.h"

namespace casebridge::report::report_internal {
namespace {

constexpr int kSchemaVersion = 1;

void Key(std::string& out, std::string_view key) {
  out.push_back('"');
  out += key;
  out += "\":";
}

void StringMember(std::string& out, std::string_view key, std::string_view value) {
  Key(out, key);
  AppendJsonString(out, value);
}

// A string member that is null when empty.
void OptStringMember(std::string& out, std::string_view key, std::string_view value) {
  Key(out, key);
  if (value.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, value);
  }
}

void IntMember(std::string& out, std::string_view key, std::int64_t value) {
  Key(out, key);
  AppendInt(out, value);
}

void OptIntMember(std::string& out, std::string_view key, std::optional<std::int64_t> value) {
  Key(out, key);
  if (value) {
    AppendInt(out, *value);
  } else {
    out += "null";
  }
}

void StringArray(std::string& out, std::string_view key, std::vector<std::string> const& values) {
  Key(out, key);
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, values[i]);
  }
  out.push_back(']');
}

void Counts(std::string& out, GroupStats const& g) {
  IntMember(out, "flags", g.total());
  out.push_back(',');
  IntMember(out, "met", g.met);
  out.push_back(',');
  IntMember(out, "breached", g.breached);
  out.push_back(',');
  IntMember(out, "pending", g.pending);
  out.push_back(',');
  IntMember(out, "info", g.info);
  out.push_back(',');
  Key(out, "breach_rate");
  AppendJsonRatio(out, g.BreachRate());
  out.push_back(',');
  OptIntMember(out, "median_late_minutes", g.late.Percentile(0.5));
  out.push_back(',');
  OptIntMember(out, "p90_late_minutes", g.late.Percentile(0.9));
  out += g.late.exact() ? R"(,"percentiles_exact":true)" : R"(,"percentiles_exact":false)";
}

enum class GroupKind : std::uint8_t { kPlain, kInstaller, kWeek };

void Groups(std::string& out, std::string_view name, std::vector<GroupView> const& groups,
            GroupKind kind, bool last) {
  out += "\n  ";
  Key(out, name);
  out.push_back('[');
  for (std::size_t i = 0; i < groups.size(); ++i) {
    GroupView const& g = groups[i];
    out += i == 0 ? "\n    {" : ",\n    {";
    if (kind == GroupKind::kWeek) {
      StringMember(out, "key", g.stats->label);
      out.push_back(',');
      StringMember(out, "week_start", g.key);
    } else {
      StringMember(out, "key", g.key);
    }
    out.push_back(',');
    StringMember(out, "label", g.stats->label);
    out.push_back(',');
    Counts(out, *g.stats);
    if (kind == GroupKind::kInstaller) {
      out += R"(,"installer_contact_2d":{)";
      IntMember(out, "flags", g.stats->installer_contact_total);
      out.push_back(',');
      IntMember(out, "breached", g.stats->installer_contact_breached);
      out.push_back('}');
    }
    out.push_back('}');
  }
  if (!groups.empty()) out += "\n  ";
  out += last ? "]" : "],";
}

class JsonWriter final : public FormatWriter {
 public:
  [[nodiscard]] bool WantsRows() const override { return true; }
  [[nodiscard]] bool WantsTable() const override { return false; }

  void Begin(Context const& ctx, std::string& out) override {
    ReportOptions const& o = ctx.options;
    out += "{\n";
    IntMember(out, "schema_version", kSchemaVersion);
    out += ",\n";
    StringMember(out, "title", o.title);
    out += ",\n";
    Key(out, "generated_at");
    out.push_back('"');
    AppendInstant(out, o.generated_at);
    out += "\",\n";
    Key(out, "as_of");
    out.push_back('"');
    AppendInstant(out, o.AsOf());
    out += "\",\n";
    StringMember(out, "source", o.source);
    out += ",\n";
    Key(out, "range");
    out += R"({"from":")";
    AppendInstant(out, o.from);
    out += R"(","to":")";
    AppendInstant(out, o.to);
    out += R"(","field":")";
    out += RangeFieldName(o.range_field);
    out += "\",";
    StringMember(out, "label", o.range_label);
    out += "},\n";
    StringMember(out, "time_zone", o.time_zone);
    out += ",\n";
    Key(out, "filters");
    out.push_back('{');
    StringArray(out, "rules", o.filters.rules);
    out.push_back(',');
    StringArray(out, "owners", o.filters.owners);
    out.push_back(',');
    StringArray(out, "installers", o.filters.installers);
    out.push_back(',');
    StringArray(out, "statuses", o.filters.statuses);
    out += "},\n";
    Key(out, "flags");
    out.push_back('[');
  }

  void AddRow(Row const& r, std::string& out) override {
    out += first_ ? "\n{" : ",\n{";
    first_ = false;
    StringMember(out, "case_number", r.case_number);
    out.push_back(',');
    StringMember(out, "case_id", r.case_id);
    out.push_back(',');
    StringMember(out, "source_system", r.source_system);
    out.push_back(',');
    StringMember(out, "subject", r.subject);
    out.push_back(',');
    StringMember(out, "rule", r.rule);
    out.push_back(',');
    StringMember(out, "rule_description", r.rule_description);
    out.push_back(',');
    StringMember(out, "status", r.status);
    out.push_back(',');
    StringMember(out, "owner_id", r.owner_id);
    out.push_back(',');
    StringMember(out, "owner_name", r.owner_name);
    out.push_back(',');
    StringMember(out, "queue", r.queue);
    out.push_back(',');
    StringMember(out, "installer_id", r.installer_id);
    out.push_back(',');
    StringMember(out, "installer_name", r.installer_name);
    out.push_back(',');
    OptIntMember(out, "tier", r.tier ? std::optional<std::int64_t>(*r.tier) : std::nullopt);
    out.push_back(',');
    StringMember(out, "started", r.started);
    out.push_back(',');
    StringMember(out, "started_local", r.started_local);
    out.push_back(',');
    OptStringMember(out, "due", r.due);
    out.push_back(',');
    OptStringMember(out, "due_local", r.due_local);
    out.push_back(',');
    OptStringMember(out, "met_at", r.met_at);
    out.push_back(',');
    OptStringMember(out, "met_at_local", r.met_at_local);
    out.push_back(',');
    OptIntMember(out, "late_minutes", r.late_minutes);
    out.push_back(',');
    StringMember(out, "evidence", r.evidence);
    out.push_back(',');
    OptStringMember(out, "link", r.link);
    out.push_back('}');
  }

  void End(Context const& ctx, std::span<Row const> /*table*/, std::string& out) override {
    out += first_ ? "],\n" : "\n],\n";
    IntMember(out, "skipped_input_lines", ctx.totals.skipped_input);
    out += ",\n";
    Key(out, "totals");
    out.push_back('{');
    Counts(out, ctx.summary.totals());
    out += "},\n";
    Key(out, "summary");
    out.push_back('{');
    Groups(out, "by_rule", ctx.summary.ByRule(), GroupKind::kPlain, false);
    Groups(out, "by_owner", ctx.summary.ByOwner(), GroupKind::kPlain, false);
    Groups(out, "by_queue", ctx.summary.ByQueue(), GroupKind::kPlain, false);
    Groups(out, "by_installer", ctx.summary.ByInstaller(), GroupKind::kInstaller, false);
    Groups(out, "by_week", ctx.summary.ByWeek(), GroupKind::kWeek, true);
    out += "\n}\n}\n";
  }

 private:
  bool first_ = true;
};

}  // namespace

std::unique_ptr<FormatWriter> MakeJsonWriter() { return std::make_unique<JsonWriter>(); }

}  // namespace casebridge::report::report_internal
