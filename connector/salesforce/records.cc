#include "connector/salesforce/records.h"

#include <simdjson.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "connector/salesforce/errors.h"

namespace casebridge::salesforce {
namespace {

namespace od = simdjson::ondemand;

Status Malformed(std::string_view endpoint, std::string_view what, simdjson::error_code err) {
  std::string detail(what);
  if (err != simdjson::SUCCESS) {
    detail += ": ";
    detail += simdjson::error_message(err);
  }
  return MalformedBody(endpoint, detail, 200);
}

void Flatten(nlohmann::ordered_json const& obj, std::string const& prefix, FlatRecord& out) {
  for (auto const& [key, value] : obj.items()) {
    if (key == "attributes") continue;
    std::string name = prefix;
    if (!name.empty()) name += '.';
    name += key;
    if (value.is_null()) {
      out.push_back({std::move(name), std::nullopt});
    } else if (value.is_boolean()) {
      out.push_back({std::move(name), value.get<bool>() ? "true" : "false"});
    } else if (value.is_string()) {
      out.push_back({std::move(name), value.get<std::string>()});
    } else if (value.is_object() && !value.contains("records")) {
      Flatten(value, name, out);  // a parent relationship: Owner.Name
    } else {
      // Numbers as their JSON text; child records or arrays as raw JSON.
      out.push_back({std::move(name), value.dump()});
    }
  }
}

}  // namespace

StatusOr<ParsedQueryPage> ParseQueryPage(std::string& body, std::string_view endpoint) {
  std::size_t const length = body.size();
  body.reserve(length + simdjson::SIMDJSON_PADDING);
  simdjson::padded_string_view const json(body.data(), length, body.capacity());
  thread_local od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(json).get(doc)) return Malformed(endpoint, "not JSON", err);
  od::object obj;
  if (auto err = doc.get_object().get(obj)) {
    return Malformed(endpoint, "expected a query result object", err);
  }
  ParsedQueryPage page;
  bool have_done = false;
  bool have_records = false;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return Malformed(endpoint, "bad JSON", err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return Malformed(endpoint, "bad key", err);
    od::value value = field.value();
    if (key == "totalSize") {
      std::int64_t n = 0;
      if (auto err = value.get_int64().get(n)) return Malformed(endpoint, "totalSize", err);
      page.total_size = n;
    } else if (key == "done") {
      bool done = false;
      if (auto err = value.get_bool().get(done)) return Malformed(endpoint, "done", err);
      page.done = done;
      have_done = true;
    } else if (key == "nextRecordsUrl") {
      od::json_type type{};
      if (auto err = value.type().get(type)) return Malformed(endpoint, "nextRecordsUrl", err);
      if (type != od::json_type::null) {
        std::string_view url;
        if (auto err = value.get_string().get(url)) {
          return Malformed(endpoint, "nextRecordsUrl", err);
        }
        page.next_records_url = std::string(url);
      }
    } else if (key == "records") {
      od::array records;
      if (auto err = value.get_array().get(records)) return Malformed(endpoint, "records", err);
      for (auto element : records) {
        od::object record;
        if (auto err = element.get_object().get(record)) {
          return Malformed(endpoint, "a record is not an object", err);
        }
        std::string_view raw;
        if (auto err = record.raw_json().get(raw)) return Malformed(endpoint, "record", err);
        page.records.push_back(raw);
      }
      have_records = true;
    }
    // Other keys are skipped by the on-demand iterator.
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Malformed(endpoint, "trailing content after the JSON", simdjson::SUCCESS);
  }
  if (!have_done || !have_records) {
    return Malformed(endpoint, "missing 'done' or 'records'", simdjson::SUCCESS);
  }
  if (!page.done && page.next_records_url.empty()) {
    return Malformed(endpoint, "done=false without nextRecordsUrl", simdjson::SUCCESS);
  }
  if (page.done) page.next_records_url.clear();
  return page;
}

StatusOr<FlatRecord> FlattenRecord(std::string_view record_json) {
  auto doc = nlohmann::ordered_json::parse(record_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("record is not a JSON object");
  }
  FlatRecord out;
  Flatten(doc, "", out);
  return out;
}

std::optional<std::string> FindField(FlatRecord const& record, std::string_view name) {
  for (auto const& f : record) {
    if (f.name == name) return f.value;
  }
  return std::nullopt;
}

std::size_t WriteResult::succeeded() const {
  return static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(), [](auto const& r) { return r.success; }));
}

std::size_t WriteResult::failed() const {
  return static_cast<std::size_t>(std::count_if(
      records.begin(), records.end(), [](auto const& r) { return r.attempted && !r.success; }));
}

}  // namespace casebridge::salesforce
