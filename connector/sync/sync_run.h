// One run of SyncJob (sync_job.h): the steps of the flow there, as methods sharing the run's
// state (what was evaluated, the summary counts, the cross-system planner).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/engine/engine.h"
#include "connector/store/state_store.h"
#include "connector/sync/cross_planner.h"
#include "connector/sync/sync_job.h"

namespace casebridge::sync {

/// Why a case is evaluated (for the summary counts, and whether an unchanged case is skipped).
enum class ReadReason : std::uint8_t {
  kChanged,   // changed since the watermark: skipped when its version was already evaluated
  kDue,       // a pending clock came due
  kLinked,    // a changed record of the linked system names it
  kReread,    // this run's own writes changed it
  kRelated,   // a related record of it (e-mail, activity, feed post, history row) changed
  kBackfill,  // in the backfill's range
};

/// Everything one evaluated page contributes to the store.
struct PageWork {
  std::vector<store::PlannedAction> actions;
  std::vector<store::CaseFlags> flags;
  std::vector<store::TrackedCase> tracked;
  std::vector<store::CaseSnapshot> snapshots;  // of the evaluated cases (explain, whatif)
  std::vector<std::pair<std::string, std::string>> remote_keys;  // key -> remote id found
  std::vector<std::string> due_now;    // primary cases to re-evaluate in this run (or the next)
  std::vector<std::string> unlinked;   // linked-system records that no longer name a case
  std::vector<std::string> untracked;  // linked-system cases that became a primary case
};

struct SyncDeps {
  SyncSystem primary;
  std::optional<SyncSystem> linked;
  store::StateStore& store;
  mappings::Policy const& policy;
  std::shared_ptr<spdlog::logger> logger;
};

class SyncRun {
 public:
  SyncRun(SyncDeps deps, SyncOptions const& options);

  SyncOutcome Run();

 private:
  // Steps.
  bool Acquire();
  Status Prepare();
  Status RunSync();
  Status ReadLinkedChanges();
  Status ReadChanged(SyncSystem const& system);
  Status ReadRelatedChanges();
  StatusOr<std::optional<Instant>> StoredMark(std::string_view system, std::string_view object);
  StatusOr<std::vector<std::string>> NotSeenSince(std::map<std::string, Instant> const& changed);
  Status ReadLinkedCases();
  Status ReadDue();
  Status ReadDueOf(std::vector<store::TrackedCase> const& due);
  Status WritePending();
  Status EvaluateReassigned(std::set<std::string> const& changed);
  void KeepReassigned(SyncSystem const& system, adapters::SourcedCase const& c);
  Status WriteSystem(SyncSystem const& system, std::set<std::string>& changed);
  Status WriteRows(SyncSystem const& system, std::vector<store::LedgerEntry>& rows,
                   std::set<std::string>& changed);
  void Finish(Status status);
  void LinkedFailed(Status status);
  // Backfill (backfill.cc).
  Status RunBackfill();
  StatusOr<std::int64_t> FirstBackfillChunk(std::string const& name);
  Status SaveBackfillCheckpoint(std::string const& name, std::int64_t done, std::int64_t chunks);
  StatusOr<std::int64_t> CountBackfill(std::int64_t chunks, BackfillProgress& progress);
  // Shared backfill (shared_backfill.cc).
  Status RunSharedBackfill(std::string const& name, std::int64_t chunks);
  Status RunWorkItem(store::WorkItem const& item, std::string const& name, std::int64_t chunks,
                     std::int64_t per_chunk, BackfillProgress& progress);
  Status RenewLease(std::int64_t item);
  Status WriteItemActions(std::int64_t item);
  Status WriteKeys(std::int64_t item, std::vector<std::string> const& keys,
                   std::set<std::string>& changed);

  // Evaluation of what was read.
  Status EvaluatePage(SyncSystem const& system, adapters::CasePage& page, ReadReason reason);
  Status Relink(SyncSystem const& system, adapters::CasePage const& page, PageWork& work);
  Status Relinked(std::vector<std::string> const& linked_now, PageWork& work);
  void CountPage(SyncSystem const& system, adapters::CasePage const& page, ReadReason reason);
  StatusOr<std::vector<adapters::SourcedCase const*>> SelectToEvaluate(
      SyncSystem const& system, adapters::CasePage const& page, ReadReason reason, PageWork& work);
  void Count(SyncSystem const& system, ReadReason reason);
  std::optional<Instant> Assess(adapters::SourcedCase const& c, store::CaseFlags& cf);
  Status PlanActions(SyncSystem const& system, adapters::SourcedCase const& c, PageWork& work);
  Status PlanAcross(SyncSystem const& system,
                    std::vector<adapters::SourcedCase const*> const& cases, PageWork& work);
  std::optional<store::Watermark> MarkOf(SyncSystem const& system,
                                         adapters::CasePage const& page) const;
  Status ReadByIds(SyncSystem const& system, std::vector<std::string> const& ids,
                   ReadReason reason);
  Status CommitPage(PageWork const& work, std::optional<store::Watermark> const& mark);
  Status CountDryRun(PageWork const& work);
  Status Heal(PageWork const& work);
  [[nodiscard]] bool IsPrimary(SyncSystem const& system) const {
    return system.source == primary_.source;
  }
  [[nodiscard]] bool LinkedActive() const { return linked_.has_value() && !linked_failed_; }
  static std::string Key(SyncSystem const& system, std::string const& id) {
    return std::string(system.source->system()) + ":" + id;
  }

  SyncSystem primary_;
  std::optional<SyncSystem> linked_;
  store::StateStore& store_;
  mappings::Policy const& policy_;
  std::shared_ptr<spdlog::logger> logger_;
  SyncOptions const& options_;
  Instant const now_;
  bool const bookkeeping_;  // a dry-run sync touches nothing; a backfill keeps its checkpoint

  SyncOutcome outcome_;
  SyncStats& stats_ = outcome_.stats;
  std::optional<store::RunLock> lock_;
  std::optional<engine::BusinessCalendar> calendar_;
  std::optional<engine::Engine> engine_;
  engine::Evaluation evaluation_;
  std::optional<CrossPlanner> planner_;  // when a linked system is configured and working
  bool linked_failed_ = false;
  Status linked_status_;  // what stopped the linked system in this run
  Status page_status_;    // the last page's evaluation (vs. the read's error)
  std::unordered_map<std::string, Instant> floors_;  // system -> stored watermark
  Instant primary_since_{};                          // where the primary's changed read began
  bool primary_first_ = false;  // the primary had no watermark: its changed read skips nothing
  std::vector<std::string> linked_cases_;  // primary cases named by linked records read
  std::set<std::string> evaluated_;        // "<system>:<case id>" evaluated in this run
  /// "<system>:<case id>" -> the case as it will stand once the reassignment its evaluation in
  /// this run planned is written (ActionSink::ApplyReassignment).
  std::unordered_map<std::string, adapters::SourcedCase> reassigned_;
  std::vector<std::string> item_keys_;  // shared backfill: the ledger keys the item's cases plan
  /// Per case evaluated in this run, its flags' (rule, status) as last counted in stats_.flags.
  std::unordered_map<std::string, std::vector<std::pair<std::string_view, std::string_view>>>
      last_flags_;
};

}  // namespace casebridge::sync
