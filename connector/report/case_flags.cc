#include "connector/report/case_flags.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "connector/engine/business_calendar.h"
#include "connector/engine/evaluation_json.h"
#include "mappings/catalogue.h"

namespace casebridge::report {
namespace {

namespace od = simdjson::ondemand;
using mappings::RuleId;

}  // namespace

// --- CaseFacts ---------------------------------------------------------------------------------

struct CaseFactsReader::Impl {
  od::parser parser;
  std::string buffer;  // the line plus simdjson's padding
};

CaseFactsReader::CaseFactsReader() : impl_(std::make_unique<Impl>()) {}
CaseFactsReader::~CaseFactsReader() = default;

Status CaseFactsReader::Parse(std::string_view line, CaseFacts& out) {
  out.Clear();
  // Cheap exit: none of the member names occurs on the line.
  if (line.find("subject") == std::string_view::npos &&
      line.find("_name") == std::string_view::npos &&
      line.find("queue\"") == std::string_view::npos &&
      line.find("record_url") == std::string_view::npos) {
    return OkStatus();
  }
  std::string& buf = impl_->buffer;
  buf.assign(line);
  buf.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (impl_->parser.iterate(buf.data(), buf.size(), buf.capacity()).get(doc) != simdjson::SUCCESS) {
    return InvalidArgumentError("not valid JSON");
  }
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return InvalidArgumentError("not valid JSON (a snapshot line must be a JSON object)");
  }
  for (auto field_result : root) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) {
      return InvalidArgumentError("not valid JSON");
    }
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return InvalidArgumentError("not valid JSON");
    }
    std::string* dest = nullptr;
    if (key == "subject") {
      dest = &out.subject;
    } else if (key == "owner_name") {
      dest = &out.owner_name;
    } else if (key == "installer_name") {
      dest = &out.installer_name;
    } else if (key == "queue") {
      dest = &out.queue;
    } else if (key == "record_url") {
      dest = &out.record_url;
    } else {
      continue;
    }
    od::value v = field.value();
    od::json_type type{};
    if (v.type().get(type) != simdjson::SUCCESS) return InvalidArgumentError("not valid JSON");
    if (type == od::json_type::null) continue;
    std::string_view s;
    if (type != od::json_type::string || v.get_string().get(s) != simdjson::SUCCESS) {
      ErrorInfo info;
      info.field = std::string(key);
      return InvalidArgumentError("must be a string or null", std::move(info));
    }
    dest->assign(s);
  }
  return OkStatus();
}

// --- Flag rows ---------------------------------------------------------------------------------

// --- Evidence text -----------------------------------------------------------------------------

void AppendEvidenceText(std::string& out, std::string_view status, std::string_view evidence) {
  if (evidence.empty() || evidence == "{}") return;
  auto const j = nlohmann::json::parse(evidence, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    out += evidence;
    return;
  }
  auto str = [&j](char const* key) -> std::string_view {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get_ref<std::string const&>();
  };
  auto const met_by = j.find("met_by");
  if (met_by != j.end() && met_by->is_string()) {
    std::string_view const how = met_by->get_ref<std::string const&>();
    if (how == "event" && !str("event").empty()) {
      out += "met by ";
      out += str("event");
      if (!str("to").empty()) {
        out += " to ";
        out += str("to");
      }
      if (!str("at").empty()) {
        out += " at ";
        out += str("at");
      }
      if (!str("record").empty()) {
        out += " (record ";
        out += str("record");
        out += ')';
      }
      return;
    }
    if (how == "close") {
      out += "met by closing the case";
      if (!str("at").empty()) {
        out += " at ";
        out += str("at");
      }
      return;
    }
    if (how == "data") {
      out += "met by data";
      auto const fields = j.find("fields");
      if (fields != j.end() && fields->is_array() && !fields->empty()) {
        out += ": ";
        bool first = true;
        for (auto const& f : *fields) {
          if (!f.is_string()) continue;
          if (!first) out += " and ";
          out += f.get_ref<std::string const&>();
          first = false;
        }
        out += " set";
      }
      return;
    }
  }
  if (met_by != j.end() && met_by->is_null()) {
    if (!str("note").empty()) {
      out += str("note");
      return;
    }
    out += "none: no ";
    out += str("awaiting").empty() ? std::string_view("qualifying event") : str("awaiting");
    if (status == "pending") out += " yet";
    if (str("clock") == "stopped" && !str("closed_at").empty()) {
      out += " before the case closed at ";
      out += str("closed_at");
    }
    return;
  }
  if (!str("text").empty()) {
    out += str("text");
    return;
  }
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace casebridge::report
