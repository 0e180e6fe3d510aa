#include "connector/sync/action_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/common/failpoint.h"
#include "connector/salesforce/soql.h"

namespace casebridge::sync {
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

}  // namespace

struct ActionWriter::Pending {
  store::LedgerEntry const* entry = nullptr;
  json payload;
};

ActionWriter::ActionWriter(salesforce::Client client, store::StateStore& store,
                           adapters::SalesforceCaseAdapter const& adapter,
                           std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      store_(store),
      adapter_(adapter),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

StatusOr<std::map<std::string, std::string>> ActionWriter::FindFeedPosts(
    std::vector<PendingRef> const& items) const {
  std::map<std::string, std::string> existing;  // key -> FeedItem id
  for (std::size_t start = 0; start < items.size(); start += kBatch) {
    std::set<std::string> parents;
    for (std::size_t i = start; i < std::min(items.size(), start + kBatch); ++i) {
      parents.insert(items[i]->payload.at("fields").value("ParentId", ""));
    }
    auto in =
        salesforce::Soql::In("ParentId", std::vector<std::string>(parents.begin(), parents.end()));
    if (!in.ok()) return in.status();
    Status q = client_.Query("SELECT Id, ParentId, Body FROM FeedItem WHERE " + *in,
                             [&](salesforce::QueryPage const& page) -> Status {
                               for (auto sv : page.records) {
                                 auto flat = salesforce::FlattenRecord(sv);
                                 if (!flat.ok()) return flat.status();
                                 auto body = salesforce::FindField(*flat, "Body");
                                 if (!body) continue;
                                 if (auto key = adapter_.KeyInFeedBody(*body)) {
                                   existing[*key] = salesforce::FindField(*flat, "Id").value_or("");
                                 }
                               }
                               return OkStatus();
                             });
    if (!q.ok()) return q;
  }
  return existing;
}

WriterReport ActionWriter::WritePending(WriterOptions const& options) {
  WriterReport report;
  store::ActionQuery query;
  query.states = {store::ActionState::kPlanned, store::ActionState::kFailed};
  query.limit = options.page_rows;
  query.max_attempts = options.max_attempts;

  std::set<std::string> recorded_keys;
  // Records the outcome of one batch in the ledger and the audit trail.
  // `found` results are records found already written remotely (counted as healed).
  auto record = [&](std::vector<Pending const*> const& batch,
                    std::vector<store::WriteResult> const& results, bool found = false) -> Status {
    if (results.empty()) return OkStatus();
    std::vector<store::AuditEntry> audit;
    audit.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      auto const& a = batch[i]->entry->action;
      recorded_keys.insert(a.key);
      if (results[i].ok && batch[i]->payload.value("op", "") == "update") {
        report.updated_records.push_back(batch[i]->payload.value("id", ""));
      }
      store::AuditEntry e;
      e.run_id = options.run_id;
      e.at = options.now;
      e.action_key = a.key;
      e.kind = a.kind;
      e.target = "salesforce:" + batch[i]->payload.value("sobject", "") +
                 (results[i].remote_id.empty() ? "" : "/" + results[i].remote_id);
      e.rule_id = a.rule_id;
      e.evidence = a.evidence;
      e.result = results[i].ok ? store::AuditResult::kOk : store::AuditResult::kFailed;
      e.reason = results[i].error;
      audit.push_back(std::move(e));
      if (results[i].ok) {
        ++(found ? report.healed : report.written);
      } else {
        ++report.failed;
        logger_->warn("action {} not written: {}", a.key, results[i].error);
      }
    }
    auto tx = store_.Begin();
    if (!tx.ok()) return tx.status();
    if (auto s = store_.RecordWriteResults(results, options.now); !s.ok()) return s;
    if (auto s = store_.AppendAudit(audit); !s.ok()) return s;
    Status committed = tx->Commit();
    Failpoint("sync.after_record");
    return committed;
  };

  // Sends one batch through `send` and records every attempted record; unattempted ones stay
  // pending.
  auto write_batch = [&](std::vector<Pending const*> batch, auto const& send) -> Status {
    std::vector<salesforce::SObject> records;
    records.reserve(batch.size());
    for (auto const* p : batch) records.push_back(ToSObject(p->payload));
    salesforce::WriteResult result = send(records);
    Failpoint("sync.after_remote_write");  // written remotely, not yet in the ledger
    std::vector<store::WriteResult> results;
    std::vector<Pending const*> recorded;
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
    // A call the server answered with a refusal (budget, auth, bad request) wrote nothing: its
    // records are failed with that reason, which also clears an "in flight" mark. After an
    // ambiguous failure (timeout, dropped connection, 5xx) they keep their state.
    StatusCode const code = result.status.code();
    bool const refused =
        code == StatusCode::kResourceExhausted || code == StatusCode::kUnauthenticated ||
        code == StatusCode::kPermissionDenied || code == StatusCode::kInvalidArgument ||
        code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound;
    if (refused) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i < result.records.size() && result.records[i].attempted) continue;
        results.push_back({batch[i]->entry->action.key, false, "", result.status.message()});
        recorded.push_back(batch[i]);
      }
    }
    if (auto s = record(recorded, results); !s.ok()) return s;
    return result.status;
  };

  std::string const& key_field = adapter_.signals().salesforce.task_key_field;
  while (true) {
    auto rows = store_.ListActions(query);
    if (!rows.ok()) {
      report.status = rows.status();
      return report;
    }
    if (rows->empty()) break;
    query.after_key = rows->back().action.key;

    // Group by operation.
    std::vector<Pending> pending;
    pending.reserve(rows->size());
    for (auto const& row : *rows) {
      if (row.action.target_system != "salesforce") continue;
      json payload = json::parse(row.action.payload, nullptr, false);
      if (payload.is_discarded() || !payload.contains("op") || !payload.contains("fields")) {
        std::vector<store::WriteResult> bad{
            {row.action.key, false, "", "unreadable ledger payload (not written)"}};
        Pending p{&row, json{{"sobject", "?"}}};
        if (auto s = record({&p}, bad); !s.ok()) {
          report.status = s;
          return report;
        }
        continue;
      }
      pending.push_back(Pending{&row, std::move(payload)});
    }
    std::map<std::string, std::vector<Pending const*>> groups;  // "op sobject"
    for (auto const& p : pending) {
      groups[p.payload.at("op").get<std::string>() + " " + p.payload.value("sobject", "")]
          .push_back(&p);
    }
    for (auto& [group, items] : groups) {
      // Feed posts have no external id: look for posts already carrying their key marker (a
      // crashed run, or an ambiguous failure of a create call in this run), record those as
      // written, create the rest; repeat after a transient failure.
      if (group == "create FeedItem") {
        // A create sent by a run that died may still be in flight at the server: its post can
        // appear after our lookup. Rows marked "in flight" less than `in_flight_grace` ago wait
        // for a later run.
        std::vector<Pending const*> remaining;
        for (auto const* p : items) {
          std::string_view const error = p->entry->last_error;
          if (error.starts_with(kInFlight)) {
            auto since = ParseInstant(error.substr(kInFlight.size()));
            if (since && options.wall_now - *since < options.in_flight_grace) {
              ++report.deferred;
              continue;
            }
          }
          remaining.push_back(p);
        }
        for (int attempt = 1;; ++attempt) {
          auto found = FindFeedPosts(remaining);
          if (!found.ok()) {
            report.status = found.status();
            return report;
          }
          std::vector<store::WriteResult> healed;
          std::vector<Pending const*> healed_items;
          std::vector<Pending const*> to_create;
          for (auto const* p : remaining) {
            auto it = found->find(p->entry->action.key);
            if (it == found->end()) {
              to_create.push_back(p);
            } else {
              healed.push_back({p->entry->action.key, true, it->second, ""});
              healed_items.push_back(p);
            }
          }
          if (auto st = record(healed_items, healed, /*found=*/true); !st.ok()) {
            report.status = st;
            return report;
          }
          Status s;
          for (std::size_t start = 0; start < to_create.size() && s.ok(); start += kBatch) {
            std::vector<Pending const*> batch(
                to_create.begin() + static_cast<std::ptrdiff_t>(start),
                to_create.begin() +
                    static_cast<std::ptrdiff_t>(std::min(to_create.size(), start + kBatch)));
            // Write-ahead: the ledger says these creates are in flight before they are sent.
            std::vector<store::WriteResult> marks;
            for (auto const* p : batch) {
              marks.push_back({p->entry->action.key, false, "",
                               std::string(kInFlight) + FormatInstant(options.wall_now)});
            }
            if (auto st = store_.RecordWriteResults(marks, options.now); !st.ok()) {
              report.status = st;
              return report;
            }
            s = write_batch(batch, [&](std::vector<salesforce::SObject> const& r) {
              return client_.Create(r);
            });
          }
          if (s.ok()) break;
          bool const transient =
              s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
          if (!transient || attempt >= 3) {
            report.status = s;
            return report;
          }
          logger_->warn("feed posts: {}; looking for posts already made, then retrying",
                        s.message());
          remaining.clear();
          for (auto const* p : to_create) {
            if (recorded_keys.count(p->entry->action.key) == 0) remaining.push_back(p);
          }
        }
        continue;
      }
      for (std::size_t start = 0; start < items.size(); start += kBatch) {
        std::vector<Pending const*> batch(
            items.begin() + static_cast<std::ptrdiff_t>(start),
            items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), start + kBatch)));
        Status s;
        if (group == "upsert Task") {
          s = write_batch(batch, [&](std::vector<salesforce::SObject> const& r) {
            return client_.Upsert("Task", key_field, r);
          });
        } else if (group.rfind("update ", 0) == 0) {
          s = write_batch(
              batch, [&](std::vector<salesforce::SObject> const& r) { return client_.Update(r); });
        } else if (group.rfind("create ", 0) == 0) {
          s = write_batch(
              batch, [&](std::vector<salesforce::SObject> const& r) { return client_.Create(r); });
        } else {
          std::vector<store::WriteResult> bad;
          for (auto const* p : batch) {
            bad.push_back({p->entry->action.key, false, "", "unknown payload operation " + group});
          }
          s = record(batch, bad);
        }
        if (!s.ok()) {
          report.status = s;
          return report;
        }
      }
    }
    if (rows->size() < query.limit) break;
  }
  return report;
}

}  // namespace casebridge::sync
