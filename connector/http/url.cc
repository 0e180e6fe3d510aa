#include "connector/http/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace casebridge::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsIpv4Loopback(std::string_view host) {
  // 127.a.b.c with every part a number 0..255.
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  std::size_t pos = 0;
  while (pos <= host.size()) {
    auto const dot = host.find('.', pos);
    auto const part =
        host.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    int v = -1;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return parts == 4;
}

}  // namespace

std::string UrlParts::Origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<UrlParts> ParseUrl(std::string_view url) {
  auto const sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = Lower(url.substr(0, sep));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  auto rest = url.substr(sep + 3);
  auto const end_authority = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end_authority);
  auto tail =
      end_authority == std::string_view::npos ? std::string_view() : rest.substr(end_authority);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.has_userinfo = true;
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto const close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parts.host = Lower(authority.substr(0, close + 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    auto const colon = authority.find(':');
    parts.host = Lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parts.host.empty() || parts.host == "[]") return std::nullopt;
  parts.port = parts.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return std::nullopt;
    }
    parts.port = port;
  }
  if (auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  auto const q = tail.find('?');
  parts.path = std::string(tail.substr(0, q));
  if (parts.path.empty()) parts.path = "/";
  if (q != std::string_view::npos) parts.query = std::string(tail.substr(q + 1));
  return parts;
}

bool IsLoopbackHost(std::string_view host) {
  auto const h = Lower(host);
  return h == "localhost" || h == "[::1]" || IsIpv4Loopback(h);
}

Status RequireSecureUrl(std::string_view url, std::string_view what) {
  auto parts = ParseUrl(url);
  if (!parts) {
    return InvalidArgumentError(std::string(what) +
                                ": not an absolute http(s) URL (expected https://host[:port]/…)");
  }
  if (parts->has_userinfo) {
    return InvalidArgumentError(std::string(what) + ": URLs must not carry credentials");
  }
  if (parts->scheme == "https") return OkStatus();
  if (IsLoopbackHost(parts->host)) return OkStatus();
  return InvalidArgumentError(std::string(what) + ": plain http:// to " + parts->host +
                              " refused; use https:// (http is allowed only for loopback hosts)");
}

std::string PathOf(std::string_view url) {
  if (auto parts = ParseUrl(url)) return parts->path;
  return std::string(url.substr(0, url.find_first_of("?#")));
}

}  // namespace casebridge::http
