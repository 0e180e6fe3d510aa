// What an earlier attempt of a write may have left in Salesforce (used by the action sink
// before it re-sends a ledger row whose earlier send may have reached the server: a row sent by
// a run that died before recording the outcome, or a `failed` row being retried).
//
// Every lookup takes a whole batch (at most 200 rows) and costs one query (more only when the
// answer spans several pages), never one per row:
//   * Tasks by their external key (queryAll: a Task a person deleted is found too, so it is
//     not created again);
//   * feed posts of the parent cases, by the key marker in their body;
//   * Cases: the current owner and the Owner changes in CaseHistory since an instant.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "connector/adapters/salesforce/case_source.h"
#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::adapters {

/// A Case as a reassignment retry needs it.
struct CaseOwnerState {
  std::string owner_id;
  std::vector<Instant> owner_changes;  // CaseHistory Owner rows at or after the asked instant
};

class SentLookup {
 public:
  /// Keeps a reference: `org` must outlive it.
  explicit SentLookup(SalesforceOrg& org) : org_(org) {}

  /// Tasks (deleted ones included) carrying one of `keys` in the Task key field: key -> id.
  StatusOr<std::map<std::string, std::string>> TasksByKey(std::vector<std::string> const& keys);
  /// Feed posts on `parents` carrying a key marker: key -> FeedItem id.
  StatusOr<std::map<std::string, std::string>> FeedPostsOn(std::vector<std::string> const& parents);
  /// The Cases of `ids` that exist: id -> owner and Owner changes at or after `since`.
  StatusOr<std::map<std::string, CaseOwnerState>> CaseOwners(std::vector<std::string> const& ids,
                                                             Instant since);

 private:
  SalesforceOrg& org_;
};

}  // namespace casebridge::adapters
