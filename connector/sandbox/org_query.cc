// REST query/queryAll with nextRecordsUrl paging, and Bulk API 2.0 query jobs.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "connector/sandbox/crypto_util.h"
#include "connector/sandbox/salesforce_org.h"
#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"
#include "connector/sandbox/soql_parser.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr std::size_t kMaxCursors = 256;

// `Sforce-Query-Options: batchSize=N` (min 200, max 2000); nullopt when absent or invalid.
std::optional<int> BatchSize(ApiRequest const& request) {
  auto header = request.Header("Sforce-Query-Options");
  if (!header) return std::nullopt;
  std::string const lower = Lower(*header);
  auto const pos = lower.find("batchsize");
  if (pos == std::string::npos) return std::nullopt;
  auto const eq = lower.find('=', pos);
  if (eq == std::string::npos) return std::nullopt;
  char* end = nullptr;
  long const n = std::strtol(lower.c_str() + eq + 1, &end, 10);
  if (end == lower.c_str() + eq + 1) return std::nullopt;
  return static_cast<int>(std::clamp<long>(n, 200, 2000));
}

std::string CsvField(std::string const& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<char> Delimiter(std::string const& name) {
  if (name == "COMMA") return ',';
  if (name == "BACKQUOTE") return '`';
  if (name == "CARET") return '^';
  if (name == "PIPE") return '|';
  if (name == "SEMICOLON") return ';';
  if (name == "TAB") return '\t';
  return std::nullopt;
}

std::string StripPadding(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

}  // namespace

ApiResponse SalesforceOrg::HandleQuery(RestContext const& ctx, bool include_deleted) {
  auto const q = ctx.request->Param("q");
  if (!q || q->empty()) {
    return SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  SoqlEngine engine(schema_, store_);
  QueryOptions options;
  options.now = Now();
  options.include_deleted = include_deleted;
  options.api_version = ctx.version;
  auto result = engine.Select(*q, options);
  if (!result.ok()) return SalesforceError(result.status());
  if (result->count_only) {
    ApiResponse r;
    ordered_json j;
    j["totalSize"] = result->total_size;
    j["done"] = true;
    j["records"] = ordered_json::array();
    r.json = std::move(j);
    return r;
  }
  int const batch = BatchSize(*ctx.request).value_or(options_.default_batch_size);
  Cursor cursor;
  cursor.soql = *q;
  cursor.options = options;
  cursor.rows = std::make_shared<std::vector<RowKey> const>(std::move(result.value().rows));
  cursor.batch_size = batch;
  cursor.expires = Now() + options_.query_locator_lifetime;
  cursor.sequence = ++cursor_sequence_;
  std::string locator;
  if (cursor.rows->size() > static_cast<std::size_t>(batch)) {
    // Evict expired cursors, then the oldest beyond the cap.
    Instant const now = Now();
    std::erase_if(cursors_, [&](auto const& kv) { return kv.second.expires <= now; });
    while (cursors_.size() >= kMaxCursors) {
      auto oldest = std::min_element(
          cursors_.begin(), cursors_.end(),
          [](auto const& a, auto const& b) { return a.second.sequence < b.second.sequence; });
      cursors_.erase(oldest);
    }
    locator = MakeId("01g", cursor.sequence);
    cursors_[locator] = cursor;
  }
  return QueryPage(ctx, locator, cursor, 0, batch);
}

ApiResponse SalesforceOrg::QueryPage(RestContext const& ctx, std::string const& locator,
                                     Cursor const& cursor, std::size_t offset, int batch_size) {
  auto const& rows = *cursor.rows;
  std::size_t const end = std::min(rows.size(), offset + static_cast<std::size_t>(batch_size));
  bool const done = end >= rows.size();
  SoqlEngine engine(schema_, store_);
  auto records = engine.Render(cursor.soql, cursor.options,
                               std::span<RowKey const>(rows).subspan(offset, end - offset));
  if (!records.ok()) return SalesforceError(records.status());
  ApiResponse r;
  ordered_json j;
  j["totalSize"] = static_cast<std::int64_t>(rows.size());
  j["done"] = done;
  if (!done) {
    j["nextRecordsUrl"] =
        "/services/data/v" + ctx.version + "/query/" + locator + "-" + std::to_string(end);
  }
  ordered_json page = ordered_json::array();
  for (auto& record : *records) page.push_back(std::move(record));
  j["records"] = std::move(page);
  r.json = std::move(j);
  return r;
}

ApiResponse SalesforceOrg::HandleQueryMore(RestContext const& ctx, std::string_view locator) {
  auto invalid = [] {
    return SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  };
  auto const dash = locator.rfind('-');
  if (dash == std::string_view::npos) return invalid();
  std::string const id(locator.substr(0, dash));
  std::string const offset_text(locator.substr(dash + 1));
  if (offset_text.empty() || offset_text.find_first_not_of("0123456789") != std::string::npos) {
    return invalid();
  }
  auto it = cursors_.find(id);
  if (it == cursors_.end()) return invalid();
  if (Now() >= it->second.expires) {
    cursors_.erase(it);
    return invalid();
  }
  std::size_t const offset = std::strtoull(offset_text.c_str(), nullptr, 10);
  Cursor const& cursor = it->second;
  if (offset >= cursor.rows->size()) return invalid();
  int const batch = BatchSize(*ctx.request).value_or(cursor.batch_size);
  return QueryPage(ctx, id, cursor, offset, batch);
}

ordered_json SalesforceOrg::JobInfo(BulkJob const& job) const {
  ordered_json j;
  j["id"] = job.id;
  j["operation"] = job.operation;
  j["object"] = job.object;
  j["createdById"] = job.created_by;
  j["createdDate"] = job.created_date;
  j["systemModstamp"] = job.system_modstamp;
  j["state"] = job.state;
  j["concurrencyMode"] = "Parallel";
  j["contentType"] = "CSV";
  j["apiVersion"] = std::strtod(job.api_version.c_str(), nullptr);
  j["jobType"] = "V2Query";
  j["lineEnding"] = job.line_ending;
  j["columnDelimiter"] = job.column_delimiter;
  j["numberRecordsProcessed"] =
      job.result ? static_cast<std::int64_t>(job.result->rows.size()) : std::int64_t{0};
  j["retries"] = 0;
  j["totalProcessingTime"] = job.state == "JobComplete" ? 250 : 0;
  j["isPkChunkingSupported"] = true;
  if (!job.error_message.empty()) j["errorMessage"] = job.error_message;
  return j;
}

void SalesforceOrg::AdvanceJob(BulkJob& job) {
  if (job.state != "UploadComplete" && job.state != "InProgress") return;
  ++job.polls;
  job.system_modstamp = FormatRestDateTime(Now());
  if (job.polls < options_.bulk_polls_until_complete) {
    job.state = "InProgress";
    return;
  }
  SoqlEngine engine(schema_, store_);
  QueryOptions options;
  options.now = Now();
  options.include_deleted = job.operation == "queryAll";
  options.api_version = job.api_version;
  auto result = engine.RunForBulk(job.query, options);
  if (!result.ok()) {
    job.state = "Failed";
    job.error_message = result.status().message();
    return;
  }
  job.result = std::make_shared<CsvResult>(std::move(result).value());
  job.state = "JobComplete";
}

ApiResponse SalesforceOrg::HandleBulk(RestContext const& ctx,
                                      std::vector<std::string> const& segments) {
  std::string const& method = ctx.request->method;
  auto not_found = [] {
    return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
  };
  if (segments.empty()) {
    if (method == "GET") {
      ApiResponse r;
      ordered_json j;
      j["done"] = true;
      ordered_json records = ordered_json::array();
      for (auto const& [id, job] : jobs_) records.push_back(JobInfo(job));
      j["records"] = std::move(records);
      j["nextRecordsUrl"] = nullptr;
      r.json = std::move(j);
      return r;
    }
    if (method != "POST") {
      return SalesforceError(405, "METHOD_NOT_ALLOWED",
                             "HTTP Method '" + method + "' not allowed. Allowed are GET,POST");
    }
    json const body = json::parse(ctx.request->body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return SalesforceError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON");
    }
    auto str = [&](char const* key, std::string def) {
      return body.contains(key) && body.at(key).is_string() ? body.at(key).get<std::string>() : def;
    };
    std::string const operation = str("operation", "");
    if (operation != "query" && operation != "queryAll") {
      return SalesforceError(400, "INVALIDJOB",
                             "InvalidJob : operation must be 'query' or 'queryAll'");
    }
    std::string const query = str("query", "");
    if (query.empty()) return SalesforceError(400, "INVALIDJOB", "InvalidJob : query is required");
    if (str("contentType", "CSV") != "CSV") {
      return SalesforceError(400, "INVALIDJOB", "InvalidJob : contentType must be CSV");
    }
    std::string const delimiter = str("columnDelimiter", "COMMA");
    if (!Delimiter(delimiter)) {
      return SalesforceError(400, "INVALIDJOB", "InvalidJob : invalid columnDelimiter");
    }
    std::string const line_ending = str("lineEnding", "LF");
    if (line_ending != "LF" && line_ending != "CRLF") {
      return SalesforceError(400, "INVALIDJOB", "InvalidJob : lineEnding must be LF or CRLF");
    }
    SoqlEngine engine(schema_, store_);
    QueryOptions qo;
    qo.now = Now();
    if (auto s = engine.CheckForBulk(query, qo); !s.ok()) return SalesforceError(s);
    auto parsed = ParseSoql(query);  // valid: CheckForBulk passed
    ObjectSchema const* object = parsed.ok() ? schema_.Find(parsed->from) : nullptr;
    BulkJob job;
    job.id = MakeId("750", ++job_sequence_);
    job.operation = operation;
    job.object = object != nullptr ? object->name() : "";
    job.query = query;
    job.state = "UploadComplete";
    job.created_by = ctx.session.user_id;
    job.created_date = FormatRestDateTime(Now());
    job.system_modstamp = job.created_date;
    job.api_version = ctx.version;
    job.column_delimiter = delimiter;
    job.line_ending = line_ending;
    ApiResponse r;
    ordered_json info;
    info["id"] = job.id;
    info["operation"] = job.operation;
    info["object"] = job.object;
    info["createdById"] = job.created_by;
    info["createdDate"] = job.created_date;
    info["systemModstamp"] = job.system_modstamp;
    info["state"] = job.state;
    info["concurrencyMode"] = "Parallel";
    info["contentType"] = "CSV";
    info["apiVersion"] = std::strtod(job.api_version.c_str(), nullptr);
    info["lineEnding"] = job.line_ending;
    info["columnDelimiter"] = job.column_delimiter;
    r.json = std::move(info);
    jobs_[job.id] = std::move(job);
    return r;
  }
  auto it = jobs_.end();
  for (auto j = jobs_.begin(); j != jobs_.end(); ++j) {
    if (SameId(j->first, segments[0])) it = j;
  }
  if (it == jobs_.end()) return not_found();
  BulkJob& job = it->second;
  if (segments.size() == 1) {
    if (method == "GET") {
      AdvanceJob(job);
      ApiResponse r;
      r.json = JobInfo(job);
      return r;
    }
    if (method == "DELETE") {
      jobs_.erase(it);
      ApiResponse r;
      r.status = 204;
      r.content_type.clear();
      return r;
    }
    if (method == "PATCH") {
      json const body = json::parse(ctx.request->body, nullptr, false);
      if (body.is_discarded() || !body.is_object() || !body.contains("state") ||
          body.at("state") != "Aborted") {
        return SalesforceError(400, "INVALIDJOBSTATE", "state must be Aborted");
      }
      if (job.state == "JobComplete" || job.state == "Failed") {
        return SalesforceError(400, "INVALIDJOBSTATE",
                               "Job in state " + job.state + " cannot be aborted");
      }
      job.state = "Aborted";
      job.system_modstamp = FormatRestDateTime(Now());
      ApiResponse r;
      r.json = JobInfo(job);
      return r;
    }
    return SalesforceError(
        405, "METHOD_NOT_ALLOWED",
        "HTTP Method '" + method + "' not allowed. Allowed are GET,PATCH,DELETE");
  }
  if (segments.size() != 2 || segments[1] != "results") return not_found();
  if (method != "GET") {
    return SalesforceError(405, "METHOD_NOT_ALLOWED",
                           "HTTP Method '" + method + "' not allowed. Allowed are GET");
  }
  if (job.api_version != ctx.version) {
    return SalesforceError(
        409, "INVALIDVERSION",
        "Use the API version the job was created with (v" + job.api_version + ")");
  }
  if (job.state != "JobComplete" || !job.result) {
    std::string upper;
    for (char c : job.state) {
      if (c >= 'A' && c <= 'Z' && !upper.empty()) upper += '_';
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return SalesforceError(412, "JOB_NOT_COMPLETE",
                           "can only download query results of successfully completed bulk job "
                           "with status: JOB_COMPLETE. Current status: " +
                               upper);
  }
  std::size_t offset = 0;
  if (auto locator = ctx.request->Param("locator"); locator && !locator->empty()) {
    auto decoded = Base64Decode(*locator);
    if (!decoded || decoded->empty() ||
        decoded->find_first_not_of("0123456789") != std::string::npos) {
      return SalesforceError(400, "INVALIDLOCATOR", "invalid locator: " + *locator);
    }
    offset = std::strtoull(decoded->c_str(), nullptr, 10);
    if (offset > job.result->rows.size()) {
      return SalesforceError(400, "INVALIDLOCATOR", "invalid locator: " + *locator);
    }
  }
  std::int64_t max_records = options_.bulk_default_max_records;
  if (auto m = ctx.request->Param("maxRecords")) {
    char* end = nullptr;
    long long const n = std::strtoll(m->c_str(), &end, 10);
    if (m->empty() || *end != '\0' || n <= 0) {
      return SalesforceError(400, "INVALIDJOB", "maxRecords must be a positive integer");
    }
    max_records = n;
  }
  CsvResult const& result = *job.result;
  char const delimiter = Delimiter(job.column_delimiter).value_or(',');
  std::string const eol = job.line_ending == "CRLF" ? "\r\n" : "\n";
  std::size_t const end =
      std::min(result.rows.size(), offset + static_cast<std::size_t>(max_records));
  std::string csv;
  for (std::size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) csv += delimiter;
    csv += CsvField(result.columns[c]);
  }
  csv += eol;
  for (std::size_t i = offset; i < end; ++i) {
    auto const& row = result.rows[i];
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) csv += delimiter;
      csv += CsvField(row[c]);
    }
    csv += eol;
  }
  ApiResponse r;
  r.content_type = "text/csv";
  r.body = std::move(csv);
  r.SetHeader("Sforce-NumberOfRecords", std::to_string(end - offset));
  r.SetHeader("Sforce-Locator",
              end < result.rows.size() ? StripPadding(Base64Encode(std::to_string(end))) : "null");
  return r;
}

}  // namespace casebridge::sandbox
