// `casebridge backfill` as a SyncRun: the cases created in [from, to), chunk by chunk, each
// chunk's results committed and written, then checkpointed, so an interrupted or budget-stopped
// backfill resumes after its last complete chunk. Watermarks are untouched.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "connector/common/failpoint.h"
#include "connector/sync/sync_run.h"

namespace casebridge::sync {

// The first chunk to read: 0, or with --resume the one after the checkpoint (-1: done already).
StatusOr<std::int64_t> SyncRun::FirstBackfillChunk(std::string const& name) {
  BackfillSpec const& spec = *options_.backfill;
  if (!spec.resume) return std::int64_t{0};
  auto cp = store_.LoadCheckpoint(name);
  if (!cp.ok()) return cp.status();
  if (!*cp || (*cp)->range_from != spec.from || (*cp)->range_to != spec.to) {
    return FailedPreconditionError("--resume: no unfinished " + name + " of " +
                                   FormatInstant(spec.from) + ".." + FormatInstant(spec.to) +
                                   " to resume (run it without --resume)");
  }
  if ((*cp)->completed) {
    logger_->info("{} of this range already completed", name);
    return std::int64_t{-1};
  }
  outcome_.resumed_from_chunk = (*cp)->chunk;
  return (*cp)->chunk;
}

Status SyncRun::SaveBackfillCheckpoint(std::string const& name, std::int64_t done,
                                       std::int64_t chunks) {
  BackfillSpec const& spec = *options_.backfill;
  store::Checkpoint cp;
  cp.name = name;
  cp.run_id = options_.run_id;
  cp.range_from = spec.from;
  cp.range_to = spec.to;
  cp.chunk = done;
  cp.completed = done == chunks;
  cp.updated_at = now_;
  return store_.SaveCheckpoint(cp);
}

// The range's cases (COUNT) for the progress, and the cases per chunk on average, rounded up:
// large ranges are read with bulk jobs.
StatusOr<std::int64_t> SyncRun::CountBackfill(std::int64_t chunks, BackfillProgress& progress) {
  BackfillSpec const& spec = *options_.backfill;
  auto total = primary_.source->CountRange(spec.from, spec.to);
  if (!total.ok()) return total.status();
  progress.chunks = chunks;
  progress.cases_total = *total;
  std::int64_t const per_chunk = (*total + chunks - 1) / chunks;
  stats_.bulk = primary_.source->UsesBulk(per_chunk);
  if (stats_.bulk) logger_->info("{} cases: reading each chunk with bulk jobs", *total);
  return per_chunk;
}

Status SyncRun::RunBackfill() {
  BackfillSpec const& spec = *options_.backfill;
  std::string const name = options_.dry_run ? "backfill-dry-run" : "backfill";
  std::int64_t const chunks = std::max<std::int64_t>(
      1, (spec.to - spec.from + spec.chunk - std::chrono::seconds(1)) / spec.chunk);
  if (spec.shared) return RunSharedBackfill(name, chunks);
  auto first = FirstBackfillChunk(name);
  if (!first.ok() || *first < 0) return first.status();
  BackfillProgress progress;
  auto per_chunk = CountBackfill(chunks, progress);
  if (!per_chunk.ok()) return per_chunk.status();
  for (std::int64_t i = *first; i < chunks; ++i) {
    Instant const a = spec.from + spec.chunk * i;
    Instant const b = std::min(spec.to, a + spec.chunk);
    Status read = primary_.source->ReadRange(a, b, *per_chunk, [&](adapters::CasePage& page) {
      Status st = EvaluatePage(primary_, page, ReadReason::kBackfill);
      progress.cases_done += page.records;
      if (spec.on_progress) spec.on_progress(progress);
      return st;
    });
    if (!read.ok()) return read;
    if (auto st = WritePending(); !st.ok()) return st;
    if (auto st = SaveBackfillCheckpoint(name, i + 1, chunks); !st.ok()) return st;
    progress.chunk = i + 1;
    if (spec.on_progress) spec.on_progress(progress);
    Failpoint("backfill.after_chunk");
  }
  return OkStatus();
}

}  // namespace casebridge::sync
