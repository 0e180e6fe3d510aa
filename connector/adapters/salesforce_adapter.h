// Salesforce records -> normalized case snapshots (SPEC section 2, `source: "salesforce"`).
//
// One SOQL query reads a page of Cases together with their related records: the Case fields of
// signals.json `case` and relations.json, plus one child subquery per relationship of
// signals.json `related` (EmailMessages, Tasks, Feeds, Histories by default). No query per case.
// Convert() then turns one record of that query into a SalesforceCase: the snapshot (facts through
// relations.json/queues.json, events through the signals) and what the sync needs besides it
// (modstamp for de-duplication, names for reports, casebridge's own Tasks and feed posts by key).
//
// Interpretations (the spec is silent):
//   * an incoming e-mail at or before the case's creation is the message that opened the case;
//     the creation already starts that response clock, so it is not a second customer_message;
//   * an owner that is a queue not listed in queues.json becomes "queue:<its id>";
//   * a child relationship whose subquery result is itself paged (done = false) cannot be read
//     completely in the page: Convert() refuses the case (kFailedPrecondition naming it) rather
//     than evaluate it on partial evidence.
//
// Thread-safety: const members are safe to call concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/engine/snapshot.h"
#include "mappings/policy.h"
#include "mappings/signals.h"

namespace casebridge::adapters {

/// Queue ids <-> queues.json mapping keys (ids compared on their 15-character prefix).
class QueueDirectory {
 public:
  void Add(std::string const& id, std::string const& key);
  [[nodiscard]] std::optional<std::string> KeyOf(std::string_view id) const;
  [[nodiscard]] std::optional<std::string> IdOf(std::string_view key) const;
  [[nodiscard]] std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> by_id_;   // 15-char id -> key
  std::map<std::string, std::string, std::less<>> by_key_;  // key -> id as read
};

/// One case as the sync sees it.
struct SalesforceCase {
  engine::Snapshot snapshot;
  std::string modstamp;  // verbatim SystemModstamp text
  std::string subject;
  std::string owner_id;  // raw OwnerId
  std::string owner_name;
  std::string installer_name;
  std::string installer_phone;  // the installer Account's escalation number (relations.json)
  /// casebridge's own records found on the case: key -> record id.
  std::map<std::string, std::string> tasks_by_key;
  std::map<std::string, std::string> feed_posts_by_key;
};

class SalesforceCaseAdapter {
 public:
  SalesforceCaseAdapter(mappings::SignalsMapping signals, mappings::Policy const& policy,
                        QueueDirectory queues);

  /// `SELECT <case fields>, (<subqueries>) FROM Case WHERE <condition> ORDER BY <modstamp>, Id`.
  /// `condition` is already-escaped SOQL ("" = none); signals.json `case.where` is ANDed in.
  [[nodiscard]] std::string BuildQuery(std::string const& condition) const;

  /// Turns one record (raw JSON of one element of `records`) into a SalesforceCase. Errors:
  /// kInvalidArgument naming the case id and the field (missing/unparsable id or created date),
  /// kFailedPrecondition for a paged child relationship. Unparsable timestamps of related
  /// records skip that record and are appended to `warnings` (the case is still converted).
  StatusOr<SalesforceCase> Convert(std::string_view record_json,
                                   std::vector<std::string>* warnings = nullptr) const;

  /// The key a feed post body carries (signals.json `feed_key_marker`), if any.
  [[nodiscard]] std::optional<std::string> KeyInFeedBody(std::string_view body) const;
  /// The marker text for `key`, to append to a feed post casebridge writes.
  [[nodiscard]] std::string FeedMarker(std::string_view key) const;

  [[nodiscard]] mappings::SignalsMapping const& signals() const { return signals_; }
  [[nodiscard]] QueueDirectory const& queues() const { return queues_; }

 private:
  mappings::SignalsMapping signals_;
  mappings::RelationsPolicy relations_;
  std::string installer_phone_path_;  // `Installer__r.Escalation_Phone__c`, or ""
  QueueDirectory queues_;
};

/// The relationship name of a lookup field: `Installer__c` -> `Installer__r`, `AccountId` ->
/// `Account`; "" when it cannot be derived.
std::string RelationshipOf(std::string_view lookup_field);

/// The SOQL that reads the queues of queues.json: `SELECT Id, DeveloperName FROM Group WHERE
/// Type = 'Queue' AND DeveloperName IN (…)`.
std::string QueueQuery(mappings::Policy const& policy);

}  // namespace casebridge::adapters
