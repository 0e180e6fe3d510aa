#include "connector/sync/sync_job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/common/failpoint.h"
#include "connector/report/case_flags.h"
#include "connector/salesforce/soql.h"
#include "connector/sync/action_content.h"
#include "connector/sync/action_writer.h"
#include "connector/sync/bulk_case_reader.h"
#include "connector/sync/forge_side.h"

namespace casebridge::sync {
namespace {

using nlohmann::json;
constexpr char kSystem[] = "salesforce";
constexpr char kObject[] = "Case";
constexpr char kForgeSystem[] = "forge";
constexpr char kForgeObject[] = "tickets";

// Everything one evaluated page contributes to the store.
struct PageWork {
  std::vector<store::PlannedAction> actions;
  std::vector<store::CaseFlags> flags;
  std::vector<store::TrackedCase> tracked;
  std::vector<std::pair<std::string, std::string>> remote_keys;  // key -> remote id found
  std::vector<std::string> due_now;  // Salesforce cases to re-evaluate in this run (or the next)
};

// A Salesforce Case id as a Forge ticket may name it: 15 or 18 letters and digits, prefix 500.
bool IsCaseId(std::string const& id) {
  return (id.size() == 15 || id.size() == 18) && id.rfind("500", 0) == 0 &&
         std::all_of(id.begin(), id.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; });
}

}  // namespace

std::string StatsJson(SyncStats const& stats, salesforce::CallCounts const& calls,
                      forge::CallCounts const& forge_calls) {
  json j;
  j["cases_read"] = stats.cases_read;
  j["cases_evaluated"] = stats.cases_evaluated;
  j["cases_unchanged"] = stats.cases_unchanged;
  j["cases_due"] = stats.cases_due;
  j["cases_reread"] = stats.cases_reread;
  j["bad_records"] = stats.bad_records;
  j["actions_planned"] = stats.actions_planned;
  j["actions_known"] = stats.actions_known;
  j["actions_written"] = stats.actions_written;
  j["actions_failed"] = stats.actions_failed;
  j["actions_healed"] = stats.actions_healed;
  j["flags"] = stats.flags;
  if (stats.forge) {
    j["cases_linked"] = stats.cases_linked;
    j["forge"] = {{"tickets_read", stats.forge_tickets_read},
                  {"forge_only_evaluated", stats.forge_only_evaluated},
                  {"due", stats.forge_due},
                  {"unlinked_open_cases", stats.forge_unlinked_open_cases},
                  {"skipped", stats.forge_skipped},
                  {"api_calls",
                   {{"login", forge_calls.login},
                    {"read", forge_calls.read},
                    {"write", forge_calls.write},
                    {"total", forge_calls.total()}}}};
  }
  j["api_calls"] = {{"auth", calls.auth}, {"query", calls.query}, {"write", calls.write},
                    {"bulk", calls.bulk}, {"other", calls.other}, {"total", calls.total()}};
  return j.dump();
}

void WriteSummary(std::ostream& out, SyncOutcome const& outcome,
                  salesforce::CallCounts const& calls, bool dry_run) {
  SyncStats const& st = outcome.stats;
  out << "cases:   " << st.cases_read << " read, " << st.cases_evaluated << " evaluated ("
      << st.cases_due << " because a clock came due, " << st.cases_reread
      << " again after this run's own writes), " << st.cases_unchanged
      << " unchanged since the last run";
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
  out << "api:     " << calls.total() << " calls: " << calls.auth << " auth, " << calls.query
      << " query, " << calls.write << " write, " << calls.bulk << " bulk\n";
  if (st.forge) {
    auto const& f = outcome.forge_calls;
    out << "         Forge: " << f.total() << " calls: " << f.login << " login, " << f.read
        << " read, " << f.write << " write\n";
  }
}

SyncJob::SyncJob(salesforce::Client client, store::StateStore& store,
                 mappings::Policy const& policy, mappings::SignalsMapping const& signals,
                 std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      store_(store),
      policy_(policy),
      signals_(signals),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

SyncOutcome SyncJob::RunOnce(SyncOptions const& options) {
  SyncOutcome outcome;
  SyncStats& stats = outcome.stats;
  Instant const now = options.now;

  // 1. The run lock and the run record.
  std::optional<store::RunLock> lock;
  bool const backfill = options.backfill.has_value();
  // A dry-run sync touches nothing; a backfill (even a dry one) keeps its checkpoint.
  bool const bookkeeping = !options.dry_run || backfill;
  if (bookkeeping) {
    auto l = store_.TryLock({now, options.run_id});
    if (!l.ok()) {
      if (l.status().code() == StatusCode::kAborted) {
        outcome.lock_held = true;
        outcome.lock_message = l.status().message();
        return outcome;
      }
      outcome.status = l.status();
      return outcome;
    }
    lock.emplace(std::move(*l));
    if (auto n = store_.CloseAbandonedRuns(options.run_id, now); n.ok() && *n > 0) {
      logger_->warn("{} earlier run(s) had died; marked interrupted (their work resumes now)", *n);
    }
    store::RunRecord run;
    run.run_id = options.run_id;
    run.kind = backfill ? store::RunKind::kBackfill : store::RunKind::kSync;
    run.started = now;
    if (auto s = store_.StartRun(run); !s.ok()) {
      outcome.status = s;
      return outcome;
    }
  }
  std::optional<ForgeSide> forge_side;
  std::vector<std::string> linked_cases;  // Salesforce cases named by Forge tickets read
  auto finish = [&](Status status) -> SyncOutcome& {
    outcome.status = std::move(status);
    // Copies of a Forge client share its counters.
    if (forge_ && stats.forge) outcome.forge_calls = forge_->calls();
    if (bookkeeping) {
      store::RunStatus rs = store::RunStatus::kSucceeded;
      if (outcome.status.code() == StatusCode::kResourceExhausted) {
        rs = store::RunStatus::kBudgetExhausted;
      } else if (!outcome.status.ok()) {
        rs = store::RunStatus::kFailed;
      }
      auto s = store_.FinishRun(options.run_id, rs, now,
                                StatsJson(stats, client_.calls(), outcome.forge_calls));
      if (!s.ok())
        logger_->error("could not record the end of run {}: {}", options.run_id, s.message());
    }
    return outcome;
  };

  auto calendar = engine::BusinessCalendar::Create(policy_.calendar);
  if (!calendar.ok()) return finish(calendar.status());
  engine::Engine const engine(policy_, *calendar);

  // 2. Queues.
  adapters::QueueDirectory queues;
  Status qs = client_.Query(adapters::QueueQuery(policy_), [&](salesforce::QueryPage const& page) {
    for (auto sv : page.records) {
      auto flat = salesforce::FlattenRecord(sv);
      if (!flat.ok()) return flat.status();
      auto id = salesforce::FindField(*flat, "Id");
      auto name = salesforce::FindField(*flat, "DeveloperName");
      if (!id || !name) continue;
      for (auto const& [key, developer_name] : policy_.queues.developer_names) {
        if (developer_name == *name) queues.Add(*id, key);
      }
    }
    return OkStatus();
  });
  if (!qs.ok()) return finish(qs);
  if (!queues.IdOf(policy_.queues.back_office)) {
    logger_->warn("the back-office queue '{}' is not in the org: reassignments will fail",
                  policy_.queues.developer_names.at(policy_.queues.back_office));
  }
  adapters::SalesforceCaseAdapter const adapter(signals_, policy_, queues);
  ActionContext const context{&policy_, &adapter};
  if (forge_) {
    forge_side.emplace(*forge_, store_, adapter, logger_, options.dry_run);
    stats.forge = true;
  }

  std::set<std::string> evaluated;  // case ids evaluated in this run
  // Per case evaluated in this run, its flags' (rule, status) as last counted in `stats.flags`.
  std::unordered_map<std::string, std::vector<std::pair<std::string_view, std::string_view>>>
      last_flags;
  engine::Evaluation evaluation;

  // Evaluates one snapshot into `evaluation`: its flags into `cf` and the summary counts; returns
  // its next check (a pending flag's due).
  auto assess = [&](engine::Snapshot const& s, report::CaseFacts const& facts,
                    store::CaseFlags& cf) -> std::optional<Instant> {
    engine.Evaluate(s, now, evaluation);
    cf.case_id = s.id;
    std::optional<Instant> next_check;
    // The summary counts each case's latest evaluation once.
    auto& last = last_flags[s.id];
    for (auto const& [rule, status] : last) {
      --stats.flags[std::string(rule)][std::string(status)];
    }
    last.clear();
    for (auto const& f : evaluation.flags) {
      std::string const rule(mappings::RuleName(f.rule));
      std::string const status(engine::FlagStatusName(f.status));
      ++stats.flags[rule][status];
      last.emplace_back(mappings::RuleName(f.rule), engine::FlagStatusName(f.status));
      if (f.status == engine::FlagStatus::kPending && f.due) {
        Instant const check = *f.due + std::chrono::seconds(1);
        if (!next_check || check < *next_check) next_check = check;
      }
      store::FlagRecord r;
      report::ToFlagRecord(s, f, facts, r);
      cf.flags.push_back(std::move(r));
    }
    return next_check;
  };

  // Step 5 for one page of work: the ledger rows, flags, tracked cases and the watermark, in
  // one transaction (a dry run only counts what would be planned).
  auto store_work = [&](PageWork const& work,
                        std::optional<store::Watermark> const& mark) -> Status {
    if (options.dry_run) {
      std::vector<std::string> keys;
      for (auto const& a : work.actions) keys.push_back(a.key);
      auto existing = store_.GetActions(keys);
      if (!existing.ok()) return existing.status();
      std::set<std::string> have;
      for (auto const& e : *existing) have.insert(e.action.key);
      for (auto const& a : work.actions) {
        if (have.count(a.key) != 0) {
          ++stats.actions_known;
        } else {
          ++stats.actions_planned;
          ++stats.actions_by_type[a.action_id];
        }
      }
      return OkStatus();
    }
    // 5. One transaction per page.
    auto tx = store_.Begin();
    if (!tx.ok()) return tx.status();
    auto planned = store_.PlanActions(work.actions, now);
    if (!planned.ok()) return planned.status();
    stats.actions_planned += static_cast<std::int64_t>(planned->new_keys.size());
    stats.actions_known += static_cast<std::int64_t>(planned->already_known);
    for (auto const& key : planned->new_keys) {
      auto const a = key.find(':');
      auto const b = key.find(':', a + 1);
      ++stats.actions_by_type[key.substr(a + 1, b - a - 1)];
    }
    // Heal: records casebridge wrote whose ledger row missed the update (a crash in between).
    if (!work.remote_keys.empty()) {
      std::vector<std::string> keys;
      for (auto const& [key, id] : work.remote_keys) keys.push_back(key);
      auto rows = store_.GetActions(keys);
      if (!rows.ok()) return rows.status();
      std::vector<store::WriteResult> healed;
      for (auto const& row : *rows) {
        if (row.state == store::ActionState::kWritten) continue;
        for (auto const& [key, id] : work.remote_keys) {
          if (key == row.action.key) healed.push_back({key, true, id, ""});
        }
      }
      if (!healed.empty()) {
        if (auto s = store_.RecordWriteResults(healed, now); !s.ok()) return s;
        stats.actions_healed += static_cast<std::int64_t>(healed.size());
      }
    }
    if (auto s = store_.ReplaceCaseFlags(work.flags, now); !s.ok()) return s;
    if (auto s = store_.UpsertTrackedCases(work.tracked, now); !s.ok()) return s;
    for (auto const& id : work.due_now) {
      if (auto s = store_.SetNextCheck(kSystem, id, now, now); !s.ok()) return s;
    }
    if (mark) {
      if (auto s = store_.SetWatermark(*mark); !s.ok()) return s;
    }
    Failpoint("sync.before_page_commit");
    Status committed = tx->Commit();
    Failpoint("sync.after_page_commit");
    return committed;
  };

  // Evaluates one page of records; `force` evaluates even unchanged cases (due re-checks, cases
  // changed by this run's own writes, cases a changed Forge ticket names); `due` / `linked` count
  // them as due re-checks / Forge links.
  auto process_page = [&](salesforce::QueryPage const& page, bool force, bool due,
                          bool linked) -> Status {
    std::vector<adapters::SalesforceCase> cases;
    std::vector<std::string_view> raws;  // each case's record JSON
    cases.reserve(page.records.size());
    std::string last_modstamp;
    std::string last_id;
    for (auto sv : page.records) {
      ++stats.cases_read;
      std::vector<std::string> warnings;
      auto c = adapter.Convert(sv, &warnings);
      for (auto& w : warnings) logger_->warn("{}", w);
      if (!c.ok()) {
        ++stats.bad_records;
        if (stats.problems.size() < 100) stats.problems.push_back(c.status().message());
        logger_->error("skipped a Case record: {}", c.status().message());
        continue;
      }
      last_modstamp = c->modstamp;
      last_id = c->snapshot.id;
      cases.push_back(std::move(*c));
      raws.push_back(sv);
    }
    // Skip cases already evaluated at this very version (overlap re-reads).
    std::vector<std::string> ids;
    ids.reserve(cases.size());
    for (auto const& c : cases) ids.push_back(c.snapshot.id);
    std::unordered_map<std::string, std::string> known;
    if (!force && !ids.empty()) {
      auto tracked = store_.GetTrackedCases(kSystem, ids);
      if (!tracked.ok()) return tracked.status();
      for (auto& t : *tracked) known.emplace(t.case_id, std::move(t.modstamp));
    }
    PageWork work;
    std::vector<CaseForForge> for_forge;
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
      auto const& c = cases[ci];
      auto const& s = c.snapshot;
      if (!force) {
        auto it = known.find(s.id);
        if ((it != known.end() && it->second == c.modstamp) || evaluated.count(s.id) != 0) {
          ++stats.cases_unchanged;
          continue;
        }
      }
      evaluated.insert(s.id);
      ++stats.cases_evaluated;
      if (due) ++stats.cases_due;
      if (linked) ++stats.cases_linked;
      if (force && !due && !linked) ++stats.cases_reread;
      for_forge.push_back({&c, raws[ci]});
      report::CaseFacts facts;
      facts.subject = c.subject;
      facts.owner_name = c.owner_name;
      facts.installer_name = c.installer_name;
      store::CaseFlags cf;
      std::optional<Instant> const next_check = assess(s, facts, cf);
      work.flags.push_back(std::move(cf));
      for (auto const& a : evaluation.actions) {
        if (a.kind == mappings::ActionKind::kForgeRecord) continue;
        auto payload = BuildActionPayload(c, a, context);
        if (!payload.ok()) {
          logger_->error("case {}: {}", s.id, payload.status().message());
          continue;
        }
        store::PlannedAction p;
        p.key = a.key;
        p.case_id = s.id;
        p.action_id = std::string(mappings::ActionName(a.action));
        p.n = a.n;
        p.rule_id = std::string(mappings::RuleName(a.rule));
        p.kind = std::string(mappings::ActionKindName(a.kind));
        p.target_system = kSystem;
        p.due = a.due;
        p.payload = std::move(*payload);
        p.evidence = json{{"rule", p.rule_id},
                          {"stage", engine::StageName(evaluation.stage)},
                          {"evaluated_at", FormatInstant(now)}}
                         .dump();
        work.actions.push_back(std::move(p));
      }
      for (auto const& [key, id] : c.tasks_by_key) work.remote_keys.emplace_back(key, id);
      for (auto const& [key, id] : c.feed_posts_by_key) work.remote_keys.emplace_back(key, id);
      store::TrackedCase t;
      t.system = kSystem;
      t.case_id = s.id;
      t.modstamp = c.modstamp;
      t.next_check = s.closed_at ? std::nullopt : next_check;
      work.tracked.push_back(std::move(t));
    }
    if (forge_side) {
      ForgePlanStats fs;
      auto forge_actions = forge_side->PlanForCases(for_forge, now, fs);
      if (!forge_actions.ok()) return forge_actions.status();
      stats.forge_unlinked_open_cases += fs.unlinked_open_cases;
      for (auto& a : *forge_actions) work.actions.push_back(std::move(a));
    }
    std::optional<store::Watermark> mark;
    if (!force && !last_modstamp.empty()) {
      mark = store::Watermark{kSystem, kObject, last_modstamp, last_id, now};
    }
    return store_work(work, mark);
  };

  // Forge-only tickets (no Salesforce case names them) are evaluated as Forge cases; the
  // Forge actions they call for are planned. `mark`: the Forge watermark to store with them.
  auto evaluate_forge = [&](ForgeRefresh& refresh, std::optional<store::Watermark> const& mark,
                            bool due) -> Status {
    PageWork work;
    for (std::size_t i = 0; i < refresh.forge_only.size(); ++i) {
      auto const& ticket = refresh.forge_only_tickets[i];
      auto const& snap = refresh.forge_only[i];
      evaluated.insert(std::string(kForgeSystem) + ":" + ticket.id);
      ++(due ? stats.forge_due : stats.forge_only_evaluated);
      report::CaseFacts facts;
      facts.owner_name = ticket.assigned_to;
      store::CaseFlags cf;
      std::optional<Instant> const next_check = assess(snap, facts, cf);
      work.flags.push_back(std::move(cf));
      auto service = forge_side->PlanForForgeTicket(ticket, snap, now);
      if (!service.ok()) return service.status();
      if (*service) work.actions.push_back(std::move(**service));
      work.tracked.push_back({kForgeSystem, ticket.id, FormatInstant(ticket.updated_at),
                              snap.closed_at ? std::nullopt : next_check, Instant{}});
    }
    // The Salesforce cases these tickets name are read again in this run, and are due in the
    // store with the Forge watermark, so a run that stops first still gets to them next time.
    for (auto& id : refresh.linked_cases) {
      if (!IsCaseId(id)) {
        logger_->warn("a Forge ticket names '{}', which is not a Salesforce Case id", id);
        continue;
      }
      work.due_now.push_back(id);
      linked_cases.push_back(std::move(id));
    }
    return store_work(work, mark);
  };

  // Reads cases by id
  auto read_by_ids = [&](std::vector<std::string> const& ids, bool due,
                         bool linked = false) -> Status {
    auto in = salesforce::Soql::In("Id", ids);
    if (!in.ok()) return in.status();
    Status s = client_.Query(adapter.BuildQuery(*in), [&](salesforce::QueryPage const& page) {
      return process_page(page, true, due, linked);
    });
    if (!s.ok() || options.dry_run) return s;
    // Cases that no longer exist (deleted) or could not be converted: stop re-checking them.
    for (auto const& id : ids) {
      if (evaluated.count(id) == 0) {
        if (auto st = store_.SetNextCheck(kSystem, id, std::nullopt, now); !st.ok()) return st;
        evaluated.insert(id);
      }
    }
    return OkStatus();
  };

  // read_by_ids() for any number of ids, `ids_per_query` at a time (not due re-checks).
  auto read_all_by_ids = [&](std::vector<std::string> const& ids, bool linked) -> Status {
    for (std::size_t i = 0; i < ids.size(); i += options.ids_per_query) {
      std::vector<std::string> chunk(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                     ids.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                       ids.size(), i + options.ids_per_query)));
      if (auto s = read_by_ids(chunk, false, linked); !s.ok()) return s;
    }
    return OkStatus();
  };

  // 6. Writes.
  auto write_pending = [&]() -> Status {
    if (options.dry_run) return OkStatus();
    ActionWriter writer(client_, store_, adapter, logger_);
    WriterOptions wo;
    wo.now = now;
    wo.run_id = options.run_id;
    wo.max_attempts = options.max_attempts;
    wo.wall_now = options.wall_now;
    wo.in_flight_grace = options.in_flight_grace;
    // Cases this run reassigned are read again and evaluated once more, so the steps that
    // follow a hand-off (e.g. call_installer) are written now rather than by the next run.
    for (int pass = 0; pass < 2; ++pass) {
      WriterReport wr = writer.WritePending(wo);
      stats.actions_written += wr.written;
      stats.actions_failed += wr.failed;
      stats.actions_healed += wr.healed;
      stats.actions_deferred += wr.deferred;
      if (!wr.status.ok()) return wr.status;
      if (forge_side) {
        WriterReport fr = forge_side->WritePending(wo);
        stats.actions_written += fr.written;
        stats.actions_failed += fr.failed;
        stats.actions_healed += fr.healed;
        if (!fr.status.ok()) return fr.status;
      }
      std::set<std::string> const changed(wr.updated_records.begin(), wr.updated_records.end());
      if (changed.empty() || pass == 1) break;
      std::vector<std::string> ids(changed.begin(), changed.end());
      if (auto s = read_all_by_ids(ids, false); !s.ok()) return s;
    }
    return OkStatus();
  };

  // Backfill: cases created in [from, to), chunk by chunk, each chunk checkpointed.
  if (backfill) {
    BackfillSpec const& spec = *options.backfill;
    std::string const name = options.dry_run ? "backfill-dry-run" : "backfill";
    std::int64_t const chunks = std::max<std::int64_t>(
        1, (spec.to - spec.from + spec.chunk - std::chrono::seconds(1)) / spec.chunk);
    std::int64_t first = 0;
    if (spec.resume) {
      auto cp = store_.LoadCheckpoint(name);
      if (!cp.ok()) return finish(cp.status());
      if (!*cp || (*cp)->range_from != spec.from || (*cp)->range_to != spec.to) {
        return finish(FailedPreconditionError(
            "--resume: no unfinished " + name + " of " + FormatInstant(spec.from) + ".." +
            FormatInstant(spec.to) + " to resume (run it without --resume)"));
      }
      if ((*cp)->completed) {
        logger_->info("{} of this range already completed", name);
        return finish(OkStatus());
      }
      first = (*cp)->chunk;
      outcome.resumed_from_chunk = first;
    }
    std::string const& created = signals_.salesforce.case_fields.created;
    auto range_condition = [&](Instant a, Instant b) {
      return created + " >= " + salesforce::Soql::DateTime(a) + " AND " + created + " < " +
             salesforce::Soql::DateTime(b);
    };
    auto total =
        client_.Count("SELECT COUNT() FROM Case WHERE " + range_condition(spec.from, spec.to));
    if (!total.ok()) return finish(total.status());
    BackfillProgress progress;
    progress.chunks = chunks;
    progress.cases_total = *total;
    // Large ranges: one Bulk API 2.0 job per object and chunk instead of REST pages.
    stats.bulk = *total > spec.bulk_above * chunks;
    if (stats.bulk) logger_->info("{} cases: reading each chunk with Bulk API 2.0 jobs", *total);
    for (std::int64_t i = first; i < chunks; ++i) {
      Instant const a = spec.from + spec.chunk * i;
      Instant const b = std::min(spec.to, a + spec.chunk);
      auto on_page = [&](salesforce::QueryPage const& page) {
        Status st = process_page(page, true, false, false);
        progress.cases_done += static_cast<std::int64_t>(page.records.size());
        if (spec.on_progress) spec.on_progress(progress);
        return st;
      };
      Status read = stats.bulk
                        ? ReadCasesInBulk(client_, adapter, range_condition(a, b), 2000, on_page)
                        : client_.Query(adapter.BuildQuery(range_condition(a, b)), on_page);
      if (!read.ok()) return finish(read);
      if (auto st = write_pending(); !st.ok()) return finish(st);
      store::Checkpoint cp;
      cp.name = name;
      cp.run_id = options.run_id;
      cp.range_from = spec.from;
      cp.range_to = spec.to;
      cp.chunk = i + 1;
      cp.completed = i + 1 == chunks;
      cp.updated_at = now;
      if (auto st = store_.SaveCheckpoint(cp); !st.ok()) return finish(st);
      progress.chunk = i + 1;
      if (spec.on_progress) spec.on_progress(progress);
      Failpoint("backfill.after_chunk");
    }
    return finish(OkStatus());
  }
  // The Forge side first, so the Salesforce pages see the links it finds. A Forge failure does
  // not stop the Salesforce work: the run goes on without Forge and ends with Forge's error.
  Status forge_status;
  auto forge_failed = [&](Status status) {
    forge_status = std::move(status);
    logger_->error("Forge: {} (the Salesforce work goes on; Forge's waits for the next run)",
                   forge_status.message());
    forge_side.reset();
  };
  if (forge_side) {
    auto fw = store_.GetWatermark(kForgeSystem, kForgeObject);
    if (!fw.ok()) return finish(fw.status());
    Instant fsince = now - options.initial_lookback;
    if (*fw) {
      if (auto t = ParseInstant((*fw)->modstamp)) fsince = *t - options.overlap;
    }
    logger_->info("reading Forge tickets changed since {}", FormatInstant(fsince));
    auto refresh = forge_side->Refresh(fsince, now, !*fw);
    if (!refresh.ok()) {
      forge_failed(refresh.status());
    } else {
      stats.forge_tickets_read = refresh->tickets_read;
      stats.forge_skipped = static_cast<std::int64_t>(refresh->skipped.size());
      for (auto const& bad : refresh->skipped) {
        logger_->warn("skipped a Forge record: {}", bad.message());
      }
      // Never backwards: with nothing new, the read's watermark is `since` (overlap included).
      Instant next = refresh->watermark;
      if (*fw) {
        if (auto t = ParseInstant((*fw)->modstamp)) next = std::max(next, *t);
      }
      store::Watermark const mark{kForgeSystem, kForgeObject, FormatInstant(next), "", now};
      if (auto st = evaluate_forge(*refresh, mark, false); !st.ok()) return finish(st);
    }
  }

  // 3. Incremental read.
  auto watermark = store_.GetWatermark(kSystem, kObject);
  if (!watermark.ok()) return finish(watermark.status());
  Instant since = now - options.initial_lookback;
  if (*watermark) {
    auto t = ParseInstant((*watermark)->modstamp);
    if (!t) {
      return finish(FailedPreconditionError("the stored watermark '" + (*watermark)->modstamp +
                                            "' is not a date-time"));
    }
    since = *t - options.overlap;
  }
  std::string const soql = adapter.BuildQuery(signals_.salesforce.case_fields.modstamp +
                                              " >= " + salesforce::Soql::DateTime(since));
  logger_->info("reading cases modified since {}", FormatInstant(since));
  Status read = client_.Query(soql, [&](salesforce::QueryPage const& page) {
    return process_page(page, false, false, false);
  });
  if (!read.ok()) return finish(read);

  // Cases a changed Forge ticket names and this run has not evaluated: their Forge actions may
  // have become possible (a new link) even though the case itself did not change.
  {
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (auto const& id : linked_cases) {
      if (evaluated.count(id) == 0 && seen.insert(id).second) ids.push_back(id);
    }
    if (auto s = read_all_by_ids(ids, true); !s.ok()) return finish(s);
  }

  // 4. Cases whose clocks came due (Salesforce cases by id, Forge-only tickets through Forge).
  for (int round = 0; round < 1000; ++round) {
    auto due = store_.ListDueCases(now, options.ids_per_query);
    if (!due.ok()) return finish(due.status());
    std::vector<std::string> ids;
    std::vector<std::string> forge_ids;
    for (auto const& t : *due) {
      if (t.system == kSystem && evaluated.count(t.case_id) == 0) ids.push_back(t.case_id);
      if (t.system == kForgeSystem &&
          evaluated.count(std::string(kForgeSystem) + ":" + t.case_id) == 0) {
        forge_ids.push_back(t.case_id);
      }
    }
    if (ids.empty() && forge_ids.empty()) break;
    if (!ids.empty()) {
      if (auto s = read_by_ids(ids, true); !s.ok()) return finish(s);
    }
    if (!forge_ids.empty()) {
      std::set<std::string> seen;
      if (forge_side) {
        auto again = forge_side->ReadDue(forge_ids, now);
        if (!again.ok()) {
          forge_failed(again.status());
        } else {
          for (auto const& t : again->forge_only_tickets) seen.insert(t.id);
          if (auto s = evaluate_forge(*again, std::nullopt, true); !s.ok()) return finish(s);
        }
      }
      // Gone from Forge, linked to Salesforce now, or Forge no longer configured: no more
      // re-checks of this ticket as a Forge case. (Forge failing in this run: kept as due.)
      for (auto const& id : forge_ids) {
        if (seen.count(id) != 0) continue;
        evaluated.insert(std::string(kForgeSystem) + ":" + id);
        if (options.dry_run || (forge_ && !forge_side)) continue;
        if (auto s = store_.SetNextCheck(kForgeSystem, id, std::nullopt, now); !s.ok()) {
          return finish(s);
        }
      }
    }
    if (options.dry_run) break;  // nothing moves forward in a dry run
  }

  if (auto s = write_pending(); !s.ok()) return finish(s);
  return finish(forge_status);
}

}  // namespace casebridge::sync
