#include "connector/adapters/salesforce/action_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce/action_content.h"
#include "connector/common/failpoint.h"
#include "connector/salesforce/soql.h"

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

// One Write() call: the rows grouped by operation, each group sent in batches.
class SalesforceActionSink::WriteCall {
 public:
  WriteCall(SalesforceActionSink& sink, WriteOptions const& options)
      : org_(sink.org_), store_(sink.store_), options_(options) {}

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
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
      Batch const batch = Slice(items, start);
      Status s;
      if (send) {
        s = SendBatch(batch, send);
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

  // Records the posts found already made; returns the others.
  StatusOr<Batch> HealFeedPosts(Batch const& items) {
    auto found = FindFeedPosts(items);
    if (!found.ok()) return found.status();
    std::vector<store::WriteResult> healed;
    Batch healed_items;
    Batch to_create;
    for (auto const* p : items) {
      auto it = found->find(p->entry->action.key);
      if (it == found->end()) {
        to_create.push_back(p);
      } else {
        healed.push_back({p->entry->action.key, true, it->second, ""});
        healed_items.push_back(p);
      }
    }
    if (auto st = Record(healed_items, healed, /*found=*/true); !st.ok()) return st;
    return to_create;
  }

  Status CreateFeedPosts(Batch const& batch) {
    // Write-ahead: the ledger says these creates are in flight before they are sent.
    std::vector<store::WriteResult> marks;
    for (auto const* p : batch) {
      marks.push_back({p->entry->action.key, false, "",
                       std::string(kInFlight) + FormatInstant(options_.wall_now)});
    }
    if (auto st = store_.RecordWriteResults(marks, options_.now); !st.ok()) return st;
    salesforce::Client& client = org_.client();
    return SendBatch(batch, [&](auto const& r) { return client.Create(r); });
  }

  // Feed posts already carrying the key marker of one of `items`: key -> FeedItem id.
  StatusOr<std::map<std::string, std::string>> FindFeedPosts(Batch const& items) {
    std::map<std::string, std::string> existing;
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
      std::set<std::string> parents;
      for (auto const* p : Slice(items, start)) {
        parents.insert(p->payload.at("fields").value("ParentId", ""));
      }
      auto in = salesforce::Soql::In("ParentId",
                                     std::vector<std::string>(parents.begin(), parents.end()));
      if (!in.ok()) return in.status();
      Status q = org_.client().Query(
          "SELECT Id, ParentId, Body FROM FeedItem WHERE " + *in,
          [&](salesforce::QueryPage const& page) { return CollectMarkers(page, existing); });
      if (!q.ok()) return q;
    }
    return existing;
  }

  Status CollectMarkers(salesforce::QueryPage const& page,
                        std::map<std::string, std::string>& existing) const {
    for (auto sv : page.records) {
      auto flat = salesforce::FlattenRecord(sv);
      if (!flat.ok()) return flat.status();
      auto body = salesforce::FindField(*flat, "Body");
      if (!body) continue;
      if (auto key = org_.adapter().KeyInFeedBody(*body)) {
        existing[*key] = salesforce::FindField(*flat, "Id").value_or("");
      }
    }
    return OkStatus();
  }

  SalesforceOrg& org_;
  store::StateStore& store_;
  WriteOptions const& options_;
  WriteReport report_;
  std::set<std::string> recorded_keys_;
};

WriteReport SalesforceActionSink::Write(std::span<store::LedgerEntry const> pending,
                                        WriteOptions const& options) {
  return WriteCall(*this, options).Run(pending);
}

}  // namespace casebridge::adapters
