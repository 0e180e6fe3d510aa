#include "connector/adapters/salesforce/bulk_case_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce_ids.h"

namespace casebridge::adapters {
namespace bulk_case_reader_internal {
namespace {

using adapters::BulkColumnType;
using ordered_json = nlohmann::ordered_json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The column of `header` named `name` (ignoring case), or npos.
std::size_t ColumnOf(std::vector<std::string> const& header, std::string const& name) {
  std::string const want = Lower(name);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (Lower(header[i]) == want) return i;
  }
  return std::string::npos;
}

// "2026-03-02T14:05:00.000Z" (Bulk CSV) -> "2026-03-02T14:05:00.000+0000" (REST JSON). Other
// text is returned unchanged.
std::string RestDateTime(std::string const& csv) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (i >= csv.size() || std::isdigit(static_cast<unsigned char>(csv[i])) == 0) return false;
    }
    return true;
  };
  bool const base = csv.size() >= 20 && digits(0, 4) && csv[4] == '-' && digits(5, 2) &&
                    csv[7] == '-' && digits(8, 2) && csv[10] == 'T' && digits(11, 2) &&
                    csv[13] == ':' && digits(14, 2) && csv[16] == ':' && digits(17, 2);
  if (!base || csv.back() != 'Z') return csv;
  if (csv.size() == 20) return csv.substr(0, 19) + ".000+0000";
  if (csv.size() == 24 && csv[19] == '.' && digits(20, 3)) return csv.substr(0, 23) + "+0000";
  return csv;
}

ordered_json Typed(std::string const& text, BulkColumnType type) {
  if (text.empty()) return nullptr;
  switch (type) {
    case BulkColumnType::kText:
      return text;
    case BulkColumnType::kBoolean:
      if (text == "true") return true;
      if (text == "false") return false;
      return text;
    case BulkColumnType::kNumber: {
      char const* const begin = text.data();
      char const* const end = begin + text.size();
      std::int64_t i = 0;
      if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
      double d = 0;
      if (auto [p, ec] = std::from_chars(begin, end, d); ec == std::errc() && p == end) return d;
      return text;
    }
    case BulkColumnType::kDateTime:
      return RestDateTime(text);
  }
  return text;
}

bool AllNull(ordered_json const& v) {
  if (v.is_null()) return true;
  if (!v.is_object()) return false;
  auto const items = v.items();
  return std::all_of(items.begin(), items.end(), [](auto const& item) {
    return item.key() == "attributes" || AllNull(item.value());
  });
}

// Parents whose columns are all empty become null (REST renders an empty lookup as null).
void CollapseEmptyParents(ordered_json& record) {
  for (auto it = record.begin(); it != record.end(); ++it) {
    ordered_json& child = it.value();
    if (!child.is_object() || it.key() == "attributes") continue;
    if (AllNull(child)) {
      child = nullptr;
    } else {
      CollapseEmptyParents(child);
    }
  }
}

// How the columns of one job's header become a record.
struct Layout {
  std::vector<std::vector<std::string>> paths;  // column -> path parts ("Owner.Name" -> 2)
  std::vector<BulkColumnType> types;
  std::vector<bool> emitted;
};

Layout MakeLayout(std::vector<std::string> const& header,
                  std::map<std::string, BulkColumnType> const& column_types,
                  std::size_t skipped_column) {
  std::unordered_map<std::string, BulkColumnType> types;
  for (auto const& [name, type] : column_types) types.emplace(Lower(name), type);
  Layout layout;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      std::size_t const dot = header[i].find('.', start);
      parts.push_back(header[i].substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    layout.paths.push_back(std::move(parts));
    auto it = types.find(Lower(header[i]));
    layout.types.push_back(it == types.end() ? BulkColumnType::kText : it->second);
    layout.emitted.push_back(i != skipped_column);
  }
  return layout;
}

ordered_json Render(Layout const& layout, std::vector<std::string> const& row,
                    std::string const& object) {
  ordered_json record;
  record["attributes"] = {{"type", object}};
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (!layout.emitted[i]) continue;
    auto const& parts = layout.paths[i];
    ordered_json* node = &record;
    for (std::size_t p = 0; p + 1 < parts.size(); ++p) {
      ordered_json& next = (*node)[parts[p]];
      if (!next.is_object()) next = ordered_json::object();
      node = &next;
    }
    (*node)[parts.back()] = Typed(row[i], layout.types[i]);
  }
  CollapseEmptyParents(record);
  return record;
}

Status CheckWidth(BulkRows const& rows, std::string const& what) {
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    if (rows.rows[i].size() != rows.header.size()) {
      return InternalError("bulk results of " + what + ": row " + std::to_string(i + 1) + " has " +
                           std::to_string(rows.rows[i].size()) + " columns, the header " +
                           std::to_string(rows.header.size()));
    }
  }
  return OkStatus();
}

}  // namespace

namespace {

// Child rows by the 15-character id of their case, in the order the job returned them.
struct ChildIndex {
  Layout layout;
  std::unordered_map<std::string, std::vector<std::size_t>> rows_by_case;
};

StatusOr<std::vector<ChildIndex>> IndexChildren(BulkCaseQueries const& queries,
                                                std::vector<BulkRows> const& children) {
  std::vector<ChildIndex> indexes;
  indexes.reserve(children.size());
  for (std::size_t c = 0; c < children.size(); ++c) {
    auto const& q = queries.children[c];
    BulkRows const& rows = children[c];
    if (auto s = CheckWidth(rows, q.child.object); !s.ok()) return s;
    if (rows.rows.empty()) {  // an empty result may come without a header
      indexes.emplace_back();
      continue;
    }
    std::size_t const link = ColumnOf(rows.header, q.child.parent_field);
    if (link == std::string::npos) {
      return InternalError("bulk results of " + q.child.object + " have no " +
                           q.child.parent_field + " column");
    }
    ChildIndex index;
    index.layout = MakeLayout(rows.header, q.query.column_types,
                              q.parent_field_selected ? std::string::npos : link);
    for (std::size_t r = 0; r < rows.rows.size(); ++r) {
      std::string const& parent = rows.rows[r][link];
      if (!parent.empty()) index.rows_by_case[std::string(sfid::Key(parent))].push_back(r);
    }
    indexes.push_back(std::move(index));
  }
  return indexes;
}

// The REST query's order: modstamp, then Id (both sort as text in the uniform CSV forms).
StatusOr<std::vector<std::size_t>> SortedOrder(BulkCaseQueries const& queries,
                                               BulkRows const& cases) {
  std::vector<std::size_t> keys;
  for (auto const& name : queries.order_by) {
    std::size_t const column = ColumnOf(cases.header, name);
    if (column == std::string::npos) {
      return InternalError("bulk results of Case have no " + name + " column to order by");
    }
    keys.push_back(column);
  }
  std::vector<std::size_t> order(cases.rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    for (std::size_t const k : keys) {
      int const c = cases.rows[a][k].compare(cases.rows[b][k]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  return order;
}

// One case row with its children, as the REST record text.
std::string RenderCase(BulkCaseQueries const& queries, Layout const& case_layout,
                       std::vector<std::string> const& row, std::size_t id_column,
                       std::vector<ChildIndex> const& indexes,
                       std::vector<BulkRows> const& children) {
  ordered_json record = Render(case_layout, row, "Case");
  std::string const case_key(sfid::Key(row[id_column]));
  for (std::size_t c = 0; c < indexes.size(); ++c) {
    auto const& rel = queries.children[c].child;
    auto it = indexes[c].rows_by_case.find(case_key);
    if (it == indexes[c].rows_by_case.end()) {
      record[rel.relationship] = nullptr;
      continue;
    }
    ordered_json list = ordered_json::array();
    for (std::size_t const r : it->second) {
      list.push_back(Render(indexes[c].layout, children[c].rows[r], rel.object));
    }
    ordered_json sub;
    sub["totalSize"] = list.size();
    sub["done"] = true;
    sub["records"] = std::move(list);
    record[rel.relationship] = std::move(sub);
  }
  return record.dump();
}

}  // namespace

Status AssembleCasePages(BulkCaseQueries const& queries, BulkRows const& cases,
                         std::vector<BulkRows> const& children, std::size_t records_per_page,
                         salesforce::PageCallback const& on_page) {
  if (records_per_page == 0) return InvalidArgumentError("records_per_page must be at least 1");
  if (children.size() != queries.children.size()) {
    return InvalidArgumentError("expected the rows of " + std::to_string(queries.children.size()) +
                                " child queries, got " + std::to_string(children.size()));
  }
  if (cases.rows.empty()) {  // one empty, done page, as the REST query gives
    salesforce::QueryPage page;
    page.page_number = 1;
    return on_page(page);
  }
  if (auto s = CheckWidth(cases, "Case"); !s.ok()) return s;
  std::size_t const id_column = ColumnOf(cases.header, "Id");
  if (id_column == std::string::npos) {
    return InternalError("bulk results of Case have no Id column");
  }
  auto indexes = IndexChildren(queries, children);
  if (!indexes.ok()) return indexes.status();
  auto order = SortedOrder(queries, cases);
  if (!order.ok()) return order.status();
  Layout const case_layout =
      MakeLayout(cases.header, queries.cases.column_types, std::string::npos);
  auto const total = static_cast<std::int64_t>(order->size());
  std::size_t next = 0;
  int page_number = 0;
  do {
    std::size_t const end = std::min(order->size(), next + records_per_page);
    std::vector<std::string> texts;
    texts.reserve(end - next);
    for (; next < end; ++next) {
      texts.push_back(RenderCase(queries, case_layout, cases.rows[(*order)[next]], id_column,
                                 *indexes, children));
    }
    salesforce::QueryPage page;
    page.total_size = total;
    page.done = next == order->size();
    page.page_number = ++page_number;
    page.records.assign(texts.begin(), texts.end());
    if (auto s = on_page(page); !s.ok()) return s;
  } while (next < order->size());
  return OkStatus();
}

}  // namespace bulk_case_reader_internal

Status ReadCasesInBulk(salesforce::Client const& client, SalesforceCaseAdapter const& adapter,
                       std::string const& condition, std::size_t records_per_page,
                       salesforce::PageCallback const& on_page) {
  using bulk_case_reader_internal::BulkRows;
  if (records_per_page == 0) return InvalidArgumentError("records_per_page must be at least 1");
  auto queries = adapter.BulkQueries(condition);
  if (!queries.ok()) return queries.status();

  auto run = [&](std::string const& soql, BulkRows& out) {
    return client.BulkQuery(soql, [&](salesforce::BulkPage const& page) {
      if (out.header.empty()) {
        out.header = page.header;
      } else if (page.header != out.header) {
        return InternalError("bulk job " + page.job_id + ": page " +
                             std::to_string(page.page_number) +
                             " has another header than the first page");
      }
      out.rows.insert(out.rows.end(), page.rows.begin(), page.rows.end());
      return OkStatus();
    });
  };

  BulkRows cases;
  if (auto s = run(queries->cases.soql, cases); !s.ok()) return s;
  std::vector<BulkRows> children(queries->children.size());
  if (!cases.rows.empty()) {  // no case, no children to read
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (auto s = run(queries->children[i].query.soql, children[i]); !s.ok()) return s;
    }
  }
  return bulk_case_reader_internal::AssembleCasePages(*queries, cases, children, records_per_page,
                                                      on_page);
}

}  // namespace casebridge::adapters
