// A backfill shared by several worker processes (issue 14, item 5): the range's chunks are the
// work items of one run in the state store (store/work_items.h). Each worker joins the run (the
// first creates it), then claims one item at a time under a lease, evaluates the item's cases,
// writes the actions its cases plan (and only those: two workers never write the same ledger
// row), and completes it together with the checkpoint, which names the first chunk not yet done.
// A worker that dies stops renewing its lease; when it expires, another worker claims the item
// and redoes it: the ledger's unique keys keep the planned actions once, and the sinks heal the
// rows the dead worker may have sent (they look them up before sending again).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "connector/common/failpoint.h"
#include "connector/sync/sync_run.h"

namespace casebridge::sync {
namespace {

constexpr std::size_t kKeysPerWrite = 200;  // ledger rows per sink call between lease renewals
constexpr std::chrono::seconds kPollInterval{1};  // while other workers hold the last items

// The run every worker started with the same parameters joins.
store::WorkRunSpec MakeRunSpec(BackfillSpec const& spec, bool dry_run, std::int64_t chunks,
                               Instant now) {
  store::WorkRunSpec run;
  run.kind = "backfill";
  run.params = "from=" + FormatInstant(spec.from) + " to=" + FormatInstant(spec.to) +
               " chunk=" + std::to_string(spec.chunk.count()) + "s" +
               (dry_run ? " dry-run" : " apply");
  run.name = spec.shared->run_name.empty() ? "backfill " + run.params : spec.shared->run_name;
  for (std::int64_t i = 0; i < chunks; ++i) {
    Instant const a = spec.from + spec.chunk * i;
    run.items.push_back({a, std::min(spec.to, a + spec.chunk)});
  }
  run.worker = spec.shared->worker;
  run.now = now;
  return run;
}

bool LeaseLost(Status const& s) {
  return s.code() == StatusCode::kAborted && s.info().vendor_code == "LEASE_LOST";
}

}  // namespace

Status SyncRun::RunSharedBackfill(std::string const& name, std::int64_t chunks) {
  BackfillSpec const& spec = *options_.backfill;
  SharedBackfill const& shared = *spec.shared;
  auto run = store_.JoinWorkRun(MakeRunSpec(spec, options_.dry_run, chunks, shared.clock()));
  if (!run.ok()) return run.status();
  SharedOutcome& out = outcome_.shared.emplace();
  out.run_name = run->name;
  out.items = run->items;
  out.done_prefix = run->done_prefix;
  if (run->completed_at) {
    out.already_complete = true;
    logger_->info("shared {} '{}' already completed", name, run->name);
    return OkStatus();
  }
  logger_->info("joined shared {} '{}' as worker {} ({} items, {} done in order)", name, run->name,
                shared.worker, run->items, run->done_prefix);
  BackfillProgress progress;
  auto per_chunk = CountBackfill(chunks, progress);
  if (!per_chunk.ok()) return per_chunk.status();
  bool waiting = false;
  while (true) {
    auto claim = store_.ClaimWorkItem(run->name, shared.worker, shared.clock(), shared.lease);
    if (!claim.ok()) return claim.status();
    if (!claim->item) {
      if (claim->open == 0) break;
      // Others hold the last items: look again every second until they are done, or until a
      // dead worker's lease ends and its item can be claimed.
      if (!waiting) {
        logger_->info("{} item(s) still leased by other workers; waiting for them", claim->open);
      }
      waiting = true;
      shared.sleep(kPollInterval);
      continue;
    }
    waiting = false;
    store::WorkItem const& item = *claim->item;
    if (!item.previous_owner.empty()) {
      logger_->warn("taking over item {} from worker {} (its lease expired)", item.item,
                    item.previous_owner);
    }
    Status s = RunWorkItem(item, name, chunks, *per_chunk, progress);
    if (LeaseLost(s)) {
      logger_->warn("{}; leaving it to that worker", s.message());
      ++out.items_lost;
      continue;
    }
    if (!s.ok()) return s;
    ++out.items_done;
    if (!item.previous_owner.empty()) ++out.items_taken_over;
    out.done_prefix = progress.chunk;
  }
  auto final_run = store_.GetWorkRun(run->name);
  if (!final_run.ok()) return final_run.status();
  if (*final_run) out.done_prefix = (*final_run)->done_prefix;
  return OkStatus();
}

// One claimed chunk: read and evaluate its cases (renewing the lease after every page), write
// the actions they plan, then mark it done with the checkpoint in one transaction.
Status SyncRun::RunWorkItem(store::WorkItem const& item, std::string const& name,
                            std::int64_t chunks, std::int64_t per_chunk,
                            BackfillProgress& progress) {
  BackfillSpec const& spec = *options_.backfill;
  item_keys_.clear();
  Status read = primary_.source->ReadRange(
      item.range.from, item.range.to, per_chunk, [&](adapters::CasePage& page) {
        Status st = EvaluatePage(primary_, page, ReadReason::kBackfill);
        progress.cases_done += page.records;
        if (spec.on_progress) spec.on_progress(progress);
        return st.ok() ? RenewLease(item.item) : st;
      });
  if (!read.ok()) return read;
  Failpoint("backfill.item_evaluated");
  if (auto st = WriteItemActions(item.item); !st.ok()) return st;
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto done = store_.CompleteWorkItem(outcome_.shared->run_name, item.item, spec.shared->worker,
                                      spec.shared->clock());
  if (!done.ok()) return done.status();
  if (done->lease_was_lost) {
    logger_->warn("item {} was taken over by another worker before this one finished it",
                  item.item);
  }
  if (auto st = SaveBackfillCheckpoint(name, done->done_prefix, chunks); !st.ok()) return st;
  if (auto st = tx->Commit(); !st.ok()) return st;
  progress.chunk = done->done_prefix;
  if (spec.on_progress) spec.on_progress(progress);
  Failpoint("backfill.after_chunk");
  return OkStatus();
}

Status SyncRun::RenewLease(std::int64_t item) {
  SharedBackfill const& shared = *options_.backfill->shared;
  return store_.RenewWorkLease(outcome_.shared->run_name, item, shared.worker, shared.clock(),
                               shared.lease);
}

// Like WritePending, but only the rows the item's cases planned; cases this item reassigned
// are read again and their follow-up actions written too.
Status SyncRun::WriteItemActions(std::int64_t item) {
  if (options_.dry_run) return OkStatus();
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::string> keys = std::move(item_keys_);
    item_keys_.clear();
    std::set<std::string> changed;
    if (auto s = WriteKeys(item, keys, changed); !s.ok()) return s;
    if (changed.empty() || pass == 1) break;
    if (auto s = ReadByIds(primary_, {changed.begin(), changed.end()}, ReadReason::kReread);
        !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

Status SyncRun::WriteKeys(std::int64_t item, std::vector<std::string> const& keys,
                          std::set<std::string>& changed) {
  std::vector<std::string> todo(keys);
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  adapters::WriteOptions const wo{now_, options_.wall_now, options_.in_flight_grace,
                                  options_.run_id};
  for (std::size_t i = 0; i < todo.size(); i += kKeysPerWrite) {
    if (auto s = RenewLease(item); !s.ok()) return s;  // never write an item another worker has
    std::span<std::string const> batch(todo.data() + i, std::min(kKeysPerWrite, todo.size() - i));
    auto rows = store_.GetActions(batch);
    if (!rows.ok()) return rows.status();
    std::map<std::string, std::vector<store::LedgerEntry>> by_system;
    for (auto& row : *rows) {
      if (row.state == store::ActionState::kWritten || row.attempts >= options_.max_attempts) {
        continue;
      }
      by_system[row.action.target_system].push_back(std::move(row));
    }
    for (auto const& [target, pending] : by_system) {
      bool const primary = target == primary_.sink->system();
      if (!primary && !(LinkedActive() && target == linked_->sink->system())) continue;
      SyncSystem const& system = primary ? primary_ : *linked_;
      adapters::WriteReport wr = system.sink->Write(pending, wo);
      stats_.actions_written += wr.written;
      stats_.actions_failed += wr.failed;
      stats_.actions_healed += wr.healed;
      stats_.actions_deferred += wr.deferred;
      stats_.actions_by_system[target]["written"] += wr.written;
      stats_.actions_by_system[target]["failed"] += wr.failed;
      changed.insert(wr.changed_cases.begin(), wr.changed_cases.end());
      if (wr.status.ok()) continue;
      if (primary) return wr.status;
      LinkedFailed(wr.status);
    }
  }
  return OkStatus();
}

}  // namespace casebridge::sync
