// CSV (RFC 4180): a header line, then one line per flag; CRLF line ends; optional UTF-8 BOM.
#include "connector/report/formats.h"
#include "connector/report/text_escape.h"

namespace casebridge::report::report_internal {
namespace {

constexpr std::string_view kHeader =
    "case_number,case_id,source_system,subject,rule,rule_description,status,owner_id,"
    "owner_name,queue,installer_id,installer_name,tier,started,started_local,due,due_local,"
    "met_at,met_at_local,late_minutes,evidence,link,time_zone\r\n";

class CsvWriter final : public FormatWriter {
 public:
  [[nodiscard]] bool WantsRows() const override { return true; }
  [[nodiscard]] bool WantsTable() const override { return false; }

  void Begin(Context const& ctx, std::string& out) override {
    if (ctx.options.bom) out += "\xEF\xBB\xBF";
    out += kHeader;
    zone_ = ctx.options.time_zone;
  }

  void AddRow(Row const& r, std::string& out) override {
    // Values from records get the formula guard; values casebridge writes itself (ids of
    // rules, statuses, timestamps, numbers) cannot start with a formula character.
    Text(out, r.case_number);
    Text(out, r.case_id);
    Text(out, r.source_system);
    Text(out, r.subject);
    Plain(out, r.rule);
    Plain(out, r.rule_description);
    Plain(out, r.status);
    Text(out, r.owner_id);
    Text(out, r.owner_name);
    Text(out, r.queue);
    Text(out, r.installer_id);
    Text(out, r.installer_name);
    if (r.tier) AppendInt(out, *r.tier);
    out.push_back(',');
    Plain(out, r.started);
    Plain(out, r.started_local);
    Plain(out, r.due);
    Plain(out, r.due_local);
    Plain(out, r.met_at);
    Plain(out, r.met_at_local);
    if (r.late_minutes) AppendInt(out, *r.late_minutes);
    out.push_back(',');
    Text(out, r.evidence);
    Text(out, r.link);
    AppendCsvField(out, zone_, false);
    out += "\r\n";
  }

  void End(Context const& /*ctx*/, std::span<Row const> /*table*/, std::string& /*out*/) override {}

 private:
  static void Text(std::string& out, std::string_view v) {
    AppendCsvField(out, v, /*formula_guard=*/true);
    out.push_back(',');
  }
  static void Plain(std::string& out, std::string_view v) {
    AppendCsvField(out, v, /*formula_guard=*/false);
    out.push_back(',');
  }

  std::string zone_;
};

}  // namespace

std::unique_ptr<FormatWriter> MakeCsvWriter() { return std::make_unique<CsvWriter>(); }

}  // namespace casebridge::report::report_internal
