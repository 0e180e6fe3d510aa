#include "connector/common/time.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace casebridge {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads exactly `n` decimal digits at s[pos], advancing pos. Returns -1 on failure.
int Digits(std::string_view s, std::size_t& pos, int n) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return -1;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char const c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return v;
}

bool Expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<std::chrono::sys_days> ParseYmd(std::string_view s, std::size_t& pos) {
  int const y = Digits(s, pos, 4);
  if (y < 0 || !Expect(s, pos, '-')) return std::nullopt;
  int const m = Digits(s, pos, 2);
  if (m < 1 || m > 12 || !Expect(s, pos, '-')) return std::nullopt;
  int const d = Digits(s, pos, 2);
  if (d < 1) return std::nullopt;
  std::chrono::year_month_day const ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

void Append2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

std::optional<std::chrono::sys_days> ParseDate(std::string_view text) {
  std::size_t pos = 0;
  auto d = ParseYmd(text, pos);
  if (!d || pos != text.size()) return std::nullopt;
  return d;
}

std::optional<Instant> ParseInstant(std::string_view s) {
  std::size_t pos = 0;
  auto const day = ParseYmd(s, pos);
  if (!day || pos >= s.size()) return std::nullopt;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  int const hh = Digits(s, pos, 2);
  if (hh < 0 || hh > 23 || !Expect(s, pos, ':')) return std::nullopt;
  int const mm = Digits(s, pos, 2);
  if (mm < 0 || mm > 59 || !Expect(s, pos, ':')) return std::nullopt;
  int const ss = Digits(s, pos, 2);
  if (ss < 0 || ss > 59) return std::nullopt;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t const start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;  // no offset: ambiguous
  seconds offset{0};
  char const sign = s[pos];
  if (sign == 'Z' || sign == 'z') {
    ++pos;
  } else if (sign == '+' || sign == '-') {
    ++pos;
    int const oh = Digits(s, pos, 2);
    if (oh < 0 || oh > 23) return std::nullopt;
    int om = 0;
    if (pos < s.size()) {
      if (s[pos] == ':') ++pos;
      om = Digits(s, pos, 2);
      if (om < 0 || om > 59) return std::nullopt;
    }
    offset = hours{oh} + minutes{om};
    if (sign == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return Instant{*day} + hours{hh} + minutes{mm} + seconds{ss} - offset;
}

void AppendInstant(std::string& out, Instant t) {
  auto const day = std::chrono::floor<days>(t);
  // Timestamps of one case cluster on a few days: remember the last date's text per thread.
  thread_local days::rep cached_day = std::numeric_limits<days::rep>::min();
  thread_local std::array<char, 11> cached_date{};  // "YYYY-MM-DDT"
  if (day.time_since_epoch().count() != cached_day) {
    std::chrono::year_month_day const ymd{day};
    int const y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999) {
      out += "0000-00-00T00:00:00Z";  // outside ISO-8601 basic range; never from parsed input
      return;
    }
    std::string date;
    auto const uy = static_cast<unsigned>(y);
    Append2(date, uy / 100);
    Append2(date, uy % 100);
    date.push_back('-');
    Append2(date, static_cast<unsigned>(ymd.month()));
    date.push_back('-');
    Append2(date, static_cast<unsigned>(ymd.day()));
    date.push_back('T');
    std::copy(date.begin(), date.end(), cached_date.begin());
    cached_day = day.time_since_epoch().count();
  }
  out.append(cached_date.data(), cached_date.size());
  auto const secs = static_cast<unsigned>((t - day).count());
  Append2(out, secs / 3600);
  out.push_back(':');
  Append2(out, secs / 60 % 60);
  out.push_back(':');
  Append2(out, secs % 60);
  out.push_back('Z');
}

std::string FormatInstant(Instant t) {
  std::string out;
  out.reserve(20);
  AppendInstant(out, t);
  return out;
}

std::string FormatDate(std::chrono::sys_days d) {
  std::string s = FormatInstant(Instant{d});
  s.resize(10);
  return s;
}

}  // namespace casebridge
