// Fakes of the vendor ports (connector/adapters/ports.h) for the sync's unit tests: a case
// source over an in-memory set of cases, and a sink that "writes" into an in-memory remote
// system and records the results in the ledger like a real sink.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/store/state_store.h"

namespace casebridge::sync_test {

/// The remote system both fakes see: records casebridge wrote, by action key.
struct FakeRemote {
  std::map<std::string, std::string> records;  // key -> record id
  std::map<std::string, int> sends;            // key -> times sent
};

class FakeCaseSource final : public adapters::CaseSource {
 public:
  explicit FakeCaseSource(FakeRemote& remote, std::string system = "salesforce")
      : remote_(remote), system_(std::move(system)) {}

  /// Adds or replaces a case; `version` is an ISO instant (its modification time).
  void Put(engine::Snapshot s, std::string const& version, std::string linked_case_id = "") {
    adapters::SourcedCase c;
    c.system = system_;
    c.linked_case_id = std::move(linked_case_id);
    c.link_key = s.id;
    c.snapshot = std::move(s);
    c.version = version;
    cases_[c.snapshot.id] = std::move(c);
  }
  engine::Snapshot& Snapshot(std::string const& id) { return cases_.at(id).snapshot; }
  void AddInteraction(std::string const& id, adapters::Interaction i) {
    cases_.at(id).interactions.push_back(std::move(i));
  }
  void SetVersion(std::string const& id, std::string const& version) {
    cases_.at(id).version = version;
  }

  [[nodiscard]] std::string_view system() const override { return system_; }
  [[nodiscard]] std::string_view object() const override { return "Case"; }
  Status Prepare() override { return OkStatus(); }

  Status ReadChanged(Instant since, bool /*first_run*/,
                     adapters::CasePageCallback const& on_page) override {
    ++reads;
    changed_since.push_back(since);
    if (!fail.ok()) return fail;
    std::vector<adapters::SourcedCase const*> hits;
    for (auto const& [id, c] : cases_) {
      if (ParseInstant(c.version).value_or(Instant{}) >= since) hits.push_back(&c);
    }
    std::sort(hits.begin(), hits.end(), [](auto const* a, auto const* b) {
      return std::tie(a->version, a->snapshot.id) < std::tie(b->version, b->snapshot.id);
    });
    return Deliver(hits, true, on_page);
  }

  Status ReadByIds(std::span<std::string const> ids,
                   adapters::CasePageCallback const& on_page) override {
    ++reads;
    by_id.emplace_back(ids.begin(), ids.end());
    if (!fail.ok()) return fail;
    std::vector<adapters::SourcedCase const*> hits;
    for (auto const& id : ids) {
      if (auto it = cases_.find(id); it != cases_.end()) hits.push_back(&it->second);
    }
    return Deliver(hits, false, on_page);
  }

  Status ReadRange(Instant from, Instant to, std::int64_t /*expected_cases*/,
                   adapters::CasePageCallback const& on_page) override {
    ++reads;
    std::vector<adapters::SourcedCase const*> hits;
    for (auto const& [id, c] : cases_) {
      if (c.snapshot.created_at >= from && c.snapshot.created_at < to) hits.push_back(&c);
    }
    return Deliver(hits, false, on_page);
  }

  StatusOr<std::int64_t> CountRange(Instant from, Instant to) override {
    std::int64_t n = 0;
    for (auto const& [id, c] : cases_)
      n += c.snapshot.created_at >= from && c.snapshot.created_at < to;
    return n;
  }
  [[nodiscard]] bool UsesBulk(std::int64_t /*expected_cases*/) const override { return false; }
  [[nodiscard]] adapters::ApiCalls Calls() const override { return {{{"query", reads}}}; }

  std::int64_t reads = 0;
  std::vector<Instant> changed_since;
  std::vector<std::vector<std::string>> by_id;
  Status fail;                         // ReadChanged() and ReadByIds() fail with it when set
  std::vector<store::ForgeRef> links;  // reported with every page of changes
  std::size_t page_size = 2;

 private:
  // Pages of `page_size`; each case carries the records the remote has for it.
  Status Deliver(std::vector<adapters::SourcedCase const*> const& hits, bool position,
                 adapters::CasePageCallback const& on_page) {
    for (std::size_t i = 0; i < hits.size() || i == 0; i += page_size) {
      adapters::CasePage page;
      for (std::size_t j = i; j < std::min(hits.size(), i + page_size); ++j) {
        adapters::SourcedCase c = *hits[j];
        for (auto const& [key, id] : remote_.records) {
          if (key.starts_with(c.snapshot.id + ":")) c.written[key] = id;
        }
        ++page.records;
        if (position) {
          page.last_version = c.version;
          page.last_id = c.snapshot.id;
        }
        page.cases.push_back(std::move(c));
      }
      if (position) page.links = links;
      if (auto s = on_page(page); !s.ok()) return s;
      if (hits.empty()) break;
    }
    return OkStatus();
  }

  FakeRemote& remote_;
  std::string system_;
  std::map<std::string, adapters::SourcedCase> cases_;
};

class FakeActionSink final : public adapters::ActionSink {
 public:
  FakeActionSink(FakeRemote& remote, store::StateStore& store, std::string system = "salesforce")
      : remote_(remote), store_(store), system_(std::move(system)) {}

  [[nodiscard]] std::string_view system() const override { return system_; }

  StatusOr<std::optional<std::string>> Render(adapters::SourcedCase const& c,
                                              engine::PlannedAction const& action) override {
    if (action.kind == mappings::ActionKind::kForgeRecord) return std::optional<std::string>();
    nlohmann::json const payload = {{"case", c.snapshot.id}, {"key", action.key}};
    return std::optional<std::string>(payload.dump());
  }

  StatusOr<std::optional<std::string>> RenderLinked(mappings::ActionId action,
                                                    adapters::SourcedCase const& c,
                                                    store::ForgeRef const& link,
                                                    adapters::Interaction const* i) override {
    if (system_ == "salesforce") return std::optional<std::string>();
    nlohmann::json const payload = {{"action", mappings::ActionName(action)},
                                    {"case", c.snapshot.id},
                                    {"on", link.forge_id},
                                    {"record", i != nullptr ? i->id : ""}};
    return std::optional<std::string>(payload.dump());
  }

  // The back-office queue owns the case, as the org shows it after the owner change.
  bool ApplyReassignment(adapters::SourcedCase& c, engine::PlannedAction const& action,
                         Instant at) const override {
    if (!apply_reassignment || action.kind != mappings::ActionKind::kReassign) return false;
    engine::Event e;
    e.type = engine::EventType::kReassigned;
    e.at = at;
    e.to = "queue:back_office";
    c.snapshot.owner = e.to;
    c.snapshot.events.push_back(std::move(e));
    return true;
  }

  adapters::WriteReport Write(std::span<store::LedgerEntry const> pending,
                              adapters::WriteOptions const& options) override {
    adapters::WriteReport report;
    auto& kinds = write_kinds.emplace_back();
    for (auto const& row : pending) kinds.insert(row.action.kind);
    if (!fail.ok()) {
      report.status = fail;
      return report;
    }
    for (auto const& row : pending) {
      auto const& key = row.action.key;
      if (refuse.count(row.action.action_id) != 0) {  // the server rejects the record
        std::vector<store::WriteResult> const results = {{key, false, "", "refused"}};
        if (auto s = store_.RecordWriteResults(results, options.now); !s.ok()) {
          report.status = s;
          return report;
        }
        ++report.failed;
        continue;
      }
      ++remote_.sends[key];
      remote_.records[key] = "R" + std::to_string(remote_.records.size() + 1);
      if (crash_after_remote_write) {  // the process "dies" before the ledger update
        report.status = UnavailableError("crashed after the remote write");
        return report;
      }
      std::vector<store::WriteResult> const results = {{key, true, remote_.records[key], ""}};
      if (auto s = store_.RecordWriteResults(results, options.now); !s.ok()) {
        report.status = s;
        return report;
      }
      ++report.written;
      if (row.action.action_id == "reassign_back_office") {
        report.changed_cases.push_back(row.action.case_id);
        if (on_reassign) on_reassign(row.action.case_id);
      }
    }
    return report;
  }

  bool crash_after_remote_write = false;
  bool apply_reassignment = true;  // ApplyReassignment() knows the case after the owner change
  std::set<std::string> refuse;    // action ids whose records the server rejects
  std::vector<std::set<std::string>> write_kinds;  // per Write() call, the kinds of its rows
  Status fail;                                     // Write() fails with it when set
  std::function<void(std::string const&)> on_reassign;

 private:
  FakeRemote& remote_;
  store::StateStore& store_;
  std::string system_;
};

}  // namespace casebridge::sync_test
