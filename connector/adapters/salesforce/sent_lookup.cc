#include "connector/adapters/salesforce/sent_lookup.h"

#include <algorithm>
#include <functional>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/salesforce/soql.h"

namespace casebridge::adapters {
namespace {

constexpr std::size_t kChunk = 200;

using RecordFn = std::function<Status(salesforce::FlatRecord const&)>;

// Runs `soql_for(chunk)` for each chunk of 200 `values` and hands every record to `on_record`.
Status QueryInChunks(
    salesforce::Client const& client, std::vector<std::string> const& values, bool include_deleted,
    std::function<StatusOr<std::string>(std::vector<std::string> const&)> const& soql_for,
    RecordFn const& on_record) {
  for (std::size_t start = 0; start < values.size(); start += kChunk) {
    auto const end = std::min(values.size(), start + kChunk);
    std::vector<std::string> const chunk(values.begin() + static_cast<std::ptrdiff_t>(start),
                                         values.begin() + static_cast<std::ptrdiff_t>(end));
    auto soql = soql_for(chunk);
    if (!soql.ok()) return soql.status();
    auto on_page = [&](salesforce::QueryPage const& page) -> Status {
      for (auto sv : page.records) {
        auto flat = salesforce::FlattenRecord(sv);
        if (!flat.ok()) return flat.status();
        if (auto s = on_record(*flat); !s.ok()) return s;
      }
      return OkStatus();
    };
    Status const s =
        include_deleted ? client.QueryAll(*soql, on_page) : client.Query(*soql, on_page);
    if (!s.ok()) return s;
  }
  return OkStatus();
}

// The CreatedDate of each row of a child-relationship result (`{"records":[…]}`).
std::vector<Instant> ChildDates(std::optional<std::string> const& raw) {
  std::vector<Instant> out;
  if (!raw) return out;
  auto const doc = nlohmann::json::parse(*raw, nullptr, false);
  if (!doc.is_object() || !doc.contains("records") || !doc.at("records").is_array()) return out;
  for (auto const& r : doc.at("records")) {
    if (!r.is_object() || !r.contains("CreatedDate") || !r.at("CreatedDate").is_string()) continue;
    if (auto t = ParseInstant(r.at("CreatedDate").get<std::string>())) out.push_back(*t);
  }
  return out;
}

}  // namespace

StatusOr<std::map<std::string, std::string>> SentLookup::TasksByKey(
    std::vector<std::string> const& keys) {
  std::string const& key_field = org_.adapter().signals().salesforce.task_key_field;
  std::map<std::string, std::string> found;
  Status const s = QueryInChunks(
      org_.client(), keys, /*include_deleted=*/true,
      [&](std::vector<std::string> const& chunk) -> StatusOr<std::string> {
        auto in = salesforce::Soql::In(key_field, chunk);
        if (!in.ok()) return in.status();
        return "SELECT Id, " + key_field + " FROM Task WHERE " + *in;
      },
      [&](salesforce::FlatRecord const& r) {
        if (auto key = salesforce::FindField(r, key_field)) {
          found[*key] = salesforce::FindField(r, "Id").value_or("");
        }
        return OkStatus();
      });
  if (!s.ok()) return s;
  return found;
}

StatusOr<std::map<std::string, std::string>> SentLookup::FeedPostsOn(
    std::vector<std::string> const& parents) {
  std::map<std::string, std::string> found;
  Status const s = QueryInChunks(
      org_.client(), parents, /*include_deleted=*/false,
      [](std::vector<std::string> const& chunk) -> StatusOr<std::string> {
        auto in = salesforce::Soql::In("ParentId", chunk);
        if (!in.ok()) return in.status();
        return "SELECT Id, ParentId, Body FROM FeedItem WHERE " + *in;
      },
      [&](salesforce::FlatRecord const& r) {
        auto body = salesforce::FindField(r, "Body");
        if (!body) return OkStatus();
        if (auto key = org_.adapter().KeyInFeedBody(*body)) {
          found[*key] = salesforce::FindField(r, "Id").value_or("");
        }
        return OkStatus();
      });
  if (!s.ok()) return s;
  return found;
}

StatusOr<std::map<std::string, CaseOwnerState>> SentLookup::CaseOwners(
    std::vector<std::string> const& ids, Instant since) {
  std::map<std::string, CaseOwnerState> found;
  Status const s = QueryInChunks(
      org_.client(), ids, /*include_deleted=*/false,
      [&](std::vector<std::string> const& chunk) -> StatusOr<std::string> {
        auto in = salesforce::Soql::In("Id", chunk);
        if (!in.ok()) return in.status();
        return "SELECT Id, OwnerId, (SELECT CreatedDate FROM Histories WHERE Field = 'Owner' "
               "AND CreatedDate >= " +
               salesforce::Soql::DateTime(since) + ") FROM Case WHERE " + *in;
      },
      [&](salesforce::FlatRecord const& r) {
        auto id = salesforce::FindField(r, "Id");
        if (!id) return OkStatus();
        found[*id] = {salesforce::FindField(r, "OwnerId").value_or(""),
                      ChildDates(salesforce::FindField(r, "Histories"))};
        return OkStatus();
      });
  if (!s.ok()) return s;
  return found;
}

}  // namespace casebridge::adapters
