// Forge JSON <-> typed records (records.h), through the field names of the mapping. Internal to
// connector/forge (the public API keeps nlohmann/json out of its headers); tests use it directly.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "connector/common/status.h"
#include "connector/forge/records.h"
#include "mappings/forge_mapping.h"

namespace casebridge::forge::forge_internal {

using Json = nlohmann::json;

/// The member at a (possibly dotted) field path, or nullptr when absent or not mapped ("").
Json const* Member(Json const& doc, std::string_view path);
/// Sets the member at a dotted field path, creating intermediate objects; no-op for "".
void SetMember(Json& doc, std::string_view path, Json value);

/// Record parsers. Errors: kInvalidArgument naming the record, the Forge field and what is
/// wrong (ErrorInfo::field = the Forge field name), e.g. a missing id, a malformed date-time, a
/// tier outside 1-4. Fields Forge sends as null, and fields the mapping leaves unmapped, give
/// empty values. Strings also accept JSON integers (numeric ids).
StatusOr<User> ParseUser(Json const& doc, mappings::ForgeAuthMapping const& m);
StatusOr<Ticket> ParseTicket(Json const& doc, mappings::ForgeTicketMapping const& m);
StatusOr<Interaction> ParseInteraction(Json const& doc, mappings::ForgeInteractionMapping const& m);
StatusOr<ServiceTicket> ParseServiceTicket(Json const& doc,
                                           mappings::ForgeServiceTicketMapping const& m);
StatusOr<Task> ParseTask(Json const& doc, mappings::ForgeTaskMapping const& m);

/// Request bodies. Errors: kInvalidArgument for a missing required value (idempotency key,
/// ticket or customer, summary, title, assignee) or a value the mapping cannot express.
StatusOr<Json> DocumentBody(DocumentRequest const& r, mappings::ForgeInteractionMapping const& m);
StatusOr<Json> ServiceTicketBody(ServiceTicketRequest const& r,
                                 mappings::ForgeServiceTicketMapping const& m);
StatusOr<Json> TaskBody(TaskRequest const& r, mappings::ForgeTaskMapping const& m);

}  // namespace casebridge::forge::forge_internal
