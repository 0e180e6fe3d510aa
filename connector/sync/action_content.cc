#include "connector/sync/action_content.h"

#include <date/tz.h>

#include <nlohmann/json.hpp>

namespace casebridge::sync {
namespace {

using mappings::ActionId;
using nlohmann::ordered_json;

std::string CaseLabel(adapters::SalesforceCase const& c) {
  return c.snapshot.number.empty() ? c.snapshot.id : c.snapshot.number;
}

std::string Mentions(std::vector<mappings::Person> const& people) {
  std::string out;
  for (auto const& p : people) {
    if (!out.empty()) out += " ";
    out += "@" + p.name;
  }
  return out;
}

std::string ReferralComment(std::string const& text, std::string const& complaint) {
  std::string out = text;
  auto const at = out.find("{complaint}");
  if (at != std::string::npos) out.replace(at, 11, complaint);
  return out;
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

StatusOr<std::string> BuildActionPayload(adapters::SalesforceCase const& c,
                                         engine::PlannedAction const& action,
                                         ActionContext const& context) {
  mappings::Policy const& policy = *context.policy;
  auto const& signals = context.adapter->signals().salesforce;
  auto const& s = c.snapshot;
  std::string const label = CaseLabel(c);
  ordered_json payload;

  auto task = [&](std::string subject, std::string description, bool to_homeowner) {
    ordered_json fields;
    fields["Subject"] = std::move(subject);
    fields["Description"] = std::move(description);
    fields["Status"] = "Not Started";
    fields["Priority"] = "Normal";
    if (action.due) fields["ActivityDate"] = LocalDate(*action.due, policy.calendar.time_zone);
    fields["WhatId"] = s.id;
    if (to_homeowner && !s.homeowner_id.empty()) fields["WhoId"] = s.homeowner_id;
    // Tasks cannot be owned by a queue: a user-owned case gives its owner the task, otherwise
    // the integration user owns it (Salesforce's default for the creator).
    if (c.owner_id.rfind("005", 0) == 0) fields["OwnerId"] = c.owner_id;
    fields[signals.task_key_field] = action.key;
    payload = {{"op", "upsert"}, {"sobject", "Task"}, {"fields", std::move(fields)}};
  };
  auto feed_post = [&](std::string body) {
    body += " " + context.adapter->FeedMarker(action.key);
    payload = {{"op", "create"},
               {"sobject", "FeedItem"},
               {"fields", {{"ParentId", s.id}, {"Body", std::move(body)}, {"Type", "TextPost"}}}};
  };

  switch (action.action) {
    case ActionId::kReassignBackOffice: {
      auto const queue_id = context.adapter->queues().IdOf(policy.queues.back_office);
      if (!queue_id) {
        return FailedPreconditionError("reassign_back_office: the back-office queue '" +
                                       policy.queues.developer_names.at(policy.queues.back_office) +
                                       "' was not found in the org (queues.json)");
      }
      payload = {{"op", "update"},
                 {"sobject", "Case"},
                 {"id", s.id},
                 {"fields", {{"OwnerId", *queue_id}}}};
      break;
    }
    case ActionId::kCallInstaller: {
      std::string subject = "Call installer";
      if (!c.installer_name.empty()) subject += " " + c.installer_name;
      subject += c.installer_phone.empty() ? " (escalation number not on file)"
                                           : " at escalation number " + c.installer_phone;
      task(subject + " - case " + label,
           "Installer complaint procedure, back office: the installer has not contacted the "
           "homeowner 2 days after the complaint. Call the installer's escalation number and ask "
           "them to reach the homeowner.",
           false);
      break;
    }
    case ActionId::kSalesReferralReminder:
      task("Refer case " + label + " to Sales: installer still has not contacted the homeowner",
           ReferralComment(policy.templates.referral_comment,
                           s.secondary_reason.empty() ? c.subject : s.secondary_reason),
           false);
      break;
    case ActionId::kHomeownerFollowup:
      task("Follow up with the homeowner - case " + label,
           "Installer complaint after Sales referral: contact the homeowner at least every 5 "
           "days until the case is closed.",
           true);
      break;
    case ActionId::kBeamFollowup:
      task("Beam/Concert follow-up - case " + label,
           "Send the quick reply \"" + policy.quick_replies.unresponsive_beam_ho +
               "\" to the homeowner one week after the hand-off or the requested follow-up.",
           true);
      break;
    case ActionId::kTierFollowup:
      task("Tier " + std::to_string(s.tier) + " update to the customer - case " + label,
           "Customer Escalation Guide: update the customer within 24 hours.", true);
      break;
    case ActionId::kEscalateAmSilence: {
      std::vector<mappings::Person> contact{policy.people.escalation_contact};
      feed_post(Mentions(contact) + " the installer's account manager has not responded within " +
                "5 days to the Sales referral on case " + label + ". Please escalate.");
      break;
    }
    case ActionId::kNotifyManager:
      feed_post(Mentions(policy.people.managers) + " tier 4 escalation on case " + label +
                (c.subject.empty() ? std::string() : ": " + c.subject) +
                ". Manager notification required immediately.");
      break;
    case ActionId::kForgeDocument:
    case ActionId::kForgeServiceTicket:
      return FailedPreconditionError(std::string(mappings::ActionName(action.action)) +
                                     " is a Forge record, not a Salesforce write");
  }
  return payload.dump();
}

}  // namespace casebridge::sync
