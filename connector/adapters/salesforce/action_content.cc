#include "connector/adapters/salesforce/action_content.h"

#include <nlohmann/json.hpp>

#include "connector/adapters/action_text.h"
#include "connector/adapters/salesforce_ids.h"

namespace casebridge::adapters {
namespace {

using nlohmann::ordered_json;

ordered_json TaskPayload(SourcedCase const& c, engine::PlannedAction const& action,
                         ActionText const& text, mappings::Policy const& policy,
                         SalesforceCaseAdapter const& adapter) {
  auto const& s = c.snapshot;
  ordered_json fields;
  fields["Subject"] = text.title;
  fields["Description"] = text.description;
  fields["Status"] = "Not Started";
  fields["Priority"] = "Normal";
  if (action.due) fields["ActivityDate"] = LocalDate(*action.due, policy.calendar.time_zone);
  fields["WhatId"] = s.id;
  if (text.about_homeowner && !s.homeowner_id.empty()) fields["WhoId"] = s.homeowner_id;
  // Tasks cannot be owned by a queue: a user-owned case gives its owner the task, otherwise
  // the integration user owns it (Salesforce's default for the creator).
  if (sfid::IsUserId(c.owner_id)) fields["OwnerId"] = c.owner_id;
  fields[adapter.signals().salesforce.task_key_field] = action.key;
  return {{"op", "upsert"}, {"sobject", "Task"}, {"fields", std::move(fields)}};
}

ordered_json PostPayload(SourcedCase const& c, engine::PlannedAction const& action,
                         ActionText const& text, SalesforceCaseAdapter const& adapter) {
  std::string body = Mentions(text.people) + " " + text.title;
  body += " " + adapter.FeedMarker(action.key);
  return {
      {"op", "create"},
      {"sobject", "FeedItem"},
      {"fields", {{"ParentId", c.snapshot.id}, {"Body", std::move(body)}, {"Type", "TextPost"}}}};
}

}  // namespace

StatusOr<std::optional<std::string>> RenderSalesforceAction(SourcedCase const& c,
                                                            engine::PlannedAction const& action,
                                                            mappings::Policy const& policy,
                                                            SalesforceCaseAdapter const& adapter) {
  ActionText const text = DescribeAction(c, action, policy);
  switch (text.form) {
    case ActionForm::kTask:
      return std::optional<std::string>(TaskPayload(c, action, text, policy, adapter).dump());
    case ActionForm::kPost:
      return std::optional<std::string>(PostPayload(c, action, text, adapter).dump());
    case ActionForm::kReassign: {
      auto const queue_id = adapter.queues().IdOf(text.queue_key);
      if (!queue_id) {
        return FailedPreconditionError(std::string(mappings::ActionName(action.action)) +
                                       ": the queue '" +
                                       policy.queues.developer_names.at(text.queue_key) +
                                       "' was not found in the org (queues.json)");
      }
      ordered_json const payload = {{"op", "update"},
                                    {"sobject", "Case"},
                                    {"id", c.snapshot.id},
                                    {"fields", {{"OwnerId", *queue_id}}}};
      return std::optional<std::string>(payload.dump());
    }
    case ActionForm::kRecord:
      break;
  }
  return std::optional<std::string>();
}

}  // namespace casebridge::adapters
