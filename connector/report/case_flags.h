// From an evaluated case to the report's flag rows: store::FlagRecord, the row the state store
// keeps for each flag and that every report is written from.
//
// Flow: snapshot line --SnapshotReader--> Snapshot --Engine::Evaluate--> Evaluation
//       + CaseFacts (optional report fields of the same line, CaseFactsReader)
//       --ToFlagRecord()--> FlagRecord (with evidence JSON) --> ReportWriter::Add().
// `casebridge report --input` uses it; the sync can use it to fill the store, so a report from
// the store and one from snapshots show the same rows.
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

#include <memory>
#include <string>
#include <string_view>

#include "connector/adapters/flag_rows.h"
#include "connector/common/status.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "connector/store/records.h"

namespace casebridge::report {

// The flag-row side lives in connector/adapters/flag_rows.h (the sync writes the rows too).
using adapters::AppendEvidenceJson;
using adapters::AwaitedEvidence;
using adapters::CaseFacts;
using adapters::ClockRunning;
using adapters::QueueOf;
using adapters::RestateAsOf;
using adapters::ToFlagRecord;

/// Reads CaseFacts from a snapshot line. Reuses its buffers: one per thread, not thread-safe.
class CaseFactsReader {
 public:
  CaseFactsReader();
  ~CaseFactsReader();
  CaseFactsReader(CaseFactsReader const&) = delete;
  CaseFactsReader& operator=(CaseFactsReader const&) = delete;

  /// Fills `out` (cleared first) from `line`, a JSON object. Members that are absent or null
  /// stay "". kInvalidArgument with ErrorInfo::field set when one of the members is neither a
  /// string nor null, or when the line is not a JSON object.
  Status Parse(std::string_view line, CaseFacts& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Appends the readable evidence of a flag row (see the file comment). `status` picks the
/// wording of an unmet clock ("yet" while pending). Never fails: unparsable evidence is shown
/// as it is.
void AppendEvidenceText(std::string& out, std::string_view status, std::string_view evidence);

}  // namespace casebridge::report
