// The vendor ports: what the sync (connector/sync) sees of Salesforce and Forge.
//
// Flow: a CaseSource reads the cases of one system (changed since an instant, by id, or created
// in a range; REST or Bulk is its own choice) and hands them out page by page as SourcedCase:
// the normalized snapshot (SPEC 2) plus everything later steps need from the vendor record,
// extracted once in the adapter — its version (for skipping re-reads), the report facts, the
// interactions another system must mirror, the link to the other system, and casebridge's own
// records already found on it. The sync evaluates the snapshots with the engine and asks the
// ActionSink of the target system to render each planned action into the self-contained
// payload the ledger keeps; later the sink writes the ledger's pending rows, idempotently,
// healing what a crashed run left half-done. No raw vendor record travels past its adapter.
//
// Thread-safety: implementations are used by one run at a time (not thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "connector/store/records.h"

namespace casebridge::adapters {

/// A customer interaction recorded on a case that another system must mirror (signals.json
/// `documents`: e-mails, completed calls, text feed notes; casebridge's own records excluded).
struct Interaction {
  std::string id;         // the record id in its own system
  std::string link_key;   // the key other systems' links name it by (e.g. a 15-character id)
  std::string kind;       // "email" | "call" | "note"
  std::string direction;  // "inbound" | "outbound" | "internal"
  std::string party;      // "customer" | "installer" | "" (unknown)
  std::string outcome;    // calls: "reached" | "voicemail" | ""
  Instant at{};
  std::string subject;
  std::string body;
};

/// One case as a source hands it to the sync.
struct SourcedCase {
  std::string system;  // "salesforce" | "forge": where the case lives (its ledger/flag system)
  engine::Snapshot snapshot;
  std::string version;   // the source's modification stamp, verbatim (re-reads are skipped)
  std::string link_key;  // the key other systems' links name this case by
  // Report facts (the snapshot does not carry them).
  std::string subject;
  std::string owner_name;
  std::string installer_name;
  // What rendering an action needs besides the snapshot.
  std::string owner_id;         // raw owner id in the source system ("" = none)
  std::string installer_phone;  // the installer's escalation number
  std::string customer_id;      // Forge: the ticket's customer
  std::string team;             // Forge: the ticket's team
  /// Interactions another system must mirror, ordered by (time, id).
  std::vector<Interaction> interactions;
  /// A case of the linked system that is the same as a case of the primary one (a Forge ticket
  /// naming a Salesforce case): that case's id. It is evaluated there, not here.
  std::string linked_case_id;
  /// casebridge's own records found on the case: action key -> record id.
  std::map<std::string, std::string> written;
};

/// One page of a read.
struct CasePage {
  std::vector<SourcedCase> cases;
  std::int64_t records = 0;     // records received, unusable ones included
  std::vector<Status> skipped;  // records that could not be converted, each naming record/field
  /// Links between the systems the records read hold, to remember (the store's forge_refs).
  /// Kind "ticket": a case of this page naming a primary case (ref = its key); a case of the
  /// page without one names none, so a link stored for it earlier is dropped.
  std::vector<store::ForgeRef> links;
  /// ReadChanged: the read position after this page (the last usable record's version and id),
  /// to store as the watermark; empty for other reads.
  std::string last_version;
  std::string last_id;
};
using CasePageCallback = std::function<Status(CasePage&)>;

/// The cases whose related records (e-mails, activities, feed posts, history rows) of one kind
/// changed: such a change need not move the case's own version, so ReadChanged() misses it.
struct RelatedChanges {
  struct Case {
    std::string id;
    Instant changed{};  // the newest stamp among its changed related records
  };
  std::vector<Case> cases;   // distinct, in the order first seen
  std::int64_t records = 0;  // related records read
  /// The newest stamp among them (verbatim), to store as the kind's watermark; "" = none.
  std::string last_version;
};

/// API calls made so far, by kind in display order (e.g. auth, query, write, bulk).
struct ApiCalls {
  std::vector<std::pair<std::string, std::int64_t>> by_kind;
  [[nodiscard]] std::int64_t total() const {
    std::int64_t n = 0;
    for (auto const& [kind, count] : by_kind) n += count;
    return n;
  }
};

/// Reads one system's cases. Errors: the vendor client's, after its retries (kResourceExhausted
/// for the API budget), or `on_page`'s, which stops the read.
class CaseSource {
 public:
  virtual ~CaseSource() = default;
  [[nodiscard]] virtual std::string_view system() const = 0;
  /// The object the watermark of ReadChanged() is kept under (e.g. "Case").
  [[nodiscard]] virtual std::string_view object() const = 0;
  /// Called once per run before any read (e.g. reads the org's queue directory).
  virtual Status Prepare() = 0;
  /// Cases modified at or after `since`, ordered by (version, id). `first_run`: no watermark
  /// yet (a source may then also report links however old).
  virtual Status ReadChanged(Instant since, bool first_run, CasePageCallback const& on_page) = 0;
  /// The kinds of related records whose changes ReadRelatedChanged() finds, each named as its
  /// watermark is kept (e.g. "Case.Tasks"). None when ReadChanged() sees every change itself.
  [[nodiscard]] virtual std::vector<std::string> RelatedKinds() const { return {}; }
  /// The cases with related records of `kind` created or modified at or after `since` (one
  /// paged query, the parent ids only); with `cases_before`, only of the cases whose own
  /// version is before it (a first run's changed read evaluated all the others).
  virtual StatusOr<RelatedChanges> ReadRelatedChanged(std::string_view kind, Instant /*since*/,
                                                      std::optional<Instant> /*cases_before*/) {
    return InvalidArgumentError("no related records of kind '" + std::string(kind) + "'");
  }
  /// The given cases; ids the system no longer has are simply not returned.
  virtual Status ReadByIds(std::span<std::string const> ids, CasePageCallback const& on_page) = 0;
  /// Cases created in [from, to) (backfill). `expected_cases` (an estimate, -1 = unknown) lets
  /// the source choose between paged queries and bulk jobs.
  virtual Status ReadRange(Instant from, Instant to, std::int64_t expected_cases,
                           CasePageCallback const& on_page) = 0;
  /// How many cases were created in [from, to).
  virtual StatusOr<std::int64_t> CountRange(Instant from, Instant to) = 0;
  /// Whether ReadRange() of a range of `expected_cases` cases uses bulk jobs.
  [[nodiscard]] virtual bool UsesBulk(std::int64_t expected_cases) const = 0;
  /// The system's API calls so far (its reads and its sink's writes).
  [[nodiscard]] virtual ApiCalls Calls() const = 0;
};

struct WriteOptions {
  Instant now{};
  /// The real time (not the evaluation instant) and how long a create of a run that died may
  /// still be in flight at the server: such rows are looked up only once it has passed.
  Instant wall_now{};
  std::chrono::seconds in_flight_grace{std::chrono::minutes(2)};
  std::string run_id;
};

struct WriteReport {
  std::int64_t written = 0;
  std::int64_t failed = 0;
  std::int64_t healed = 0;    // found already written remotely, not re-sent
  std::int64_t deferred = 0;  // possibly still in flight from a run that died
  /// Cases whose procedure state this write changed (reassigned): worth evaluating again (from
  /// ApplyReassignment(), or read again).
  std::vector<std::string> changed_cases;
  Status status;  // OK, or what stopped the writer (the rest stay pending)
};

/// Renders and writes the actions of one target system.
class ActionSink {
 public:
  virtual ~ActionSink() = default;
  [[nodiscard]] virtual std::string_view system() const = 0;
  /// The ledger payload of `action` planned for `c` (self-contained: re-sendable without the
  /// case); nullopt when the action has no meaning in this system. Errors: kFailedPrecondition
  /// naming what this system lacks for it (e.g. the back-office queue does not exist).
  virtual StatusOr<std::optional<std::string>> Render(SourcedCase const& c,
                                                      engine::PlannedAction const& action) = 0;
  /// The payload of a record this system keeps for case `c` of another system (or for its own
  /// case) attached to its record `link`: `forge_document` (mirroring `interaction`) and
  /// `forge_service_ticket`. nullopt when this system keeps no such records.
  virtual StatusOr<std::optional<std::string>> RenderLinked(mappings::ActionId /*action*/,
                                                            SourcedCase const& /*c*/,
                                                            store::ForgeRef const& /*link*/,
                                                            Interaction const* /*interaction*/) {
    return std::optional<std::string>();
  }
  /// Applies to `c` (a case of this system) what writing the reassignment `action` changes: its
  /// owner, and a reassigned event at `at`, so the steps that follow the hand-off are planned
  /// from the case as it will stand without reading it again. False when this system cannot
  /// tell (`c` is left as it was; the case is read again after the write).
  virtual bool ApplyReassignment(SourcedCase& /*c*/, engine::PlannedAction const& /*action*/,
                                 Instant /*at*/) const {
    return false;
  }
  /// Writes ledger rows of this system (state planned, or failed with attempts left) and
  /// records each result in the ledger and the audit trail. Idempotent: a row a crashed run
  /// already wrote is found and recorded as written (healed), never written twice, and a row
  /// whose earlier send may have reached the server is never re-sent over a person's later
  /// change.
  virtual WriteReport Write(std::span<store::LedgerEntry const> pending,
                            WriteOptions const& options) = 0;
};

}  // namespace casebridge::adapters
