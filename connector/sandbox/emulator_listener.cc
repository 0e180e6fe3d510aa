// The cpprest http_listener behind both emulators.
#include "connector/sandbox/emulator_listener.h"

#include <cpprest/http_listener.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connector/common/listen.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

namespace http = web::http;
using Listener = http::experimental::listener::http_listener;

ApiRequest FromCpprest(http::http_request& request, bool& target_ok) {
  ApiRequest api;
  api.method = request.method();
  for (char& c : api.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (auto const& [name, value] : request.headers()) api.headers[Lower(name)] = value;
  std::vector<unsigned char> const bytes = request.extract_vector().get();
  api.body.assign(bytes.begin(), bytes.end());
  target_ok = SetTarget(api, request.request_uri().to_string());
  return api;
}

http::http_response ToCpprest(WireReply reply) {
  ApiResponse& response = reply.response;
  http::http_response out(static_cast<http::status_code>(response.status));
  for (auto const& [name, value] : response.headers) out.headers().add(name, value);
  std::string const type =
      response.content_type.empty() ? std::string("application/json") : response.content_type;
  if (reply.drop_connection) {
    // Headers promise the whole body, half of it is sent, then the listener closes the
    // connection because the body stream ended early: the client sees a truncated transfer.
    std::size_t const full = response.body.size() + 64;
    out.set_body(response.body.substr(0, response.body.size() / 2), type);
    out.headers().set_content_length(full);
  } else if (response.status != 204 && (!response.body.empty() || !response.content_type.empty())) {
    out.set_body(std::move(response.body), type);
  }
  return out;
}

}  // namespace

struct EmulatorListener::Impl {
  Handler handler;
  mutable std::mutex mu;  // listener, base_url, port
  std::unique_ptr<Listener> listener;
  std::string base_url;
  int port = 0;

  void OnRequest(http::http_request request) {
    WireReply reply;
    try {
      bool target_ok = false;
      ApiRequest const api = FromCpprest(request, target_ok);
      reply = handler(api, target_ok);
    } catch (std::exception const& e) {
      reply.response = AdminError(500, std::string("emulator: ") + e.what());
    }
    try {
      request.reply(ToCpprest(std::move(reply))).wait();
    } catch (std::exception const&) {
      // The client went away (or the dropped-connection fault closed it): nothing to do.
    }
  }
};

EmulatorListener::EmulatorListener(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
}

EmulatorListener::~EmulatorListener() { Stop(); }

Status EmulatorListener::Start(std::string const& host, int port, std::string_view name) {
  std::lock_guard lock(impl_->mu);
  if (impl_->listener) {
    return FailedPreconditionError("the " + std::string(name) + " is already running");
  }
  Impl* impl = impl_.get();
  auto opened = OpenListener<Listener>(host, port, [impl](Listener& listener) {
    listener.support([impl](http::http_request r) { impl->OnRequest(std::move(r)); });
  });
  if (!opened.ok()) return opened.status();
  impl_->listener = std::move(opened->listener);
  impl_->base_url = opened->base_url;
  impl_->port = opened->port;
  return OkStatus();
}

void EmulatorListener::Stop() {
  std::unique_ptr<Listener> listener;
  {
    std::lock_guard lock(impl_->mu);
    listener = std::move(impl_->listener);
  }
  CloseListener(std::move(listener));
}

bool EmulatorListener::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->listener != nullptr;
}

std::string EmulatorListener::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}

int EmulatorListener::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->port;
}

ApiResponse AdminReply(int status, nlohmann::ordered_json body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.json = std::move(body);
  r.Finish();
  return r;
}

ApiResponse AdminError(int status, std::string const& message) {
  return AdminReply(status, nlohmann::ordered_json{{"error", message}});
}

Status SeedFromFileWith(std::string const& path, std::string_view what,
                        std::function<Status(nlohmann::json const&)> const& seed) {
  ErrorInfo where;
  where.file = path;
  std::string const cannot = "cannot read " + std::string(what) + " " + path + ": ";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return NotFoundError(cannot + "Is a directory", where);
  errno = 0;
  std::ifstream in(path);
  if (!in) return NotFoundError(cannot + std::strerror(errno != 0 ? errno : ENOENT), where);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string const text = buffer.str();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (nlohmann::json::parse_error const& e) {
    // Line and column of the byte the parser stopped at (`byte` counts from 1).
    std::size_t const at = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    auto const line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    std::size_t const newline = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
    std::size_t const column = newline == std::string::npos ? at + 1 : at - newline;
    where.line = line;
    return InvalidArgumentError(path + ": not valid JSON at line " + std::to_string(line) +
                                    ", column " + std::to_string(column),
                                where);
  }
  auto s = seed(doc);
  if (s.ok()) return s;
  ErrorInfo info = s.info();
  info.file = path;
  return InvalidArgumentError(path + ": " + s.message(), info);
}

void TruncateBody(ApiResponse& response) {
  if (response.status == 204) response.status = 200;
  if (response.content_type.empty()) response.content_type = "application/json;charset=UTF-8";
  response.body = response.body.size() > 1 ? response.body.substr(0, response.body.size() / 2)
                                           : std::string("{\"");
}

void GarbleBody(ApiResponse& response) {
  if (response.status == 204) response.status = 200;
  std::size_t const start = response.body.find_first_not_of(" \t\r\n");
  bool const was_object = start != std::string::npos && response.body[start] == '{';
  response.content_type = "application/json;charset=UTF-8";
  response.body = was_object ? R"([{"garbled":true}])" : R"({"garbled":true})";
}

}  // namespace casebridge::sandbox
