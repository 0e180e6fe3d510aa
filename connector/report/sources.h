// Where report flags come from: the state store, or snapshot lines evaluated by the engine.
// Both feed a ReportWriter one flag at a time, so neither holds the range in memory.
//
// Flow: StateStore::ForEachFlag(range, filters) ----------------------------> ReportWriter::Add
//       JSONL line -> SnapshotReader + CaseFactsReader -> Engine::Evaluate -> ToFlagRecord -^
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/engine/engine.h"
#include "connector/report/report.h"
#include "connector/store/state_store.h"

namespace casebridge::report {

/// Streams the flags of the writer's range from `store` into `writer` (the range and any
/// single-valued rule/installer filter, and a single `met` or `info` status filter, are pushed
/// into the query; the writer applies the rest). Each flag is stated as of the writer's
/// options().AsOf() (RestateAsOf): the store keeps every case as its last run evaluated it, and
/// the clocks of unmet flags have run on since. Returns the store's error (e.g. kUnavailable) or
/// the writer's. Does not Finish().
Status AddFlagsFromStore(store::StateStore& store, ReportWriter& writer);

struct SnapshotInputStats {
  std::int64_t lines = 0;      // lines read (blank ones included)
  std::int64_t cases = 0;      // snapshots evaluated
  std::int64_t bad_lines = 0;  // lines skipped as bad (each reported to `problems`)
};

/// Reads snapshot lines (SPEC 2 JSON Lines, plus the optional CaseFacts members) from `in`,
/// evaluates each at `now` with `engine` and adds its flags to `writer`. A leading UTF-8 BOM,
/// CR line ends and blank lines are accepted. A bad line is reported to `problems` as
/// `<name>:<line>: <field>: <message>` and skipped (the rest is still read); the count is also
/// given to writer.SetSkippedInput(). Fails with kUnavailable when reading `in` fails, or with
/// the writer's error. Does not Finish().
StatusOr<SnapshotInputStats> AddFlagsFromSnapshots(std::istream& in, std::string const& name,
                                                   engine::Engine const& engine, Instant now,
                                                   ReportWriter& writer, std::ostream& problems);

/// Writes a whole report to `path` (or standard output for "-") from `fill`, which adds the
/// flags: the file is written under a temporary name next to `path` and renamed into place only
/// when complete, so a failed run never leaves a half report behind. kInvalidArgument for bad
/// options, kUnavailable when the file cannot be written, or `fill`'s error.
StatusOr<ReportTotals> WriteReportFile(ReportOptions const& options, std::string const& path,
                                       std::function<Status(ReportWriter&)> const& fill);

}  // namespace casebridge::report
