// The default Forge data set of the sandbox (ForgeEmulator::SeedFromJson format).
#include "connector/sandbox/forge_emulator.h"

namespace casebridge::sandbox {

std::string_view DefaultForgeSeed() {
  constexpr std::string_view kSeed = R"forgeseed({
  "users": [
    {"id": "u-integration", "email": "integration@forge.sandbox",
     "password": "forge-sandbox-password", "name": "casebridge integration", "role": "integration"},
    {"id": "u-dana", "email": "dana.whitfield@sunnyside.example", "name": "Dana Whitfield",
     "role": "agent"},
    {"id": "u-marcus", "email": "marcus.bell@sunnyside.example", "name": "Marcus Bell",
     "role": "back_office"},
    {"id": "u-tom", "email": "tom.ohearen@sunnyside.example", "name": "Tom O'Hearen",
     "role": "manager"}
  ],
  "tickets": [
    {"id": "TCK-000101", "number": "F-10101", "subject": "How do I read my production app?",
     "status": "resolved", "escalation_tier": 1, "category": "Monitoring",
     "customer_id": "C-1001", "assigned_to": "u-dana",
     "created_at": "2026-03-02T14:05:00Z", "updated_at": "2026-03-02T16:10:00Z",
     "closed_at": "2026-03-02T16:10:00Z"},
    {"id": "TCK-000102", "number": "F-10102", "subject": "Inverter shows a red light",
     "status": "open", "escalation_tier": 2, "category": "Hardware",
     "customer_id": "C-1002", "installer_id": "I-501", "assigned_to": "u-dana",
     "created_at": "2026-03-03T15:30:00Z", "updated_at": "2026-03-04T13:00:00Z"},
    {"id": "TCK-000103", "number": "F-10103", "subject": "Panels damaged after storm",
     "status": "pending", "escalation_tier": 3, "category": "Hardware",
     "customer_id": "C-1003", "installer_id": "I-502", "team": "back-office",
     "salesforce_case_id": "500Dn00000SbX0003A",
     "created_at": "2026-03-04T17:45:00Z", "updated_at": "2026-03-05T09:20:00Z"},
    {"id": "TCK-000104", "number": "F-10104", "subject": "Threatening legal action over delays",
     "status": "open", "escalation_tier": 4, "category": "Installer Complaints",
     "subcategory": "Unresponsive Installer", "customer_id": "C-1004", "installer_id": "I-501",
     "financing_partner": "Beam", "assigned_to": "u-dana",
     "created_at": "2026-03-05T19:10:00Z", "updated_at": "2026-03-05T19:40:00Z"},
    {"id": "TCK-000105", "number": "F-10105", "subject": "Question about my bill",
     "status": "open", "escalation_tier": null, "customer_id": "C-1005",
     "created_at": "2026-03-06T16:50:00Z", "updated_at": "2026-03-06T16:50:00Z"}
  ],
  "interactions": [
    {"id": "INT-000201", "ticket_id": "TCK-000101", "kind": "message", "direction": "inbound",
     "party": "customer", "subject": "App question", "body": "Where do I see today's kWh?",
     "occurred_at": "2026-03-02T14:05:00Z", "created_by": "u-dana",
     "created_at": "2026-03-02T14:06:00Z", "updated_at": "2026-03-02T14:06:00Z"},
    {"id": "INT-000202", "ticket_id": "TCK-000101", "kind": "email", "direction": "outbound",
     "party": "customer", "subject": "Re: App question",
     "body": "Here is the knowledge-base article on the production view.",
     "occurred_at": "2026-03-02T15:00:00Z", "created_by": "u-dana",
     "created_at": "2026-03-02T15:01:00Z", "updated_at": "2026-03-02T15:01:00Z"},
    {"id": "INT-000203", "ticket_id": "TCK-000102", "kind": "call", "direction": "inbound",
     "party": "customer", "body": "Red light on the inverter since this morning.",
     "occurred_at": "2026-03-03T15:30:00Z", "created_by": "u-dana",
     "created_at": "2026-03-03T15:35:00Z", "updated_at": "2026-03-03T15:35:00Z"},
    {"id": "INT-000204", "ticket_id": "TCK-000102", "kind": "call", "direction": "outbound",
     "party": "installer", "outcome": "voicemail", "body": "Left a voicemail for the installer.",
     "occurred_at": "2026-03-04T13:00:00Z", "created_by": "u-dana",
     "created_at": "2026-03-04T13:00:00Z", "updated_at": "2026-03-04T13:00:00Z"},
    {"id": "INT-000205", "ticket_id": "TCK-000103", "kind": "email", "direction": "inbound",
     "party": "customer", "subject": "Storm damage", "body": "Two panels are cracked.",
     "occurred_at": "2026-03-04T17:45:00Z", "created_by": "u-marcus",
     "created_at": "2026-03-04T17:50:00Z", "updated_at": "2026-03-04T17:50:00Z"},
    {"id": "INT-000206", "ticket_id": "TCK-000103", "kind": "call", "direction": "outbound",
     "party": "customer", "outcome": "reached", "body": "Confirmed photos received.",
     "occurred_at": "2026-03-05T09:20:00Z", "created_by": "u-marcus",
     "created_at": "2026-03-05T09:20:00Z", "updated_at": "2026-03-05T09:20:00Z"},
    {"id": "INT-000207", "ticket_id": "TCK-000104", "kind": "call", "direction": "inbound",
     "party": "customer", "body": "Customer mentions a lawyer.",
     "occurred_at": "2026-03-05T19:10:00Z", "created_by": "u-dana",
     "created_at": "2026-03-05T19:12:00Z", "updated_at": "2026-03-05T19:12:00Z"},
    {"id": "INT-000208", "ticket_id": "TCK-000104", "kind": "note", "direction": "internal",
     "party": "manager", "tags": ["manager_notified"], "body": "Escalated to Tom.",
     "occurred_at": "2026-03-05T19:40:00Z", "created_by": "u-dana",
     "created_at": "2026-03-05T19:40:00Z", "updated_at": "2026-03-05T19:40:00Z"},
    {"id": "INT-000209", "customer_id": "C-1005", "kind": "message", "direction": "inbound",
     "party": "customer", "body": "Why is this month's bill higher?",
     "occurred_at": "2026-03-06T16:50:00Z", "created_by": "u-dana",
     "created_at": "2026-03-06T16:51:00Z", "updated_at": "2026-03-06T16:51:00Z"}
  ],
  "tasks": [
    {"id": "TSK-000301", "title": "Call the installer back about the inverter",
     "status": "in-progress", "assigned_to": "u-dana", "ticket_id": "TCK-000102",
     "due_at": "2026-03-05T15:30:00Z",
     "created_at": "2026-03-04T13:05:00Z", "updated_at": "2026-03-04T13:05:00Z"}
  ]
})forgeseed";
  return kSeed;
}

}  // namespace casebridge::sandbox
