#include "connector/forge/client.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "auth/authorizing_transport.h"
#include "auth/forge_login.h"
#include "auth/token_cache.h"
#include "connector/forge/connection.h"
#include "connector/forge/errors.h"
#include "connector/forge/record_codec.h"

namespace casebridge::forge {
namespace {

using forge_internal::Json;
using forge_internal::Member;
using Params = std::vector<std::pair<std::string, std::string>>;

std::string WithQuery(std::string path, Params const& params) {
  char sep = '?';
  for (auto const& [name, value] : params) {
    path += sep;
    path += http::UrlEncode(name);
    path += '=';
    path += http::UrlEncode(value);
    sep = '&';
  }
  return path;
}

// Adds `name=value` when both are non-empty.
void AddParam(Params& params, std::string const& name, std::string const& value) {
  if (!name.empty() && !value.empty()) params.emplace_back(name, value);
}

void AddSince(Params& params, std::string const& name, std::optional<Instant> since) {
  if (since) AddParam(params, name, FormatInstant(*since));
}

// Follows `next_cursor` until the last page, calling `on_item` for every element of every
// page's items array. Each page is an idempotent (retried) GET.
Status Paginate(Connection const& connection, mappings::ForgePagingMapping const& paging,
                int page_size, std::string const& path, Params const& params,
                std::function<Status(Json const&)> const& on_item) {
  std::string cursor;
  std::set<std::string> seen_cursors;
  for (;;) {
    Params page_params = params;
    page_params.emplace_back(paging.limit_param, std::to_string(page_size));
    if (!cursor.empty()) page_params.emplace_back(paging.cursor_param, cursor);
    http::HttpRequest request;
    request.method = http::Method::kGet;
    request.url = WithQuery(path, page_params);
    auto reply = connection.Execute(std::move(request), Idempotency::kIdempotent);
    if (!reply.ok()) return reply.status();
    std::string const endpoint = "GET " + path;
    ErrorInfo info;
    info.http_status = reply->status;
    Json const* items = Member(reply->body, paging.items_field);
    if (items == nullptr || !items->is_array()) {
      info.field = paging.items_field;
      return InternalError(endpoint + ": malformed page: no array `" + paging.items_field +
                               "` (check forge.json paging.items_field)",
                           info);
    }
    for (auto const& item : *items) {
      if (auto s = on_item(item); !s.ok()) return s;
    }
    Json const* next = Member(reply->body, paging.next_cursor_field);
    if (next == nullptr || next->is_null() ||
        (next->is_string() && next->get<std::string>().empty())) {
      return OkStatus();
    }
    if (!next->is_string()) {
      info.field = paging.next_cursor_field;
      return InternalError(endpoint + ": malformed page: `" + paging.next_cursor_field +
                               "` is neither a string nor null",
                           info);
    }
    cursor = next->get<std::string>();
    if (!seen_cursors.insert(cursor).second) {
      info.field = paging.next_cursor_field;
      return InternalError(endpoint +
                               ": the server returned a cursor it had already returned "
                               "(paging would never end)",
                           info);
    }
  }
}

template <typename T, typename Parse>
std::function<Status(Json const&)> RecordSink(Parse parse, RecordCallback<T> const& on_record,
                                              BadRecordCallback const& on_bad) {
  return [parse, &on_record, &on_bad](Json const& item) -> Status {
    StatusOr<T> record = parse(item);
    if (!record.ok()) {
      if (!on_bad) return record.status();
      on_bad(record.status());
      return OkStatus();
    }
    return on_record(*record);
  };
}

// One create: where it goes, its idempotency key, and which field of the answer identifies
// the record and (optionally) names what it refers to.
struct CreateCall {
  std::string const& path;
  std::string const& key_header;
  std::string const& key;
  bool send_key = false;
  std::string const& id_field;
  std::string_view what;
  /// The field naming what the record refers to (a mirror's source record, a service ticket's
  /// case) and the value sent: a replayed key must answer with a record referring to it too.
  std::string ref_field;
  std::string ref;
};

// A replayed key answered with a record that refers to something else: the key was reused for
// another record (e.g. a ledger restored from a backup), so the row is not the answer's.
Status CheckReplayedRef(CreateCall const& call, Json const& body, std::string const& id) {
  if (call.ref_field.empty() || call.ref.empty()) return OkStatus();
  Json const* ref = Member(body, call.ref_field);
  if (ref == nullptr || !ref->is_string() || ref->get<std::string>() == call.ref) {
    return OkStatus();
  }
  ErrorInfo info;
  info.field = call.ref_field;
  return FailedPreconditionError(std::string(call.what) + ": Forge answered the repeated key '" +
                                     call.key + "' with record " + id + ", whose `" +
                                     call.ref_field + "` is '" + ref->get<std::string>() +
                                     "', not '" + call.ref + "'; not recorded as written",
                                 info);
}

StatusOr<WriteOutcome> CreateRecord(Connection const& connection, CreateCall const& call,
                                    Json const& body) {
  http::HttpRequest request;
  request.method = http::Method::kPost;
  request.url = call.path;
  request.body = body.dump();
  if (call.send_key) request.headers.Set(call.key_header, call.key);
  auto reply = connection.Execute(
      std::move(request), call.send_key ? Idempotency::kIdempotent : Idempotency::kNonIdempotent);
  if (!reply.ok()) return reply.status();
  Json const* id = Member(reply->body, call.id_field);
  if (id == nullptr || !(id->is_string() || id->is_number_integer()) ||
      (id->is_string() && id->get<std::string>().empty())) {
    ErrorInfo info;
    info.http_status = reply->status;
    info.field = call.id_field;
    return InternalError(std::string(call.what) + ": POST " + call.path + " answered HTTP " +
                             std::to_string(reply->status) + " without a record id in `" +
                             call.id_field + "`",
                         info);
  }
  WriteOutcome out;
  out.id = id->is_string() ? id->get<std::string>() : id->dump();
  // With a key, 200 is Forge's "already created with this key" answer; 201 a new record.
  out.created = !(call.send_key && reply->status == 200);
  if (!out.created) {
    if (auto s = CheckReplayedRef(call, reply->body, out.id); !s.ok()) return s;
  }
  return out;
}

}  // namespace

StatusOr<Client> Client::Create(mappings::ForgeConfig const& config, mappings::ForgeMapping mapping,
                                std::shared_ptr<http::HttpTransport> wire, ClientOptions options,
                                Sleeper sleeper, std::shared_ptr<Clock const> clock) {
  if (!wire) return InvalidArgumentError("forge client: no transport");
  if (!clock) return InvalidArgumentError("forge client: no clock");
  auto counter = std::make_shared<CallCounter>();
  auto metered =
      std::make_shared<MeteringTransport>(std::move(wire), counter, mapping.auth.login_path);
  auth::ForgeLoginOptions login;
  login.base_url = config.base_url;
  login.email = config.email;
  login.password = config.password;
  login.login_path = mapping.auth.login_path;
  login.email_field = mapping.auth.email_field;
  login.password_field = mapping.auth.password_field;
  login.token_field = mapping.auth.token_field;
  login.timeout = options.connection.request_timeout;
  auto source = auth::MakeForgeLoginTokenSource(metered, std::move(login), clock);
  if (!source.ok()) return source.status();

  Client client;
  client.tokens_ = std::make_shared<auth::TokenCache>(*source);
  auto authorized = std::make_shared<auth::AuthorizingTransport>(metered, client.tokens_);
  client.connection_ = std::make_shared<Connection>(authorized, options.connection,
                                                    std::move(sleeper), std::move(clock));
  client.counter_ = std::move(counter);
  client.page_size_ = options.page_size > 0 ? options.page_size : mapping.paging.page_size;
  client.base_url_ = config.base_url;
  while (!client.base_url_.empty() && client.base_url_.back() == '/') client.base_url_.pop_back();
  client.mapping_ = std::make_shared<mappings::ForgeMapping const>(std::move(mapping));
  return client;
}

Status Client::Login() const {
  auto token = tokens_->Get();
  return token.ok() ? OkStatus() : token.status();
}

StatusOr<User> Client::CurrentUser() const {
  auto const& auth = mapping_->auth;
  if (auth.me_path.empty()) {
    return FailedPreconditionError("forge.json maps no auth.me_path (who-am-I endpoint)");
  }
  http::HttpRequest request;
  request.url = auth.me_path;
  auto reply = connection_->Execute(std::move(request), Idempotency::kIdempotent);
  if (!reply.ok()) return reply.status();
  return forge_internal::ParseUser(reply->body, auth);
}

Status Client::ListTickets(TicketQuery const& query, RecordCallback<Ticket> const& on_ticket,
                           BadRecordCallback const& on_bad) const {
  auto const& m = mapping_->tickets;
  Params params;
  AddSince(params, m.updated_since_param, query.updated_since);
  AddParam(params, m.customer_param, query.customer_id);
  auto parse = [&m](Json const& j) { return forge_internal::ParseTicket(j, m); };
  return Paginate(*connection_, mapping_->paging, page_size_, m.path, params,
                  RecordSink<Ticket>(parse, on_ticket, on_bad));
}

StatusOr<Ticket> Client::GetTicket(std::string const& id) const {
  auto const& m = mapping_->tickets;
  if (id.empty()) return InvalidArgumentError("forge: GetTicket needs a ticket id");
  std::string path = m.item_path;
  path.replace(path.find("{id}"), 4, http::UrlEncode(id));
  http::HttpRequest request;
  request.url = std::move(path);
  auto reply = connection_->Execute(std::move(request), Idempotency::kIdempotent);
  if (!reply.ok()) return reply.status();
  return forge_internal::ParseTicket(reply->body, m);
}

Status Client::ListInteractions(InteractionQuery const& query,
                                RecordCallback<Interaction> const& on_interaction,
                                BadRecordCallback const& on_bad) const {
  auto const& m = mapping_->interactions;
  Params params;
  AddSince(params, m.updated_since_param, query.updated_since);
  AddParam(params, m.ticket_param, query.ticket_id);
  AddParam(params, m.customer_param, query.customer_id);
  auto parse = [&m](Json const& j) { return forge_internal::ParseInteraction(j, m); };
  return Paginate(*connection_, mapping_->paging, page_size_, m.path, params,
                  RecordSink<Interaction>(parse, on_interaction, on_bad));
}

Status Client::ListServiceTickets(ServiceTicketQuery const& query,
                                  RecordCallback<ServiceTicket> const& on_ticket,
                                  BadRecordCallback const& on_bad) const {
  auto const& m = mapping_->service_tickets;
  Params params;
  AddSince(params, m.updated_since_param, query.updated_since);
  AddParam(params, m.ticket_param, query.ticket_id);
  AddParam(params, m.case_param, query.salesforce_case_id);
  auto parse = [&m](Json const& j) { return forge_internal::ParseServiceTicket(j, m); };
  return Paginate(*connection_, mapping_->paging, page_size_, m.path, params,
                  RecordSink<ServiceTicket>(parse, on_ticket, on_bad));
}

Status Client::ListTasks(TaskQuery const& query, RecordCallback<Task> const& on_task,
                         BadRecordCallback const& on_bad) const {
  auto const& m = mapping_->tasks;
  Params params;
  AddParam(params, m.assigned_to_param, query.assigned_to);
  switch (query.status) {
    case TaskStatus::kAny:
      break;
    case TaskStatus::kOpen:
      AddParam(params, m.status_param, m.status_open);
      break;
    case TaskStatus::kInProgress:
      AddParam(params, m.status_param, m.status_in_progress);
      break;
  }
  auto parse = [&m](Json const& j) { return forge_internal::ParseTask(j, m); };
  return Paginate(*connection_, mapping_->paging, page_size_, m.path, params,
                  RecordSink<Task>(parse, on_task, on_bad));
}

StatusOr<WriteOutcome> Client::CreateDocument(DocumentRequest const& request) const {
  auto const& m = mapping_->interactions;
  auto body = forge_internal::DocumentBody(request, m);
  if (!body.ok()) return body.status();
  return CreateRecord(
      *connection_,
      {m.path, mapping_->idempotency_header, request.idempotency_key, m.idempotency_key,
       m.fields.id, "forge_document", m.fields.source_ref, request.source_ref},
      *body);
}

StatusOr<WriteOutcome> Client::CreateServiceTicket(ServiceTicketRequest const& request) const {
  auto const& m = mapping_->service_tickets;
  auto body = forge_internal::ServiceTicketBody(request, m);
  if (!body.ok()) return body.status();
  return CreateRecord(*connection_,
                      {m.path, mapping_->idempotency_header, request.idempotency_key,
                       m.idempotency_key, m.fields.id, "forge_service_ticket",
                       m.fields.salesforce_case_id, request.salesforce_case_id},
                      *body);
}

StatusOr<WriteOutcome> Client::CreateTask(TaskRequest const& request) const {
  auto const& m = mapping_->tasks;
  auto body = forge_internal::TaskBody(request, m);
  if (!body.ok()) return body.status();
  return CreateRecord(*connection_,
                      {m.path, mapping_->idempotency_header, request.idempotency_key,
                       m.idempotency_key, m.fields.id, "forge task", "", ""},
                      *body);
}

CallCounts Client::calls() const { return counter_->counts(); }

int Client::logins() const { return tokens_->fetch_count(); }

}  // namespace casebridge::forge
