#include "connector/http/response_errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "connector/http/url.h"

namespace casebridge::http {
namespace {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, RFC 9110 section 5.6.7).
std::optional<Instant> ParseImfFixdate(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (s.substr(8, 3) == kMonths.at(i)) month = i + 1;
  }
  if (month == 0) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    auto const* begin = s.data() + pos;
    auto [p, ec] = std::from_chars(begin, begin + len, v);
    if (ec != std::errc() || p != begin + len) return std::nullopt;
    return v;
  };
  auto const day = num(5, 2);
  auto const year = num(12, 4);
  auto const hh = num(17, 2);
  auto const mm = num(20, 2);
  auto const ss = num(23, 2);
  if (!day || !year || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  std::chrono::year_month_day const ymd{std::chrono::year(*year), std::chrono::month(month),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours(*hh) + std::chrono::minutes(*mm) +
         std::chrono::seconds(*ss);
}

}  // namespace

std::chrono::milliseconds ParseRetryAfter(std::string_view value, Instant now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::chrono::milliseconds(0);
  auto const cap = std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count();
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    std::int64_t seconds = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range || seconds > cap) seconds = cap;
    if (ec != std::errc() && ec != std::errc::result_out_of_range) return {};
    return std::chrono::seconds(seconds);
  }
  if (auto when = ParseImfFixdate(value)) {
    if (*when <= now) return {};
    return std::min<std::chrono::milliseconds>(*when - now, kMaxRetryAfter);
  }
  return {};
}

StatusCode StatusCodeForHttp(int http_status) {
  if (http_status >= 200 && http_status < 300) return StatusCode::kOk;
  switch (http_status) {
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
    case 410:
      return StatusCode::kNotFound;
    case 408:
      return StatusCode::kDeadlineExceeded;
    case 412:
    case 428:
      return StatusCode::kFailedPrecondition;
    case 429:
      return StatusCode::kUnavailable;
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) return StatusCode::kInvalidArgument;
  if (http_status >= 500 && http_status < 600) return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

std::string EndpointName(Method method, std::string_view url) {
  return std::string(MethodName(method)) + " " + PathOf(url);
}

std::string ClipServerMessage(std::string_view text, std::size_t max) {
  std::string out;
  if (text.size() > max) {
    text.remove_prefix(text.size() - max);
    // Do not start inside a UTF-8 sequence.
    while (!text.empty() && (static_cast<unsigned char>(text.front()) & 0xC0U) == 0x80U) {
      text.remove_prefix(1);
    }
    out = "…";
  }
  for (char const c : text) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  return out;
}

ErrorInfo ResponseErrorInfo(HttpResponse const& response, Instant now,
                            std::initializer_list<std::string_view> request_id_headers) {
  ErrorInfo info;
  info.http_status = response.status;
  if (auto ra = response.headers.Get("Retry-After")) info.retry_after = ParseRetryAfter(*ra, now);
  for (auto const header : request_id_headers) {
    if (auto id = response.headers.Get(header)) {
      info.request_id = ClipServerMessage(*id, 100);
      break;
    }
  }
  return info;
}

std::string ResponseErrorMessage(std::string_view endpoint, int http_status,
                                 std::string_view vendor_code, std::string_view message) {
  std::string out = std::string(endpoint) + ": HTTP " + std::to_string(http_status);
  if (!vendor_code.empty()) out.append(" ").append(vendor_code);
  if (!message.empty()) out.append(": ").append(message);
  return out;
}

Status StopOnLongRetryAfter(Status failure, std::chrono::milliseconds max_wait,
                            std::string_view system) {
  if (failure.code() != StatusCode::kUnavailable || failure.retry_after() <= max_wait) {
    return failure;
  }
  auto seconds = [](std::chrono::milliseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  };
  return ResourceExhaustedError(failure.message() + "; " + std::string(system) + " asks to wait " +
                                    seconds(failure.retry_after()) +
                                    " s, longer than this run waits (" + seconds(max_wait) +
                                    " s): stopping so the next run resumes",
                                failure.info());
}

}  // namespace casebridge::http
