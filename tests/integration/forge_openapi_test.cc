// The Forge emulator against connector/forge/openapi.json (the JSON twin of openapi.yaml): every
// documented operation is exercised for every response status it declares, and every request
// and response is checked against the declared schemas — the client's own requests included.
// A response the document does not declare, or a body or header that does not match, fails.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connector/forge/client.h"
#include "connector/forge/reader.h"
#include "connector/http/cpprest_transport.h"
#include "connector/http/url.h"
#include "connector/sandbox/forge_emulator.h"
#include "mappings/forge_mapping.h"
#include "tests/support/fake_transport.h"

namespace casebridge::forge {
namespace {

using nlohmann::json;

json LoadDocument() {
  std::ifstream in(std::string(CASEBRIDGE_SOURCE_DIR) + "/connector/forge/openapi.json");
  std::stringstream buf;
  buf << in.rdbuf();
  json doc = json::parse(buf.str(), nullptr, false);
  EXPECT_FALSE(doc.is_discarded());
  return doc;
}

// Concatenates without temporaries (clang-tidy performance-inefficient-string-concatenation).
template <typename... Parts>
std::string Cat(Parts const&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

// A validator for the OpenAPI 3.0 schema subset the document uses: $ref, type, nullable, enum,
// required, properties (undeclared properties are errors: the document must describe every
// field), items, allOf, minimum/maximum, minLength/maxLength, format date-time.
class SchemaValidator {
 public:
  explicit SchemaValidator(json const& doc) : doc_(doc) {}

  json const& Resolve(json const& node) const {
    if (!node.is_object() || !node.contains("$ref")) return node;
    std::string const ref = node.at("$ref").get<std::string>();
    json const* cur = &doc_;
    std::size_t pos = 2;  // "#/"
    while (pos <= ref.size()) {
      auto slash = ref.find('/', pos);
      if (slash == std::string::npos) slash = ref.size();
      cur = &cur->at(ref.substr(pos, slash - pos));
      pos = slash + 1;
    }
    return Resolve(*cur);
  }

  void Validate(json const& value, json const& schema_node, std::string const& path,
                std::vector<std::string>& errors) const {
    json const& schema = Resolve(schema_node);
    bool const nullable = schema.value("nullable", false);
    if (value.is_null()) {
      if (!nullable) errors.push_back(path + ": null but not nullable");
      return;
    }
    if (schema.contains("allOf")) {
      for (auto const& part : schema.at("allOf")) Validate(value, part, path, errors);
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (auto const& e : schema.at("enum")) found = found || e == value;
      if (!found) errors.push_back(path + ": " + value.dump() + " not in enum");
    }
    if (!schema.contains("type")) return;
    std::string const type = schema.at("type");
    if (type == "object") {
      if (!value.is_object()) {
        errors.push_back(path + ": expected an object, got " + value.dump());
        return;
      }
      json const props = schema.value("properties", json::object());
      for (auto const& r : schema.value("required", json::array())) {
        if (!value.contains(r.get<std::string>())) {
          errors.push_back(path + ": missing required `" + r.get<std::string>() + "`");
        }
      }
      for (auto const& [k, v] : value.items()) {
        if (!props.contains(k)) {
          errors.push_back(Cat(path, ": undeclared property `", k, "`"));
          continue;
        }
        Validate(v, props.at(k), Cat(path, ".", k), errors);
      }
    } else if (type == "array") {
      if (!value.is_array()) {
        errors.push_back(path + ": expected an array");
        return;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        Validate(value.at(i), schema.at("items"), path + "[" + std::to_string(i) + "]", errors);
      }
    } else if (type == "string") {
      if (!value.is_string()) {
        errors.push_back(path + ": expected a string, got " + value.dump());
        return;
      }
      auto const s = value.get<std::string>();
      if (schema.contains("minLength") && s.size() < schema.at("minLength").get<std::size_t>()) {
        errors.push_back(path + ": shorter than minLength");
      }
      if (schema.contains("maxLength") && s.size() > schema.at("maxLength").get<std::size_t>()) {
        errors.push_back(path + ": longer than maxLength");
      }
      if (schema.value("format", "") == "date-time" && !ParseInstant(s)) {
        errors.push_back(path + ": not a date-time: " + s);
      }
    } else if (type == "integer") {
      if (!value.is_number_integer()) {
        errors.push_back(path + ": expected an integer, got " + value.dump());
        return;
      }
      auto const n = value.get<std::int64_t>();
      if (schema.contains("minimum") && n < schema.at("minimum").get<std::int64_t>()) {
        errors.push_back(path + ": below minimum");
      }
      if (schema.contains("maximum") && n > schema.at("maximum").get<std::int64_t>()) {
        errors.push_back(path + ": above maximum");
      }
    } else if (type == "boolean") {
      if (!value.is_boolean()) errors.push_back(path + ": expected a boolean");
    } else if (type == "number") {
      if (!value.is_number()) errors.push_back(path + ": expected a number");
    }
  }

 private:
  json const& doc_;
};

// Sits between a client (or a test) and the real transport; checks every exchange with a
// documented operation against the document and records which (operation, status) pairs it saw.
class ValidatingTransport final : public http::HttpTransport {
 public:
  ValidatingTransport(std::shared_ptr<http::HttpTransport> inner, json const& doc)
      : inner_(std::move(inner)), doc_(doc), validator_(doc) {}

  StatusOr<http::HttpResponse> Send(http::HttpRequest const& request) override {
    auto response = inner_->Send(request);
    std::lock_guard lock(mu_);
    auto const method = Lower(std::string(http::MethodName(request.method)));
    auto const path = http::PathOf(request.url);
    auto const op_path = MatchPath(path);
    std::string const name = method + " " + (op_path.empty() ? path : op_path);
    if (op_path.empty() || !doc_.at("paths").at(op_path).contains(method)) {
      errors_.push_back(name + ": not a documented operation");
      return response;
    }
    json const& op = doc_.at("paths").at(op_path).at(method);
    CheckRequest(name, op, request);
    if (!response.ok()) return response;  // dropped connections: nothing to validate
    CheckResponse(name, op, *response);
    return response;
  }

  [[nodiscard]] std::vector<std::string> errors() const {
    std::lock_guard lock(mu_);
    return errors_;
  }
  [[nodiscard]] std::map<std::string, std::set<std::string>> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  static std::vector<std::string> Split(std::string const& path) {
    std::vector<std::string> out;
    std::size_t pos = 1;
    while (pos <= path.size()) {
      auto slash = path.find('/', pos);
      if (slash == std::string::npos) slash = path.size();
      out.push_back(path.substr(pos, slash - pos));
      pos = slash + 1;
    }
    return out;
  }

  std::string MatchPath(std::string const& path) const {
    auto const parts = Split(path);
    for (auto const& [tmpl, ops] : doc_.at("paths").items()) {
      auto const t = Split(tmpl);
      if (t.size() != parts.size()) continue;
      bool match = true;
      for (std::size_t i = 0; i < t.size() && match; ++i) {
        bool const placeholder = !t[i].empty() && t[i].front() == '{';
        match = placeholder ? !parts[i].empty() : t[i] == parts[i];
      }
      if (match) return tmpl;
    }
    return {};
  }

  void CheckRequest(std::string const& name, json const& op, http::HttpRequest const& request) {
    if (!op.contains("requestBody") || request.body.empty()) return;
    auto const type = request.headers.Get("Content-Type");
    if (!type || type->rfind("application/json", 0) != 0) return;  // deliberately wrong type
    json const body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return;  // deliberately malformed (a 400 test)
    json const& schema =
        validator_.Resolve(op.at("requestBody")).at("content").at("application/json").at("schema");
    std::vector<std::string> errs;
    validator_.Validate(body, schema, "request", errs);
    for (auto const& e : errs) expected_request_errors_.insert(Cat(name, " ", e));
  }

  void CheckResponse(std::string const& name, json const& op, http::HttpResponse const& r) {
    std::string const status = std::to_string(r.status);
    json const& responses = op.at("responses");
    if (!responses.contains(status)) {
      errors_.push_back(name + ": undeclared status " + status + ": " + r.body.substr(0, 200));
      return;
    }
    seen_[name].insert(status);
    json const& declared = validator_.Resolve(responses.at(status));
    if (declared.contains("headers")) {
      for (auto const& [header, spec] : declared.at("headers").items()) {
        json const& h = validator_.Resolve(spec);
        auto value = r.headers.Get(header);
        if (!value) {
          if (h.value("required", false)) {
            errors_.push_back(Cat(name, " ", status, ": missing header ", header));
          }
          continue;
        }
        json v = *value;
        if (validator_.Resolve(h.at("schema")).value("type", "") == "integer") {
          json const n = json::parse(*value, nullptr, false);
          v = n.is_discarded() ? json(*value) : n;
        }
        std::vector<std::string> errs;
        validator_.Validate(v, h.at("schema"), Cat(name, " ", status, " header ", header), errs);
        errors_.insert(errors_.end(), errs.begin(), errs.end());
      }
    }
    if (!declared.contains("content")) return;
    auto const type = r.headers.Get("Content-Type");
    if (!type || type->rfind("application/json", 0) != 0) {
      errors_.push_back(name + " " + status + ": Content-Type is not application/json");
      return;
    }
    json const body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) {
      errors_.push_back(name + " " + status + ": body is not JSON");
      return;
    }
    std::vector<std::string> errs;
    validator_.Validate(body, declared.at("content").at("application/json").at("schema"),
                        name + " " + status, errs);
    errors_.insert(errors_.end(), errs.begin(), errs.end());
  }

 public:
  // Request-schema mismatches: tests that send bad bodies on purpose read these, and a client
  // request must never produce one.
  [[nodiscard]] std::set<std::string> request_errors() const {
    std::lock_guard lock(mu_);
    return expected_request_errors_;
  }
  void ClearRequestErrors() {
    std::lock_guard lock(mu_);
    expected_request_errors_.clear();
  }

 private:
  std::shared_ptr<http::HttpTransport> inner_;
  json const& doc_;
  SchemaValidator validator_;
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
  std::set<std::string> expected_request_errors_;
  std::map<std::string, std::set<std::string>> seen_;
};

class ForgeOpenApiConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.SeedFromJson(json::parse(sandbox::DefaultForgeSeed())).ok());
    ASSERT_TRUE(emulator_.Start().ok());
    base_ = emulator_.base_url();
  }

  http::HttpResponse Send(http::Method method, std::string const& path, std::string body = {},
                          std::string const& token = {}, http::Headers const& extra = {}) {
    http::HttpRequest r;
    r.method = method;
    r.url = base_ + path;
    r.body = std::move(body);
    r.timeout = std::chrono::seconds(10);
    if (!r.body.empty()) r.headers.Set("Content-Type", "application/json");
    r.headers.Set("Accept", "application/json");
    if (!token.empty()) r.headers.Set("Authorization", "Bearer " + token);
    for (auto const& [k, v] : extra) r.headers.Set(k, v);
    auto response = validating_->Send(r);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : http::HttpResponse{};
  }

  std::string Login() {
    auto r = Send(http::Method::kPost, "/api/auth/login",
                  R"({"email":"integration@forge.sandbox","password":"forge-sandbox-password"})");
    EXPECT_EQ(r.status, 200) << r.body;
    auto const body = json::parse(r.body, nullptr, false);
    return body.is_object() ? body.value("token", "") : "";
  }

  void Fault(sandbox::ForgeEndpoint endpoint, sandbox::ForgeFaultKind kind) {
    sandbox::ForgeFaultSpec f;
    f.endpoint = endpoint;
    f.kind = kind;
    emulator_.InjectFault(f);
  }

  json const doc_ = LoadDocument();
  sandbox::ForgeEmulator emulator_;
  std::string base_;
  std::shared_ptr<ValidatingTransport> validating_ = std::make_shared<ValidatingTransport>(
      std::make_shared<http::CpprestTransport>(http::CpprestTransportOptions{}), doc_);
};

TEST_F(ForgeOpenApiConformance, EveryDeclaredResponseOfEveryOperationMatchesTheDocument) {
  using M = http::Method;
  using E = sandbox::ForgeEndpoint;
  using F = sandbox::ForgeFaultKind;
  std::string const interaction =
      R"({"ticket_id":"TCK-000102","kind":"note","direction":"internal","party":"internal",
          "tags":["outreach"],"body":"conformance","occurred_at":"2026-03-04T12:00:00Z"})";
  std::string const service = R"({"customer_id":"C-1003","ticket_id":"TCK-000103",
                                  "summary":"Site visit","description":null})";
  std::string const task = R"({"title":"Call back","assigned_to":"u-dana","status":"todo",
                               "due_at":"2026-03-05T15:00:00Z","ticket_id":"TCK-000102"})";
  http::Headers const text_plain{{"Content-Type", "text/plain"}};

  // Login: 200, 400, 401, 429, 503.
  std::string const token = Login();
  ASSERT_FALSE(token.empty());
  Send(M::kPost, "/api/auth/login", R"({"email":"integration@forge.sandbox"})");
  Send(M::kPost, "/api/auth/login",
       R"({"email":"integration@forge.sandbox","password":"not-the-password"})");
  Fault(E::kLogin, F::kRateLimited);
  Send(M::kPost, "/api/auth/login", R"({"email":"a@b.c","password":"x"})");
  Fault(E::kLogin, F::kHttp503);
  Send(M::kPost, "/api/auth/login", R"({"email":"a@b.c","password":"x"})");

  // Reads: 200, 400 (lists), 401, 404 (getTicket), 429, 503.
  struct Read {
    std::string path;
    E endpoint;
    bool list;
  };
  for (auto const& read : std::vector<Read>{{"/api/v1/me", E::kMe, false},
                                            {"/api/v1/tickets", E::kTickets, true},
                                            {"/api/v1/tickets/TCK-000103", E::kTickets, false},
                                            {"/api/v1/interactions", E::kInteractions, true},
                                            {"/api/v1/service-tickets", E::kServiceTickets, true},
                                            {"/api/v1/tasks", E::kTasks, true}}) {
    EXPECT_EQ(Send(M::kGet, read.path, {}, token).status, 200) << read.path;
    if (read.list) {
      EXPECT_EQ(Send(M::kGet, read.path + "?limit=0", {}, token).status, 400);
    }
    EXPECT_EQ(Send(M::kGet, read.path).status, 401);
    Fault(read.endpoint, F::kRateLimited);
    EXPECT_EQ(Send(M::kGet, read.path, {}, token).status, 429);
    Fault(read.endpoint, F::kHttp503);
    EXPECT_EQ(Send(M::kGet, read.path, {}, token).status, 503);
  }
  EXPECT_EQ(Send(M::kGet, "/api/v1/tickets/TCK-404", {}, token).status, 404);
  // Lists with every filter, and a second page.
  Send(M::kGet, "/api/v1/tickets?updated_since=2026-03-01T00:00:00Z&customer_id=C-1002&status=open",
       {}, token);
  Send(M::kGet, "/api/v1/interactions?ticket_id=TCK-000104&customer_id=C-1004", {}, token);
  Send(M::kGet, "/api/v1/tasks?assigned_to=u-dana&status=in-progress", {}, token);
  auto page = Send(M::kGet, "/api/v1/interactions?limit=2", {}, token);
  auto const next = json::parse(page.body).at("next_cursor");
  ASSERT_TRUE(next.is_string());
  EXPECT_EQ(Send(M::kGet,
                 "/api/v1/interactions?limit=2&cursor=" + http::UrlEncode(next.get<std::string>()),
                 {}, token)
                .status,
            200);

  // Creates: 201, 200 (replayed key), 400, 401, 415, 422, 429, 503.
  struct Create {
    std::string path;
    std::string body;
    E endpoint;
    std::string invalid;  // a JSON body the document's schema rejects
  };
  for (auto const& c :
       std::vector<Create>{{"/api/v1/interactions", interaction, E::kInteractions,
                            R"({"kind":"fax","direction":"inbound","ticket_id":"TCK-000102",
                "occurred_at":"2026-03-04T12:00:00Z"})"},
                           {"/api/v1/service-tickets", service, E::kServiceTickets,
                            R"({"customer_id":"C-1003","summary":""})"},
                           {"/api/v1/tasks", task, E::kTasks, R"({"title":"x"})"}}) {
    http::Headers const key{{"Idempotency-Key", "conformance:" + c.path}};
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token, key).status, 201) << c.path;
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token, key).status, 200) << c.path;
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token).status, 201) << c.path;  // no key
    EXPECT_EQ(Send(M::kPost, c.path, "{\"broken", token).status, 400) << c.path;
    EXPECT_EQ(Send(M::kPost, c.path, c.body).status, 401) << c.path;
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token, text_plain).status, 415) << c.path;
    EXPECT_EQ(Send(M::kPost, c.path, c.invalid, token).status, 422) << c.path;
    Fault(c.endpoint, F::kRateLimited);
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token).status, 429) << c.path;
    Fault(c.endpoint, F::kHttp503);
    EXPECT_EQ(Send(M::kPost, c.path, c.body, token).status, 503) << c.path;
  }

  for (auto const& e : validating_->errors()) ADD_FAILURE() << e;
  // The bodies the schema rejects are exactly the deliberately invalid ones (the login 400 and
  // the 422 tests); the valid requests above passed the request schemas.
  EXPECT_EQ(validating_->request_errors().size(), 4U);
  for (auto const& e : validating_->request_errors()) {
    EXPECT_TRUE(e.find("missing required `password`") != std::string::npos ||
                e.find("\"fax\" not in enum") != std::string::npos ||
                e.find("shorter than minLength") != std::string::npos ||
                e.find("missing required `assigned_to`") != std::string::npos)
        << e;
  }

  // Every declared status of every operation was produced and validated.
  auto const seen = validating_->seen();
  for (auto const& [path, ops] : doc_.at("paths").items()) {
    for (auto const& [method, op] : ops.items()) {
      std::string const name = Cat(method, " ", path);
      for (auto const& [status, response] : op.at("responses").items()) {
        EXPECT_TRUE(seen.contains(name) && seen.at(name).contains(status))
            << name << " never answered " << status;
      }
    }
  }
}

TEST_F(ForgeOpenApiConformance, TheClientsRequestsAndTheEmulatorsAnswersFollowTheDocument) {
  ::setenv("CASEBRIDGE_IT_FORGE_CONFORMANCE_PW", "forge-sandbox-password", 1);
  mappings::ForgeConfig config;
  config.base_url = base_;
  config.email = "integration@forge.sandbox";
  config.password.env = "CASEBRIDGE_IT_FORGE_CONFORMANCE_PW";
  auto mapping = mappings::LoadForgeMappingOrError("");
  ASSERT_TRUE(mapping.ok());
  testing_util::RecordingSleeper sleeper;
  auto clock = std::make_shared<testing_util::SettableClock>(*ParseInstant("2026-03-07T12:00:00Z"));
  ClientOptions options;
  options.page_size = 2;
  auto client = Client::Create(config, *mapping, validating_, options, sleeper, clock);
  ASSERT_TRUE(client.ok()) << client.status();

  ASSERT_TRUE(client->CurrentUser().ok());
  auto changes = ReadChangedSince(*client, *ParseInstant("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(changes.ok()) << changes.status();
  emulator_.ExpireAllTokens();
  DocumentRequest d;
  d.idempotency_key = "500X:forge_document:1";
  d.kind = DocumentKind::kCall;
  d.direction = Direction::kOutbound;
  d.party = Party::kInstaller;
  d.outcome = "reached";
  d.occurred_at = *ParseInstant("2026-03-04T12:00:00Z");
  d.customer_id = "C-1002";
  d.tags = {"installer_contacted_homeowner"};
  ASSERT_TRUE(client->CreateDocument(d).ok());
  ServiceTicketRequest s;
  s.idempotency_key = "500X:forge_service_ticket:1";
  s.customer_id = "C-1003";
  s.summary = "Site visit";
  ASSERT_TRUE(client->CreateServiceTicket(s).ok());
  TaskRequest t;
  t.idempotency_key = "500X:tier_followup:1";
  t.title = "Follow up";
  t.assigned_to = "u-dana";
  t.status = TaskStatus::kInProgress;
  ASSERT_TRUE(client->CreateTask(t).ok());
  TaskQuery q;
  q.assigned_to = "u-dana";
  q.status = TaskStatus::kOpen;
  ASSERT_TRUE(client->ListTasks(q, [](Task const&) { return OkStatus(); }).ok());

  for (auto const& e : validating_->errors()) ADD_FAILURE() << e;
  for (auto const& e : validating_->request_errors()) ADD_FAILURE() << "client request: " << e;
  EXPECT_GE(client->calls().read, 10);
}

}  // namespace
}  // namespace casebridge::forge
