#include "connector/sync/sync_job.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/sync/sync_run.h"

namespace casebridge::sync {
namespace {

using nlohmann::json;

json CallsJson(adapters::ApiCalls const& calls) {
  json j = json::object();
  for (auto const& [kind, n] : calls.by_kind) j[kind] = n;
  j["total"] = calls.total();
  return j;
}

// "N calls: a auth, b query, ..."
std::string CallsText(adapters::ApiCalls const& calls) {
  std::string out = std::to_string(calls.total()) + " calls";
  char const* sep = ": ";
  for (auto const& [kind, n] : calls.by_kind) {
    out += sep + std::to_string(n) + " " + kind;
    sep = ", ";
  }
  return out;
}

// "  in salesforce: 12 planned, 12 written, 0 failed" per target system.
void WriteBySystem(std::ostream& out, SyncStats const& st) {
  if (st.actions_by_system.size() < 2) return;
  for (auto const& [system, counts] : st.actions_by_system) {
    auto count = [&](char const* what) {
      auto it = counts.find(what);
      return it == counts.end() ? std::int64_t{0} : it->second;
    };
    out << "  in " << system << ": " << count("planned") << " planned, " << count("written")
        << " written, " << count("failed") << " failed\n";
  }
}

}  // namespace

std::string StatsJson(SyncStats const& stats, adapters::ApiCalls const& calls,
                      adapters::ApiCalls const& forge_calls) {
  json j;
  j["cases_read"] = stats.cases_read;
  j["cases_evaluated"] = stats.cases_evaluated;
  j["cases_unchanged"] = stats.cases_unchanged;
  j["cases_due"] = stats.cases_due;
  j["cases_reread"] = stats.cases_reread;
  j["cases_related"] = stats.cases_related;
  j["related_records"] = stats.related_records;
  j["bad_records"] = stats.bad_records;
  j["actions_planned"] = stats.actions_planned;
  j["actions_known"] = stats.actions_known;
  j["actions_written"] = stats.actions_written;
  j["actions_failed"] = stats.actions_failed;
  j["actions_healed"] = stats.actions_healed;
  j["flags"] = stats.flags;
  j["actions_by_system"] = stats.actions_by_system;
  if (stats.forge) {
    j["cases_linked"] = stats.cases_linked;
    j["forge"] = {{"tickets_read", stats.forge_tickets_read},
                  {"forge_only_evaluated", stats.forge_only_evaluated},
                  {"due", stats.forge_due},
                  {"unlinked_open_cases", stats.forge_unlinked_open_cases},
                  {"skipped", stats.forge_skipped},
                  {"api_calls", CallsJson(forge_calls)}};
  }
  j["api_calls"] = CallsJson(calls);
  return j.dump();
}

void WriteSummary(std::ostream& out, SyncOutcome const& outcome, bool dry_run) {
  SyncStats const& st = outcome.stats;
  out << "cases:   " << st.cases_read << " read, " << st.cases_evaluated << " evaluated ("
      << st.cases_due << " because a clock came due, " << st.cases_reread
      << " again after this run's own writes), " << st.cases_unchanged
      << " unchanged since the last run";
  if (st.cases_related > 0) {
    out << ", " << st.cases_related << " because a related record (e-mail, activity, feed post, "
        << "history) changed";
  }
  if (st.bad_records > 0) out << ", " << st.bad_records << " bad records skipped";
  if (st.cases_linked > 0) {
    out << ", " << st.cases_linked << " because a Forge ticket linking them changed";
  }
  out << "\n";
  if (st.bulk) out << "read:    with Bulk API 2.0 query jobs (one per object and chunk)\n";
  if (st.forge) {
    out << "forge:   " << st.forge_tickets_read << " tickets changed, " << st.forge_only_evaluated
        << " of them Forge-only cases (evaluated); " << st.forge_unlinked_open_cases
        << " open Salesforce cases evaluated have no Forge ticket to document on";
    if (st.forge_due > 0) {
      out << "; " << st.forge_due << " Forge-only cases read again because a clock came due";
    }
    if (st.forge_skipped > 0) out << "; " << st.forge_skipped << " Forge records skipped";
    out << "\n";
  }
  out << "flags:   by rule (met / breached / pending / info)\n";
  for (auto const& [rule, by_status] : st.flags) {
    auto count = [&](char const* status) {
      auto it = by_status.find(status);
      return it == by_status.end() ? std::int64_t{0} : it->second;
    };
    out << "  " << rule << std::string(rule.size() < 24 ? 24 - rule.size() : 1, ' ') << count("met")
        << " / " << count("breached") << " / " << count("pending") << " / " << count("info")
        << "\n";
  }
  if (dry_run) {
    out << "actions: " << st.actions_planned << " would be planned (dry run: nothing written), "
        << st.actions_known << " already in the ledger\n";
  } else {
    out << "actions: " << st.actions_planned << " newly planned, " << st.actions_known
        << " already in the ledger; " << st.actions_written << " written, " << st.actions_failed
        << " failed";
    if (st.actions_healed > 0) out << ", " << st.actions_healed << " found already written";
    if (st.actions_deferred > 0) {
      out << ", " << st.actions_deferred
          << " feed posts deferred (a run that died may still be posting them)";
    }
    out << "\n";
    if (st.actions_planned == 0 && st.actions_written == 0 && st.actions_failed == 0 &&
        st.actions_deferred == 0) {
      out << "         nothing new to write: every action the procedures call for exists\n";
    }
  }
  for (auto const& [action, n] : st.actions_by_type) {
    out << "  " << action << std::string(action.size() < 24 ? 24 - action.size() : 1, ' ') << n
        << "\n";
  }
  WriteBySystem(out, st);
  out << "api:     " << CallsText(outcome.calls) << "\n";
  if (st.forge) out << "         Forge: " << CallsText(outcome.forge_calls) << "\n";
}

SyncJob::SyncJob(adapters::CaseSource& source, adapters::ActionSink& sink, store::StateStore& store,
                 mappings::Policy const& policy, std::shared_ptr<spdlog::logger> logger)
    : source_(source),
      sink_(sink),
      store_(store),
      policy_(policy),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

SyncOutcome SyncJob::RunOnce(SyncOptions const& options) {
  return SyncRun({{&source_, &sink_}, linked_, store_, policy_, logger_}, options).Run();
}

}  // namespace casebridge::sync
