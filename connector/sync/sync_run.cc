#include "connector/sync/sync_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/flag_rows.h"
#include "connector/common/failpoint.h"
#include "connector/engine/snapshot_codec.h"

namespace casebridge::sync {
namespace {

using nlohmann::json;

// The forge_refs kind of a linked-system case naming a primary case (see CasePage::links).
constexpr char kLinkKind[] = "ticket";

adapters::ApiCalls CallsOf(std::optional<SyncSystem> const& system) {
  return system ? system->source->Calls() : adapters::ApiCalls{};
}

// The row the store keeps of an evaluated case: its snapshot as the codec writes it.
store::CaseSnapshot SnapshotRow(SyncSystem const& system, engine::Snapshot const& snapshot) {
  store::CaseSnapshot row;
  row.system = std::string(system.source->system());
  row.case_id = snapshot.id;
  row.created_at = snapshot.created_at;
  engine::AppendSnapshotJson(row.snapshot, snapshot);
  return row;
}

}  // namespace

SyncRun::SyncRun(SyncDeps deps, SyncOptions const& options)
    : primary_(deps.primary),
      linked_(deps.linked),
      store_(deps.store),
      policy_(deps.policy),
      logger_(std::move(deps.logger)),
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
  bool const shared = options_.backfill && options_.backfill->shared;
  auto l = store_.TryLock({now_, options_.run_id, shared});
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
  // The other workers of a shared run are running, not abandoned.
  auto n = shared ? StatusOr<std::size_t>(0) : store_.CloseAbandonedRuns(options_.run_id, now_);
  if (n.ok() && *n > 0) {
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

// Step 2: the engine and the sources (Salesforce reads its queues); the cross-system planner.
Status SyncRun::Prepare() {
  auto calendar = engine::BusinessCalendar::Create(policy_.calendar);
  if (!calendar.ok()) return calendar.status();
  calendar_.emplace(*std::move(calendar));
  engine_.emplace(policy_, *calendar_);
  if (auto s = primary_.source->Prepare(); !s.ok()) return s;
  if (linked_) {
    stats_.forge = true;
    if (auto s = linked_->source->Prepare(); !s.ok()) {
      LinkedFailed(s);
    } else {
      planner_.emplace(*linked_->sink, store_, logger_, options_.dry_run);
    }
  }
  return OkStatus();
}

void SyncRun::Finish(Status status) {
  outcome_.status = std::move(status);
  outcome_.calls = primary_.source->Calls();
  outcome_.forge_calls = CallsOf(linked_);
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
  // The linked system first, so the primary pages see the links it reports.
  if (auto s = ReadLinkedChanges(); !s.ok()) return s;
  if (auto s = ReadChanged(primary_); !s.ok()) return s;
  if (auto s = ReadRelatedChanges(); !s.ok()) return s;
  if (auto s = ReadLinkedCases(); !s.ok()) return s;
  if (auto s = ReadDue(); !s.ok()) return s;
  if (auto s = WritePending(); !s.ok()) return s;
  return linked_status_;
}

// A failure of the linked system does not stop the primary's work: the run goes on without it
// and ends with its error.
void SyncRun::LinkedFailed(Status status) {
  linked_status_ = std::move(status);
  linked_failed_ = true;
  planner_.reset();
  logger_->error("{}: {} (the {} work goes on; {}'s waits for the next run)",
                 linked_->source->system(), linked_status_.message(), primary_.source->system(),
                 linked_->source->system());
}

Status SyncRun::ReadLinkedChanges() {
  if (!LinkedActive()) return OkStatus();
  Status read = ReadChanged(*linked_);
  if (read.ok() || !page_status_.ok()) return read;  // the store failing fails the run
  LinkedFailed(read);
  return OkStatus();
}

// Step 3: the cases changed since the system's watermark (minus the overlap).
Status SyncRun::ReadChanged(SyncSystem const& system) {
  auto watermark = StoredMark(system.source->system(), system.source->object());
  if (!watermark.ok()) return watermark.status();
  Instant since = now_ - options_.initial_lookback;
  if (*watermark) {
    floors_[std::string(system.source->system())] = **watermark;
    since = **watermark - options_.overlap;
  }
  if (IsPrimary(system)) {
    primary_since_ = since;
    primary_first_ = !*watermark;
  }
  logger_->info("reading {} cases modified since {}", system.source->system(),
                FormatInstant(since));
  page_status_ = OkStatus();
  return system.source->ReadChanged(since, !*watermark, [&](adapters::CasePage& page) {
    page_status_ = EvaluatePage(system, page, ReadReason::kChanged);
    return page_status_;
  });
}

// Step 3b: the primary cases whose related records changed (adding a Task, an e-mail, a feed
// post or a history row does not move the case's own version), minus those already evaluated,
// read by id like due cases. Each kind's watermark moves once they are committed; a kind
// without one starts where the changed read began.
Status SyncRun::ReadRelatedChanges() {
  adapters::CaseSource& source = *primary_.source;
  std::string const system(source.system());
  std::map<std::string, Instant> changed;  // case id -> newest related change
  std::vector<store::Watermark> marks;
  for (auto const& kind : source.RelatedKinds()) {
    auto mark = StoredMark(system, kind);
    if (!mark.ok()) return mark.status();
    Instant const since = *mark ? **mark - options_.overlap : primary_since_;
    // A first run evaluated every case its changed read returned (as read, children included):
    // only the related records of older cases can be news.
    auto changes = source.ReadRelatedChanged(
        kind, since, primary_first_ ? std::optional<Instant>(primary_since_) : std::nullopt);
    if (!changes.ok()) return changes.status();
    stats_.related_records += changes->records;
    for (auto& c : changes->cases) {
      if (evaluated_.count(Key(primary_, c.id)) != 0) continue;
      auto [it, added] = changed.emplace(std::move(c.id), c.changed);
      if (!added) it->second = std::max(it->second, c.changed);
    }
    auto const newest = ParseInstant(changes->last_version);
    if (newest && (!*mark || *newest > **mark)) {
      marks.push_back({system, kind, changes->last_version, "", now_});
    }
  }
  auto ids = NotSeenSince(changed);
  if (!ids.ok()) return ids.status();
  if (!ids->empty()) {
    logger_->info("{} {} cases have related records changed since the last run", ids->size(),
                  system);
  }
  if (auto s = ReadByIds(primary_, *ids, ReadReason::kRelated); !s.ok()) return s;
  if (options_.dry_run) return OkStatus();
  for (auto const& m : marks) {
    if (auto s = store_.SetWatermark(m); !s.ok()) return s;
  }
  return OkStatus();
}

// The cases of `changed` whose last evaluation may not have seen the change: a record stamped
// at least one overlap before the case was last evaluated was visible to that run (the same
// assumption as the overlap of the changed read), so the overlap's re-reads stop after a run.
StatusOr<std::vector<std::string>> SyncRun::NotSeenSince(
    std::map<std::string, Instant> const& changed) {
  std::vector<std::string> ids;
  ids.reserve(changed.size());
  for (auto const& [id, at] : changed) ids.push_back(id);
  auto tracked = store_.GetTrackedCases(primary_.source->system(), ids);
  if (!tracked.ok()) return tracked.status();
  std::set<std::string> seen;
  for (auto const& t : *tracked) {
    if (changed.at(t.case_id) + options_.overlap <= t.updated_at) seen.insert(t.case_id);
  }
  std::erase_if(ids, [&](std::string const& id) { return seen.count(id) != 0; });
  return ids;
}

// The stored watermark of `object` of `system` as an instant (nullopt: none yet).
StatusOr<std::optional<Instant>> SyncRun::StoredMark(std::string_view system,
                                                     std::string_view object) {
  auto mark = store_.GetWatermark(system, object);
  if (!mark.ok()) return mark.status();
  if (!*mark) return std::optional<Instant>();
  auto t = ParseInstant((*mark)->modstamp);
  if (!t) {
    return FailedPreconditionError("the stored watermark of " + std::string(object) + " '" +
                                   (*mark)->modstamp + "' is not a date-time");
  }
  return std::optional<Instant>(*t);
}

// Primary cases a changed linked record names and this run has not evaluated: their linked
// actions may have become possible (a new link) even though the case itself did not change.
Status SyncRun::ReadLinkedCases() {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (auto const& id : linked_cases_) {
    if (evaluated_.count(Key(primary_, id)) == 0 && seen.insert(id).second) ids.push_back(id);
  }
  return ReadByIds(primary_, ids, ReadReason::kLinked);
}

// Step 4: cases whose clocks came due, read by id from their system.
Status SyncRun::ReadDue() {
  for (int round = 0; round < 1000; ++round) {
    auto due = store_.ListDueCases(now_, options_.due_per_round);
    if (!due.ok()) return due.status();
    std::vector<store::TrackedCase> todo;
    for (auto& t : *due) {
      if (evaluated_.count(t.system + ":" + t.case_id) == 0) todo.push_back(std::move(t));
    }
    if (todo.empty()) break;
    if (auto s = ReadDueOf(todo); !s.ok()) return s;
    if (options_.dry_run) break;  // nothing moves forward in a dry run
  }
  return OkStatus();
}

Status SyncRun::ReadDueOf(std::vector<store::TrackedCase> const& due) {
  std::vector<std::string> primary_ids;
  std::vector<std::string> linked_ids;
  for (auto const& t : due) {
    if (t.system == primary_.source->system()) {
      primary_ids.push_back(t.case_id);
    } else if (linked_ && t.system == linked_->source->system()) {
      linked_ids.push_back(t.case_id);
    } else {
      // A system no longer configured: no more re-checks of its cases.
      evaluated_.insert(t.system + ":" + t.case_id);
      if (options_.dry_run) continue;
      if (auto s = store_.SetNextCheck(t.system, t.case_id, std::nullopt, now_); !s.ok()) return s;
    }
  }
  if (auto s = ReadByIds(primary_, primary_ids, ReadReason::kDue); !s.ok()) return s;
  if (linked_ids.empty()) return OkStatus();
  if (!LinkedActive()) {  // kept due for the next run
    for (auto const& id : linked_ids) evaluated_.insert(Key(*linked_, id));
    return OkStatus();
  }
  Status read = ReadByIds(*linked_, linked_ids, ReadReason::kDue);
  if (read.ok() || !page_status_.ok()) return read;
  LinkedFailed(read);
  for (auto const& id : linked_ids) evaluated_.insert(Key(*linked_, id));
  return OkStatus();
}

// Reads the given cases by id and evaluates them even if unchanged.
Status SyncRun::ReadByIds(SyncSystem const& system, std::vector<std::string> const& ids,
                          ReadReason reason) {
  if (ids.empty()) return OkStatus();
  page_status_ = OkStatus();
  Status s = system.source->ReadByIds(ids, [&](adapters::CasePage& page) {
    page_status_ = EvaluatePage(system, page, reason);
    return page_status_;
  });
  if (!s.ok() || options_.dry_run) return s;
  // Cases that no longer exist, could not be converted or are now another system's: stop
  // re-checking them.
  for (auto const& id : ids) {
    if (!evaluated_.insert(Key(system, id)).second) continue;
    if (auto st = store_.SetNextCheck(system.source->system(), id, std::nullopt, now_); !st.ok()) {
      return st;
    }
  }
  return OkStatus();
}

// Step 6: every pending row, by its system's sink. Cases whose reassignment was written are
// evaluated once more, so the steps that follow a hand-off (e.g. call_installer) are written now
// rather than by the next run; a reassignment that was not written plans none of them.
Status SyncRun::WritePending() {
  if (options_.dry_run) return OkStatus();
  for (int pass = 0; pass < 2; ++pass) {
    std::set<std::string> changed;
    if (auto s = WriteSystem(primary_, changed); !s.ok()) return s;
    if (LinkedActive()) {
      if (auto s = WriteSystem(*linked_, changed); !s.ok()) LinkedFailed(s);
    }
    if (changed.empty() || pass == 1) break;
    if (auto s = EvaluateReassigned(changed); !s.ok()) return s;
  }
  reassigned_.clear();
  return OkStatus();
}

// The reassigned cases as they now stand: those this run evaluated from that evaluation with the
// reassignment applied in memory (no read); the others (a reassignment planned by an earlier
// run, or one the system cannot apply in memory) read again.
Status SyncRun::EvaluateReassigned(std::set<std::string> const& changed) {
  constexpr std::size_t kPage = 200;
  std::vector<std::string> to_read;
  adapters::CasePage page;
  for (auto const& id : changed) {
    auto it = reassigned_.find(Key(primary_, id));
    if (it == reassigned_.end()) {
      to_read.push_back(id);
      continue;
    }
    page.cases.push_back(std::move(it->second));
    reassigned_.erase(it);
    if (page.cases.size() == kPage) {
      if (auto s = EvaluatePage(primary_, page, ReadReason::kReread); !s.ok()) return s;
      page.cases.clear();
    }
  }
  if (!page.cases.empty()) {
    if (auto s = EvaluatePage(primary_, page, ReadReason::kReread); !s.ok()) return s;
  }
  return ReadByIds(primary_, to_read, ReadReason::kReread);
}

// Keeps (or forgets) `c` as it will stand once the reassignment its last evaluation planned is
// written.
void SyncRun::KeepReassigned(SyncSystem const& system, adapters::SourcedCase const& c) {
  std::string const key = Key(system, c.snapshot.id);
  reassigned_.erase(key);
  if (options_.dry_run) return;
  auto const a =
      std::find_if(evaluation_.actions.begin(), evaluation_.actions.end(),
                   [](auto const& p) { return p.kind == mappings::ActionKind::kReassign; });
  if (a == evaluation_.actions.end()) return;
  adapters::SourcedCase after = c;
  if (system.sink->ApplyReassignment(after, *a, now_)) reassigned_.emplace(key, std::move(after));
}

// The system's pending rows, handed to its sink by kind, 2000 at a time (a multiple of the
// 200-record collection calls): only each kind's last call is partial, whatever the order of
// the keys.
Status SyncRun::WriteSystem(SyncSystem const& system, std::set<std::string>& changed) {
  constexpr std::size_t kRows = 2000;
  store::ActionQuery query;
  query.states = {store::ActionState::kPlanned, store::ActionState::kFailed};
  query.limit = kRows;
  query.max_attempts = options_.max_attempts;
  query.target_system = std::string(system.sink->system());
  std::map<std::string, std::vector<store::LedgerEntry>> by_kind;
  while (true) {
    auto rows = store_.ListActions(query);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    query.after_key = rows->back().action.key;
    bool const last = rows->size() < query.limit;
    for (auto& row : *rows) {
      auto& batch = by_kind[row.action.kind];
      batch.push_back(std::move(row));
      if (batch.size() < kRows) continue;
      if (auto s = WriteRows(system, batch, changed); !s.ok()) return s;
    }
    if (last) break;
  }
  for (auto& [kind, batch] : by_kind) {
    if (auto s = WriteRows(system, batch, changed); !s.ok()) return s;
  }
  return OkStatus();
}

// Hands `rows` to the system's sink (and empties it); the counts go to the summary.
Status SyncRun::WriteRows(SyncSystem const& system, std::vector<store::LedgerEntry>& rows,
                          std::set<std::string>& changed) {
  if (rows.empty()) return OkStatus();
  adapters::WriteOptions const wo{now_, options_.wall_now, options_.in_flight_grace,
                                  options_.run_id};
  adapters::WriteReport wr = system.sink->Write(rows, wo);
  rows.clear();
  auto& by_system = stats_.actions_by_system[std::string(system.sink->system())];
  stats_.actions_written += wr.written;
  stats_.actions_failed += wr.failed;
  stats_.actions_healed += wr.healed;
  stats_.actions_deferred += wr.deferred;
  by_system["written"] += wr.written;
  by_system["failed"] += wr.failed;
  changed.insert(wr.changed_cases.begin(), wr.changed_cases.end());
  return wr.status;
}

void SyncRun::Count(SyncSystem const& system, ReadReason reason) {
  if (!IsPrimary(system)) {
    ++(reason == ReadReason::kDue ? stats_.forge_due : stats_.forge_only_evaluated);
    return;
  }
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
    case ReadReason::kRelated:
      ++stats_.cases_related;
      break;
    case ReadReason::kChanged:
    case ReadReason::kBackfill:
      break;
  }
}

void SyncRun::CountPage(SyncSystem const& system, adapters::CasePage const& page,
                        ReadReason reason) {
  if (IsPrimary(system)) {
    stats_.cases_read += page.records;
    for (auto const& bad : page.skipped) {
      ++stats_.bad_records;
      if (stats_.problems.size() < 100) stats_.problems.push_back(bad.message());
      logger_->error("skipped a case record: {}", bad.message());
    }
    return;
  }
  if (reason == ReadReason::kChanged) stats_.forge_tickets_read += page.records;
  stats_.forge_skipped += static_cast<std::int64_t>(page.skipped.size());
  for (auto const& bad : page.skipped) {
    logger_->warn("skipped a {} record: {}", system.source->system(), bad.message());
  }
}

// The cases of a page to evaluate. A linked-system case naming a primary case is that case:
// it is read on the primary side instead (now, and with the watermark, should this run stop
// first). A primary case changed but already evaluated at this very version (an overlap
// re-read; not on a first run, whose related reads count on it), or evaluated in this run, is
// skipped. (A linked system's version need not cover its related records, so its cases are
// always evaluated.)
StatusOr<std::vector<adapters::SourcedCase const*>> SyncRun::SelectToEvaluate(
    SyncSystem const& system, adapters::CasePage const& page, ReadReason reason, PageWork& work) {
  std::vector<adapters::SourcedCase const*> out;
  bool const skip_seen = reason == ReadReason::kChanged && IsPrimary(system);
  bool const skip_unchanged = skip_seen && !primary_first_;
  std::unordered_map<std::string, std::string> known;
  if (skip_unchanged && !page.cases.empty()) {
    std::vector<std::string> ids;
    ids.reserve(page.cases.size());
    for (auto const& c : page.cases) ids.push_back(c.snapshot.id);
    auto tracked = store_.GetTrackedCases(system.source->system(), ids);
    if (!tracked.ok()) return tracked.status();
    for (auto& t : *tracked) known.emplace(t.case_id, std::move(t.modstamp));
  }
  for (auto const& c : page.cases) {
    if (!c.linked_case_id.empty()) {
      work.due_now.push_back(c.linked_case_id);
      linked_cases_.push_back(c.linked_case_id);
      continue;
    }
    if (skip_seen) {
      auto it = known.find(c.snapshot.id);
      if ((it != known.end() && it->second == c.version) ||
          evaluated_.count(Key(system, c.snapshot.id)) != 0) {
        ++stats_.cases_unchanged;
        continue;
      }
    }
    out.push_back(&c);
  }
  return out;
}

// Evaluates one page: flags, actions rendered by the system's sink, tracked versions; then the
// cross-system actions of the evaluated cases; then commits it all with the read position.
Status SyncRun::EvaluatePage(SyncSystem const& system, adapters::CasePage& page,
                             ReadReason reason) {
  CountPage(system, page, reason);
  PageWork work;
  if (auto s = Relink(system, page, work); !s.ok()) return s;
  if (planner_) {
    if (auto s = planner_->Remember(std::move(page.links), now_); !s.ok()) return s;
  }
  auto selected = SelectToEvaluate(system, page, reason, work);
  if (!selected.ok()) return selected.status();
  for (auto const* c : *selected) {
    evaluated_.insert(Key(system, c->snapshot.id));
    Count(system, reason);
    store::CaseFlags cf;
    std::optional<Instant> const next_check = Assess(*c, cf);
    work.flags.push_back(std::move(cf));
    if (auto s = PlanActions(system, *c, work); !s.ok()) return s;
    KeepReassigned(system, *c);
    for (auto const& [key, id] : c->written) work.remote_keys.emplace_back(key, id);
    store::TrackedCase t;
    t.system = std::string(system.source->system());
    t.case_id = c->snapshot.id;
    t.modstamp = c->version;
    bool const closed = c->snapshot.closed_at && *c->snapshot.closed_at <= now_;
    t.next_check = closed ? std::nullopt : next_check;
    work.tracked.push_back(std::move(t));
    if (!options_.dry_run) work.snapshots.push_back(SnapshotRow(system, c->snapshot));
  }
  if (auto s = PlanAcross(system, *selected, work); !s.ok()) return s;
  return CommitPage(work, reason == ReadReason::kChanged ? MarkOf(system, page) : std::nullopt);
}

// Linked-system cases of the page whose link to a primary case changed since the store last
// saw them (read before the page's links are remembered). The old link goes, and the case it
// named is evaluated again (its linked actions follow the link); a record that names no case
// any more is evaluated as a case of its own in this page.
Status SyncRun::Relink(SyncSystem const& system, adapters::CasePage const& page, PageWork& work) {
  if (IsPrimary(system) || page.cases.empty()) return OkStatus();
  std::vector<std::string> ids;
  ids.reserve(page.cases.size());
  for (auto const& c : page.cases) ids.push_back(c.snapshot.id);
  auto stored = store_.GetForgeRefsById(kLinkKind, ids);
  if (!stored.ok()) return stored.status();
  std::unordered_map<std::string, std::string> before;
  std::unordered_map<std::string, std::string> after;
  for (auto const& r : *stored) before.emplace(r.forge_id, r.ref);
  for (auto const& l : page.links) {
    if (l.kind == kLinkKind) after.emplace(l.forge_id, l.ref);
  }
  std::vector<std::string> linked_now;
  for (auto const& id : ids) {
    auto const b = before.find(id);
    auto const a = after.find(id);
    std::string const was = b == before.end() ? "" : b->second;
    std::string const is = a == after.end() ? "" : a->second;
    if (was == is) continue;
    if (!was.empty()) {
      logger_->info("{} {} no longer names {} case {}", system.source->system(), id,
                    primary_.source->system(), was);
      work.due_now.push_back(was);
      linked_cases_.push_back(was);
      if (is.empty()) work.unlinked.push_back(id);
    }
    if (!is.empty()) linked_now.push_back(id);
  }
  return Relinked(linked_now, work);
}

// Linked-system cases that now name a primary case: one it evaluated as a case of its own
// loses those flags and re-checks (the primary's case is the same case: a report lists it once).
Status SyncRun::Relinked(std::vector<std::string> const& linked_now, PageWork& work) {
  if (linked_now.empty()) return OkStatus();
  auto tracked = store_.GetTrackedCases(linked_->source->system(), linked_now);
  if (!tracked.ok()) return tracked.status();
  for (auto const& t : *tracked) {
    work.flags.push_back(store::CaseFlags{t.case_id, {}});
    work.untracked.push_back(t.case_id);
  }
  return OkStatus();
}

// The watermark after a page of changes: its read position, never before the stored one.
std::optional<store::Watermark> SyncRun::MarkOf(SyncSystem const& system,
                                                adapters::CasePage const& page) const {
  if (page.last_version.empty()) return std::nullopt;
  std::string version = page.last_version;
  std::string id = page.last_id;
  auto floor = floors_.find(std::string(system.source->system()));
  auto const at = ParseInstant(version);
  if (floor != floors_.end() && at && *at < floor->second) {
    version = FormatInstant(floor->second);
    id.clear();
  }
  return store::Watermark{std::string(system.source->system()),
                          std::string(system.source->object()), version, id, now_};
}

// The linked system's actions for the evaluated cases (forge_document, forge_service_ticket).
Status SyncRun::PlanAcross(SyncSystem const& system,
                           std::vector<adapters::SourcedCase const*> const& cases, PageWork& work) {
  if (!planner_ || cases.empty()) return OkStatus();
  StatusOr<std::vector<store::PlannedAction>> actions =
      IsPrimary(system) ? planner_->PlanForCases(cases, now_, stats_.forge_unlinked_open_cases)
                        : planner_->PlanForOwnCases(cases, now_);
  if (!actions.ok()) return actions.status();
  for (auto& a : *actions) work.actions.push_back(std::move(a));
  return OkStatus();
}

// Evaluates one case into evaluation_: its flags into `cf` and the summary counts; returns its
// next check (a pending flag's due).
std::optional<Instant> SyncRun::Assess(adapters::SourcedCase const& c, store::CaseFlags& cf) {
  engine::Snapshot const& s = c.snapshot;
  engine_->Evaluate(s, now_, evaluation_);
  cf.case_id = s.id;
  adapters::CaseFacts facts;
  facts.owner_name = c.owner_name;
  facts.subject = c.subject;
  facts.installer_name = c.installer_name;
  std::optional<Instant> next_check;
  // The summary counts each case's latest evaluation once.
  auto& last = last_flags_[c.system + ":" + s.id];
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
    adapters::ToFlagRecord(s, f, facts, r);
    cf.flags.push_back(std::move(r));
  }
  // A record stamped after `now` (clock skew) is ignored now: look again once it is past.
  if (evaluation_.later_than_now) {
    Instant const check = *evaluation_.later_than_now + std::chrono::seconds(1);
    if (!next_check || check < *next_check) next_check = check;
  }
  return next_check;
}

// The actions of the last evaluation that the case's system can express, into ledger rows.
Status SyncRun::PlanActions(SyncSystem const& system, adapters::SourcedCase const& c,
                            PageWork& work) {
  for (auto const& a : evaluation_.actions) {
    auto payload = system.sink->Render(c, a);
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
    p.target_system = std::string(system.sink->system());
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

// Step 5 for one page: the ledger rows, flags, tracked cases and the watermark, in one
// transaction (a dry run only counts what would be planned).
Status SyncRun::CommitPage(PageWork const& work, std::optional<store::Watermark> const& mark) {
  if (options_.dry_run) return CountDryRun(work);
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto planned = store_.PlanActions(work.actions, now_);
  if (!planned.ok()) return planned.status();
  stats_.actions_known += static_cast<std::int64_t>(planned->already_known);
  std::set<std::string> const fresh(planned->new_keys.begin(), planned->new_keys.end());
  for (auto const& a : work.actions) {
    if (fresh.count(a.key) == 0) continue;
    ++stats_.actions_planned;
    ++stats_.actions_by_type[a.action_id];
    ++stats_.actions_by_system[a.target_system]["planned"];
  }
  if (auto s = Heal(work); !s.ok()) return s;
  if (auto s = store_.ReplaceCaseFlags(work.flags, now_); !s.ok()) return s;
  if (auto s = store_.UpsertCaseSnapshots(work.snapshots, now_); !s.ok()) return s;
  if (auto s = store_.UpsertTrackedCases(work.tracked, now_); !s.ok()) return s;
  if (!work.unlinked.empty()) {
    if (auto s = store_.RemoveForgeRefs(kLinkKind, work.unlinked); !s.ok()) return s;
  }
  for (auto const& id : work.untracked) {
    if (auto s = store_.SetNextCheck(linked_->source->system(), id, std::nullopt, now_); !s.ok()) {
      return s;
    }
  }
  for (auto const& id : work.due_now) {
    if (auto s = store_.SetNextCheck(primary_.source->system(), id, now_, now_); !s.ok()) return s;
  }
  if (mark) {
    if (auto s = store_.SetWatermark(*mark); !s.ok()) return s;
  }
  Failpoint("sync.before_page_commit");
  Status committed = tx->Commit();
  Failpoint("sync.after_page_commit");
  if (committed.ok() && options_.backfill && options_.backfill->shared) {
    for (auto const& a : work.actions) item_keys_.push_back(a.key);  // the item writes these
  }
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
      ++stats_.actions_by_system[a.target_system]["planned"];
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
