// signals.json: how each snapshot fact and event is recognised in Salesforce records (SPEC
// sections 2 and 4). Loaded from a mappings directory (or the embedded shipped default,
// mappings/default/signals.json, which documents every key). Forge's signals are in forge.json.
//
// Flow: signals.json -> LoadSignals() (validates, reports every problem as file/key/message)
//   -> SignalsMapping -> adapters::SalesforceCaseAdapter (builds the Case query with one child
//   subquery per related object and turns the records into snapshots).
//
// Field names are Salesforce field paths (`Subject`, `Owner.Name`, `Installer__r.Name`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.h"
#include "mappings/loader.h"

namespace casebridge::mappings {

/// The Case fields a snapshot needs besides those of relations.json. Empty = not read.
struct SalesforceCaseFields {
  std::string number = "CaseNumber";
  std::string created = "CreatedDate";
  std::string closed = "ClosedDate";
  std::string primary_reason = "Reason";
  std::string secondary_reason;
  std::string owner = "OwnerId";
  std::string owner_name;
  std::string subject;
  std::string installer_name;
  std::string homeowner_email;
  std::string installer_email;
  std::string modstamp = "SystemModstamp";
  std::string where;  // extra SOQL condition, written by the admin ("" = none)
};

/// Whose address or id a condition compares with.
enum class Party : std::uint8_t { kHomeowner, kInstaller };

struct FieldValues {
  std::string field;
  std::vector<std::string> values;  // "" stands for null/empty
};
struct FieldText {
  std::string field;
  std::string text;  // lower-cased
};
struct FieldParty {
  std::string field;
  Party party = Party::kHomeowner;
};

/// One way related records become a snapshot event; every condition must hold.
struct SalesforceSignal {
  std::string event;  // snapshot event type name ("customer_message", …)
  std::string from;   // child relationship name ("EmailMessages")
  std::vector<std::string> at;
  std::vector<FieldValues> when;
  std::vector<FieldText> contains;
  std::vector<FieldParty> recipient;  // the field's text contains the party's e-mail
  std::vector<FieldParty> who;        // the field equals the party's id
  std::string to_field;               // reassigned
  std::string outcome_field;          // installer_called
  std::map<std::string, std::string> outcome_values;
};

/// One kind of Salesforce record that is a customer-facing interaction (an e-mail, a call, a
/// note) and is mirrored into Forge as a documented interaction (the `forge_document` action).
/// casebridge's own Tasks (key field set) and feed posts (key marker) are never mirrored.
struct SalesforceDocument {
  std::string from;  // child relationship name
  std::string kind;  // "email" | "call" | "note"
  std::vector<std::string> at;
  std::vector<FieldValues> when;     // every one must hold for the record to be mirrored
  std::vector<FieldValues> inbound;  // all hold: inbound; else outbound (notes: internal)
  std::string subject_field;
  std::string body_field;
  /// Fields naming who the interaction was with: an address containing the homeowner's /
  /// installer's e-mail, or their id. The first match gives the party.
  std::vector<std::string> party_fields;
  std::string outcome_field;  // calls: raw value -> "reached" | "voicemail"
  std::map<std::string, std::string> outcome_values;
};

/// A child relationship of Case as an object of its own: for finding the cases whose related
/// records changed (adding a Task or an e-mail does not move the Case's SystemModstamp), and for
/// reads that cannot use a parent-to-child subquery (Bulk API 2.0 query jobs).
struct CaseChildObject {
  std::string relationship;  // child relationship name on Case, e.g. "EmailMessages"
  std::string object;        // the child sObject, e.g. "EmailMessage"
  std::string parent_field;  // its lookup to the Case, e.g. "ParentId"
  std::string stamp_field = "SystemModstamp";  // "CreatedDate" on history objects
};

/// The standard Case child relationships: EmailMessages (EmailMessage.ParentId), Tasks
/// (Task.WhatId), Events (Event.WhatId), Feeds (FeedItem.ParentId: the feed items posted on the
/// case, which Case.Feeds/CaseFeed shows), Histories (CaseHistory.CaseId, never modified, stamped
/// by CreatedDate), CaseComments (CaseComment.ParentId), Attachments (Attachment.ParentId).
std::vector<CaseChildObject> const& StandardCaseChildObjects();

struct SalesforceSignals {
  SalesforceCaseFields case_fields;
  std::string task_key_field = "Casebridge_Key__c";
  std::string feed_key_marker = "[casebridge:{key}]";
  /// Child relationship -> extra fields to select (fields used by `events` are added).
  std::vector<std::pair<std::string, std::vector<std::string>>> related;
  /// One per `related` relationship, in the same order: its entry in signals.json's
  /// `child_objects`, else its standard object.
  std::vector<CaseChildObject> child_objects;
  std::vector<SalesforceSignal> events;
  std::vector<SalesforceDocument> documents;

  /// Every field of relationship `from` the events and documents use plus its `related` list
  /// (de-duplicated, in first-use order, `Id` first).
  [[nodiscard]] std::vector<std::string> FieldsOf(std::string const& from) const;
};

struct SignalsMapping {
  std::string origin;  // the file it came from (or the shipped-defaults label)
  SalesforceSignals salesforce;
};

/// Loads `signals.json` of `dir` (the shipped default when `dir` is empty or has no such file).
/// Every problem is appended to `problems`; the returned mapping is only usable when none was.
SignalsMapping LoadSignals(std::string const& dir, std::vector<Problem>& problems);

/// LoadSignals() as a StatusOr: kInvalidArgument listing every problem.
StatusOr<SignalsMapping> LoadSignalsOrError(std::string const& dir);

/// Parses the text of a signals.json (`file` names it in problems).
SignalsMapping ParseSignals(std::string_view text, std::string const& file,
                            std::vector<Problem>& problems);

}  // namespace casebridge::mappings
