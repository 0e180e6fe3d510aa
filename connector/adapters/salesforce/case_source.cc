#include "connector/adapters/salesforce/case_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
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

Status SalesforceOrg::Connect() {
  if (adapter_) return OkStatus();
  QueueDirectory queues;
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
    }
    return OkStatus();
  });
  if (!qs.ok()) return qs;
  if (!queues.IdOf(policy_.queues.back_office)) {
    logger_->warn("the back-office queue '{}' is not in the org: reassignments will fail",
                  policy_.queues.developer_names.at(policy_.queues.back_office));
  }
  adapter_.emplace(signals_, policy_, std::move(queues));
  return OkStatus();
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

Status SalesforceCaseSource::Deliver(salesforce::QueryPage const& page, bool position,
                                     CasePageCallback const& on_page) {
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
StatusOr<RelatedChanges> SalesforceCaseSource::ReadRelatedChanged(std::string_view kind,
                                                                  Instant since) {
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
      org_.adapter().ChangedChildrenQuery(*child, since), [&](salesforce::QueryPage const& page) {
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
          auto [it, added] = index.emplace(*parent, out.cases.size());
          if (added) out.cases.push_back({*parent, *at});
          auto& c = out.cases[it->second];
          c.changed = std::max(c.changed, *at);
          if (*at > newest) {
            newest = *at;
            out.last_version = *stamp;
          }
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
