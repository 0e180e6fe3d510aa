// The Forge document of the demo org: users, Forge-only tickets and the interactions that
// mirror the Salesforce cases' activities.
#include "connector/sandbox/demo_org_parts.h"

namespace casebridge::sandbox::demo_org_internal {

// ---- the Forge document --------------------------------------------------------------------

constexpr std::array<std::string_view, 4> kForgeKinds = {"message", "email", "call", "note"};
constexpr std::array<std::string_view, 3> kForgeDirections = {"inbound", "outbound", "internal"};
constexpr std::array<std::string_view, 5> kForgeParties = {"customer", "installer", "sales",
                                                           "manager", "internal"};
constexpr std::array<std::string_view, 3> kForgeOutcomes = {"", "reached", "voicemail"};

std::string ForgeUser(std::uint8_t user) { return std::string(kUsers.at(user).forge_id); }

json ForgeUsers() {
  json users = json::array();
  for (std::size_t i = 0; i < kUsers.size(); ++i) {
    auto const& u = kUsers[i];
    json r = json::object();
    Put(r, "id", std::string(u.forge_id));
    if (i == kIntegration) {
      Put(r, "email", std::string(kDemoForgeEmail));
      Put(r, "password", std::string(kDemoForgePassword));
      Put(r, "name", "casebridge integration");
      Put(r, "role", "integration");
    } else {
      Put(r, "email", std::string(u.username));
      Put(r, "name", std::string(u.first) + " " + std::string(u.last));
      Put(r, "role",
          std::find(kBackOffice.begin(), kBackOffice.end(), i) != kBackOffice.end() ? "back_office"
          : std::find(kManagers.begin(), kManagers.end(), i) != kManagers.end()     ? "manager"
          : i == kAccountManager                                                    ? "sales"
                                                                                    : "agent");
    }
    users.push_back(std::move(r));
  }
  return users;
}

// The Forge form of a mirrored Salesforce activity.
ForgeInteractionPlan MirrorOf(Activity const& a) {
  ForgeInteractionPlan i;
  switch (a.kind) {
    case Act::kIncomingEmail:
      i = {a.at, 1, 0, 0, 0, 0, kIntegration};
      break;
    case Act::kEmailHomeowner:
      i = {a.at, 1, 1, 0, 0, 0, a.actor};
      break;
    case Act::kEmailInstaller:
      i = {a.at, 1, 1, 1, 0, 0, a.actor};
      break;
    case Act::kCallHomeowner:
      i = {a.at, 2, 1, 0, 1, 0, a.actor};
      break;
    case Act::kOutreachNote:
      i = {a.at, 3, 2, 4, 0, 1, a.actor};
      break;
    case Act::kStep: {
      auto const step = static_cast<Step>(a.detail);
      if (step == Step::kInstallerCalled) {
        i = {a.at, 2, 1, 1, static_cast<std::uint8_t>(a.outcome == 0 ? 1 : 2), 0, a.actor};
      } else {
        std::uint8_t const party = step == Step::kAmResponded || step == Step::kSalesReferral ? 2
                                   : step == Step::kManagerNotified                           ? 3
                                                                                              : 4;
        i = {a.at, 3, 2, party, 0, static_cast<std::uint8_t>(2 + a.detail), a.actor};
      }
      break;
    }
    default:
      break;
  }
  return i;
}

std::string InteractionBody(ForgeInteractionPlan const& i, std::string const& subject) {
  if (i.tag == 1) return "Outreach note: initial outreach has been made.";
  if (i.tag >= 2) return std::string(kStepSubjects.at(i.tag - 2)) + ".";
  if (i.kind == 2) return i.party == 1 ? "Called the installer." : "Called the customer.";
  if (i.direction == 0) return "Customer wrote: " + subject + ".";
  return i.party == 1 ? "E-mailed the installer about: " + subject + "."
                      : "Answered the customer about: " + subject + ".";
}

json InteractionJson(std::string id, std::string const& ticket_id, std::string const& customer_id,
                     ForgeInteractionPlan const& i, std::string const& subject, Instant now,
                     std::string const& source_ref) {
  json r = json::object();
  Put(r, "id", std::move(id));
  Put(r, "ticket_id", ticket_id);
  Put(r, "customer_id", customer_id);
  Put(r, "kind", std::string(kForgeKinds.at(i.kind)));
  Put(r, "direction", std::string(kForgeDirections.at(i.direction)));
  Put(r, "party", std::string(kForgeParties.at(i.party)));
  Put(r, "outcome",
      i.outcome == 0 ? json(nullptr) : json(std::string(kForgeOutcomes.at(i.outcome))));
  json tags = json::array();
  if (i.tag == 1) tags.push_back("outreach");
  if (i.tag >= 2) tags.push_back(std::string(kStepTags.at(i.tag - 2)));
  Put(r, "tags", std::move(tags));
  Put(r, "subject", subject);
  Put(r, "body", InteractionBody(i, subject));
  Put(r, "occurred_at", Iso(i.at));
  if (!source_ref.empty()) {
    Put(r, "source", "salesforce");
    Put(r, "source_ref", source_ref);
  }
  Put(r, "created_by", ForgeUser(i.actor));
  Instant const created = std::min(i.at + minutes(2), std::max(i.at, now - minutes(1)));
  Put(r, "created_at", Iso(created));
  Put(r, "updated_at", Iso(created));
  return r;
}

std::string SalesforceRecordId(Activity const& a) {
  switch (a.kind) {
    case Act::kIncomingEmail:
    case Act::kEmailHomeowner:
    case Act::kEmailInstaller:
    case Act::kEmailPartner:
      return Id("02s", a.seq);
    case Act::kCallHomeowner:
    case Act::kStep:
    case Act::kCasebridgeTask:
      return Id("00T", a.seq);
    default:
      return Id("0D5", a.seq);
  }
}

json GenerateForge(DemoOrgOptions const& options, Plan const& plan) {
  Instant const now = options.now;
  json doc = json::object();
  Put(doc, "users", ForgeUsers());
  json tickets = json::array();
  json interactions = json::array();
  json service_tickets = json::array();
  json tasks = json::array();
  std::uint64_t ticket_seq = 0;
  std::uint64_t interaction_seq = 0;
  std::uint64_t service_seq = 0;
  std::uint64_t task_seq = 0;

  auto ticket_json = [&](std::string const& id, std::string const& subject, std::string status,
                         int tier, std::string category, json subcategory,
                         std::string const& customer_id, json installer_id, json assigned_to,
                         json team, json financing, json pre_m3, json case_id, Instant created,
                         Instant updated, std::optional<Instant> closed) {
    json t = json::object();
    Put(t, "id", id);
    Put(t, "number", "F-" + std::to_string(2000000 + ticket_seq));
    Put(t, "subject", subject);
    Put(t, "status", std::move(status));
    Put(t, "escalation_tier", tier == 0 ? json(nullptr) : json(tier));
    Put(t, "category", std::move(category));
    Put(t, "subcategory", std::move(subcategory));
    Put(t, "customer_id", customer_id);
    Put(t, "installer_id", std::move(installer_id));
    Put(t, "assigned_to", std::move(assigned_to));
    Put(t, "team", std::move(team));
    Put(t, "financing_partner", std::move(financing));
    Put(t, "pre_m3_pto", std::move(pre_m3));
    Put(t, "salesforce_case_id", std::move(case_id));
    Put(t, "created_at", Iso(created));
    Put(t, "updated_at", Iso(updated));
    Put(t, "closed_at", closed ? json(Iso(*closed)) : json(nullptr));
    tickets.push_back(std::move(t));
  };
  auto service_ticket = [&](std::string const& ticket_id, std::string const& customer_id,
                            json case_id, std::string const& subject, Instant created) {
    ++service_seq;
    json s = json::object();
    Put(s, "id", "SVC-D" + Padded("%07llu", service_seq));
    Put(s, "number", "FS-" + std::to_string(300000 + service_seq));
    Put(s, "ticket_id", ticket_id);
    Put(s, "customer_id", customer_id);
    Put(s, "salesforce_case_id", std::move(case_id));
    Put(s, "summary", "Field service: " + subject);
    Put(s, "description", "On-site visit to inspect and repair: " + subject + ".");
    Put(s, "status", service_seq % 3 == 0 ? "scheduled" : "requested");
    Put(s, "created_at", Iso(created));
    Put(s, "updated_at", Iso(created));
    service_tickets.push_back(std::move(s));
  };

  // Tickets agents opened for Salesforce cases, with what they documented so far.
  for (std::size_t index = 0; index < plan.cases.size(); ++index) {
    PlannedCase const& pc = plan.cases[index];
    if (!pc.forge_linked) continue;
    ++ticket_seq;
    std::string const ticket_id = "TCK-D" + Padded("%07llu", ticket_seq);
    std::string const customer_id = "C-" + std::to_string(100000 + index);
    std::string const subject = Subject(pc);
    Instant const created = std::min(pc.created + minutes(5 + index % 20), now - minutes(1));
    Instant updated = created;
    int documented = 0;
    for (auto const& a : pc.acts) {
      if (!Mirrorable(a) || documented >= pc.documented) continue;
      ++documented;
      ForgeInteractionPlan const i = MirrorOf(a);
      updated = std::max(updated, std::min(i.at + minutes(2), now - minutes(1)));
      interactions.push_back(InteractionJson("INT-D" + Padded("%08llu", ++interaction_seq),
                                             ticket_id, customer_id, i, subject, now,
                                             SalesforceRecordId(a)));
    }
    bool back_office = false;
    std::optional<std::uint8_t> assignee;
    for (auto const& a : pc.acts) {
      if (a.kind != Act::kOwnerChange) continue;
      if (a.detail == kToBackOfficeQueue) {
        back_office = true;
        assignee.reset();
      } else if (a.detail != kToSupportQueue) {
        assignee = a.detail;
      }
    }
    if (!assignee && !back_office) assignee = pc.creator;
    ticket_json(
        ticket_id, subject,
        pc.closed     ? "resolved"
        : back_office ? "pending"
                      : "open",
        pc.tier,
        pc.complaint ? std::string(kInstallerComplaints)
                     : std::string(kGeneralReasons.at(pc.reason).value),
        pc.complaint ? json(std::string(kSecondaryReasons.at(pc.reason).value)) : json(nullptr),
        customer_id,
        pc.installer_related ? json("I-" + std::to_string(501 + pc.installer)) : json(nullptr),
        assignee ? json(ForgeUser(*assignee)) : json(nullptr),
        back_office ? json("back-office") : json(nullptr),
        pc.financing == 0 ? json(nullptr) : json(std::string(kFinancing.at(pc.financing))),
        json(pc.pre_m3), json(CaseId(index)), created,
        std::max(updated, pc.closed.value_or(updated)), pc.closed);
    if (pc.service_ticket) {
      service_ticket(ticket_id, customer_id, json(CaseId(index)), subject,
                     std::min(created + hours(2), now - minutes(1)));
    }
  }

  // Tickets that exist in Forge only.
  for (std::size_t n = 0; n < plan.forge_tickets.size(); ++n) {
    ForgeTicketPlan const& t = plan.forge_tickets[n];
    ++ticket_seq;
    std::string const ticket_id = "TCK-D" + Padded("%07llu", ticket_seq);
    std::string const customer_id = "C-F" + Padded("%06llu", n + 1);
    bool const complaint = t.scenario == ForgeScenario::kInstallerComplaint;
    std::string const subject =
        std::string(complaint ? kSecondaryReasons.at(t.reason).subjects.at(t.subject)
                              : kGeneralReasons.at(t.reason).subjects.at(t.subject));
    Instant updated = t.created;
    for (auto const& i : t.interactions) {
      updated = std::max(updated, std::min(i.at + minutes(2), now - minutes(1)));
      interactions.push_back(InteractionJson("INT-D" + Padded("%08llu", ++interaction_seq),
                                             ticket_id, customer_id, i, subject, now, ""));
    }
    if (t.closed) updated = std::max(updated, *t.closed);
    ticket_json(ticket_id, subject, t.closed ? "resolved" : "open", t.tier,
                complaint ? std::string(kInstallerComplaints)
                          : std::string(kGeneralReasons.at(t.reason).value),
                complaint ? json(std::string(kSecondaryReasons.at(t.reason).value)) : json(nullptr),
                customer_id,
                complaint ? json("I-" + std::to_string(501 + t.installer)) : json(nullptr),
                complaint ? json(nullptr) : json(ForgeUser(t.agent)),
                complaint ? json("back-office") : json(nullptr), json(nullptr), json(false),
                json(nullptr), t.created, updated, t.closed);
    if (t.service_ticket) {
      service_ticket(ticket_id, customer_id, json(nullptr), subject,
                     std::min(t.created + hours(3), now - minutes(1)));
    }
    if (t.task) {
      ++task_seq;
      json k = json::object();
      Put(k, "id", "TSK-D" + Padded("%07llu", task_seq));
      Put(k, "title", "Follow up with the customer: " + subject);
      Put(k, "description", "Check that the customer's question was fully answered.");
      Put(k, "status", t.closed ? "done" : "todo");
      Put(k, "assigned_to", ForgeUser(t.agent));
      Put(k, "due_at", Iso(t.created + days(1)));
      Put(k, "ticket_id", ticket_id);
      Instant const created = std::min(t.created + minutes(30), now - minutes(1));
      Put(k, "created_at", Iso(created));
      Put(k, "updated_at", Iso(created));
      tasks.push_back(std::move(k));
    }
  }
  Put(doc, "tickets", std::move(tickets));
  Put(doc, "interactions", std::move(interactions));
  Put(doc, "service_tickets", std::move(service_tickets));
  Put(doc, "tasks", std::move(tasks));
  return doc;
}

}  // namespace casebridge::sandbox::demo_org_internal
