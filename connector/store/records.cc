#include "connector/store/records.h"

namespace casebridge::store {

std::string_view ActionStateName(ActionState state) {
  switch (state) {
    case ActionState::kPlanned:
      return "planned";
    case ActionState::kWritten:
      return "written";
    case ActionState::kFailed:
      return "failed";
  }
  return "planned";
}

std::optional<ActionState> ParseActionState(std::string_view text) {
  for (auto s : {ActionState::kPlanned, ActionState::kWritten, ActionState::kFailed}) {
    if (ActionStateName(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view RunKindName(RunKind kind) { return kind == RunKind::kSync ? "sync" : "backfill"; }

std::optional<RunKind> ParseRunKind(std::string_view text) {
  if (text == "sync") return RunKind::kSync;
  if (text == "backfill") return RunKind::kBackfill;
  return std::nullopt;
}

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kSucceeded:
      return "succeeded";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kBudgetExhausted:
      return "budget_exhausted";
    case RunStatus::kInterrupted:
      return "interrupted";
  }
  return "failed";
}

std::optional<RunStatus> ParseRunStatus(std::string_view text) {
  for (auto s : {RunStatus::kRunning, RunStatus::kSucceeded, RunStatus::kFailed,
                 RunStatus::kBudgetExhausted, RunStatus::kInterrupted}) {
    if (RunStatusName(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace casebridge::store
