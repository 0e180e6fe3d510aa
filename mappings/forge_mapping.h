// The Forge API contract as casebridge uses it: every path, query parameter and JSON field name
// the Forge client sends or reads, and how Forge records become snapshot facts (tiers,
// financing, queues, interaction signals). Loaded from `forge.json` of a mappings directory
// (or the embedded shipped default, mappings/default/forge.json). The document it describes is
// connector/forge/openapi.yaml; a Forge contract that differs from that proposal is a change to
// this file, not to code.
//
// Flow: forge.json -> LoadForgeMapping() (validates, reports every problem) -> ForgeMapping
//   -> forge::Client (paths, parameters, fields) and forge::ForgeReader (snapshot facts).
//
// Field names are JSON member paths: `customer_id`, or a dotted path into nested objects
// (`customer.id`). An empty field name means "Forge has no such field": reads leave the value
// empty, writes omit it. Keys that must be non-empty are marked (required).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "connector/common/status.h"
#include "mappings/loader.h"

namespace casebridge::mappings {

/// Login (confirmed: POST /api/auth/login with {"email","password"}) and the "who am I" call.
struct ForgeAuthMapping {
  std::string login_path;      // (required) "/api/auth/login"
  std::string email_field;     // (required) "email"
  std::string password_field;  // (required) "password"
  std::string token_field;     // (required) member of the login response holding the token
  std::string me_path;         // "/api/v1/me"; empty = the auth check only logs in
  std::string user_id_field;   // fields of the user object
  std::string user_email_field;
  std::string user_name_field;
};

/// Cursor paging of every list endpoint.
struct ForgePagingMapping {
  std::string limit_param;        // (required) "limit"
  std::string cursor_param;       // (required) "cursor"
  std::string items_field;        // (required) "data": the array of records of one page
  std::string next_cursor_field;  // (required) "next_cursor": null or absent on the last page
  int page_size = 100;            // 1..1000
};

struct ForgeTicketFields {
  std::string id;  // (required)
  std::string number;
  std::string status;
  std::string tier;  // integer 1-4, a string of `tier_values`, or null
  std::string primary_reason;
  std::string secondary_reason;
  std::string customer_id;  // the homeowner
  std::string installer_id;
  std::string assigned_to;  // user id -> owner "user:<id>"
  std::string team;         // team/queue -> owner "queue:<key>" through `team_queues`
  std::string financing;    // raw value -> beam/concert through `financing_values`
  std::string pre_m3_pto;   // boolean
  std::string salesforce_case_id;
  std::string created_at;  // (required)
  std::string updated_at;  // (required)
  std::string closed_at;
};

struct ForgeTicketMapping {
  std::string path;                 // (required) list: "/api/v1/tickets"
  std::string item_path;            // (required) one ticket: "/api/v1/tickets/{id}"
  std::string updated_since_param;  // (required) "updated_since"
  std::string customer_param;       // (required) "customer_id"
  ForgeTicketFields fields;
  /// Statuses meaning the ticket is closed; `closed_at` falls back to `updated_at` for them.
  std::vector<std::string> closed_statuses;
  std::map<std::string, int> tier_values;               // string tier value -> 1..4
  std::map<std::string, std::string> financing_values;  // raw -> "beam" | "concert"
  std::map<std::string, std::string> team_queues;       // team -> queue mapping key
};

struct ForgeInteractionFields {
  std::string id;           // (required)
  std::string ticket_id;    // (required)
  std::string customer_id;  // (required)
  std::string kind;
  std::string direction;
  std::string party;
  std::string outcome;
  std::string tags;  // array of strings
  std::string subject;
  std::string body;
  std::string occurred_at;  // (required)
  std::string updated_at;   // (required)
  std::string source;
  std::string source_ref;
  std::string external_key;
};

/// Values written when casebridge documents a Salesforce interaction in Forge.
struct ForgeDocumentValues {
  std::map<std::string, std::string> kinds;       // email, call, note -> Forge kind
  std::map<std::string, std::string> directions;  // inbound, outbound, internal -> Forge value
  std::map<std::string, std::string> parties;     // customer, installer, … -> Forge value
  std::string source;                             // value of `source` ("salesforce")
};

struct ForgeInteractionMapping {
  std::string path;                 // (required) list and create: "/api/v1/interactions"
  std::string updated_since_param;  // (required)
  std::string ticket_param;         // (required)
  std::string customer_param;       // (required)
  ForgeInteractionFields fields;
  std::map<std::string, std::string> outcome_values;  // raw call outcome -> reached | voicemail
  ForgeDocumentValues document;
  bool idempotency_key = true;  // send Idempotency-Key (and retry) on create
};

/// One way an interaction becomes a snapshot event: every condition must hold. Conditions
/// compare raw Forge values of the interaction's `kind`, `direction`, `party`, `outcome` (equal
/// to one of the listed values) and `tag` (one of the values is among its tags).
struct ForgeSignal {
  std::string event;  // snapshot event type name, e.g. "homeowner_contacted"
  std::map<std::string, std::vector<std::string>> match;
};

struct ForgeServiceTicketFields {
  std::string id;  // (required)
  std::string number;
  std::string ticket_id;
  std::string customer_id;  // (required)
  std::string salesforce_case_id;
  std::string summary;  // (required)
  std::string description;
  std::string status;
  std::string external_key;
  std::string created_at;
  std::string updated_at;
};

struct ForgeServiceTicketMapping {
  std::string path;                 // (required) "/api/v1/service-tickets"
  std::string updated_since_param;  // (required)
  std::string ticket_param;         // (required)
  std::string case_param;           // (required)
  ForgeServiceTicketFields fields;
  bool idempotency_key = true;
};

struct ForgeTaskFields {
  std::string id;     // (required)
  std::string title;  // (required)
  std::string description;
  std::string status;       // (required)
  std::string assigned_to;  // (required)
  std::string due_at;
  std::string ticket_id;
  std::string external_key;
};

struct ForgeTaskMapping {
  std::string path;               // (required, confirmed) "/api/v1/tasks"
  std::string assigned_to_param;  // (required, confirmed) "assigned_to"
  std::string status_param;       // (required, confirmed) "status"
  ForgeTaskFields fields;
  std::string status_open;         // (required, confirmed) "todo"
  std::string status_in_progress;  // (required, confirmed) "in-progress"
  bool idempotency_key = true;
  // Follow-up tasks of Forge-only cases (`assign`): a task goes to the ticket's assignee, else
  // to the user of the ticket's team, else to `default_assignee`; what a Salesforce post would
  // ask of the people it mentions (notify_manager) is a task for `notify_assignee`.
  std::map<std::string, std::string> team_assignees;  // Forge team -> Forge user id
  std::string default_assignee;                       // Forge user id ("" = none)
  std::string notify_assignee;                        // Forge user id ("" = none)
  /// Actions with no meaning in Forge (e.g. the back-office reassignment, the @mention): not
  /// written for Forge-only cases (their flags still count). Catalogue action names.
  std::vector<std::string> not_in_forge;
};

struct ForgeMapping {
  std::string idempotency_header;  // (required) "Idempotency-Key"
  ForgeAuthMapping auth;
  ForgePagingMapping paging;
  ForgeTicketMapping tickets;
  ForgeInteractionMapping interactions;
  std::vector<ForgeSignal> signals;
  ForgeServiceTicketMapping service_tickets;
  ForgeTaskMapping tasks;
  /// Where it was loaded from: "<dir>/forge.json" or "<shipped defaults>/forge.json".
  std::string origin;
};

/// Snapshot event types a signal may produce (`reassigned` and `task_created` need facts an
/// interaction does not carry). Kept equal to engine::EventTypeName by a unit test.
std::vector<std::string> const& ForgeSignalEventNames();

/// Parses and validates the text of a forge.json; problems (keys start with `forge.`) are
/// appended with `file` as their file. The result is complete only when none were added.
ForgeMapping ParseForgeMapping(std::string_view text, std::string const& file,
                               std::vector<Problem>& problems);

/// Loads `<dir>/forge.json`; `dir` empty — or a directory without forge.json — means the
/// embedded shipped default (mappings/default/forge.json). Problems are appended; a `dir` that
/// is not a directory is a problem. Reentrant.
ForgeMapping LoadForgeMapping(std::string const& dir, std::vector<Problem>& problems);

/// LoadForgeMapping() as a StatusOr: kInvalidArgument listing every problem, one per line.
StatusOr<ForgeMapping> LoadForgeMappingOrError(std::string const& dir);

}  // namespace casebridge::mappings
