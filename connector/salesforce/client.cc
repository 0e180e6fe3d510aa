#include "connector/salesforce/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

#include "auth/authorizing_transport.h"
#include "connector/salesforce/csv.h"
#include "connector/salesforce/errors.h"
#include "connector/salesforce/soql.h"

namespace casebridge::salesforce {

struct Client::State {
  State(std::shared_ptr<http::HttpTransport> authorized, ConnectionOptions connection_options,
        Sleeper sleeper)
      : connection(std::move(authorized), std::move(connection_options), std::move(sleeper)) {}
  Connection connection;
  std::shared_ptr<ApiUsage> usage;
  std::shared_ptr<auth::TokenCache> tokens;
  ClientOptions options;
};

namespace {

using nlohmann::json;

constexpr std::size_t kCollectionLimit = 200;  // records per sObject Collections request
constexpr std::size_t kCompositeLimit = 25;    // subrequests per Composite request

bool IEquals(std::string_view a, std::string_view b) { return http::HeaderNameEquals(a, b); }

json ToJson(FieldValue const& v) {
  struct Visitor {
    json operator()(std::nullptr_t) const { return nullptr; }
    json operator()(bool b) const { return b; }
    json operator()(std::int64_t i) const { return i; }
    json operator()(double d) const { return d; }
    json operator()(std::string const& s) const { return s; }
    json operator()(Instant t) const { return FormatInstant(t); }  // always UTC `Z`
    json operator()(std::chrono::sys_days d) const { return FormatDate(d); }
  };
  return std::visit(Visitor{}, v);
}

Status AddFields(json& object, Fields const& fields) {
  for (auto const& [name, value] : fields) {
    if (auto s = ValidateName(name, "field"); !s.ok()) return s;
    object[name] = ToJson(value);
  }
  return OkStatus();
}

bool HasField(Fields const& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](auto const& f) { return IEquals(f.first, name); });
}

FieldValue const* FindValue(Fields const& fields, std::string_view name) {
  for (auto const& f : fields) {
    if (IEquals(f.first, name)) return &f.second;
  }
  return nullptr;
}

// Salesforce record ids and bulk job ids: 15 or 18 alphanumerics (validated before they go into
// a URL path).
Status ValidateId(std::string_view id, std::string_view what) {
  bool ok = !id.empty() && id.size() <= 18 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
  if (ok) return OkStatus();
  return InvalidArgumentError(std::string(what) + " is not a Salesforce id");
}

std::string StringAt(json const& o, char const* key) {
  if (!o.is_object() || !o.contains(key)) return {};
  auto const& v = o.at(key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

http::HttpRequest JsonRequest(http::Method method, std::string url, std::string body) {
  http::HttpRequest r;
  r.method = method;
  r.url = std::move(url);
  r.headers.Set("Accept", "application/json");
  if (!body.empty() || method == http::Method::kPost || method == http::Method::kPatch) {
    r.headers.Set("Content-Type", "application/json");
  }
  r.body = std::move(body);
  return r;
}

RecordResult ParseRecordResult(json const& item) {
  RecordResult r;
  r.attempted = true;
  r.id = StringAt(item, "id");
  r.success =
      item.contains("success") && item.at("success").is_boolean() && item.at("success").get<bool>();
  if (item.contains("created") && item.at("created").is_boolean()) {
    r.created = item.at("created").get<bool>();
  }
  if (item.contains("errors") && item.at("errors").is_array()) {
    for (auto const& e : item.at("errors")) {
      if (!e.is_object()) continue;
      RecordError err;
      err.status_code = StringAt(e, "statusCode");
      if (err.status_code.empty()) err.status_code = StringAt(e, "errorCode");
      err.message = StringAt(e, "message");
      if (e.contains("fields") && e.at("fields").is_array()) {
        for (auto const& f : e.at("fields")) {
          if (f.is_string()) err.fields.push_back(f.get<std::string>());
        }
      }
      r.errors.push_back(std::move(err));
    }
  }
  return r;
}

FlatRecord RowToRecord(std::vector<std::string> const& header,
                       std::vector<std::string> const& row) {
  FlatRecord out;
  out.reserve(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    // Bulk CSV has no null marker: an empty field is null.
    if (i < row.size() && !row[i].empty()) {
      out.push_back({header[i], row[i]});
    } else {
      out.push_back({header[i], std::nullopt});
    }
  }
  return out;
}

}  // namespace

StatusOr<Client> Client::Create(std::shared_ptr<http::HttpTransport> wire,
                                TokenSourceFactory const& make_token_source, ClientOptions options,
                                Sleeper sleeper) {
  auto const& v = options.connection.api_version;
  auto const dot = v.find('.');
  bool const version_ok =
      dot != std::string::npos && dot > 0 && dot + 1 < v.size() &&
      std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(c) != 0 || c == '.'; }) &&
      std::count(v.begin(), v.end(), '.') == 1;
  if (!version_ok) {
    return InvalidArgumentError("salesforce.api_version '" + v + "' is not like \"62.0\"");
  }
  if (!(options.budget_share > 0.0 && options.budget_share <= 1.0)) {
    return InvalidArgumentError("API budget share must be in (0, 1]");
  }
  options.query_batch_size = std::clamp(options.query_batch_size, 200, 2000);
  options.bulk_max_records = std::max<std::int64_t>(options.bulk_max_records, 1);
  auto usage = std::make_shared<ApiUsage>(options.budget_share);
  auto metered = std::make_shared<MeteringTransport>(std::move(wire), usage);
  auto source = make_token_source(metered);
  if (!source.ok()) return source.status();
  auto tokens = std::make_shared<auth::TokenCache>(*source);
  auto authorized = std::make_shared<auth::AuthorizingTransport>(metered, tokens);
  auto state = std::make_shared<State>(authorized, options.connection, std::move(sleeper));
  state->usage = std::move(usage);
  state->tokens = std::move(tokens);
  state->options = std::move(options);
  return Client(std::move(state));
}

// --- Reads ---------------------------------------------------------------------------------------

Status Client::RunQuery(std::string const& resource, std::string const& soql,
                        PageCallback const& on_page) const {
  if (soql.empty()) return InvalidArgumentError("empty SOQL query");
  auto const& conn = state_->connection;
  std::string url = conn.DataPath(resource) + "?q=" + http::UrlEncode(soql);
  int page_number = 0;
  for (;;) {
    auto request = JsonRequest(http::Method::kGet, url, "");
    request.headers.Set("Sforce-Query-Options",
                        "batchSize=" + std::to_string(state_->options.query_batch_size));
    auto response = conn.Execute(std::move(request), Idempotency::kIdempotent);
    if (!response.ok()) return response.status();
    auto page = ParseQueryPage(response->body, EndpointName(http::Method::kGet, url));
    if (!page.ok()) return page.status();
    QueryPage view;
    view.total_size = page->total_size;
    view.done = page->done;
    view.page_number = ++page_number;
    view.records = std::move(page->records);
    if (auto s = on_page(view); !s.ok()) return s;
    if (page->done) return OkStatus();
    // nextRecordsUrl is relative to the instance; it must stay on the REST data API.
    if (page->next_records_url.rfind("/services/data/", 0) != 0) {
      return MalformedBody(EndpointName(http::Method::kGet, url),
                           "nextRecordsUrl is not a /services/data/ path", response->status);
    }
    url = std::move(page->next_records_url);
  }
}

Status Client::Query(std::string const& soql, PageCallback const& on_page) const {
  return RunQuery("/query", soql, on_page);
}

Status Client::QueryAll(std::string const& soql, PageCallback const& on_page) const {
  return RunQuery("/queryAll", soql, on_page);
}

StatusOr<std::int64_t> Client::Count(std::string const& soql) const {
  std::int64_t total = -1;
  bool first = true;
  auto s = Query(soql, [&](QueryPage const& page) {
    if (first) total = page.total_size;
    first = false;
    // Only the size is wanted: stop after the first page.
    return Status(StatusCode::kAborted, "count: first page read");
  });
  if (!s.ok() && !(s.code() == StatusCode::kAborted && total >= 0)) return s;
  return total;
}

StatusOr<std::string> Client::GetRecord(std::string const& sobject, std::string const& id,
                                        std::vector<std::string> const& fields) const {
  if (auto s = ValidateName(sobject, "object"); !s.ok()) return s;
  if (auto s = ValidateId(id, "record id"); !s.ok()) return s;
  std::string url = state_->connection.DataPath("/sobjects/" + sobject + "/" + id);
  if (!fields.empty()) {
    std::string list;
    for (auto const& f : fields) {
      if (auto s = ValidateFieldPath(f, "field"); !s.ok()) return s;
      if (!list.empty()) list += ',';
      list += f;
    }
    url += "?fields=" + http::UrlEncode(list);
  }
  auto response = state_->connection.Execute(JsonRequest(http::Method::kGet, url, ""),
                                             Idempotency::kIdempotent);
  if (!response.ok()) return response.status();
  auto doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return MalformedBody(EndpointName(http::Method::kGet, url), "expected a record object",
                         response->status);
  }
  return std::move(response->body);
}

Status Client::BulkQuery(std::string const& soql, BulkPageCallback const& on_page,
                         bool include_deleted) const {
  if (soql.empty()) return InvalidArgumentError("empty SOQL query");
  auto const& conn = state_->connection;
  auto const& opts = state_->options;
  auto log = conn.logger();

  // 1. Create the job.
  json create = {{"operation", include_deleted ? "queryAll" : "query"},
                 {"query", soql},
                 {"contentType", "CSV"},
                 {"columnDelimiter", "COMMA"},
                 {"lineEnding", "LF"}};
  std::string const jobs = conn.DataPath("/jobs/query");
  auto created = conn.Execute(JsonRequest(http::Method::kPost, jobs, create.dump()),
                              Idempotency::kNonIdempotent);
  if (!created.ok()) return created.status();
  auto job = json::parse(created->body, nullptr, false);
  std::string const job_id = StringAt(job, "id");
  if (job.is_discarded() || job_id.empty()) {
    return MalformedBody("POST " + jobs, "no job id in the response", created->status);
  }
  if (auto s = ValidateId(job_id, "bulk job id"); !s.ok()) {
    return MalformedBody("POST " + jobs, "job id is not a Salesforce id", created->status);
  }
  std::string const job_url = jobs + "/" + job_id;
  std::string state = StringAt(job, "state");

  // 2. Poll until the job is complete, backing off between polls.
  auto delay = opts.bulk_poll_initial;
  std::chrono::milliseconds waited{0};
  for (;;) {
    if (state == "JobComplete") break;
    if (state == "Failed" || state == "Aborted") {
      std::string const error_message = StringAt(job, "errorMessage");
      std::string msg = "bulk query job ";
      msg += job_id;
      msg += " ended in state ";
      msg += state;
      if (!error_message.empty()) {
        msg += ": ";
        msg += error_message.substr(0, 300);
      }
      return {state == "Failed" ? StatusCode::kFailedPrecondition : StatusCode::kAborted, msg};
    }
    if (waited >= opts.bulk_max_wait) {
      // Give up and release the job (best effort; its outcome does not change the answer).
      (void)conn.Execute(JsonRequest(http::Method::kPatch, job_url, R"({"state":"Aborted"})"),
                         Idempotency::kIdempotent);
      std::string msg = "bulk query job ";
      msg += job_id;
      msg += " not complete after ";
      msg += std::to_string(waited.count() / 1000);
      msg += "s (state ";
      msg += state;
      msg += "); aborted";
      return {StatusCode::kDeadlineExceeded, std::move(msg)};
    }
    if (!state.empty()) {  // an empty state (create answered without one) polls right away
      conn.sleeper()(delay);
      waited += delay;
      auto next = std::chrono::duration<double, std::milli>(delay) * opts.bulk_poll_multiplier;
      delay =
          std::min(opts.bulk_poll_max, std::chrono::duration_cast<std::chrono::milliseconds>(next));
    }
    auto polled =
        conn.Execute(JsonRequest(http::Method::kGet, job_url, ""), Idempotency::kIdempotent);
    if (!polled.ok()) return polled.status();
    job = json::parse(polled->body, nullptr, false);
    if (job.is_discarded() || !job.is_object() || StringAt(job, "state").empty()) {
      return MalformedBody("GET " + job_url, "no job state in the response", polled->status);
    }
    state = StringAt(job, "state");
    if (log) log->debug("bulk job {} state {}", job_id, state);
  }

  // 3. Fetch the results page by page.
  std::string locator;
  int page_number = 0;
  std::vector<std::string> fields;
  for (;;) {
    std::string url = job_url + "/results?maxRecords=" + std::to_string(opts.bulk_max_records);
    if (!locator.empty()) url += "&locator=" + http::UrlEncode(locator);
    http::HttpRequest request;
    request.method = http::Method::kGet;
    request.url = url;
    request.headers.Set("Accept", "text/csv");
    auto response = conn.Execute(std::move(request), Idempotency::kIdempotent);
    if (!response.ok()) return response.status();
    BulkPage page;
    page.job_id = job_id;
    page.page_number = ++page_number;
    CsvReader reader(response->body);
    bool first = true;
    while (reader.Next(fields)) {
      if (first) {
        page.header = fields;
        first = false;
      } else {
        page.rows.push_back(fields);
      }
    }
    if (!reader.status().ok()) {
      return MalformedBody(EndpointName(http::Method::kGet, url), reader.status().message(),
                           response->status);
    }
    if (auto s = on_page(page); !s.ok()) return s;
    auto next = response->headers.Get("Sforce-Locator");
    if (!next || next->empty() || *next == "null") return OkStatus();
    if (*next == locator) {
      return MalformedBody(EndpointName(http::Method::kGet, url),
                           "Sforce-Locator repeats the current locator", response->status);
    }
    locator = *next;
  }
}

StatusOr<ExportPath> Client::Export(ExportRequest const& request, RowCallback const& on_row) const {
  std::optional<std::int64_t> rows = request.estimated_rows;
  if (!rows && !request.count_soql.empty()) {
    auto counted = Count(request.count_soql);
    if (!counted.ok()) return counted.status();
    rows = *counted;
  }
  bool const bulk = rows && *rows > state_->options.bulk_threshold_rows;
  if (bulk) {
    auto s = BulkQuery(
        request.soql,
        [&](BulkPage const& page) {
          for (auto const& row : page.rows) {
            if (auto st = on_row(RowToRecord(page.header, row)); !st.ok()) return st;
          }
          return OkStatus();
        },
        request.include_deleted);
    if (!s.ok()) return s;
    return ExportPath::kBulk;
  }
  auto per_page = [&](QueryPage const& page) {
    for (auto const raw : page.records) {
      auto flat = FlattenRecord(raw);
      if (!flat.ok()) return flat.status();
      if (auto st = on_row(*flat); !st.ok()) return st;
    }
    return OkStatus();
  };
  auto s =
      request.include_deleted ? QueryAll(request.soql, per_page) : Query(request.soql, per_page);
  if (!s.ok()) return s;
  return ExportPath::kRest;
}

StatusOr<Identity> Client::GetIdentity() const {
  // The token is needed first (for its identity URL); a transient token-endpoint failure is
  // retried like any idempotent call.
  auto const& retry = state_->options.connection.retry;
  auto token =
      RetryLoop(RetryPolicy(retry), BackoffPolicy(retry, state_->options.connection.jitter_seed),
                Idempotency::kIdempotent, state_->connection.sleeper(),
                [&] { return state_->tokens->Get(); });
  if (!token.ok()) return token.status();
  if (token->identity_url.empty()) {
    return FailedPreconditionError("the token response carried no identity URL (`id`)");
  }
  auto response = state_->connection.Execute(
      JsonRequest(http::Method::kGet, token->identity_url, ""), Idempotency::kIdempotent);
  if (!response.ok()) return response.status();
  auto doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return MalformedBody(EndpointName(http::Method::kGet, token->identity_url),
                         "identity response is not a JSON object", response->status);
  }
  Identity id;
  id.organization_id = StringAt(doc, "organization_id");
  id.user_id = StringAt(doc, "user_id");
  id.username = StringAt(doc, "username");
  id.display_name = StringAt(doc, "display_name");
  auto current = state_->tokens->Current();
  id.instance_url = current ? current->instance_url : token->instance_url;
  if (id.organization_id.empty() || id.username.empty()) {
    return MalformedBody(EndpointName(http::Method::kGet, token->identity_url),
                         "identity response lacks organization_id or username", response->status);
  }
  return id;
}

namespace {

// GET `url` (retried) and parse its body with `parse` (body -> StatusOr<T>); a parse error is
// a malformed body of that endpoint.
template <typename Parse>
auto GetParsed(Connection const& connection, std::string const& url, Parse parse)
    -> decltype(parse(std::string_view())) {
  auto response =
      connection.Execute(JsonRequest(http::Method::kGet, url, ""), Idempotency::kIdempotent);
  if (!response.ok()) return response.status();
  auto parsed = parse(response->body);
  if (!parsed.ok()) {
    return MalformedBody(EndpointName(http::Method::kGet, url), parsed.status().message(),
                         response->status);
  }
  return parsed;
}

}  // namespace

StatusOr<SObjectDescribe> Client::Describe(std::string const& sobject) const {
  if (auto s = ValidateName(sobject, "object"); !s.ok()) return s;
  return GetParsed(state_->connection,
                   state_->connection.DataPath("/sobjects/" + sobject + "/describe"),
                   ParseSObjectDescribe);
}

StatusOr<std::map<std::string, OrgLimit>> Client::Limits() const {
  return GetParsed(state_->connection, state_->connection.DataPath("/limits"), ParseLimits);
}

// --- Writes --------------------------------------------------------------------------------------

WriteResult Client::WriteCollection(http::Method method, std::string const& resource,
                                    std::vector<SObject> const& records,
                                    std::string const& default_type,
                                    Idempotency idempotency) const {
  WriteResult result;
  result.records.resize(records.size());
  // Validate and serialise everything before the first call: a bad record must not leave a
  // half-written batch behind.
  std::vector<json> bodies;
  bodies.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto const& r = records[i];
    std::string const type = r.type.empty() ? default_type : r.type;
    if (auto s = ValidateName(type, "sObject type"); !s.ok()) {
      result.status = InvalidArgumentError("record " + std::to_string(i) + ": " + s.message());
      return result;
    }
    if (!default_type.empty() && type != default_type) {
      std::string msg = "record " + std::to_string(i);
      msg += " is a ";
      msg += type;
      msg += ", the upsert is for ";
      msg += default_type;
      result.status = InvalidArgumentError(std::move(msg));
      return result;
    }
    json object = json::object();
    object["attributes"] = {{"type", type}};
    if (auto s = AddFields(object, r.fields); !s.ok()) {
      result.status = InvalidArgumentError("record " + std::to_string(i) + ": " + s.message());
      return result;
    }
    bodies.push_back(std::move(object));
  }
  auto const& conn = state_->connection;
  std::string const url = conn.DataPath(resource);
  std::string const endpoint = EndpointName(method, url);
  for (std::size_t start = 0; start < records.size(); start += kCollectionLimit) {
    std::size_t const end = std::min(records.size(), start + kCollectionLimit);
    json body = {{"allOrNone", false}, {"records", json::array()}};
    bool owner_change = false;
    for (std::size_t i = start; i < end; ++i) {
      body["records"].push_back(std::move(bodies[i]));
      owner_change = owner_change || HasField(records[i].fields, "OwnerId");
    }
    auto request = JsonRequest(method, url, body.dump());
    if (owner_change) request.headers.Set("Sforce-Auto-Assign", "FALSE");
    auto response = conn.Execute(std::move(request), idempotency);
    if (!response.ok()) {
      auto const& st = response.status();
      result.status = Status(st.code(),
                             st.message() + " (records " + std::to_string(start) + ".." +
                                 std::to_string(records.size() - 1) + " not written; " +
                                 std::to_string(start) + " done before)",
                             st.info());
      return result;
    }
    auto results = json::parse(response->body, nullptr, false);
    if (results.is_discarded() || !results.is_array() || results.size() != end - start) {
      result.status = MalformedBody(
          endpoint, "expected an array of " + std::to_string(end - start) + " per-record results",
          response->status);
      return result;
    }
    // Results come back in request order: position i of this call is record start + i.
    for (std::size_t i = 0; i < results.size(); ++i) {
      result.records[start + i] = ParseRecordResult(results[i]);
    }
    ++result.calls;
  }
  return result;
}

WriteResult Client::Create(std::vector<SObject> const& records) const {
  return WriteCollection(http::Method::kPost, "/composite/sobjects", records, "",
                         Idempotency::kNonIdempotent);
}

WriteResult Client::Update(std::vector<SObject> const& records) const {
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto const* id = FindValue(records[i].fields, "Id");
    auto const* text = id != nullptr ? std::get_if<std::string>(id) : nullptr;
    if (text == nullptr || !ValidateId(*text, "Id").ok()) {
      WriteResult r;
      r.records.resize(records.size());
      r.status = InvalidArgumentError("record " + std::to_string(i) +
                                      ": an update needs a valid Id field");
      return r;
    }
  }
  return WriteCollection(http::Method::kPatch, "/composite/sobjects", records, "",
                         Idempotency::kIdempotent);
}

WriteResult Client::Upsert(std::string const& sobject, std::string const& external_id_field,
                           std::vector<SObject> const& records) const {
  WriteResult invalid;
  invalid.records.resize(records.size());
  if (auto s = ValidateName(sobject, "sObject type"); !s.ok()) {
    invalid.status = s;
    return invalid;
  }
  if (auto s = ValidateName(external_id_field, "external id field"); !s.ok()) {
    invalid.status = s;
    return invalid;
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto const* v = FindValue(records[i].fields, external_id_field);
    if (v == nullptr || std::holds_alternative<std::nullptr_t>(*v)) {
      invalid.status = InvalidArgumentError("record " + std::to_string(i) + " has no " +
                                            external_id_field + " value to upsert on");
      return invalid;
    }
  }
  return WriteCollection(http::Method::kPatch,
                         "/composite/sobjects/" + sobject + "/" + external_id_field, records,
                         sobject, Idempotency::kIdempotent);
}

StatusOr<std::vector<CompositeSubresponse>> Client::Composite(
    std::vector<CompositeSubrequest> const& subrequests, bool all_or_none,
    Idempotency idempotency) const {
  if (subrequests.empty() || subrequests.size() > kCompositeLimit) {
    return InvalidArgumentError("a Composite request takes 1 to 25 subrequests, got " +
                                std::to_string(subrequests.size()));
  }
  json list = json::array();
  bool owner_change = false;
  for (auto const& sub : subrequests) {
    if (auto s = ValidateName(sub.reference_id, "referenceId"); !s.ok()) return s;
    if (sub.url.rfind("/services/data/", 0) != 0) {
      return InvalidArgumentError("composite subrequest " + sub.reference_id +
                                  ": url must start with /services/data/");
    }
    json item = {{"method", std::string(http::MethodName(sub.method))},
                 {"url", sub.url},
                 {"referenceId", sub.reference_id}};
    if (!sub.body_json.empty()) {
      auto body = json::parse(sub.body_json, nullptr, false);
      if (body.is_discarded()) {
        return InvalidArgumentError("composite subrequest " + sub.reference_id +
                                    ": body is not JSON");
      }
      if (body.is_object() && (body.contains("OwnerId") || body.contains("ownerId"))) {
        owner_change = true;
        if (!sub.headers.Get("Sforce-Auto-Assign")) {
          item["httpHeaders"]["Sforce-Auto-Assign"] = "FALSE";
        }
      }
      item["body"] = std::move(body);
    }
    for (auto const& [name, value] : sub.headers) item["httpHeaders"][name] = value;
    list.push_back(std::move(item));
  }
  json body = {{"allOrNone", all_or_none}, {"compositeRequest", std::move(list)}};
  auto const url = state_->connection.DataPath("/composite");
  auto request = JsonRequest(http::Method::kPost, url, body.dump());
  if (owner_change) request.headers.Set("Sforce-Auto-Assign", "FALSE");
  auto response = state_->connection.Execute(std::move(request), idempotency);
  if (!response.ok()) return response.status();
  auto doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("compositeResponse") ||
      !doc.at("compositeResponse").is_array()) {
    return MalformedBody("POST " + url, "no compositeResponse array", response->status);
  }
  std::vector<CompositeSubresponse> out;
  for (auto const& item : doc.at("compositeResponse")) {
    CompositeSubresponse r;
    r.reference_id = StringAt(item, "referenceId");
    if (item.is_object() && item.contains("httpStatusCode") &&
        item.at("httpStatusCode").is_number_integer()) {
      r.http_status = item.at("httpStatusCode").get<int>();
    }
    if (item.is_object() && item.contains("body")) r.body = item.at("body").dump();
    if (r.http_status < 200 || r.http_status >= 300) {
      http::HttpResponse sub;
      sub.status = r.http_status;
      sub.body = r.body;
      r.status = ErrorFromResponse(sub, "composite subrequest " + r.reference_id,
                                   state_->connection.Now());
    }
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::string> Client::CreateRecord(std::string const& sobject, Fields const& fields) const {
  if (auto s = ValidateName(sobject, "sObject type"); !s.ok()) return s;
  json body = json::object();
  if (auto s = AddFields(body, fields); !s.ok()) return s;
  auto const url = state_->connection.DataPath("/sobjects/" + sobject);
  auto request = JsonRequest(http::Method::kPost, url, body.dump());
  if (HasField(fields, "OwnerId")) request.headers.Set("Sforce-Auto-Assign", "FALSE");
  auto response = state_->connection.Execute(std::move(request), Idempotency::kNonIdempotent);
  if (!response.ok()) return response.status();
  auto doc = json::parse(response->body, nullptr, false);
  auto id = StringAt(doc, "id");
  if (id.empty()) return MalformedBody("POST " + url, "no id in the response", response->status);
  return id;
}

Status Client::UpdateRecord(std::string const& sobject, std::string const& id,
                            Fields const& fields) const {
  if (auto s = ValidateName(sobject, "sObject type"); !s.ok()) return s;
  if (auto s = ValidateId(id, "record id"); !s.ok()) return s;
  json body = json::object();
  if (auto s = AddFields(body, fields); !s.ok()) return s;
  auto const url = state_->connection.DataPath("/sobjects/" + sobject + "/" + id);
  auto request = JsonRequest(http::Method::kPatch, url, body.dump());
  if (HasField(fields, "OwnerId")) request.headers.Set("Sforce-Auto-Assign", "FALSE");
  auto response = state_->connection.Execute(std::move(request), Idempotency::kIdempotent);
  return response.ok() ? OkStatus() : response.status();
}

StatusOr<UpsertOutcome> Client::UpsertRecord(std::string const& sobject,
                                             std::string const& external_id_field,
                                             std::string const& external_id,
                                             Fields const& fields) const {
  if (auto s = ValidateName(sobject, "sObject type"); !s.ok()) return s;
  if (auto s = ValidateName(external_id_field, "external id field"); !s.ok()) return s;
  if (external_id.empty()) return InvalidArgumentError("empty external id value");
  json body = json::object();
  if (auto s = AddFields(body, fields); !s.ok()) return s;
  auto const url = state_->connection.DataPath("/sobjects/" + sobject + "/" + external_id_field +
                                               "/" + http::UrlEncode(external_id));
  auto request = JsonRequest(http::Method::kPatch, url, body.dump());
  if (HasField(fields, "OwnerId")) request.headers.Set("Sforce-Auto-Assign", "FALSE");
  auto response = state_->connection.Execute(std::move(request), Idempotency::kIdempotent);
  if (!response.ok()) return response.status();
  UpsertOutcome out;
  out.created = response->status == 201;
  if (response->status == 204) return out;  // <= v45: updated, no body
  auto doc = json::parse(response->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return MalformedBody(EndpointName(http::Method::kPatch, url), "expected an upsert result",
                         response->status);
  }
  out.id = StringAt(doc, "id");
  if (doc.contains("created") && doc.at("created").is_boolean()) {
    out.created = doc.at("created").get<bool>();
  }
  return out;
}

// --- Usage ---------------------------------------------------------------------------------------

CallCounts Client::calls() const { return state_->usage->counts(); }
std::optional<LimitInfo> Client::api_usage() const { return state_->usage->last_usage(); }
Status Client::CheckBudget() const { return state_->usage->CheckBudget(); }
auth::TokenCache& Client::tokens() const { return *state_->tokens; }

}  // namespace casebridge::salesforce
