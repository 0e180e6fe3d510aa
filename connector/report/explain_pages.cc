// The explain pages an HTML report links to (explain.h, WriteExplainPages).
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

#include "connector/common/private_file.h"
#include "connector/engine/snapshot_codec.h"
#include "connector/report/explain.h"

namespace casebridge::report {
namespace {

bool PlainFileName(std::string const& id) {
  if (id.empty() || id.front() == '.') return false;
  for (char const c : id) {
    bool const ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// One case's page; false when it has no usable stored snapshot of `system`.
StatusOr<bool> WritePage(store::StateStore& store, mappings::Policy const& policy,
                         engine::BusinessCalendar const& calendar, std::string const& system,
                         std::string const& id, Instant as_of, std::filesystem::path const& dir) {
  auto rows = store.GetCaseSnapshots(id);
  if (!rows.ok()) return rows.status();
  for (auto const& row : *rows) {
    if (row.system != system) continue;
    engine::Snapshot s;
    if (!engine::ParseSnapshotLine(row.snapshot, s).ok()) return false;
    Explanation e = Explain(std::move(s), policy, calendar, as_of);
    e.system = row.system;
    e.source = "state store " + store.description() + ", snapshot of the sync at " +
               FormatInstant(row.updated_at);
    std::vector<std::string> keys;
    for (auto const& a : e.actions) keys.push_back(a.action.key);
    auto ledger = store.GetActions(keys);
    if (!ledger.ok()) return ledger.status();
    AttachLedger(e, std::move(*ledger));
    auto html = RenderExplanation(e, ExplainFormat::kHtml);
    if (!html.ok()) return html.status();
    std::string const path = (dir / (id + ".html")).string();
    std::error_code ec;
    std::filesystem::remove(path, ec);  // a page of an earlier report
    if (Status st = CreatePrivateFile(path); !st.ok()) return st;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *html;
    if (!out.flush()) return InternalError("cannot write " + path);
    return true;
  }
  return false;
}

}  // namespace

StatusOr<ExplainPagesResult> WriteExplainPages(store::StateStore& store,
                                               mappings::Policy const& policy,
                                               engine::BusinessCalendar const& calendar,
                                               store::FlagQuery const& query, Instant as_of,
                                               std::string const& dir) {
  std::set<std::pair<std::string, std::string>> cases;  // (system, case id)
  Status st = store.ForEachFlag(query, [&cases](store::FlagRecord const& f) {
    cases.emplace(f.source_system, f.case_id);
    return OkStatus();
  });
  if (!st.ok()) return st;
  std::filesystem::path const pages = std::filesystem::path(dir) / "explain";
  std::error_code ec;
  std::filesystem::create_directories(pages, ec);
  if (ec) return InvalidArgumentError("cannot create " + pages.string() + ": " + ec.message());
  ExplainPagesResult result;
  for (auto const& [system, id] : cases) {
    if (!PlainFileName(id)) {
      ++result.skipped;
      continue;
    }
    auto written = WritePage(store, policy, calendar, system, id, as_of, pages);
    if (!written.ok()) return written.status();
    ++(*written ? result.written : result.skipped);
  }
  return result;
}

}  // namespace casebridge::report
