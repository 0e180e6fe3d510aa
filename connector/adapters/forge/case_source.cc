#include "connector/adapters/forge/case_source.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "connector/adapters/salesforce_ids.h"
#include "connector/forge/reader.h"

namespace casebridge::adapters {
namespace {

std::string Key(std::string const& salesforce_id) { return std::string(sfid::Key(salesforce_id)); }

SourcedCase ToSourcedCase(forge::Ticket const& t, engine::Snapshot&& snapshot) {
  SourcedCase c;
  c.system = kForgeSystem;
  c.snapshot = std::move(snapshot);
  c.version = FormatInstant(t.updated_at);
  c.link_key = t.id;
  c.owner_id = t.assigned_to;
  c.owner_name = t.assigned_to;
  c.team = t.team;
  c.customer_id = t.customer_id;
  return c;
}

// Everything the reader returned, as one page: the tickets and the links they hold.
CasePage ToPage(forge::ForgeChanges& changes) {
  CasePage page;
  page.skipped = std::move(changes.skipped);
  page.records = static_cast<std::int64_t>(changes.tickets.size());
  for (std::size_t i = 0; i < changes.tickets.size(); ++i) {
    forge::Ticket const& t = changes.tickets[i];
    SourcedCase c = ToSourcedCase(t, std::move(changes.snapshots[i]));
    if (!t.salesforce_case_id.empty()) {
      if (sfid::IsCaseId(t.salesforce_case_id)) {
        c.linked_case_id = t.salesforce_case_id;
        page.links.push_back({"ticket", t.id, Key(t.salesforce_case_id), t.id, t.customer_id});
      } else {
        page.skipped.push_back(InvalidArgumentError(
            "Forge ticket " + t.id + ": salesforce_case_id '" + t.salesforce_case_id +
            "' is not a Salesforce Case id (read as a Forge-only case)"));
      }
    }
    page.cases.push_back(std::move(c));
  }
  for (auto const& m : changes.mirrors) {
    page.links.push_back({"mirror", m.id, Key(m.source_ref), m.ticket_id, m.customer_id});
  }
  return page;
}

}  // namespace

Status ForgeCaseSource::ListAllTicketLinks(CasePage& page) const {
  return client_.ListTickets(
      forge::TicketQuery{},
      [&](forge::Ticket const& t) {
        if (sfid::IsCaseId(t.salesforce_case_id)) {
          page.links.push_back({"ticket", t.id, Key(t.salesforce_case_id), t.id, t.customer_id});
        }
        return OkStatus();
      },
      [&](Status const& bad) { page.skipped.push_back(bad); });
}

Status ForgeCaseSource::ListServiceTickets(std::optional<Instant> since, CasePage& page,
                                           Instant& watermark) const {
  forge::ServiceTicketQuery sq;
  sq.updated_since = since;
  return client_.ListServiceTickets(
      sq,
      [&](forge::ServiceTicket const& st) {
        if (st.updated_at) watermark = std::max(watermark, *st.updated_at);
        if (!st.salesforce_case_id.empty()) {
          page.links.push_back(
              {"service_case", st.id, Key(st.salesforce_case_id), st.ticket_id, st.customer_id});
        }
        if (!st.ticket_id.empty()) {
          page.links.push_back(
              {"service_ticket", st.id, st.ticket_id, st.ticket_id, st.customer_id});
        }
        return OkStatus();
      },
      [&](Status const& bad) { page.skipped.push_back(bad); });
}

Status ForgeCaseSource::ReadChanged(Instant since, bool first_run,
                                    CasePageCallback const& on_page) {
  auto changes = forge::ReadChangedSince(client_, since);
  if (!changes.ok()) return changes.status();
  Instant watermark = changes->watermark;
  CasePage page = ToPage(*changes);
  // The first run learns every link, however old (later runs see new ones as changes).
  if (first_run) {
    if (auto s = ListAllTicketLinks(page); !s.ok()) return s;
  }
  auto s =
      ListServiceTickets(first_run ? std::nullopt : std::optional<Instant>(since), page, watermark);
  if (!s.ok()) return s;
  page.last_version = FormatInstant(watermark);
  return on_page(page);
}

Status ForgeCaseSource::ReadByIds(std::span<std::string const> ids,
                                  CasePageCallback const& on_page) {
  if (ids.empty()) return OkStatus();
  auto changes = forge::ReadTickets(client_, std::vector<std::string>(ids.begin(), ids.end()));
  if (!changes.ok()) return changes.status();
  CasePage page = ToPage(*changes);
  return on_page(page);
}

StatusOr<std::vector<std::string>> ForgeCaseSource::TicketsCreatedIn(Instant from, Instant to) {
  std::vector<std::string> ids;
  forge::TicketQuery q;
  q.updated_since = from;  // a ticket created at or after `from` was updated since
  Status s = client_.ListTickets(q, [&](forge::Ticket const& t) {
    if (t.created_at >= from && t.created_at < to) ids.push_back(t.id);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return ids;
}

Status ForgeCaseSource::ReadRange(Instant from, Instant to, std::int64_t /*expected_cases*/,
                                  CasePageCallback const& on_page) {
  auto ids = TicketsCreatedIn(from, to);
  if (!ids.ok()) return ids.status();
  return ReadByIds(*ids, on_page);
}

StatusOr<std::int64_t> ForgeCaseSource::CountRange(Instant from, Instant to) {
  auto ids = TicketsCreatedIn(from, to);
  if (!ids.ok()) return ids.status();
  return static_cast<std::int64_t>(ids->size());
}

ApiCalls ForgeCaseSource::Calls() const {
  auto const f = client_.calls();
  return {{{"login", f.login}, {"read", f.read}, {"write", f.write}, {"other", f.other}}};
}

}  // namespace casebridge::adapters
