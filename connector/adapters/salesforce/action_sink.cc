#include "connector/adapters/salesforce/action_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/action_text.h"
#include "connector/adapters/salesforce/action_content.h"
#include "connector/adapters/salesforce/sent_lookup.h"
#include "connector/common/failpoint.h"

namespace casebridge::adapters {
namespace {

using nlohmann::json;

constexpr std::size_t kBatch = 200;
constexpr std::string_view kInFlight = "in flight since ";

// Payload fields -> an SObject (every value is sent as the JSON string it is stored as).
salesforce::SObject ToSObject(json const& payload) {
  salesforce::SObject o;
  o.type = payload.value("sobject", "");
  if (payload.contains("id")) o.fields.emplace_back("Id", payload.at("id").get<std::string>());
  for (auto const& [name, value] : payload.at("fields").items()) {
    if (value.is_string()) {
      o.fields.emplace_back(name, value.get<std::string>());
    } else if (value.is_boolean()) {
      o.fields.emplace_back(name, value.get<bool>());
    } else if (value.is_null()) {
      o.fields.emplace_back(name, nullptr);
    } else {
      o.fields.emplace_back(name, value.dump());
    }
  }
  return o;
}

std::string Describe(salesforce::RecordResult const& r) {
  std::string out;
  for (auto const& e : r.errors) {
    if (!out.empty()) out += "; ";
    out += e.status_code + ": " + e.message;
    if (!e.fields.empty()) {
      out += " (";
      for (std::size_t i = 0; i < e.fields.size(); ++i) out += (i ? "," : "") + e.fields[i];
      out += ")";
    }
  }
  return out.empty() ? "rejected without an error message" : out;
}

// A call the server answered with a refusal (budget, auth, bad request) wrote nothing.
bool Refused(StatusCode code) {
  return code == StatusCode::kResourceExhausted || code == StatusCode::kUnauthenticated ||
         code == StatusCode::kPermissionDenied || code == StatusCode::kInvalidArgument ||
         code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound;
}

struct Pending {
  store::LedgerEntry const* entry = nullptr;
  json payload;
};
using Batch = std::vector<Pending const*>;
using Send = std::function<salesforce::WriteResult(std::vector<salesforce::SObject> const&)>;

template <typename T>
std::vector<T> Slice(std::vector<T> const& items, std::size_t start) {
  auto const end = std::min(items.size(), start + kBatch);
  return {items.begin() + static_cast<std::ptrdiff_t>(start),
          items.begin() + static_cast<std::ptrdiff_t>(end)};
}

}  // namespace

StatusOr<std::optional<std::string>> SalesforceActionSink::Render(
    SourcedCase const& c, engine::PlannedAction const& action) {
  return RenderSalesforceAction(c, action, org_.policy(), org_.adapter());
}

bool SalesforceActionSink::ApplyReassignment(SourcedCase& c, engine::PlannedAction const& action,
                                             Instant at) const {
  ActionText const text = DescribeAction(c, action, org_.policy());
  if (text.form != ActionForm::kReassign) return false;
  auto const queue_id = org_.adapter().queues().IdOf(text.queue_key);
  if (!queue_id) return false;
  engine::Event e;
  e.type = engine::EventType::kReassigned;
  e.at = at;
  e.to = "queue:" + text.queue_key;
  c.snapshot.owner = e.to;
  c.snapshot.events.push_back(std::move(e));
  c.owner_id = *queue_id;
  c.owner_name = org_.policy().queues.developer_names.at(text.queue_key);
  return true;
}

// One Write() call: the rows grouped by operation, each group sent in batches.
class SalesforceActionSink::WriteCall {
 public:
  WriteCall(SalesforceActionSink& sink, WriteOptions const& options)
      : org_(sink.org_), store_(sink.store_), options_(options), lookup_(sink.org_) {}

  WriteReport Run(std::span<store::LedgerEntry const> rows) {
    std::vector<Pending> pending;
    pending.reserve(rows.size());
    for (auto const& row : rows) {
      json payload = json::parse(row.action.payload, nullptr, false);
      if (payload.is_discarded() || !payload.contains("op") || !payload.contains("fields")) {
        Pending p{&row, json{{"sobject", "?"}}};
        report_.status =
            Record({&p}, {{row.action.key, false, "", "unreadable ledger payload (not written)"}});
        if (!report_.status.ok()) return std::move(report_);
        continue;
      }
      pending.push_back(Pending{&row, std::move(payload)});
    }
    std::map<std::string, Batch> groups;  // "op sobject"
    for (auto const& p : pending) {
      groups[p.payload.at("op").get<std::string>() + " " + p.payload.value("sobject", "")]
          .push_back(&p);
    }
    for (auto& [group, items] : groups) {
      report_.status =
          group == "create FeedItem" ? WriteFeedPosts(items) : WriteGroup(group, items);
      if (!report_.status.ok()) break;
    }
    return std::move(report_);
  }

 private:
  // Records the outcome of one batch in the ledger and the audit trail. `found`: records found
  // already written remotely (counted as healed).
  Status Record(Batch const& batch, std::vector<store::WriteResult> const& results,
                bool found = false) {
    if (results.empty()) return OkStatus();
    std::vector<store::AuditEntry> audit;
    audit.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      audit.push_back(AuditOf(*batch[i], results[i]));
      if (results[i].ok) {
        ++(found ? report_.healed : report_.written);
      } else {
        ++report_.failed;
        org_.logger().warn("action {} not written: {}", results[i].key, results[i].error);
      }
    }
    auto tx = store_.Begin();
    if (!tx.ok()) return tx.status();
    if (auto s = store_.RecordWriteResults(results, options_.now); !s.ok()) return s;
    if (auto s = store_.AppendAudit(audit); !s.ok()) return s;
    Status committed = tx->Commit();
    Failpoint("sync.after_record");
    return committed;
  }

  store::AuditEntry AuditOf(Pending const& p, store::WriteResult const& result) {
    auto const& a = p.entry->action;
    recorded_keys_.insert(a.key);
    if (result.ok && p.payload.value("op", "") == "update") {
      report_.changed_cases.push_back(p.payload.value("id", ""));
    }
    store::AuditEntry e;
    e.run_id = options_.run_id;
    e.at = options_.now;
    e.action_key = a.key;
    e.kind = a.kind;
    e.target = "salesforce:" + p.payload.value("sobject", "") +
               (result.remote_id.empty() ? "" : "/" + result.remote_id);
    e.rule_id = a.rule_id;
    e.evidence = a.evidence;
    e.result = result.ok ? store::AuditResult::kOk : store::AuditResult::kFailed;
    e.reason = result.error;
    return e;
  }

  // Sends one batch through `send` and records every attempted record; unattempted ones stay
  // pending, unless the server refused the call as a whole.
  Status SendBatch(Batch const& batch, Send const& send) {
    std::vector<salesforce::SObject> records;
    records.reserve(batch.size());
    for (auto const* p : batch) records.push_back(ToSObject(p->payload));
    salesforce::WriteResult result = send(records);
    Failpoint("sync.after_remote_write");  // written remotely, not yet in the ledger
    std::vector<store::WriteResult> results;
    Batch recorded;
    for (std::size_t i = 0; i < batch.size() && i < result.records.size(); ++i) {
      auto const& r = result.records[i];
      if (!r.attempted) continue;
      store::WriteResult w;
      w.key = batch[i]->entry->action.key;
      w.ok = r.success;
      if (r.success) {
        // An update answers with the record's own id; the case id is the remote id then.
        w.remote_id = r.id.empty() ? batch[i]->payload.value("id", "") : r.id;
      } else {
        w.error = Describe(r);
      }
      results.push_back(std::move(w));
      recorded.push_back(batch[i]);
    }
    // A refused call's records are failed with that reason (which also clears an "in flight"
    // mark). After an ambiguous failure (timeout, dropped connection, 5xx) they keep their state.
    if (Refused(result.status.code())) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i < result.records.size() && result.records[i].attempted) continue;
        results.push_back({batch[i]->entry->action.key, false, "", result.status.message()});
        recorded.push_back(batch[i]);
      }
    }
    if (auto s = Record(recorded, results); !s.ok()) return s;
    return result.status;
  }

  Status WriteGroup(std::string const& group, Batch const& items) {
    salesforce::Client& client = org_.client();
    std::string const& key_field = org_.adapter().signals().salesforce.task_key_field;
    Send send;
    if (group == "upsert Task") {
      send = [&](auto const& r) { return client.Upsert("Task", key_field, r); };
    } else if (group.starts_with("update ")) {
      send = [&](auto const& r) { return client.Update(r); };
    } else if (group.starts_with("create ")) {
      send = [&](auto const& r) { return client.Create(r); };
    }
    StatusOr<Batch> to_send = items;
    if (group == "upsert Task") {
      to_send = HealTasks(items);
    } else if (group == "update Case") {
      to_send = HealOwnerChanges(items);
    }
    if (!to_send.ok()) return to_send.status();
    for (std::size_t start = 0; start < to_send->size(); start += kBatch) {
      Batch const batch = Slice(*to_send, start);
      Status s;
      if (send) {
        s = MarkSending(batch);
        if (s.ok()) s = SendBatch(batch, send);
      } else {
        std::vector<store::WriteResult> bad;
        for (auto const* p : batch) {
          bad.push_back({p->entry->action.key, false, "", "unknown payload operation " + group});
        }
        s = Record(batch, bad);
      }
      if (!s.ok()) return s;
    }
    return OkStatus();
  }

  // Rows marked "in flight" less than `in_flight_grace` ago wait for a later run: a create sent
  // by a run that died may still complete at the server after our lookup.
  Batch NotInFlight(Batch const& items) {
    Batch remaining;
    for (auto const* p : items) {
      std::string_view const error = p->entry->last_error;
      if (error.starts_with(kInFlight)) {
        auto since = ParseInstant(error.substr(kInFlight.size()));
        if (since && options_.wall_now - *since < options_.in_flight_grace) {
          ++report_.deferred;
          continue;
        }
      }
      remaining.push_back(p);
    }
    return remaining;
  }

  // Feed posts have no external id: posts already carrying their key marker (a crashed run, or
  // an ambiguous failure of a create call in this run) are recorded as written, the rest
  // created; after a transient failure, again.
  Status WriteFeedPosts(Batch const& items) {
    Batch remaining = NotInFlight(items);
    for (int attempt = 1;; ++attempt) {
      auto to_create = HealFeedPosts(remaining);
      if (!to_create.ok()) return to_create.status();
      Status s;
      for (std::size_t start = 0; start < to_create->size() && s.ok(); start += kBatch) {
        s = CreateFeedPosts(Slice(*to_create, start));
      }
      if (s.ok()) return s;
      bool const transient =
          s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
      if (!transient || attempt >= 3) return s;
      org_.logger().warn("feed posts: {}; looking for posts already made, then retrying",
                         s.message());
      remaining.clear();
      for (auto const* p : *to_create) {
        if (recorded_keys_.count(p->entry->action.key) == 0) remaining.push_back(p);
      }
    }
  }

  // Records the posts found already made; returns the others. Only posts whose earlier send
  // may have reached the server are looked for.
  StatusOr<Batch> HealFeedPosts(Batch const& items) {
    Batch attempted;
    for (auto const* p : items) {
      if (MayHaveBeenPosted(*p)) attempted.push_back(p);
    }
    if (attempted.empty()) return items;
    std::set<std::string> parents;
    for (auto const* p : attempted) parents.insert(p->payload.at("fields").value("ParentId", ""));
    auto found = lookup_.FeedPostsOn({parents.begin(), parents.end()});
    if (!found.ok()) return found.status();
    return RecordFound(items, ByKey(*found));
  }

  Status CreateFeedPosts(Batch const& batch) {
    if (auto st = MarkSending(batch); !st.ok()) return st;
    salesforce::Client& client = org_.client();
    return SendBatch(batch, [&](auto const& r) { return client.Create(r); });
  }

  // Write-ahead: the ledger notes that these rows are being sent ("in flight since <real
  // time>") before they are, so a later run knows the send may have reached the server.
  Status MarkSending(Batch const& batch) {
    std::vector<std::string> keys;
    keys.reserve(batch.size());
    for (auto const* p : batch) {
      keys.push_back(p->entry->action.key);
      sent_keys_.insert(p->entry->action.key);
    }
    return store_.MarkSending(keys, std::string(kInFlight) + FormatInstant(options_.wall_now),
                              options_.now);
  }

  // Whether an earlier send of this row may have reached the server: a failed row, a row a
  // run sent without learning the outcome (its in-flight note), or one sent in this call.
  [[nodiscard]] bool MayHaveReachedServer(Pending const& p) const {
    auto const& e = *p.entry;
    return e.state == store::ActionState::kFailed || !e.last_error.empty() ||
           sent_keys_.count(e.action.key) != 0;
  }

  // A feed post has no key to upsert on, and a refused one (a `failed` row without the note)
  // made no post: only a send whose outcome was not learnt may have.
  [[nodiscard]] bool MayHaveBeenPosted(Pending const& p) const {
    auto const& e = *p.entry;
    return e.last_error.starts_with(kInFlight) || sent_keys_.count(e.action.key) != 0;
  }

  [[nodiscard]] Batch Attempted(Batch const& items) const {
    Batch out;
    for (auto const* p : items) {
      if (MayHaveReachedServer(*p)) out.push_back(p);
    }
    return out;
  }

  // A `found` for RecordFound(): the record id `ids` holds for the row's key.
  static std::function<std::optional<std::string>(Pending const&)> ByKey(
      std::map<std::string, std::string> const& ids) {
    return [&ids](Pending const& p) -> std::optional<std::string> {
      auto it = ids.find(p.entry->action.key);
      return it == ids.end() ? std::nullopt : std::optional(it->second);
    };
  }

  // Records as written (healed) the attempted rows `found` names a record for (its id); returns
  // the rest of `items`, in order, to send.
  StatusOr<Batch> RecordFound(
      Batch const& items, std::function<std::optional<std::string>(Pending const&)> const& found) {
    std::vector<store::WriteResult> healed;
    Batch healed_items;
    Batch to_send;
    for (auto const* p : items) {
      auto id = MayHaveReachedServer(*p) ? found(*p) : std::nullopt;
      if (!id) {
        to_send.push_back(p);
        continue;
      }
      healed.push_back({p->entry->action.key, true, *id, ""});
      healed_items.push_back(p);
    }
    for (std::size_t start = 0; start < healed_items.size(); start += kBatch) {
      std::vector<store::WriteResult> const part(
          healed.begin() + static_cast<std::ptrdiff_t>(start),
          healed.begin() + static_cast<std::ptrdiff_t>(std::min(healed.size(), start + kBatch)));
      if (auto st = Record(Slice(healed_items, start), part, /*found=*/true); !st.ok()) return st;
    }
    return to_send;
  }

  // Tasks an earlier send may have created are looked up by their key (one query per 200):
  // a Task found is recorded as written and not sent again, so whatever a person changed on it
  // since (completed it, re-assigned it, deleted it) stays.
  StatusOr<Batch> HealTasks(Batch const& items) {
    Batch const attempted = Attempted(items);
    if (attempted.empty()) return items;
    std::vector<std::string> keys;
    for (auto const* p : attempted) keys.push_back(p->entry->action.key);
    auto found = lookup_.TasksByKey(keys);
    if (!found.ok()) return found.status();
    return RecordFound(items, ByKey(*found));
  }

  // Reassignments an earlier send may have made: the Case already has the owner (written), or
  // its owner changed after the reassignment was planned (a person's later decision: recorded
  // as written, never overwritten); otherwise it is sent again. One query per 200 cases.
  StatusOr<Batch> HealOwnerChanges(Batch const& items) {
    Batch const attempted = Attempted(items);
    if (attempted.empty()) return items;
    std::vector<std::string> ids;
    Instant since = attempted.front()->entry->planned_at;
    for (auto const* p : attempted) {
      ids.push_back(p->payload.value("id", ""));
      since = std::min(since, p->entry->planned_at);
    }
    auto cases = lookup_.CaseOwners(ids, since);
    if (!cases.ok()) return cases.status();
    return RecordFound(items, [&](Pending const& p) -> std::optional<std::string> {
      std::string const id = p.payload.value("id", "");
      auto it = cases->find(id);
      if (it == cases->end()) return std::nullopt;  // the update reports what happened to it
      auto const& fields = p.payload.at("fields");
      if (!fields.contains("OwnerId")) return std::nullopt;
      if (it->second.owner_id == fields.value("OwnerId", "")) return id;
      for (Instant t : it->second.owner_changes) {
        if (t < p.entry->planned_at) continue;
        org_.logger().info(
            "action {} not sent again: case {} changed owner to {} at {}, after it was planned",
            p.entry->action.key, id, it->second.owner_id, FormatInstant(t));
        return id;
      }
      return std::nullopt;
    });
  }

  SalesforceOrg& org_;
  store::StateStore& store_;
  WriteOptions const& options_;
  SentLookup lookup_;
  WriteReport report_;
  std::set<std::string> recorded_keys_;
  std::set<std::string> sent_keys_;  // rows this call sent (their outcome may be unknown)
};

WriteReport SalesforceActionSink::Write(std::span<store::LedgerEntry const> pending,
                                        WriteOptions const& options) {
  return WriteCall(*this, options).Run(pending);
}

}  // namespace casebridge::adapters
