// Salesforce records -> normalized case snapshots (SPEC section 2, `source: "salesforce"`).
//
// One SOQL query reads a page of Cases together with their related records: the Case fields of
// signals.json `case` and relations.json, plus one child subquery per relationship of
// signals.json `related` (EmailMessages, Tasks, Feeds, Histories by default). No query per case.
// Convert() then turns one record of that query into a SalesforceCase: the snapshot (facts through
// relations.json/queues.json, events through the signals) and what the sync needs besides it
// (modstamp for de-duplication, names for reports, casebridge's own Tasks and feed posts by key).
// BulkQueries() is the same read for Bulk API 2.0, which runs no subqueries: a flat Case query
// plus one semi-join query per relationship (connector/adapters/salesforce/bulk_case_reader.h
// rebuilds the REST-shaped records from their rows).
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

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/adapters/ports.h"
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

using mappings::CaseChildObject;
using mappings::StandardCaseChildObjects;

/// How a bulk (CSV) column's text becomes the JSON value the REST API would have returned.
/// CSV carries no types; the adapter declares the types of the fields it interprets: the case's
/// created/closed/modstamp date-times, relations.json's pre-M3 PTO flag and tier number, and
/// per relationship CreatedDate, the signals' `at` fields and the `when` fields matched only
/// against "true"/"false" (checkboxes).
enum class BulkColumnType : std::uint8_t {
  kText,      // a JSON string (every column not declared otherwise)
  kBoolean,   // "true"/"false" -> true/false
  kNumber,    // "2" -> 2, "2.5" -> 2.5
  kDateTime,  // "2026-03-02T14:05:00.000Z" -> "2026-03-02T14:05:00.000+0000" (REST form)
};

/// One Bulk API 2.0 query of a bulk case read.
struct BulkReadQuery {
  std::string soql;
  /// Columns whose values are not text, by field path as selected (compare ignoring case).
  std::map<std::string, BulkColumnType> column_types;
};

/// The related records of one child relationship, read by a semi-join on the Case condition.
struct BulkChildQuery {
  CaseChildObject child;
  /// `SELECT <the REST subquery's fields>[, <parent_field>] FROM <object> WHERE <parent_field> IN
  /// (SELECT Id FROM Case WHERE <condition>)`.
  BulkReadQuery query;
  /// False when `parent_field` was added only to link a row to its case: the REST subquery does
  /// not return it, so the record built from the row must not either.
  bool parent_field_selected = false;
};

/// What reading the cases of a condition in bulk takes: one job for the Case rows (the flat
/// fields of BuildQuery(), dotted parent fields included) and one per child relationship.
struct BulkCaseQueries {
  BulkReadQuery cases;  // no ORDER BY (it disables Bulk API 2.0's chunking): sort by `order_by`
  std::vector<BulkChildQuery> children;  // in signals.json `related` order
  std::vector<std::string> order_by;     // the REST query's order: {modstamp field, "Id"}
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
  /// Records of signals.json `documents` (casebridge's own left out), by (time, id): what Forge
  /// must mirror. A record without a usable timestamp is left out.
  std::vector<Interaction> interactions;
};

class SalesforceCaseAdapter {
 public:
  SalesforceCaseAdapter(mappings::SignalsMapping signals, mappings::Policy const& policy,
                        QueueDirectory queues);

  /// `SELECT <case fields>, (<subqueries>) FROM Case WHERE <condition> ORDER BY <modstamp>, Id`.
  /// `condition` is already-escaped SOQL ("" = none); signals.json `case.where` is ANDed in.
  [[nodiscard]] std::string BuildQuery(std::string const& condition) const;

  /// The Bulk API 2.0 queries that read what BuildQuery(condition) reads (same Case and child
  /// fields, same cases; `condition` and signals.json `case.where` go into each child query's
  /// semi-join), so that records rebuilt from their rows convert to the same SalesforceCase.
  /// `child_objects` says which object and lookup field stand behind each relationship of
  /// signals.json `related`. Errors: kInvalidArgument naming a relationship it does not list.
  [[nodiscard]] StatusOr<BulkCaseQueries> BulkQueries(
      std::string const& condition, std::vector<CaseChildObject> const& child_objects) const;
  /// BulkQueries() with the child objects of signals.json (`child_objects`, else standard).
  [[nodiscard]] StatusOr<BulkCaseQueries> BulkQueries(std::string const& condition) const;

  /// The query for the cases whose records of `child` were created or modified at or after
  /// `since`: `SELECT <parent_field>, <stamp_field> FROM <object> WHERE <stamp_field> >= since
  /// AND <parent_field> IN (SELECT Id FROM Case[ WHERE <case.where>])`; on Task, only those
  /// without casebridge's key (its own Tasks are no news); on FeedItem, the Body too (its own
  /// posts carry their key marker, and are no news either). With `cases_before`, the Case
  /// sub-select also requires `<modstamp> < cases_before`.
  [[nodiscard]] std::string ChangedChildrenQuery(
      CaseChildObject const& child, Instant since,
      std::optional<Instant> cases_before = std::nullopt) const;

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
  /// Replaces the queue directory (the org's queues were read again).
  void ReplaceQueues(QueueDirectory queues) { queues_ = std::move(queues); }

 private:
  class Converter;
  [[nodiscard]] std::vector<std::string> CaseFields() const;
  [[nodiscard]] std::vector<std::string> ChildFields(std::string const& relationship) const;
  [[nodiscard]] std::string CaseWhere(std::string const& condition) const;

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
