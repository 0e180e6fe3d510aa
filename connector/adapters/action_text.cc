#include "connector/adapters/action_text.h"

#include <date/tz.h>

namespace casebridge::adapters {
namespace {

using mappings::ActionId;

std::string CaseLabel(SourcedCase const& c) {
  return c.snapshot.number.empty() ? c.snapshot.id : c.snapshot.number;
}

std::string ReferralComment(std::string const& text, std::string const& complaint) {
  std::string out = text;
  auto const at = out.find("{complaint}");
  if (at != std::string::npos) out.replace(at, 11, complaint);
  return out;
}

ActionText Task(std::string title, std::string description, bool about_homeowner) {
  ActionText t;
  t.form = ActionForm::kTask;
  t.title = std::move(title);
  t.description = std::move(description);
  t.about_homeowner = about_homeowner;
  return t;
}

ActionText Post(std::vector<mappings::Person> people, std::string text) {
  ActionText t;
  t.form = ActionForm::kPost;
  t.people = std::move(people);
  t.title = std::move(text);
  return t;
}

ActionText CallInstaller(SourcedCase const& c, std::string const& label) {
  std::string subject = "Call installer";
  if (!c.installer_name.empty()) subject += " " + c.installer_name;
  subject += c.installer_phone.empty() ? " (escalation number not on file)"
                                       : " at escalation number " + c.installer_phone;
  return Task(subject + " - case " + label,
              "Installer complaint procedure, back office: the installer has not contacted the "
              "homeowner 2 days after the complaint. Call the installer's escalation number and "
              "ask them to reach the homeowner.",
              false);
}

}  // namespace

std::string LocalDate(Instant t, std::string const& zone) {
  try {
    auto const* tz = date::locate_zone(zone);
    auto const local = date::make_zoned(tz, t).get_local_time();
    return date::format("%F", date::floor<date::days>(local));
  } catch (std::exception const&) {
    return date::format("%F", date::floor<date::days>(t));
  }
}

std::string Mentions(std::vector<mappings::Person> const& people) {
  std::string out;
  for (auto const& p : people) {
    if (!out.empty()) out += " ";
    out += "@" + p.name;
  }
  return out;
}

ActionText DescribeAction(SourcedCase const& c, engine::PlannedAction const& action,
                          mappings::Policy const& policy) {
  auto const& s = c.snapshot;
  std::string const label = CaseLabel(c);
  switch (action.action) {
    case ActionId::kReassignBackOffice: {
      ActionText t;
      t.form = ActionForm::kReassign;
      t.queue_key = policy.queues.back_office;
      return t;
    }
    case ActionId::kCallInstaller:
      return CallInstaller(c, label);
    case ActionId::kSalesReferralReminder:
      return Task(
          "Refer case " + label + " to Sales: installer still has not contacted the homeowner",
          ReferralComment(policy.templates.referral_comment,
                          s.secondary_reason.empty() ? c.subject : s.secondary_reason),
          false);
    case ActionId::kHomeownerFollowup:
      return Task("Follow up with the homeowner - case " + label,
                  "Installer complaint after Sales referral: contact the homeowner at least every "
                  "5 days until the case is closed.",
                  true);
    case ActionId::kBeamFollowup:
      return Task("Beam/Concert follow-up - case " + label,
                  "Send the quick reply \"" + policy.quick_replies.unresponsive_beam_ho +
                      "\" to the homeowner one week after the hand-off or the requested "
                      "follow-up.",
                  true);
    case ActionId::kTierFollowup:
      return Task("Tier " + std::to_string(s.tier) + " update to the customer - case " + label,
                  "Customer Escalation Guide: update the customer within 24 hours.", true);
    case ActionId::kEscalateAmSilence:
      return Post({policy.people.escalation_contact},
                  "the installer's account manager has not responded within 5 days to the Sales "
                  "referral on case " +
                      label + ". Please escalate.");
    case ActionId::kNotifyManager:
      return Post(policy.people.managers,
                  "tier 4 escalation on case " + label +
                      (c.subject.empty() ? std::string() : ": " + c.subject) +
                      ". Manager notification required immediately.");
    case ActionId::kForgeDocument:
    case ActionId::kForgeServiceTicket:
      break;
  }
  ActionText t;
  t.form = ActionForm::kRecord;
  return t;
}

}  // namespace casebridge::adapters
