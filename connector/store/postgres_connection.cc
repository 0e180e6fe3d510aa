#include "connector/store/postgres_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <string>
#include <utility>

#include "connector/common/redact.h"

namespace casebridge::store::store_internal {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

/// SQLSTATE -> StatusCode (https://www.postgresql.org/docs/current/errcodes-appendix.html).
StatusCode MapSqlState(std::string_view state) {
  if (state.size() != 5) return StatusCode::kInternal;
  std::string_view const cls = state.substr(0, 2);
  if (state == "23505") return StatusCode::kAlreadyExists;
  if (cls == "23") return StatusCode::kFailedPrecondition;  // integrity constraint violation
  if (cls == "08" || cls == "53" || cls == "57" || state == "40001" || state == "40P01" ||
      state == "55P03" || state == "55006") {
    return StatusCode::kUnavailable;  // connection, resources, shutdown, serialization, locks
  }
  if (state == "25P02") return StatusCode::kFailedPrecondition;  // in failed transaction
  if (cls == "22") return StatusCode::kInvalidArgument;          // data exception
  return StatusCode::kInternal;
}

class PostgresRow final : public SqlRow {
 public:
  PostgresRow(PGresult const* result, int row) : result_(result), row_(row) {}
  [[nodiscard]] bool IsNull(int col) const override { return PQgetisnull(result_, row_, col) != 0; }
  [[nodiscard]] std::int64_t Int(int col) const override {
    std::string_view const text = Text(col);
    std::int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
  }
  [[nodiscard]] std::string_view Text(int col) const override {
    return {PQgetvalue(result_, row_, col),
            static_cast<std::size_t>(PQgetlength(result_, row_, col))};
  }

 private:
  PGresult const* result_;
  int row_;
};

void IgnoreNotice(void* /*arg*/, char const* /*message*/) {}

/// Replaces each secret by "***" (RedactSecret) and trims trailing newlines.
std::string ScrubSecrets(std::string m, std::vector<std::string> const& secrets) {
  for (auto const& s : secrets) m = RedactSecret(std::move(m), s, "***");
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
    } else {
      out += c;
    }
  }
  return out;
}

StatusOr<std::unique_ptr<PostgresConnection>> PostgresConnection::Connect(
    std::string const& url, std::string const& redacted_url, std::vector<std::string> secrets) {
  auto scrub = [&secrets](std::string m) { return ScrubSecrets(std::move(m), secrets); };
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    return InvalidArgumentError("invalid PostgreSQL URL '" + redacted_url + "': " + scrub(why));
  }
  PQconninfoFree(parsed);

  // Defaults first: values from the URL (expanded at "dbname") override them.
  char const* const keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  char const* const values[] = {"10", "casebridge", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return UnavailableError("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = scrub(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("cannot connect to PostgreSQL at '" + redacted_url + "': " + why);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::unique_ptr<PostgresConnection> result(new PostgresConnection(conn, std::move(secrets)));
  if (PQserverVersion(conn) < 120000) {
    return FailedPreconditionError("PostgreSQL at '" + redacted_url +
                                   "' is older than version 12, which casebridge requires");
  }
  // Statements are prepared once per session, but the tables they touch grow by orders of
  // magnitude inside one run (a backfill's transaction): a generic plan chosen while a table was
  // small (sequential scans) would stay cached. Plan each execution with its actual values.
  if (Status s = result->ExecScript("SET plan_cache_mode = force_custom_plan"); !s.ok()) {
    return s;
  }
  return result;
}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

std::string PostgresConnection::Scrub(std::string m) const {
  return ScrubSecrets(std::move(m), secrets_);
}

Status PostgresConnection::ConnectionError(std::string_view what) const {
  std::string message = std::string(what) + ": " + Scrub(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    return UnavailableError("lost the connection to PostgreSQL: " + message);
  }
  return InternalError(std::move(message));
}

namespace {
Status ResultError(PGresult const* r, PGconn* conn, std::string const& scrubbed_message) {
  char const* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  ErrorInfo info;
  if (state != nullptr) info.vendor_code = state;
  if (PQstatus(conn) == CONNECTION_BAD) {
    return UnavailableError("lost the connection to PostgreSQL: " + scrubbed_message,
                            std::move(info));
  }
  StatusCode const code = MapSqlState(state != nullptr ? state : "");
  return Status(code, "PostgreSQL: " + scrubbed_message, std::move(info));
}

std::string PrimaryMessage(PGresult const* r) {
  char const* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  if (primary != nullptr) return primary;
  return PQresultErrorMessage(r);
}
}  // namespace

Status PostgresConnection::ExecScript(std::string const& sql) {
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (!r) return ConnectionError("PostgreSQL");
  auto const st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return OkStatus();
  return ResultError(r.get(), conn_, Scrub(PrimaryMessage(r.get())));
}

void PostgresConnection::CancelRunningQuery() {
  PGcancel* cancel = PQgetCancel(conn_);
  if (cancel == nullptr) return;
  char buffer[256];
  PQcancel(cancel, buffer, sizeof buffer);
  PQfreeCancel(cancel);
}

StatusOr<std::int64_t> PostgresConnection::Execute(std::string const& sql,
                                                   std::span<SqlValue const> params,
                                                   RowCallback const& on_row, bool cache) {
  int count = 0;
  std::string const pg_sql = RewritePlaceholders(sql, count);
  if (count != static_cast<int>(params.size())) {
    return InternalError("PostgreSQL: statement expects " + std::to_string(count) +
                         " parameters, got " + std::to_string(params.size()));
  }
  // Text-format parameters must be NUL-terminated: copy them.
  std::vector<std::string> storage(params.size());
  std::vector<char const*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    SqlValue const& v = params[i];
    if (v.is_null()) continue;
    storage[i] = v.is_int() ? std::to_string(v.as_int()) : std::string(v.as_text());
    values[i] = storage[i].c_str();
  }
  int sent = 0;
  if (cache) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "cb" + std::to_string(prepared_.size() + 1);
      ResultPtr r(PQprepare(conn_, name.c_str(), pg_sql.c_str(), count, nullptr));
      if (!r) return ConnectionError("PostgreSQL prepare");
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        return ResultError(r.get(), conn_, Scrub(PrimaryMessage(r.get())));
      }
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    sent =
        PQsendQueryPrepared(conn_, it->second.c_str(), count, values.data(), nullptr, nullptr, 0);
  } else {
    sent = PQsendQueryParams(conn_, pg_sql.c_str(), count, nullptr, values.data(), nullptr, nullptr,
                             0);
  }
  if (sent == 0) return ConnectionError("PostgreSQL send");
  bool const single_row = on_row && PQsetSingleRowMode(conn_) == 1;

  Status first_error;
  std::int64_t affected = 0;
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr r(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_SINGLE_TUPLE:
      case PGRES_TUPLES_OK: {
        if (!first_error.ok() || !on_row) break;
        int const rows = PQntuples(raw);
        for (int i = 0; i < rows && first_error.ok(); ++i) {
          first_error = on_row(PostgresRow(raw, i));
        }
        if (!first_error.ok() && single_row) CancelRunningQuery();
        break;
      }
      case PGRES_COMMAND_OK: {
        char const* tuples = PQcmdTuples(raw);
        if (tuples != nullptr && *tuples != '\0') {
          std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), affected);
        }
        break;
      }
      default:
        // After a cancel requested by a failing callback, the "canceling statement" error is
        // expected: keep the callback's status.
        if (first_error.ok()) first_error = ResultError(raw, conn_, Scrub(PrimaryMessage(raw)));
        break;
    }
  }
  if (!first_error.ok()) return first_error;
  if (PQstatus(conn_) == CONNECTION_BAD) return ConnectionError("PostgreSQL");
  return affected;
}

}  // namespace casebridge::store::store_internal
