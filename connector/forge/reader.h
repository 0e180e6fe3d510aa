// Forge tickets and interactions -> normalized case snapshots (SPEC section 2, `source: "forge"`).
//
// Flow: ReadChangedSince(watermark)
//   1. tickets changed since the watermark (one paged listing),
//   2. interactions changed since the watermark (one paged listing) -> the tickets they touch
//      (casebridge's own mirrors of Salesforce records, `source` = forge.json's document
//      source, are returned in `mirrors` but touch no ticket)
//      (GET each ticket not already read; for interactions attached only to a customer, that
//      customer's tickets),
//   3. for every touched ticket, all its interactions (by ticket, plus the customer's
//      interactions attached to no ticket that happened while the ticket was open) — two
//      listings per ticket, or for many tickets one listing of everything updated since the
//      oldest of them was opened,
//   4. TicketToSnapshot() through the mapping: tier, owner, financing, reasons, and one event per
//      interaction signal (forge.json `signals`).
// The new watermark is the latest `updated_at` seen in steps 1-2 (or the old one): lists filter
// with an inclusive `updated_since`, so records at exactly the watermark are read again next
// time, which is harmless (snapshots are recomputed, writes are idempotent).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "connector/common/status.h"
#include "connector/engine/snapshot.h"
#include "connector/forge/client.h"
#include "connector/forge/records.h"
#include "mappings/forge_mapping.h"

namespace casebridge::forge {

/// The snapshot of one ticket with the interactions that belong to it. Pure; events are in
/// interaction order (the engine sorts by time). Owner: `user:<assigned_to>` when assigned, else
/// `queue:<key>` for a team in `team_queues`, else "". Financing through `financing_values`
/// (other values: none).
engine::Snapshot TicketToSnapshot(Ticket const& ticket,
                                  std::vector<Interaction> const& interactions,
                                  mappings::ForgeMapping const& mapping);

/// The events one interaction yields: one per matching signal, at `occurred_at`
/// (`installer_called` carries the call outcome through `outcome_values`).
std::vector<engine::Event> InteractionEvents(Interaction const& interaction,
                                             mappings::ForgeMapping const& mapping);

struct ForgeChanges {
  std::vector<engine::Snapshot> snapshots;  // one per touched ticket, ordered by ticket id
  std::vector<Ticket> tickets;              // the touched tickets, in the order of `snapshots`
  /// Interactions read that mirror a Salesforce record (non-empty `source_ref`).
  std::vector<Interaction> mirrors;
  Instant watermark{};  // pass to the next ReadChangedSince
  /// Records that could not be used (malformed, or an interaction naming a ticket Forge does
  /// not have): skipped, each with a kInvalidArgument / kNotFound naming record and field.
  std::vector<Status> skipped;
};

/// Reads everything that changed since `since`; see the file comment. Errors: the client's
/// (after retries); a failure stops the read and nothing is returned, so the caller keeps its
/// watermark. Thread-safe (the client is).
/// `list_all_above`: with more touched tickets than this, step 3 is one listing of every
/// interaction updated since the oldest of them was opened (then grouped), instead of two
/// listings per ticket.
StatusOr<ForgeChanges> ReadChangedSince(Client const& client, Instant since,
                                        std::size_t list_all_above = 50);

/// The snapshots of the given tickets (one GET each, then their interactions as in step 3):
/// re-evaluation of Forge cases whose clocks came due. A ticket Forge no longer has is skipped
/// (kNotFound in `skipped`). `watermark` is the latest `updated_at` read (not a read position).
StatusOr<ForgeChanges> ReadTickets(Client const& client, std::vector<std::string> const& ids,
                                   std::size_t list_all_above = 50);

}  // namespace casebridge::forge
