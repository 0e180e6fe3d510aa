#include "connector/sandbox/api_message.h"

#include <cctype>

#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {

std::optional<std::string> ApiRequest::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ApiRequest::Param(std::string_view name) const {
  for (auto const& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

void ApiResponse::SetHeader(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> ApiResponse::Header(std::string_view name) const {
  for (auto const& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

void ApiResponse::Finish() {
  if (json) {
    body = json->dump();
    json.reset();
  }
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char const c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int const hi = hex(s[i + 1]);
      int const lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('&', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view const part = s.substr(start, end - start);
    if (!part.empty()) {
      std::size_t const eq = part.find('=');
      auto key = PercentDecode(part.substr(0, eq), true);
      auto value = PercentDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      out.emplace_back(std::move(*key), std::move(*value));
    }
    start = end + 1;
  }
  return out;
}

bool SetTarget(ApiRequest& request, std::string_view target) {
  std::size_t const q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), false);
  if (!path) return false;
  request.path = std::move(*path);
  request.query.clear();
  if (q != std::string_view::npos) {
    auto query = ParseQueryString(target.substr(q + 1));
    if (!query) return false;
    request.query = std::move(*query);
  }
  return true;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace casebridge::sandbox
