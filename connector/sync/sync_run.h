// One run of SyncJob (sync_job.h): the steps of the flow there, as methods sharing the run's
// state (what was evaluated, the summary counts, the Forge side).
#pragma once

#include <cstdint>
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
#include "connector/sync/forge_side.h"
#include "connector/sync/sync_job.h"

namespace casebridge::sync {

/// Why a case is evaluated (for the summary counts, and whether an unchanged case is skipped).
enum class ReadReason : std::uint8_t {
  kChanged,   // changed since the watermark: skipped when its version was already evaluated
  kDue,       // a pending clock came due
  kLinked,    // a changed Forge ticket names it
  kReread,    // this run's own writes changed it
  kBackfill,  // in the backfill's range
};

/// Everything one evaluated page contributes to the store.
struct PageWork {
  std::vector<store::PlannedAction> actions;
  std::vector<store::CaseFlags> flags;
  std::vector<store::TrackedCase> tracked;
  std::vector<std::pair<std::string, std::string>> remote_keys;  // key -> remote id found
  std::vector<std::string> due_now;  // cases to re-evaluate in this run (or the next)
};

struct SyncDeps {
  adapters::CaseSource& source;
  adapters::ActionSink& sink;
  store::StateStore& store;
  mappings::Policy const& policy;
  std::shared_ptr<spdlog::logger> logger;
  std::optional<forge::Client> const& forge;
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
  Status ReadForge();
  Status ReadChanged();
  Status ReadLinked();
  Status ReadDue();
  Status ReadDueForge(std::vector<std::string> const& ids);
  Status WritePending();
  Status WriteSystem(adapters::ActionSink& sink);
  Status WriteForge();
  void Finish(Status status);
  // Backfill (backfill.cc).
  Status RunBackfill();
  StatusOr<std::int64_t> FirstBackfillChunk(std::string const& name);
  Status SaveBackfillCheckpoint(std::string const& name, std::int64_t done, std::int64_t chunks);

  // Evaluation of what was read.
  Status EvaluatePage(adapters::CasePage& page, ReadReason reason);
  StatusOr<std::vector<adapters::SourcedCase const*>> SelectToEvaluate(
      adapters::CasePage const& page, ReadReason reason);
  void Count(ReadReason reason);
  std::optional<Instant> Assess(engine::Snapshot const& s, adapters::SourcedCase const* c,
                                std::string_view owner_name, store::CaseFlags& cf);
  Status PlanActions(adapters::SourcedCase const& c, PageWork& work);
  Status EvaluateForge(ForgeRefresh& refresh, std::optional<store::Watermark> const& mark,
                       bool due);
  Status ReadByIds(std::vector<std::string> const& ids, ReadReason reason);
  Status CommitPage(PageWork const& work, std::optional<store::Watermark> const& mark);
  Status CountDryRun(PageWork const& work);
  Status Heal(PageWork const& work);
  void ForgeFailed(Status status);

  adapters::CaseSource& source_;
  adapters::ActionSink& sink_;
  store::StateStore& store_;
  mappings::Policy const& policy_;
  std::shared_ptr<spdlog::logger> logger_;
  std::optional<forge::Client> const& forge_;
  SyncOptions const& options_;
  Instant const now_;
  bool const bookkeeping_;  // a dry-run sync touches nothing; a backfill keeps its checkpoint

  SyncOutcome outcome_;
  SyncStats& stats_ = outcome_.stats;
  std::optional<store::RunLock> lock_;
  std::optional<engine::BusinessCalendar> calendar_;
  std::optional<engine::Engine> engine_;
  engine::Evaluation evaluation_;
  std::optional<ForgeSide> forge_side_;
  Status forge_status_;                    // what stopped the Forge side in this run
  std::vector<std::string> linked_cases_;  // cases named by the Forge tickets read
  std::set<std::string> evaluated_;        // "<case id>" and "forge:<ticket id>" evaluated
  /// Per case evaluated in this run, its flags' (rule, status) as last counted in stats_.flags.
  std::unordered_map<std::string, std::vector<std::pair<std::string_view, std::string_view>>>
      last_flags_;
};

}  // namespace casebridge::sync
