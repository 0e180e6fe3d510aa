// libFuzzer target: one line of the snapshot JSONL reader (`evaluate`, `report --input`), through
// the reusable SnapshotReader and the engine, as the commands run it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/snapshot_codec.h"
#include "mappings/loader.h"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static casebridge::engine::SnapshotReader reader;
  static casebridge::mappings::Policy const policy = *casebridge::mappings::LoadPolicyOrError("");
  static casebridge::engine::BusinessCalendar const calendar =
      *casebridge::engine::BusinessCalendar::Create(policy.calendar);
  static casebridge::engine::Engine const engine(policy, calendar);
  static casebridge::engine::Snapshot snapshot;
  static casebridge::engine::Evaluation evaluation;
  std::string_view const line(reinterpret_cast<char const*>(data), size);
  if (reader.Parse(line, snapshot).ok()) {
    engine.Evaluate(snapshot, snapshot.created_at, evaluation);
  }
  return 0;
}
