// Reading normalized case snapshots (SPEC section 2, v1) from JSON Lines.
//
// Flow: one text line --SnapshotReader::Parse()--> Snapshot (reused) --> Engine::Evaluate().
// This is the hot path of `casebridge evaluate`: the reader keeps one simdjson on-demand parser
// and one padded input buffer and reuses both, and it fills a caller-owned Snapshot whose string
// and vector capacity is reused from line to line.
//
// Accepted shape (anything else is a bad line, reported with the offending field path):
//  * `id`: required, non-empty string. `created_at`: required date-time.
//  * Date-times (`created_at`, `closed_at`, `events[i].at`) are ISO-8601 with a mandatory offset
//    (see ParseInstant()); `closed_at` may be null or absent.
//  * `tier`: null/absent or an integer 1-4 (not 2.0, not "2").
//  * `financing`: null/absent, "beam" or "concert", compared case-insensitively ("Beam" is
//    accepted because exported data often keeps the picklist label); any other value is bad.
//  * `pre_m3_pto`: true/false; null or absent means false.
//  * `source`, `number`, `primary_reason`, `secondary_reason`, `owner`, `homeowner_id`,
//    `installer_id`: string or null (null and absent mean ""); values are not interpreted here.
//  * `events`: null/absent or an array of objects. Each needs a string `type`; events of an
//    unknown type are dropped whole (their other fields are not looked at). Known types need
//    `at`; `reassigned` needs a string `to`; `task_created` needs string `action` and `key`;
//    `installer_called` takes an optional `outcome` ("reached" | "voicemail" | null). Any event
//    may name its source record in `record` (string or null; evidence only, for explain).
//  * Unknown fields anywhere are ignored. The line must hold exactly one JSON object.
//  * A line nesting more than 512 levels (the line's object is level 1) is bad, with the field
//    holding the deep value named: the walk of an ignored value recurses once per level.
// Note: like every simdjson on-demand reader, the content of an ignored (unknown) field is only
// checked for structure (balanced brackets, closed strings, valid UTF-8), not parsed in full.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/engine/snapshot.h"

namespace casebridge::engine {

/// Reusable snapshot-line parser. Not thread-safe: use one reader per thread.
class SnapshotReader {
 public:
  SnapshotReader();
  ~SnapshotReader();
  SnapshotReader(SnapshotReader&&) noexcept;
  SnapshotReader& operator=(SnapshotReader&&) noexcept;
  SnapshotReader(SnapshotReader const&) = delete;
  SnapshotReader& operator=(SnapshotReader const&) = delete;

  /// Parses one line (without its newline) into `out`, which is cleared first (capacity kept).
  /// Errors: kInvalidArgument with ErrorInfo::field set to the offending field path (`id`,
  /// `created_at`, `tier`, `events[3].at`, …) and a message quoting at most ~40 characters of
  /// the offending value; for text that is not a single valid JSON object the field is empty
  /// and the message starts with "not valid JSON". On error `out` holds partial data and must
  /// not be evaluated. Never throws.
  Status Parse(std::string_view line, Snapshot& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Appends `snapshot` as one compact JSON object (no newline) that SnapshotReader reads back to
/// an equal Snapshot: empty strings, a null tier/financing/closed_at and a false pre_m3_pto are
/// left out; instants are UTC `Z` to the second; events keep their order (kUnknown ones, which
/// the reader never produces, are left out). What the state store keeps per case (issue 15).
void AppendSnapshotJson(std::string& out, Snapshot const& snapshot);

/// One-off convenience: parses `line` with a fresh reader (allocates; prefer SnapshotReader in
/// loops). Same contract as SnapshotReader::Parse().
Status ParseSnapshotLine(std::string_view line, Snapshot& out);

}  // namespace casebridge::engine
