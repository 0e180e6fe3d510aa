#include "connector/sync/sync_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce/ids.h"
#include "connector/common/failpoint.h"
#include "connector/report/case_flags.h"

namespace casebridge::sync {
namespace {

using nlohmann::json;
constexpr char kForgeSystem[] = "forge";
constexpr char kForgeObject[] = "tickets";
constexpr char kCaseObject[] = "Case";

std::string ForgeKey(std::string const& ticket_id) {
  return std::string(kForgeSystem) + ":" + ticket_id;
}

}  // namespace

SyncRun::SyncRun(SyncDeps deps, SyncOptions const& options)
    : source_(deps.source),
      sink_(deps.sink),
      store_(deps.store),
      policy_(deps.policy),
      logger_(deps.logger),
      forge_(deps.forge),
      options_(options),
      now_(options.now),
      bookkeeping_(!options.dry_run || options.backfill.has_value()) {}

SyncOutcome SyncRun::Run() {
  if (!Acquire()) return std::move(outcome_);
  Status s = Prepare();
  if (s.ok()) s = options_.backfill ? RunBackfill() : RunSync();
  Finish(std::move(s));
  return std::move(outcome_);
}

// Step 1: the run lock and the run record. False when the run must end here.
bool SyncRun::Acquire() {
  if (!bookkeeping_) return true;
  auto l = store_.TryLock({now_, options_.run_id});
  if (!l.ok()) {
    if (l.status().code() == StatusCode::kAborted) {
      outcome_.lock_held = true;
      outcome_.lock_message = l.status().message();
    } else {
      outcome_.status = l.status();
    }
    return false;
  }
  lock_.emplace(std::move(*l));
  if (auto n = store_.CloseAbandonedRuns(options_.run_id, now_); n.ok() && *n > 0) {
    logger_->warn("{} earlier run(s) had died; marked interrupted (their work resumes now)", *n);
  }
  store::RunRecord run;
  run.run_id = options_.run_id;
  run.kind = options_.backfill ? store::RunKind::kBackfill : store::RunKind::kSync;
  run.started = now_;
  if (auto s = store_.StartRun(run); !s.ok()) {
    outcome_.status = s;
    return false;
  }
  return true;
}

// Step 2: the engine and the source (Salesforce reads its queues); the Forge side.
Status SyncRun::Prepare() {
  auto calendar = engine::BusinessCalendar::Create(policy_.calendar);
  if (!calendar.ok()) return calendar.status();
  calendar_.emplace(*std::move(calendar));
  engine_.emplace(policy_, *calendar_);
  if (auto s = source_.Prepare(); !s.ok()) return s;
  if (forge_) {
    forge_side_.emplace(*forge_, store_, logger_, options_.dry_run);
    stats_.forge = true;
  }
  return OkStatus();
}

void SyncRun::Finish(Status status) {
  outcome_.status = std::move(status);
  outcome_.calls = source_.Calls();
  if (forge_ && stats_.forge) {
    // Copies of a Forge client share its counters.
    auto const f = forge_->calls();
    outcome_.forge_calls = {
        {{"login", f.login}, {"read", f.read}, {"write", f.write}, {"other", f.other}}};
  }
  if (!bookkeeping_) return;
  store::RunStatus rs = store::RunStatus::kSucceeded;
  if (outcome_.status.code() == StatusCode::kResourceExhausted) {
    rs = store::RunStatus::kBudgetExhausted;
  } else if (!outcome_.status.ok()) {
    rs = store::RunStatus::kFailed;
  }
  auto s = store_.FinishRun(options_.run_id, rs, now_,
                            StatsJson(stats_, outcome_.calls, outcome_.forge_calls));
  if (!s.ok())
    logger_->error("could not record the end of run {}: {}", options_.run_id, s.message());
}

Status SyncRun::RunSync() {
  // The Forge side first, so the pages of the source see the links it finds.
  if (auto s = ReadForge(); !s.ok()) return s;
  if (auto s = ReadChanged(); !s.ok()) return s;
  if (auto s = ReadLinked(); !s.ok()) return s;
  if (auto s = ReadDue(); !s.ok()) return s;
  if (auto s = WritePending(); !s.ok()) return s;
  return forge_status_;
}

// A Forge failure does not stop the source's work: the run goes on without Forge and ends with
// Forge's error.
void SyncRun::ForgeFailed(Status status) {
  forge_status_ = std::move(status);
  logger_->error("Forge: {} (the {} work goes on; Forge's waits for the next run)",
                 forge_status_.message(), source_.system());
  forge_side_.reset();
}

Status SyncRun::ReadForge() {
  if (!forge_side_) return OkStatus();
  auto fw = store_.GetWatermark(kForgeSystem, kForgeObject);
  if (!fw.ok()) return fw.status();
  Instant fsince = now_ - options_.initial_lookback;
  std::optional<Instant> stored;
  if (*fw) stored = ParseInstant((*fw)->modstamp);
  if (stored) fsince = *stored - options_.overlap;
  logger_->info("reading Forge tickets changed since {}", FormatInstant(fsince));
  auto refresh = forge_side_->Refresh(fsince, now_, !*fw);
  if (!refresh.ok()) {
    ForgeFailed(refresh.status());
    return OkStatus();
  }
  stats_.forge_tickets_read = refresh->tickets_read;
  stats_.forge_skipped = static_cast<std::int64_t>(refresh->skipped.size());
  for (auto const& bad : refresh->skipped) {
    logger_->warn("skipped a Forge record: {}", bad.message());
  }
  // Never backwards: with nothing new, the read's watermark is `since` (overlap included).
  Instant next = refresh->watermark;
  if (stored) next = std::max(next, *stored);
  store::Watermark const mark{kForgeSystem, kForgeObject, FormatInstant(next), "", now_};
  return EvaluateForge(*refresh, mark, false);
}

// Step 3: the cases changed since the watermark.
Status SyncRun::ReadChanged() {
  auto watermark = store_.GetWatermark(source_.system(), kCaseObject);
  if (!watermark.ok()) return watermark.status();
  Instant since = now_ - options_.initial_lookback;
  if (*watermark) {
    auto t = ParseInstant((*watermark)->modstamp);
    if (!t) {
      return FailedPreconditionError("the stored watermark '" + (*watermark)->modstamp +
                                     "' is not a date-time");
    }
    since = *t - options_.overlap;
  }
  logger_->info("reading cases modified since {}", FormatInstant(since));
  return source_.ReadChanged(
      since, [&](adapters::CasePage& page) { return EvaluatePage(page, ReadReason::kChanged); });
}

// Cases a changed Forge ticket names and this run has not evaluated: their Forge actions may
// have become possible (a new link) even though the case itself did not change.
Status SyncRun::ReadLinked() {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (auto const& id : linked_cases_) {
    if (evaluated_.count(id) == 0 && seen.insert(id).second) ids.push_back(id);
  }
  return ReadByIds(ids, ReadReason::kLinked);
}

// Step 4: cases whose clocks came due (the source's by id, Forge-only tickets through Forge).
Status SyncRun::ReadDue() {
  for (int round = 0; round < 1000; ++round) {
    auto due = store_.ListDueCases(now_, options_.due_per_round);
    if (!due.ok()) return due.status();
    std::vector<std::string> ids;
    std::vector<std::string> forge_ids;
    for (auto const& t : *due) {
      if (t.system == source_.system() && evaluated_.count(t.case_id) == 0) {
        ids.push_back(t.case_id);
      }
      if (t.system == kForgeSystem && evaluated_.count(ForgeKey(t.case_id)) == 0) {
        forge_ids.push_back(t.case_id);
      }
    }
    if (ids.empty() && forge_ids.empty()) break;
    if (auto s = ReadByIds(ids, ReadReason::kDue); !s.ok()) return s;
    if (auto s = ReadDueForge(forge_ids); !s.ok()) return s;
    if (options_.dry_run) break;  // nothing moves forward in a dry run
  }
  return OkStatus();
}

Status SyncRun::ReadDueForge(std::vector<std::string> const& ids) {
  if (ids.empty()) return OkStatus();
  std::set<std::string> seen;
  if (forge_side_) {
    auto again = forge_side_->ReadDue(ids, now_);
    if (!again.ok()) {
      ForgeFailed(again.status());
    } else {
      for (auto const& t : again->forge_only_tickets) seen.insert(t.id);
      if (auto s = EvaluateForge(*again, std::nullopt, true); !s.ok()) return s;
    }
  }
  // Gone from Forge, linked to a case now, or Forge no longer configured: no more re-checks of
  // this ticket as a Forge case. (Forge failing in this run: kept as due.)
  for (auto const& id : ids) {
    if (seen.count(id) != 0) continue;
    evaluated_.insert(ForgeKey(id));
    if (options_.dry_run || (forge_ && !forge_side_)) continue;
    if (auto s = store_.SetNextCheck(kForgeSystem, id, std::nullopt, now_); !s.ok()) return s;
  }
  return OkStatus();
}

// Reads the given cases by id and evaluates them even if unchanged.
Status SyncRun::ReadByIds(std::vector<std::string> const& ids, ReadReason reason) {
  if (ids.empty()) return OkStatus();
  Status s =
      source_.ReadByIds(ids, [&](adapters::CasePage& page) { return EvaluatePage(page, reason); });
  if (!s.ok() || options_.dry_run) return s;
  // Cases that no longer exist (deleted) or could not be converted: stop re-checking them.
  for (auto const& id : ids) {
    if (evaluated_.count(id) != 0) continue;
    if (auto st = store_.SetNextCheck(source_.system(), id, std::nullopt, now_); !st.ok()) {
      return st;
    }
    evaluated_.insert(id);
  }
  return OkStatus();
}

// Step 6: every pending row, by its system's sink. Cases this run reassigned are read again and
// evaluated once more, so the steps that follow a hand-off (e.g. call_installer) are written now
// rather than by the next run.
Status SyncRun::WritePending() {
  if (options_.dry_run) return OkStatus();
  for (int pass = 0; pass < 2; ++pass) {
    std::set<std::string> changed;
    adapters::WriteOptions wo{now_, options_.wall_now, options_.in_flight_grace, options_.run_id};
    store::ActionQuery query;
    query.states = {store::ActionState::kPlanned, store::ActionState::kFailed};
    query.limit = 2000;
    query.max_attempts = options_.max_attempts;
    query.target_system = std::string(sink_.system());
    while (true) {
      auto rows = store_.ListActions(query);
      if (!rows.ok()) return rows.status();
      if (rows->empty()) break;
      query.after_key = rows->back().action.key;
      adapters::WriteReport wr = sink_.Write(*rows, wo);
      stats_.actions_written += wr.written;
      stats_.actions_failed += wr.failed;
      stats_.actions_healed += wr.healed;
      stats_.actions_deferred += wr.deferred;
      changed.insert(wr.changed_cases.begin(), wr.changed_cases.end());
      if (!wr.status.ok()) return wr.status;
      if (rows->size() < query.limit) break;
    }
    if (auto s = WriteForge(); !s.ok()) return s;
    if (changed.empty() || pass == 1) break;
    if (auto s = ReadByIds({changed.begin(), changed.end()}, ReadReason::kReread); !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

Status SyncRun::WriteForge() {
  if (!forge_side_) return OkStatus();
  adapters::WriteOptions wo{now_, options_.wall_now, options_.in_flight_grace, options_.run_id};
  adapters::WriteReport fr = forge_side_->WritePending(wo, options_.max_attempts);
  stats_.actions_written += fr.written;
  stats_.actions_failed += fr.failed;
  stats_.actions_healed += fr.healed;
  return fr.status;
}

void SyncRun::Count(ReadReason reason) {
  ++stats_.cases_evaluated;
  switch (reason) {
    case ReadReason::kDue:
      ++stats_.cases_due;
      break;
    case ReadReason::kLinked:
      ++stats_.cases_linked;
      break;
    case ReadReason::kReread:
      ++stats_.cases_reread;
      break;
    case ReadReason::kChanged:
    case ReadReason::kBackfill:
      break;
  }
}

// The cases of a page to evaluate: a changed case already evaluated at this very version (an
// overlap re-read), or already evaluated in this run, is skipped.
StatusOr<std::vector<adapters::SourcedCase const*>> SyncRun::SelectToEvaluate(
    adapters::CasePage const& page, ReadReason reason) {
  std::vector<adapters::SourcedCase const*> out;
  std::unordered_map<std::string, std::string> known;
  if (reason == ReadReason::kChanged && !page.cases.empty()) {
    std::vector<std::string> ids;
    ids.reserve(page.cases.size());
    for (auto const& c : page.cases) ids.push_back(c.snapshot.id);
    auto tracked = store_.GetTrackedCases(source_.system(), ids);
    if (!tracked.ok()) return tracked.status();
    for (auto& t : *tracked) known.emplace(t.case_id, std::move(t.modstamp));
  }
  for (auto const& c : page.cases) {
    if (reason == ReadReason::kChanged) {
      auto it = known.find(c.snapshot.id);
      if ((it != known.end() && it->second == c.version) || evaluated_.count(c.snapshot.id) != 0) {
        ++stats_.cases_unchanged;
        continue;
      }
    }
    out.push_back(&c);
  }
  return out;
}

// Evaluates one page: flags, actions rendered by the sink, tracked versions; then the Forge
// actions of the evaluated cases; then commits it all with the read position.
Status SyncRun::EvaluatePage(adapters::CasePage& page, ReadReason reason) {
  stats_.cases_read += page.records;
  for (auto const& bad : page.skipped) {
    ++stats_.bad_records;
    if (stats_.problems.size() < 100) stats_.problems.push_back(bad.message());
    logger_->error("skipped a case record: {}", bad.message());
  }
  auto selected = SelectToEvaluate(page, reason);
  if (!selected.ok()) return selected.status();
  auto const& cases = *selected;
  PageWork work;
  for (auto const* c : cases) {
    evaluated_.insert(c->snapshot.id);
    Count(reason);
    store::CaseFlags cf;
    std::optional<Instant> const next_check = Assess(c->snapshot, c, c->owner_name, cf);
    work.flags.push_back(std::move(cf));
    if (auto s = PlanActions(*c, work); !s.ok()) return s;
    for (auto const& [key, id] : c->written) work.remote_keys.emplace_back(key, id);
    store::TrackedCase t;
    t.system = c->system;
    t.case_id = c->snapshot.id;
    t.modstamp = c->version;
    t.next_check = c->snapshot.closed_at ? std::nullopt : next_check;
    work.tracked.push_back(std::move(t));
  }
  if (forge_side_) {
    ForgePlanStats fs;
    auto forge_actions = forge_side_->PlanForCases(cases, now_, fs);
    if (!forge_actions.ok()) return forge_actions.status();
    stats_.forge_unlinked_open_cases += fs.unlinked_open_cases;
    for (auto& a : *forge_actions) work.actions.push_back(std::move(a));
  }
  std::optional<store::Watermark> mark;
  if (reason == ReadReason::kChanged && !page.last_version.empty()) {
    mark = store::Watermark{std::string(source_.system()), kCaseObject, page.last_version,
                            page.last_id, now_};
  }
  return CommitPage(work, mark);
}

// Evaluates one snapshot into evaluation_: its flags into `cf` and the summary counts; returns
// its next check (a pending flag's due). `c`: the sourced case, for the report facts.
std::optional<Instant> SyncRun::Assess(engine::Snapshot const& s, adapters::SourcedCase const* c,
                                       std::string_view owner_name, store::CaseFlags& cf) {
  engine_->Evaluate(s, now_, evaluation_);
  cf.case_id = s.id;
  report::CaseFacts facts;
  facts.owner_name = std::string(owner_name);
  if (c != nullptr) {
    facts.subject = c->subject;
    facts.installer_name = c->installer_name;
  }
  std::optional<Instant> next_check;
  // The summary counts each case's latest evaluation once.
  auto& last = last_flags_[s.source == kForgeSystem ? ForgeKey(s.id) : s.id];
  for (auto const& [rule, status] : last) --stats_.flags[std::string(rule)][std::string(status)];
  last.clear();
  for (auto const& f : evaluation_.flags) {
    ++stats_.flags[std::string(mappings::RuleName(f.rule))]
                  [std::string(engine::FlagStatusName(f.status))];
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
}

// The actions of the last evaluation that the sink can express, into the page's ledger rows.
Status SyncRun::PlanActions(adapters::SourcedCase const& c, PageWork& work) {
  for (auto const& a : evaluation_.actions) {
    auto payload = sink_.Render(c, a);
    if (!payload.ok()) {
      logger_->error("case {}: {}", c.snapshot.id, payload.status().message());
      continue;
    }
    if (!*payload) continue;  // no meaning in this system
    store::PlannedAction p;
    p.key = a.key;
    p.case_id = c.snapshot.id;
    p.action_id = std::string(mappings::ActionName(a.action));
    p.n = a.n;
    p.rule_id = std::string(mappings::RuleName(a.rule));
    p.kind = std::string(mappings::ActionKindName(a.kind));
    p.target_system = std::string(sink_.system());
    p.due = a.due;
    p.payload = std::move(**payload);
    p.evidence = json{{"rule", p.rule_id},
                      {"stage", engine::StageName(evaluation_.stage)},
                      {"evaluated_at", FormatInstant(now_)}}
                     .dump();
    work.actions.push_back(std::move(p));
  }
  return OkStatus();
}

// Forge-only tickets (no case of the source names them) are evaluated as Forge cases; the Forge
// actions they call for are planned. `mark`: the Forge watermark to store with them.
Status SyncRun::EvaluateForge(ForgeRefresh& refresh, std::optional<store::Watermark> const& mark,
                              bool due) {
  PageWork work;
  for (std::size_t i = 0; i < refresh.forge_only.size(); ++i) {
    auto const& ticket = refresh.forge_only_tickets[i];
    auto const& snap = refresh.forge_only[i];
    evaluated_.insert(ForgeKey(ticket.id));
    ++(due ? stats_.forge_due : stats_.forge_only_evaluated);
    store::CaseFlags cf;
    std::optional<Instant> const next_check = Assess(snap, nullptr, ticket.assigned_to, cf);
    work.flags.push_back(std::move(cf));
    auto service = forge_side_->PlanForForgeTicket(ticket, snap, now_);
    if (!service.ok()) return service.status();
    if (*service) work.actions.push_back(std::move(**service));
    work.tracked.push_back({kForgeSystem, ticket.id, FormatInstant(ticket.updated_at),
                            snap.closed_at ? std::nullopt : next_check, Instant{}});
  }
  // The cases these tickets name are read again in this run, and are due in the store with the
  // Forge watermark, so a run that stops first still gets to them next time.
  for (auto& id : refresh.linked_cases) {
    if (!adapters::sfid::IsCaseId(id)) {
      logger_->warn("a Forge ticket names '{}', which is not a Salesforce Case id", id);
      continue;
    }
    work.due_now.push_back(id);
    linked_cases_.push_back(std::move(id));
  }
  return CommitPage(work, mark);
}

// Step 5 for one page: the ledger rows, flags, tracked cases and the watermark, in one
// transaction (a dry run only counts what would be planned).
Status SyncRun::CommitPage(PageWork const& work, std::optional<store::Watermark> const& mark) {
  if (options_.dry_run) return CountDryRun(work);
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto planned = store_.PlanActions(work.actions, now_);
  if (!planned.ok()) return planned.status();
  stats_.actions_planned += static_cast<std::int64_t>(planned->new_keys.size());
  stats_.actions_known += static_cast<std::int64_t>(planned->already_known);
  for (auto const& key : planned->new_keys) {
    auto const a = key.find(':');
    auto const b = key.find(':', a + 1);
    ++stats_.actions_by_type[key.substr(a + 1, b - a - 1)];
  }
  if (auto s = Heal(work); !s.ok()) return s;
  if (auto s = store_.ReplaceCaseFlags(work.flags, now_); !s.ok()) return s;
  if (auto s = store_.UpsertTrackedCases(work.tracked, now_); !s.ok()) return s;
  for (auto const& id : work.due_now) {
    if (auto s = store_.SetNextCheck(source_.system(), id, now_, now_); !s.ok()) return s;
  }
  if (mark) {
    if (auto s = store_.SetWatermark(*mark); !s.ok()) return s;
  }
  Failpoint("sync.before_page_commit");
  Status committed = tx->Commit();
  Failpoint("sync.after_page_commit");
  return committed;
}

Status SyncRun::CountDryRun(PageWork const& work) {
  std::vector<std::string> keys;
  keys.reserve(work.actions.size());
  for (auto const& a : work.actions) keys.push_back(a.key);
  auto existing = store_.GetActions(keys);
  if (!existing.ok()) return existing.status();
  std::set<std::string> have;
  for (auto const& e : *existing) have.insert(e.action.key);
  for (auto const& a : work.actions) {
    if (have.count(a.key) != 0) {
      ++stats_.actions_known;
    } else {
      ++stats_.actions_planned;
      ++stats_.actions_by_type[a.action_id];
    }
  }
  return OkStatus();
}

// Records casebridge wrote whose ledger row missed the update (a crash in between): written.
Status SyncRun::Heal(PageWork const& work) {
  if (work.remote_keys.empty()) return OkStatus();
  std::vector<std::string> keys;
  keys.reserve(work.remote_keys.size());
  for (auto const& [key, id] : work.remote_keys) keys.push_back(key);
  auto rows = store_.GetActions(keys);
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::string, std::string> remote(work.remote_keys.begin(),
                                                      work.remote_keys.end());
  std::vector<store::WriteResult> healed;
  for (auto const& row : *rows) {
    if (row.state == store::ActionState::kWritten) continue;
    healed.push_back({row.action.key, true, remote[row.action.key], ""});
  }
  if (healed.empty()) return OkStatus();
  if (auto s = store_.RecordWriteResults(healed, now_); !s.ok()) return s;
  stats_.actions_healed += static_cast<std::int64_t>(healed.size());
  return OkStatus();
}

}  // namespace casebridge::sync
