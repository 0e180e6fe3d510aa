#include "connector/sandbox/demo_org.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "connector/sandbox/demo_org_parts.h"
#include "connector/sandbox/salesforce_emulator.h"

namespace casebridge::sandbox {
namespace demo_org_internal {
namespace {

// ---- the Salesforce document ---------------------------------------------------------------

// The org's custom fields and its own picklist values: the same as the bundled default seed's
// (tests/data/sandbox/salesforce_seed.json `_fields`), which is what deploy/salesforce declares.
json SalesforceFields() {
  static json const kFields =
      json::parse(DefaultSalesforceSeed(), nullptr, false, true).value("_fields", json::object());
  return kFields;
}

constexpr std::string_view kOrgEpoch = "2025-06-01T12:00:00Z";

json SalesforceUsers() {
  json users = json::array();
  for (std::size_t i = 0; i < kUsers.size(); ++i) {
    auto const& u = kUsers[i];
    json r = json::object();
    Put(r, "Id", UserId(static_cast<std::uint8_t>(i)));
    Put(r, "Username", std::string(u.username));
    Put(r, "FirstName", std::string(u.first));
    Put(r, "LastName", std::string(u.last));
    Put(r, "Alias", std::string(u.alias));
    Put(r, "Email", std::string(u.username));
    Put(r, "Title", std::string(u.title));
    if (!u.department.empty()) Put(r, "Department", std::string(u.department));
    Put(r, "IsActive", true);
    Put(r, "TimeZoneSidKey", "America/New_York");
    Put(r, "CreatedDate", std::string(kOrgEpoch));
    users.push_back(std::move(r));
  }
  return users;
}

std::string MailSubject(Mail mail, std::string const& subject) {
  switch (mail) {
    case Mail::kFirst:
      return subject;
    case Mail::kAskUpdate:
      return "Re: " + subject + " - any update?";
    case Mail::kKbArticle:
      return "Re: " + subject + " (knowledge-base article)";
    case Mail::kUnresponsiveInstall:
      return "Unresponsive Install: homeowner waiting for your call";
    case Mail::kComplaintDetails:
      return "Homeowner complaint: " + subject;
    case Mail::kPtoInstaller:
      return "PTO status for your customer (homeowner in copy)";
    case Mail::kUnresponsiveBeamHo:
      return "Unresponsive Beam HO: checking in on your case";
    case Mail::kInstallComplntDone:
      return "Install-Complnt Done: thank you";
    case Mail::kResolved:
      return "Your case is resolved";
    case Mail::kPartnerOutreach:
      return "Greentech escalation: " + subject;
    case Mail::kPartnerFollowup:
      return "Greentech escalation follow-up: " + subject;
    case Mail::kAcknowledge:
    case Mail::kUpdate:
      return "Re: " + subject;
  }
  return subject;
}

std::string MailBody(Mail mail, std::string const& subject, Homeowner const& h,
                     InstallerInfo const& installer) {
  switch (mail) {
    case Mail::kFirst:
      return "Hello, " + Lower(subject) + ". Please help. " + h.first + " " + h.last;
    case Mail::kAskUpdate:
      return "Hi, I have not heard back about this. Is there any news? " + h.first;
    case Mail::kAcknowledge:
      return "Hi " + h.first + ", thank you for reaching out. Your installer is " +
             std::string(installer.name) + " (" + std::string(installer.phone) +
             "). We are reaching out to them as well and will follow up with you.";
    case Mail::kKbArticle:
      return "Hi " + h.first +
             ", this knowledge-base article walks through it step by step. Let us know if it "
             "does not help.";
    case Mail::kUpdate:
      return "Hi " + h.first +
             ", a quick update: we are still working on your case. Has the installer contacted "
             "you directly?";
    case Mail::kUnresponsiveInstall:
      return "Your customer " + h.first + " " + h.last +
             " reports they cannot reach you. Please call the homeowner at " + h.phone + ".";
    case Mail::kComplaintDetails:
      return "Homeowner " + h.first + " " + h.last + ", " + h.phone + ": " + subject +
             ". Please contact the homeowner by phone.";
    case Mail::kPtoInstaller:
      return "The homeowner asks about the PTO status of their system. Please update them "
             "directly.";
    case Mail::kUnresponsiveBeamHo:
      return "Hi " + h.first +
             ", we are following up on your case with Greentech. Do you "
             "still need our help?";
    case Mail::kInstallComplntDone:
      return "Hi " + h.first +
             ", we are glad the installer resolved your concern. We are "
             "closing this case.";
    case Mail::kResolved:
      return "Hi " + h.first + ", your case is resolved. Reply to this e-mail to reopen it.";
    case Mail::kPartnerOutreach:
      return "Initial outreach: homeowner " + h.first + " " + h.last + " reports: " + subject + ".";
    case Mail::kPartnerFollowup:
      return "The homeowner asked for another follow-up. Could you share an update?";
  }
  return {};
}

void AppendSalesforceCase(std::size_t index, PlannedCase const& pc, std::uint64_t seed,
                          std::uint32_t& history_seq, json& cases, json& contacts, json& emails,
                          json& tasks, json& feeds, json& histories) {
  std::string const case_id = CaseId(index);
  std::string const contact_id = ContactId(index);
  Homeowner const h = HomeownerOf(index, seed);
  InstallerInfo const& installer = kInstallers.at(pc.installer);
  std::string const subject = Subject(pc);
  std::string const creator = pc.origin == 0 ? UserId(pc.creator) : UserId(kIntegration);

  {
    json contact = json::object();
    Put(contact, "Id", contact_id);
    Put(contact, "FirstName", h.first);
    Put(contact, "LastName", h.last);
    Put(contact, "Email", h.email);
    Put(contact, "Phone", h.phone);
    Put(contact, "MailingCity", std::string(installer.city));
    Put(contact, "MailingState", std::string(installer.state));
    Put(contact, "OwnerId", UserId(pc.creator));
    Put(contact, "CreatedDate", Iso(pc.created - days(30 + (index * 7919) % 400)));
    contacts.push_back(std::move(contact));
  }

  auto history = [&](Instant at, std::string const& actor, char const* field, char const* type,
                     json old_value, json new_value) {
    json row = json::object();
    Put(row, "Id", Id("017", ++history_seq));
    Put(row, "CaseId", case_id);
    Put(row, "Field", field);
    Put(row, "DataType", type);
    Put(row, "OldValue", std::move(old_value));
    Put(row, "NewValue", std::move(new_value));
    Put(row, "CreatedDate", Iso(at));
    Put(row, "CreatedById", actor);
    histories.push_back(std::move(row));
  };
  history(pc.created, creator, "created", "Text", nullptr, nullptr);

  std::string owner = pc.origin == 0 ? UserId(pc.creator) : QueueId(kToSupportQueue);
  std::string owner_name = pc.origin == 0 ? std::string(kUsers.at(pc.creator).first) + " " +
                                                std::string(kUsers.at(pc.creator).last)
                                          : std::string("Customer Support");
  bool in_back_office = false;
  Instant last = pc.created;
  std::string last_by = creator;

  for (auto const& a : pc.acts) {
    std::string const actor = UserId(a.actor);
    last = std::max(last, a.at);
    last_by = actor;
    switch (a.kind) {
      case Act::kIncomingEmail:
      case Act::kEmailHomeowner:
      case Act::kEmailInstaller:
      case Act::kEmailPartner: {
        auto const mail = static_cast<Mail>(a.detail);
        bool const incoming = a.kind == Act::kIncomingEmail;
        json e = json::object();
        Put(e, "Id", Id("02s", a.seq));
        Put(e, "ParentId", case_id);
        Put(e, "RelatedToId", case_id);
        Put(e, "Incoming", incoming);
        Put(e, "MessageDate", Iso(a.at));
        if (incoming) {
          Put(e, "FromAddress", h.email);
          Put(e, "FromName", h.first + " " + h.last);
          Put(e, "ToAddress", std::string(kSupportAddress));
          Put(e, "Status", "1");
        } else {
          Put(e, "FromAddress", std::string(kSupportAddress));
          Put(e, "FromName", std::string(kSupportName));
          if (a.kind == Act::kEmailHomeowner) {
            Put(e, "ToAddress", h.email);
          } else if (a.kind == Act::kEmailInstaller) {
            Put(e, "ToAddress", std::string(installer.escalation_email));
            if (mail == Mail::kPtoInstaller) Put(e, "CcAddress", h.email);
          } else {
            Put(e, "ToAddress", std::string(kPartnerRiskAddress));
          }
          Put(e, "Status", "3");
        }
        Put(e, "Subject", MailSubject(mail, subject));
        Put(e, "TextBody", MailBody(mail, subject, h, installer));
        Put(e, "CreatedDate", Iso(a.at));
        Put(e, "CreatedById", incoming ? UserId(kIntegration) : actor);
        emails.push_back(std::move(e));
        break;
      }
      case Act::kCallHomeowner:
      case Act::kStep:
      case Act::kCasebridgeTask: {
        json t = json::object();
        Put(t, "Id", Id("00T", a.seq));
        Put(t, "WhatId", case_id);
        std::string task_owner = actor;
        if (a.kind == Act::kCasebridgeTask) task_owner = UserId(kBackOffice.at(a.seq % 2));
        if (a.kind == Act::kStep && static_cast<Step>(a.detail) == Step::kSalesReferral) {
          task_owner = UserId(kAccountManager);  // the case assignment to Sales
        }
        Put(t, "OwnerId", task_owner);
        Put(t, "Priority", "Normal");
        Put(t, "CreatedDate", Iso(a.at));
        Put(t, "CreatedById", actor);
        if (a.kind == Act::kCasebridgeTask) {
          auto const action = kCasebridgeActions.at(a.detail);
          std::string const key = case_id + ":" + std::string(action) + ":1";
          std::string title;
          switch (static_cast<CasebridgeAction>(a.detail)) {
            case CasebridgeAction::kCallInstaller:
              title = "Call " + std::string(installer.name) + " escalation line " +
                      std::string(installer.escalation_phone);
              break;
            case CasebridgeAction::kTierFollowup:
              title = "Update the customer (tier follow-up within 24 hours)";
              break;
            case CasebridgeAction::kBeamFollowup:
              title = "E-mail the homeowner (quick reply \"Unresponsive Beam HO\")";
              break;
          }
          Put(t, "Subject", title);
          Put(t, "Description", "Planned by casebridge. Key " + key + ".");
          Put(t, "Status", "Not Started");
          Put(t, "TaskSubtype", "Task");
          Put(t, "ActivityDate", DateOf(a.due));
          Put(t, "Casebridge_Key__c", key);
        } else if (a.kind == Act::kCallHomeowner) {
          Put(t, "Subject", "Call with " + h.first + " " + h.last);
          Put(t, "Status", "Completed");
          Put(t, "TaskSubtype", "Call");
          Put(t, "CallType", a.at == pc.created ? "Inbound" : "Outbound");
          Put(t, "WhoId", contact_id);
          Put(t, "ActivityDate", DateOf(a.at));
          Put(t, "CompletedDateTime", Iso(a.at));
          Put(t, "Description", "Spoke with the homeowner about: " + subject + ".");
        } else {
          auto const step = static_cast<Step>(a.detail);
          Put(t, "Subject", std::string(kStepSubjects.at(a.detail)));
          Put(t, "Status", "Completed");
          Put(t, "Escalation_Step__c", std::string(kStepValues.at(a.detail)));
          Put(t, "ActivityDate", DateOf(a.at));
          Put(t, "CompletedDateTime", Iso(a.at));
          if (step == Step::kInstallerCalled) {
            Put(t, "TaskSubtype", "Call");
            Put(t, "CallType", "Outbound");
            Put(t, "CallDisposition", a.outcome == 0 ? "Reached" : "Left voicemail");
            Put(t, "Description",
                a.outcome == 0
                    ? "Reached " + std::string(installer.name) + " at " +
                          std::string(installer.escalation_phone) +
                          "; described the complaint and asked them to call the homeowner."
                    : "No answer at " + std::string(installer.escalation_phone) +
                          "; left a detailed voicemail with the complaint and the homeowner's "
                          "contact details.");
          } else {
            Put(t, "TaskSubtype", "Task");
            if (step == Step::kSalesReferral) {
              Put(t, "Description",
                  "The installer has been unresponsive in our outreach attempts to resolve the "
                  "homeowners concern of " +
                      Lower(subject) +
                      ". We would like your assistance in receiving a response or update from "
                      "the installer.");
            }
            if (step == Step::kInstallerContactedHomeowner || step == Step::kHomeownerSatisfied ||
                step == Step::kHomeownerRequestedFollowup || step == Step::kHomeownerUnresponsive) {
              Put(t, "WhoId", contact_id);
            }
          }
        }
        tasks.push_back(std::move(t));
        break;
      }
      case Act::kOutreachNote:
      case Act::kCaseNote:
      case Act::kCasebridgePost: {
        json f = json::object();
        Put(f, "Id", Id("0D5", a.seq));
        Put(f, "ParentId", case_id);
        Put(f, "Type", "TextPost");
        std::string body;
        if (a.kind == Act::kOutreachNote) {
          body = a.detail == 1 ? "Outreach note: initial outreach to Greentech has been made."
                               : "Outreach note: initial outreach to the installer (" +
                                     std::string(installer.name) + ") has been made.";
        } else if (a.kind == Act::kCaseNote) {
          body = "Homeowner sent photos of the issue; attached to the case.";
        } else {
          auto const& m = kUsers.at(a.detail);
          body = "@";
          body.append(m.first).append(" ").append(m.last).append(" tier 4 escalation: ");
          body.append(subject).append(". Please take over. [casebridge:").append(case_id);
          body.append(":notify_manager:1]");
        }
        Put(f, "Body", std::move(body));
        Put(f, "CreatedDate", Iso(a.at));
        Put(f, "CreatedById", actor);
        feeds.push_back(std::move(f));
        break;
      }
      case Act::kOwnerChange: {
        std::string new_owner;
        std::string new_name;
        if (a.detail == kToBackOfficeQueue || a.detail == kToSupportQueue) {
          new_owner = QueueId(a.detail);
          new_name = a.detail == kToBackOfficeQueue ? "Back Office" : "Customer Support";
          in_back_office = in_back_office || a.detail == kToBackOfficeQueue;
        } else {
          new_owner = UserId(a.detail);
          new_name =
              std::string(kUsers.at(a.detail).first) + " " + std::string(kUsers.at(a.detail).last);
        }
        // As the emulator writes an owner change: names first, then ids.
        history(a.at, actor, "Owner", "Text", owner_name, new_name);
        history(a.at, actor, "Owner", "EntityId", owner, new_owner);
        owner = std::move(new_owner);
        owner_name = std::move(new_name);
        break;
      }
      case Act::kClose:
        history(a.at, actor, "Status", "Text", in_back_office ? "Escalated" : "Working", "Closed");
        break;
    }
  }

  json c = json::object();
  Put(c, "Id", case_id);
  Put(c, "CaseNumber", Padded("%08llu", 100000 + index));
  Put(c, "Subject", subject);
  Put(c, "Description",
      subject + ". Reported by " + h.first + " " + h.last + " (" +
          std::string(kOrigins.at(pc.origin)) + ").");
  Put(c, "Status",
      pc.closed         ? "Closed"
      : in_back_office  ? "Escalated"
      : pc.acts.empty() ? "New"
                        : "Working");
  Put(c, "Priority", pc.tier == 4 ? "High" : "Medium");
  Put(c, "Origin", std::string(kOrigins.at(pc.origin)));
  Put(c, "Reason",
      pc.complaint ? std::string(kInstallerComplaints)
                   : std::string(kGeneralReasons.at(pc.reason).value));
  Put(c, "Secondary_Reason__c",
      pc.complaint ? json(std::string(kSecondaryReasons.at(pc.reason).value)) : json(nullptr));
  Put(c, "OwnerId", owner);
  Put(c, "ContactId", pc.homeowner_related ? json(contact_id) : json(nullptr));
  if (!pc.homeowner_related) Put(c, "SuppliedEmail", h.email);
  Put(c, "Installer__c", pc.installer_related ? json(InstallerId(pc.installer)) : json(nullptr));
  Put(c, "Financing_Partner__c",
      pc.financing == 0 ? json(nullptr) : json(std::string(kFinancing.at(pc.financing))));
  Put(c, "Pre_M3_PTO__c", pc.pre_m3);
  Put(c, "Escalation_Tier__c", pc.tier == 0 ? json(nullptr) : json(pc.tier));
  Put(c, "CreatedDate", Iso(pc.created));
  Put(c, "CreatedById", creator);
  if (pc.closed) Put(c, "ClosedDate", Iso(*pc.closed));
  // The latest activity, so that an incremental read on SystemModstamp sees the case.
  Put(c, "LastModifiedDate", Iso(last));
  Put(c, "LastModifiedById", last_by);
  Put(c, "SystemModstamp", Iso(last));
  cases.push_back(std::move(c));
}

// The org-wide records: custom fields, users, queues and installer accounts.
json GenerateSalesforceHead() {
  json doc = json::object();
  Put(doc, "_fields", SalesforceFields());
  Put(doc, "User", SalesforceUsers());
  json groups = json::array();
  json queue_objects = json::array();
  for (std::uint8_t target : {kToBackOfficeQueue, kToSupportQueue}) {
    bool const bo = target == kToBackOfficeQueue;
    json g = json::object();
    Put(g, "Id", QueueId(target));
    Put(g, "Name", bo ? "Back Office" : "Customer Support");
    Put(g, "DeveloperName", bo ? "Back_Office" : "Customer_Support");
    Put(g, "Type", "Queue");
    Put(g, "Email", bo ? "back-office@sunnyside.example" : "customer-support@sunnyside.example");
    Put(g, "CreatedDate", std::string(kOrgEpoch));
    groups.push_back(std::move(g));
    json q = json::object();
    Put(q, "Id", Id("03g", bo ? 1 : 2));
    Put(q, "QueueId", QueueId(target));
    Put(q, "SobjectType", "Case");
    Put(q, "CreatedDate", std::string(kOrgEpoch));
    queue_objects.push_back(std::move(q));
  }
  Put(doc, "Group", std::move(groups));
  Put(doc, "QueueSobject", std::move(queue_objects));
  json accounts = json::array();
  for (std::size_t i = 0; i < kInstallers.size(); ++i) {
    auto const& inst = kInstallers[i];
    json a = json::object();
    Put(a, "Id", InstallerId(static_cast<std::uint8_t>(i)));
    Put(a, "Name", std::string(inst.name));
    Put(a, "Type", "Installer");
    Put(a, "Phone", std::string(inst.phone));
    Put(a, "Escalation_Phone__c", std::string(inst.escalation_phone));
    Put(a, "Escalation_Email__c", std::string(inst.escalation_email));
    Put(a, "BillingCity", std::string(inst.city));
    Put(a, "BillingState", std::string(inst.state));
    Put(a, "BillingCountry", "US");
    Put(a, "OwnerId", UserId(kAccountManager));
    Put(a, "CreatedDate", std::string(kOrgEpoch));
    accounts.push_back(std::move(a));
  }
  Put(doc, "Account", std::move(accounts));
  return doc;
}

// The cases [begin, end) of the plan with their contacts and related records, appended to
// `doc`; `history_seq` carries the CaseHistory numbering from one range to the next.
void GenerateSalesforceCases(DemoOrgOptions const& options, Plan const& plan, std::size_t begin,
                             std::size_t end, std::uint32_t& history_seq, json& doc) {
  std::size_t const n = end - begin;
  std::size_t const total = std::max<std::size_t>(plan.cases.size(), 1);
  auto share = [&](std::int64_t all) { return static_cast<std::size_t>(all) / total * n + n; };
  json cases = json::array();
  json contacts = json::array();
  json emails = json::array();
  json tasks = json::array();
  json feeds = json::array();
  json histories = json::array();
  cases.get_ref<json::array_t&>().reserve(n);
  contacts.get_ref<json::array_t&>().reserve(n);
  emails.get_ref<json::array_t&>().reserve(share(plan.emails));
  tasks.get_ref<json::array_t&>().reserve(share(plan.tasks));
  feeds.get_ref<json::array_t&>().reserve(share(plan.feeds));
  histories.get_ref<json::array_t&>().reserve(share(plan.histories));
  for (std::size_t i = begin; i < end; ++i) {
    AppendSalesforceCase(i, plan.cases[i], options.seed, history_seq, cases, contacts, emails,
                         tasks, feeds, histories);
  }
  Put(doc, "Contact", std::move(contacts));
  Put(doc, "Case", std::move(cases));
  Put(doc, "EmailMessage", std::move(emails));
  Put(doc, "Task", std::move(tasks));
  Put(doc, "FeedItem", std::move(feeds));
  Put(doc, "CaseHistory", std::move(histories));
}

json GenerateSalesforce(DemoOrgOptions const& options, Plan const& plan) {
  json doc = GenerateSalesforceHead();
  std::uint32_t history_seq = 0;
  GenerateSalesforceCases(options, plan, 0, plan.cases.size(), history_seq, doc);
  return doc;
}

}  // namespace
}  // namespace demo_org_internal

using demo_org_internal::BuildPlan;
using demo_org_internal::GenerateForge;
using demo_org_internal::GenerateSalesforce;
using demo_org_internal::kForgeScenarioNames;
using demo_org_internal::kInstallers;
using demo_org_internal::kUsers;
using demo_org_internal::Plan;
using demo_org_internal::ScenarioName;
using nlohmann::json;

json GenerateSalesforceDemoOrg(DemoOrgOptions const& options) {
  return GenerateSalesforce(options, BuildPlan(options));
}

Status GenerateSalesforceDemoOrgInParts(DemoOrgOptions const& options, std::size_t cases_per_part,
                                        std::function<Status(json)> const& consume) {
  Plan const plan = BuildPlan(options);
  if (Status s = consume(demo_org_internal::GenerateSalesforceHead()); !s.ok()) return s;
  std::size_t const step = std::max<std::size_t>(cases_per_part, 1);
  std::uint32_t history_seq = 0;
  for (std::size_t begin = 0; begin < plan.cases.size(); begin += step) {
    json part = json::object();
    std::size_t const end = std::min(plan.cases.size(), begin + step);
    demo_org_internal::GenerateSalesforceCases(options, plan, begin, end, history_seq, part);
    if (Status s = consume(std::move(part)); !s.ok()) return s;
  }
  return OkStatus();
}

json GenerateForgeDemoOrg(DemoOrgOptions const& options) {
  return GenerateForge(options, BuildPlan(options));
}

DemoOrgStats DescribeDemoOrg(DemoOrgOptions const& options) {
  Plan const plan = BuildPlan(options);
  DemoOrgStats stats;
  stats.case_scenarios.reserve(plan.cases.size());
  int linked = 0;
  int service = 0;
  int interactions = 0;
  for (auto const& pc : plan.cases) {
    std::string name(ScenarioName(pc.scenario));
    ++stats.by_scenario[name];
    stats.case_scenarios.push_back(std::move(name));
    if (pc.forge_linked) {
      ++linked;
      interactions += pc.documented;
      service += pc.service_ticket ? 1 : 0;
    }
  }
  int tasks = 0;
  for (auto const& t : plan.forge_tickets) {
    ++stats.by_scenario[std::string(kForgeScenarioNames.at(static_cast<std::size_t>(t.scenario)))];
    interactions += static_cast<int>(t.interactions.size());
    service += t.service_ticket ? 1 : 0;
    tasks += t.task ? 1 : 0;
  }
  auto const cases = static_cast<int>(plan.cases.size());
  stats.salesforce_records = {{"User", static_cast<int>(kUsers.size())},
                              {"Group", 2},
                              {"QueueSobject", 2},
                              {"Account", static_cast<int>(kInstallers.size())},
                              {"Contact", cases},
                              {"Case", cases},
                              {"EmailMessage", plan.emails},
                              {"Task", plan.tasks},
                              {"FeedItem", plan.feeds},
                              {"CaseHistory", plan.histories}};
  stats.forge_records = {{"users", static_cast<int>(kUsers.size())},
                         {"tickets", linked + static_cast<int>(plan.forge_tickets.size())},
                         {"interactions", interactions},
                         {"service_tickets", service},
                         {"tasks", tasks}};
  return stats;
}

}  // namespace casebridge::sandbox
