// The Forge side of the ports (ports.h): Forge tickets as cases, and the links Forge records
// hold to Salesforce.
//
// ReadChanged() reads the tickets, interactions and service tickets changed since the watermark
// (connector/forge/reader.h, plus one service-ticket listing; on the first run every ticket and
// service ticket once, for their links) and hands out one page:
//   * every ticket read as a SourcedCase (system "forge", version = its updated_at); a ticket
//     naming a Salesforce case carries it in `linked_case_id` — it is the same case, which the
//     sync evaluates on the Salesforce side;
//   * the links to remember (store forge_refs): a ticket's Salesforce case (`ticket`), an
//     interaction mirroring a Salesforce record (`mirror`), a service ticket's case or ticket
//     (`service_case`, `service_ticket`). Salesforce ids are keyed by their 15-character form;
//   * `last_version`: the next watermark (the latest updated_at seen).
// A ticket naming something that is not a Salesforce Case id is reported in `skipped` and read as
// a Forge-only case.
#pragma once

#include <span>
#include <string>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/forge/client.h"

namespace casebridge::adapters {

inline constexpr char kForgeSystem[] = "forge";

class ForgeCaseSource final : public CaseSource {
 public:
  explicit ForgeCaseSource(forge::Client client) : client_(std::move(client)) {}

  [[nodiscard]] std::string_view system() const override { return kForgeSystem; }
  [[nodiscard]] std::string_view object() const override { return "tickets"; }
  Status Prepare() override { return OkStatus(); }
  Status ReadChanged(Instant since, bool first_run, CasePageCallback const& on_page) override;
  Status ReadByIds(std::span<std::string const> ids, CasePageCallback const& on_page) override;
  /// Tickets created in [from, to): those updated since `from`, filtered.
  Status ReadRange(Instant from, Instant to, std::int64_t expected_cases,
                   CasePageCallback const& on_page) override;
  StatusOr<std::int64_t> CountRange(Instant from, Instant to) override;
  [[nodiscard]] bool UsesBulk(std::int64_t /*expected_cases*/) const override { return false; }
  [[nodiscard]] ApiCalls Calls() const override;

  [[nodiscard]] forge::Client const& client() const { return client_; }

 private:
  /// The ids of the tickets created in [from, to).
  StatusOr<std::vector<std::string>> TicketsCreatedIn(Instant from, Instant to);
  /// Links of every ticket and service ticket (the first run), or of those changed since.
  Status ListServiceTickets(std::optional<Instant> since, CasePage& page, Instant& watermark) const;
  Status ListAllTicketLinks(CasePage& page) const;

  forge::Client client_;
};

}  // namespace casebridge::adapters
