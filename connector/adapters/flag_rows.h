// From an evaluated case to the report's flag rows: store::FlagRecord, the row the state store
// keeps for each flag and that every report is written from.
//
// Flow: snapshot line --SnapshotReader--> Snapshot --Engine::Evaluate--> Evaluation
//       + CaseFacts (optional report fields of the same line, CaseFactsReader)
//       --ToFlagRecord()--> FlagRecord (with evidence JSON) --> ReportWriter::Add().
// `casebridge report --input` and the sync both use it, so a report from the store and one from
// snapshots show the same rows. (Here since the sync, which must not depend on the reports,
// writes the rows; connector/report/case_flags.h adds the reading and rendering side.)
//
// Evidence JSON (FlagRecord::evidence) is one object; EvidenceText() renders it:
//   {"met_by":"event","event":"homeowner_contacted","at":"2026-03-02T14:40:00Z"}
//       (+ "to":"queue:back_office" for a reassignment; a writer that knows the source record
//        may add "record":"<id>")                 -> "met by homeowner_contacted at …"
//   {"met_by":"close","at":"…"}                    -> "met by closing the case at …"
//   {"met_by":"data","fields":["installer_id","homeowner_id"]}
//                                                  -> "met by data: installer_id and homeowner_id
//                                                  set"
//   {"met_by":null,"awaiting":"homeowner_contacted","clock":"running"}
//                                                  -> "none: no homeowner_contacted yet"
//                                                     (pending) / "none: no homeowner_contacted"
//                                                     (breached); the clock of an open case
//                                                     runs on, see RestateAsOf()
//   {"met_by":null,"awaiting":"homeowner_contacted","clock":"stopped","closed_at":"…"}
//                                                  -> "none: no homeowner_contacted before the
//                                                     case closed at …" (breached; the clock
//                                                     stopped at the close)
//   (rows written before the "clock" member existed lack it)
//   {"met_by":null,"note":"pre-M3 PTO complaint: no case required"} -> the note
// Any other object with a string "text" member renders as that text; anything else as its
// compact JSON.
#pragma once

#include <string>
#include <string_view>

#include "connector/common/time.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "connector/store/records.h"

namespace casebridge::adapters {

/// Facts a report shows that the snapshot (SPEC 2, v1) does not carry. Optional top-level
/// string members of a snapshot line, ignored by `casebridge evaluate`:
/// `subject`, `owner_name`, `installer_name`, `queue` (queue key), `record_url`.
struct CaseFacts {
  std::string subject;
  std::string owner_name;
  std::string installer_name;
  std::string queue;
  std::string record_url;
  void Clear();
};

/// The queue a case is handled in: `facts_queue` when set; else the key of a `queue:<key>`
/// owner; else the queue of the case's last `reassigned` event to a queue (a back-office user
/// who self-assigned still works the back-office queue); else "".
std::string_view QueueOf(engine::Snapshot const& snapshot, std::string_view facts_queue);

/// Fills `out` (its buffers are reused) with one flag of an evaluated snapshot: case facts,
/// the flag's times and status, and the evidence JSON. `updated_at` is left as is.
void ToFlagRecord(engine::Snapshot const& snapshot, engine::Flag const& flag,
                  CaseFacts const& facts, store::FlagRecord& out);

/// True when the clock of a stored flag was still running when it was evaluated: unmet (no
/// `met_at`), with a due instant, pending or breached, and not stopped by the case's closing
/// (evidence `"clock":"running"`). A breached row without the `clock` member (written by an
/// earlier version) counts as running when its late_minutes are counted to its `updated_at`, the
/// instant it was evaluated.
bool ClockRunning(store::FlagRecord const& flag);

/// States a stored flag as of `as_of` (issue 16: one "as of" instant per report): when its clock
/// was still running (ClockRunning), its status becomes `pending` if `as_of <= due`, else
/// `breached` with late_minutes counted from its stored `due` to `as_of`. Met, info and closed
/// cases' flags are final and left as they are. Returns whether the flag was restated.
bool RestateAsOf(store::FlagRecord& flag, Instant as_of);

/// Appends the evidence JSON of `flag` (format in the file comment).
void AppendEvidenceJson(std::string& out, engine::Snapshot const& snapshot,
                        engine::Flag const& flag);

/// What meets a rule's clock, e.g. "homeowner_contacted" (empty for case_not_required and for
/// unknown rule ids).
std::string_view AwaitedEvidence(std::string_view rule_id);

}  // namespace casebridge::adapters
