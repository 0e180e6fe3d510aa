// What each planned action says, independent of the system it is written to (SPEC 1.4
// "Actions" table): a follow-up task, a post that mentions people, or a reassignment to a queue.
// Each ActionSink renders it into its own records (a Salesforce Task / FeedItem / Case owner
// change, a Forge task), so the wording is the same everywhere.
#pragma once

#include <string>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/engine/evaluation.h"
#include "mappings/policy.h"

namespace casebridge::adapters {

enum class ActionForm : std::uint8_t {
  kTask,      // a follow-up task for whoever handles the case
  kPost,      // a note on the case that mentions `people`
  kReassign,  // the case moves to the queue `queue_key`
  kRecord,    // a record in another system (forge_document, forge_service_ticket)
};

struct ActionText {
  ActionForm form = ActionForm::kTask;
  std::string title;                     // task subject; post text (without the mentions)
  std::string description;               // task description
  bool about_homeowner = false;          // task: done with the homeowner
  std::vector<mappings::Person> people;  // post: who is mentioned (and must act)
  std::string queue_key;                 // reassign: queues.json key
};

/// The text of `action` planned for `c`.
ActionText DescribeAction(SourcedCase const& c, engine::PlannedAction const& action,
                          mappings::Policy const& policy);

/// The local calendar date of `t` in `zone` (`YYYY-MM-DD`); UTC when the zone is unknown.
std::string LocalDate(Instant t, std::string const& zone);

/// "@Name @Name" for the people mentioned.
std::string Mentions(std::vector<mappings::Person> const& people);

}  // namespace casebridge::adapters
