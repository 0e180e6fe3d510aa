#include "connector/forge/reader.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace casebridge::forge {
namespace {

bool Matches(Interaction const& i, mappings::ForgeSignal const& signal) {
  for (auto const& condition : signal.match) {
    std::string const& key = condition.first;
    std::vector<std::string> const& values = condition.second;
    auto any_equal = [&values](std::string const& v) {
      return std::find(values.begin(), values.end(), v) != values.end();
    };
    bool ok = false;
    if (key == "kind") ok = any_equal(i.kind);
    if (key == "direction") ok = any_equal(i.direction);
    if (key == "party") ok = any_equal(i.party);
    if (key == "outcome") ok = any_equal(i.outcome);
    if (key == "tag") ok = std::any_of(i.tags.begin(), i.tags.end(), any_equal);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::vector<engine::Event> InteractionEvents(Interaction const& interaction,
                                             mappings::ForgeMapping const& mapping) {
  std::vector<engine::Event> out;
  for (auto const& signal : mapping.signals) {
    if (!Matches(interaction, signal)) continue;
    engine::Event e;
    e.type = engine::ParseEventType(signal.event);
    if (e.type == engine::EventType::kUnknown) continue;
    e.at = interaction.occurred_at;
    e.record = interaction.id;
    if (e.type == engine::EventType::kInstallerCalled) {
      auto it = mapping.interactions.outcome_values.find(interaction.outcome);
      if (it != mapping.interactions.outcome_values.end()) {
        e.outcome = it->second == "reached" ? engine::CallOutcome::kReached
                                            : engine::CallOutcome::kVoicemail;
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

engine::Snapshot TicketToSnapshot(Ticket const& ticket,
                                  std::vector<Interaction> const& interactions,
                                  mappings::ForgeMapping const& mapping) {
  auto const& m = mapping.tickets;
  engine::Snapshot s;
  s.id = ticket.id;
  s.source = "forge";
  s.number = ticket.number;
  s.created_at = ticket.created_at;
  s.closed_at = ticket.closed_at;
  s.primary_reason = ticket.primary_reason;
  s.secondary_reason = ticket.secondary_reason;
  s.tier = ticket.tier;
  if (!ticket.assigned_to.empty()) {
    s.owner = "user:" + ticket.assigned_to;
  } else if (auto it = m.team_queues.find(ticket.team); it != m.team_queues.end()) {
    s.owner = "queue:" + it->second;
  }
  if (auto it = m.financing_values.find(ticket.financing); it != m.financing_values.end()) {
    s.financing = it->second == "beam" ? engine::Financing::kBeam : engine::Financing::kConcert;
  }
  s.pre_m3_pto = ticket.pre_m3_pto;
  s.homeowner_id = ticket.customer_id;
  s.installer_id = ticket.installer_id;
  for (auto const& i : interactions) {
    auto events = InteractionEvents(i, mapping);
    s.events.insert(s.events.end(), events.begin(), events.end());
  }
  return s;
}

namespace {

// Every ticket of `tickets` gets all its interactions (by ticket, plus its customer's
// interactions attached to no ticket while it was open) and its snapshot in `out`.
Status AddSnapshots(Client const& client, std::map<std::string, Ticket> const& tickets,
                    std::size_t list_all_above, ForgeChanges& out) {
  auto on_bad = [&out](Status const& s) { out.skipped.push_back(s); };
  Status s;
  std::map<std::string, std::vector<Interaction>> unattached_by_customer;
  // Many tickets: one listing of every interaction updated since the oldest ticket was opened
  // (a superset of theirs), instead of two listings per ticket.
  bool const list_all = tickets.size() > list_all_above;
  std::map<std::string, std::vector<Interaction>> listed;  // ticket id -> its interactions
  if (list_all && !tickets.empty()) {
    Instant oldest = tickets.begin()->second.created_at;
    std::set<std::string> customers;
    for (auto const& [id, t] : tickets) {
      oldest = std::min(oldest, t.created_at);
      if (!t.customer_id.empty()) customers.insert(t.customer_id);
    }
    for (auto const& c : customers) unattached_by_customer[c];
    InteractionQuery all;
    all.updated_since = oldest;
    s = client.ListInteractions(
        all,
        [&](Interaction const& i) {
          if (!i.ticket_id.empty()) {
            if (!tickets.contains(i.ticket_id)) return OkStatus();
            if (!i.source_ref.empty()) out.mirrors.push_back(i);
            listed[i.ticket_id].push_back(i);
          } else if (customers.contains(i.customer_id)) {
            unattached_by_customer[i.customer_id].push_back(i);
          }
          return OkStatus();
        },
        on_bad);
    if (!s.ok()) return s;
  }
  for (auto const& [id, ticket] : tickets) {
    std::vector<Interaction> interactions;
    if (list_all) {
      interactions = std::move(listed[id]);
    } else {
      InteractionQuery by_ticket;
      by_ticket.ticket_id = id;
      s = client.ListInteractions(
          by_ticket,
          [&](Interaction const& i) {
            if (!i.source_ref.empty()) out.mirrors.push_back(i);
            interactions.push_back(i);
            return OkStatus();
          },
          on_bad);
      if (!s.ok()) return s;
    }
    if (!ticket.customer_id.empty()) {
      auto it = unattached_by_customer.find(ticket.customer_id);
      if (it == unattached_by_customer.end()) {
        std::vector<Interaction> loose;
        InteractionQuery by_customer;
        by_customer.customer_id = ticket.customer_id;
        s = client.ListInteractions(
            by_customer,
            [&](Interaction const& i) {
              if (i.ticket_id.empty()) loose.push_back(i);
              return OkStatus();
            },
            on_bad);
        if (!s.ok()) return s;
        it = unattached_by_customer.emplace(ticket.customer_id, std::move(loose)).first;
      }
      for (auto const& i : it->second) {
        if (i.occurred_at < ticket.created_at) continue;
        if (ticket.closed_at && i.occurred_at > *ticket.closed_at) continue;
        interactions.push_back(i);
      }
    }
    out.snapshots.push_back(TicketToSnapshot(ticket, interactions, client.mapping()));
    out.tickets.push_back(ticket);
  }
  return OkStatus();
}

// One ticket into `tickets`; one Forge does not have (or cannot be parsed) into `out.skipped`.
Status GetInto(Client const& client, std::string const& id, std::map<std::string, Ticket>& tickets,
               ForgeChanges& out) {
  auto t = client.GetTicket(id);
  if (t.ok()) {
    tickets[id] = *std::move(t);
  } else if (t.status().code() == StatusCode::kNotFound ||
             t.status().code() == StatusCode::kInvalidArgument) {
    out.skipped.push_back(t.status());
  } else {
    return t.status();
  }
  return OkStatus();
}

}  // namespace

StatusOr<ForgeChanges> ReadTickets(Client const& client, std::vector<std::string> const& ids,
                                   std::size_t list_all_above) {
  ForgeChanges out;
  std::map<std::string, Ticket> tickets;
  for (auto const& id : ids) {
    if (auto st = GetInto(client, id, tickets, out); !st.ok()) return st;
    if (auto it = tickets.find(id); it != tickets.end()) {
      out.watermark = std::max(out.watermark, it->second.updated_at);
    }
  }
  if (auto st = AddSnapshots(client, tickets, list_all_above, out); !st.ok()) return st;
  return out;
}

StatusOr<ForgeChanges> ReadChangedSince(Client const& client, Instant since,
                                        std::size_t list_all_above) {
  ForgeChanges out;
  out.watermark = since;
  auto on_bad = [&out](Status const& s) { out.skipped.push_back(s); };
  auto bump = [&out](Instant t) { out.watermark = std::max(out.watermark, t); };

  std::map<std::string, Ticket> tickets;
  TicketQuery tq;
  tq.updated_since = since;
  auto s = client.ListTickets(
      tq,
      [&](Ticket const& t) {
        bump(t.updated_at);
        tickets[t.id] = t;
        return OkStatus();
      },
      on_bad);
  if (!s.ok()) return s;

  // Interactions changed since the watermark point at tickets (or customers) to re-read.
  std::string const& mirror_source = client.mapping().interactions.document.source;
  std::set<std::string> ticket_ids;
  std::set<std::string> customer_only;
  InteractionQuery iq;
  iq.updated_since = since;
  s = client.ListInteractions(
      iq,
      [&](Interaction const& i) {
        bump(i.updated_at);
        if (!i.source_ref.empty()) out.mirrors.push_back(i);
        // casebridge's own mirrors of Salesforce records sit on tickets linked to Salesforce,
        // whose cases are evaluated there: they do not make their ticket worth reading again.
        if (!i.source_ref.empty() && i.source == mirror_source) return OkStatus();
        if (!i.ticket_id.empty()) {
          ticket_ids.insert(i.ticket_id);
        } else if (!i.customer_id.empty()) {
          customer_only.insert(i.customer_id);
        }
        return OkStatus();
      },
      on_bad);
  if (!s.ok()) return s;
  for (auto const& id : ticket_ids) {
    if (tickets.contains(id)) continue;
    if (auto st = GetInto(client, id, tickets, out); !st.ok()) return st;
  }
  for (auto const& customer : customer_only) {
    TicketQuery by_customer;
    by_customer.customer_id = customer;
    s = client.ListTickets(
        by_customer,
        [&](Ticket const& t) {
          tickets.try_emplace(t.id, t);
          return OkStatus();
        },
        on_bad);
    if (!s.ok()) return s;
  }

  if (auto st = AddSnapshots(client, tickets, list_all_above, out); !st.ok()) return st;
  return out;
}

}  // namespace casebridge::forge
