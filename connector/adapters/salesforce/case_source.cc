#include "connector/adapters/salesforce/case_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "connector/adapters/salesforce/bulk_case_reader.h"
#include "connector/adapters/salesforce_ids.h"
#include "connector/salesforce/records.h"
#include "connector/salesforce/soql.h"

namespace casebridge::adapters {

SalesforceOrg::SalesforceOrg(salesforce::Client client, mappings::Policy const& policy,
                             mappings::SignalsMapping const& signals,
                             std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      policy_(policy),
      signals_(signals),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

namespace {

constexpr auto kQueueDirectoryAge = std::chrono::hours(24);

}  // namespace

void SalesforceOrg::KeepQueuesIn(store::StateStore& store, Instant now, bool read_only) {
  queue_store_ = &store;
  queue_now_ = now;
  queue_read_only_ = read_only;
}

Status SalesforceOrg::Connect() {
  if (adapter_) return OkStatus();
  auto stored = StoredQueues();
  if (!stored.ok()) return stored.status();
  if (*stored) {
    Install(std::move(**stored));
    return OkStatus();
  }
  return RefreshQueues();
}

// The stored directory when it names every queue of queues.json and is less than a day old.
StatusOr<std::optional<QueueDirectory>> SalesforceOrg::StoredQueues() {
  if (queue_store_ == nullptr) return std::optional<QueueDirectory>();
  auto rows = queue_store_->GetQueueDirectory();
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::string> ids;  // DeveloperName -> id ("" = none in the org)
  std::set<std::string> unlisted;
  for (auto const& r : *rows) {
    if (r.refreshed_at + kQueueDirectoryAge <= queue_now_ || r.refreshed_at > queue_now_) {
      return std::optional<QueueDirectory>();
    }
    if (r.name.empty()) {
      unlisted.insert(std::string(sfid::Key(r.queue_id)));
    } else {
      ids[r.name] = r.queue_id;
    }
  }
  QueueDirectory queues;
  for (auto const& [key, developer_name] : policy_.queues.developer_names) {
    auto it = ids.find(developer_name);
    if (it == ids.end()) return std::optional<QueueDirectory>();  // a queue it never looked for
    if (!it->second.empty()) queues.Add(it->second, key);
  }
  unlisted_ = std::move(unlisted);
  return std::optional<QueueDirectory>(std::move(queues));
}

Status SalesforceOrg::RefreshQueues(std::vector<std::string> const& unknown) {
  queues_read_ = true;
  QueueDirectory queues;
  std::map<std::string, std::string> found;  // DeveloperName -> id
  Status qs = client_.Query(QueueQuery(policy_), [&](salesforce::QueryPage const& page) {
    for (auto sv : page.records) {
      auto flat = salesforce::FlattenRecord(sv);
      if (!flat.ok()) return flat.status();
      auto id = salesforce::FindField(*flat, "Id");
      auto name = salesforce::FindField(*flat, "DeveloperName");
      if (!id || !name) continue;
      for (auto const& [key, developer_name] : policy_.queues.developer_names) {
        if (developer_name == *name) queues.Add(*id, key);
      }
      found[*name] = *id;
    }
    return OkStatus();
  });
  if (!qs.ok()) return qs;
  for (auto const& id : unknown) {
    if (!queues.KeyOf(id)) unlisted_.insert(std::string(sfid::Key(id)));
  }
  if (queue_store_ != nullptr && !queue_read_only_) {
    std::vector<store::QueueEntry> rows;
    for (auto const& [key, developer_name] : policy_.queues.developer_names) {
      auto it = found.find(developer_name);
      rows.push_back({developer_name, it == found.end() ? "" : it->second, queue_now_});
    }
    for (auto const& id : unlisted_) rows.push_back({"", id, queue_now_});
    if (auto s = queue_store_->ReplaceQueueDirectory(rows); !s.ok()) return s;
  }
  Install(std::move(queues));
  return OkStatus();
}

void SalesforceOrg::Install(QueueDirectory queues) {
  if (!queues.IdOf(policy_.queues.back_office)) {
    logger_->warn("the back-office queue '{}' is not in the org: reassignments will fail",
                  policy_.queues.developer_names.at(policy_.queues.back_office));
  }
  if (adapter_) {
    adapter_->ReplaceQueues(std::move(queues));
  } else {
    adapter_.emplace(signals_, policy_, std::move(queues));
  }
}

bool SalesforceOrg::QueuesStale(std::vector<std::string> const& queue_ids) const {
  if (queues_read_ || !adapter_) return false;
  return std::any_of(queue_ids.begin(), queue_ids.end(), [&](std::string const& id) {
    return !adapter_->queues().KeyOf(id) && unlisted_.count(std::string(sfid::Key(id))) == 0;
  });
}

SourcedCase ToSourcedCase(SalesforceCase&& c) {
  SourcedCase out;
  out.system = kSalesforceSystem;
  out.snapshot = std::move(c.snapshot);
  out.version = std::move(c.modstamp);
  out.link_key = std::string(sfid::Key(out.snapshot.id));
  out.subject = std::move(c.subject);
  out.owner_name = std::move(c.owner_name);
  out.installer_name = std::move(c.installer_name);
  out.owner_id = std::move(c.owner_id);
  out.installer_phone = std::move(c.installer_phone);
  out.interactions = std::move(c.interactions);
  out.written = std::move(c.tasks_by_key);
  out.written.merge(c.feed_posts_by_key);
  return out;
}

SalesforceCaseSource::SalesforceCaseSource(SalesforceOrg& org, SalesforceSourceOptions options)
    : org_(org), options_(options) {}

namespace {

// The raw queue ids (the directory knew no key for them) that cases of `page` are owned by or
// were reassigned to.
std::vector<std::string> UnknownQueueIds(CasePage const& page) {
  constexpr std::string_view kRawQueue = "queue:00G";
  std::vector<std::string> ids;
  auto note = [&](std::string const& owner) {
    if (owner.starts_with(kRawQueue)) ids.push_back(owner.substr(6));
  };
  for (auto const& c : page.cases) {
    note(c.snapshot.owner);
    for (auto const& e : c.snapshot.events) {
      if (e.type == engine::EventType::kReassigned) note(e.to);
    }
  }
  return ids;
}

}  // namespace

CasePage SalesforceCaseSource::Convert(salesforce::QueryPage const& page, bool position) const {
  CasePage out;
  out.cases.reserve(page.records.size());
  for (auto sv : page.records) {
    ++out.records;
    std::vector<std::string> warnings;
    auto c = org_.adapter().Convert(sv, &warnings);
    for (auto& w : warnings) org_.logger().warn("{}", w);
    if (!c.ok()) {
      out.skipped.push_back(c.status());
      continue;
    }
    if (position) {
      out.last_version = c->modstamp;
      out.last_id = c->snapshot.id;
    }
    out.cases.push_back(ToSourcedCase(std::move(*c)));
  }
  return out;
}

// A case naming a queue the directory does not know may mean the directory is out of date (a
// queue of queues.json recreated): it is read again once and the page converted with it.
Status SalesforceCaseSource::Deliver(salesforce::QueryPage const& page, bool position,
                                     CasePageCallback const& on_page) {
  CasePage out = Convert(page, position);
  if (auto const unknown = UnknownQueueIds(out); org_.QueuesStale(unknown)) {
    org_.logger().info("a case names queue {}, not in the queue directory: reading the queues",
                       unknown.front());
    if (auto s = org_.RefreshQueues(unknown); !s.ok()) return s;
    out = Convert(page, position);
  }
  return on_page(out);
}

Status SalesforceCaseSource::ReadChanged(Instant since, bool /*first_run*/,
                                         CasePageCallback const& on_page) {
  auto const& adapter = org_.adapter();
  std::string const soql = adapter.BuildQuery(adapter.signals().salesforce.case_fields.modstamp +
                                              " >= " + salesforce::Soql::DateTime(since));
  return org_.client().Query(soql, [&](salesforce::QueryPage const& page) {
    return Deliver(page, /*position=*/true, on_page);
  });
}

namespace {
constexpr std::string_view kRelatedPrefix = "Case.";
constexpr std::string_view kFeedBody = "Body";  // ChangedChildrenQuery() selects it on FeedItem
}  // namespace

std::vector<std::string> SalesforceCaseSource::RelatedKinds() const {
  std::vector<std::string> kinds;
  for (auto const& child : org_.signals().salesforce.child_objects) {
    kinds.push_back(std::string(kRelatedPrefix) + child.relationship);
  }
  return kinds;
}

// One paged query over the child object, reading the parent id and the stamp of each record
// changed since `since` (a case with many changed records is named once).
StatusOr<RelatedChanges> SalesforceCaseSource::ReadRelatedChanged(
    std::string_view kind, Instant since, std::optional<Instant> cases_before) {
  auto const& children = org_.signals().salesforce.child_objects;
  auto const child = std::find_if(children.begin(), children.end(), [&](auto const& c) {
    return kind.substr(0, kRelatedPrefix.size()) == kRelatedPrefix &&
           kind.substr(kRelatedPrefix.size()) == c.relationship;
  });
  if (child == children.end()) {
    return InvalidArgumentError("no related records of kind '" + std::string(kind) + "'");
  }
  RelatedChanges out;
  std::unordered_map<std::string, std::size_t> index;  // case id -> position in out.cases
  Instant newest{};
  Status s = org_.client().Query(
      org_.adapter().ChangedChildrenQuery(*child, since, cases_before),
      [&](salesforce::QueryPage const& page) {
        for (auto sv : page.records) {
          ++out.records;
          auto flat = salesforce::FlattenRecord(sv);
          if (!flat.ok()) {  // one unreadable record does not hide the others' cases
            org_.logger().warn("{}: skipped a record: {}", kind, flat.status().message());
            continue;
          }
          auto parent = salesforce::FindField(*flat, child->parent_field);
          auto stamp = salesforce::FindField(*flat, child->stamp_field);
          auto const at = stamp ? ParseInstant(*stamp) : std::nullopt;
          if (!parent || parent->empty() || !at) continue;
          if (*at > newest) {
            newest = *at;
            out.last_version = *stamp;
          }
          // casebridge's own feed posts are no news (the run that wrote them knew them).
          auto body = salesforce::FindField(*flat, kFeedBody);
          if (body && org_.adapter().KeyInFeedBody(*body)) continue;
          auto [it, added] = index.emplace(*parent, out.cases.size());
          if (added) out.cases.push_back({*parent, *at});
          auto& c = out.cases[it->second];
          c.changed = std::max(c.changed, *at);
        }
        return OkStatus();
      });
  if (!s.ok()) return s;
  return out;
}

Status SalesforceCaseSource::ReadByIds(std::span<std::string const> ids,
                                       CasePageCallback const& on_page) {
  for (std::size_t i = 0; i < ids.size(); i += options_.ids_per_query) {
    auto chunk = ids.subspan(i, std::min(options_.ids_per_query, ids.size() - i));
    auto in = salesforce::Soql::In("Id", std::vector<std::string>(chunk.begin(), chunk.end()));
    if (!in.ok()) return in.status();
    Status s =
        org_.client().Query(org_.adapter().BuildQuery(*in), [&](salesforce::QueryPage const& page) {
          return Deliver(page, /*position=*/false, on_page);
        });
    if (!s.ok()) return s;
  }
  return OkStatus();
}

std::string SalesforceCaseSource::RangeCondition(Instant from, Instant to) const {
  std::string const& created = org_.adapter().signals().salesforce.case_fields.created;
  return created + " >= " + salesforce::Soql::DateTime(from) + " AND " + created + " < " +
         salesforce::Soql::DateTime(to);
}

Status SalesforceCaseSource::ReadRange(Instant from, Instant to, std::int64_t expected_cases,
                                       CasePageCallback const& on_page) {
  auto deliver = [&](salesforce::QueryPage const& page) {
    return Deliver(page, /*position=*/false, on_page);
  };
  std::string const condition = RangeCondition(from, to);
  if (UsesBulk(expected_cases)) {
    return ReadCasesInBulk(org_.client(), org_.adapter(), condition, options_.bulk_page, deliver);
  }
  return org_.client().Query(org_.adapter().BuildQuery(condition), deliver);
}

ApiCalls SalesforceCaseSource::Calls() const {
  auto const c = org_.client().calls();
  return {{{"auth", c.auth},
           {"query", c.query},
           {"write", c.write},
           {"bulk", c.bulk},
           {"other", c.other}}};
}

StatusOr<std::int64_t> SalesforceCaseSource::CountRange(Instant from, Instant to) {
  return org_.client().Count("SELECT COUNT() FROM Case WHERE " + RangeCondition(from, to));
}

}  // namespace casebridge::adapters
