#include "connector/engine/business_calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casebridge::engine {
namespace calendar_internal {

using std::int64_t;

constexpr int64_t kDay = 86'400;
constexpr int64_t kEarliestS = BusinessCalendar::kEarliest.time_since_epoch().count();
constexpr int64_t kLatestS = BusinessCalendar::kLatest.time_since_epoch().count();
// Local days (days since 1970-01-01 in local wall time) precomputed at Create(): 1970-2100.
constexpr int64_t kTableFirstDay = 0;     // 1970-01-01
constexpr int64_t kTableEndDay = 47'847;  // 2101-01-01 (exclusive)
// Offsets differ by at most ~26 hours, so a local time this far from both ends of a period with
// one offset has exactly one instant.
constexpr int64_t kSafeMargin = 2 * kDay;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Monday = 0 … Sunday = 6 for a day count since 1970-01-01 (a Thursday).
int WeekdayIndex(int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

int64_t Secs(date::sys_seconds t) { return t.time_since_epoch().count(); }
date::sys_seconds SysAt(int64_t s) { return date::sys_seconds{std::chrono::seconds{s}}; }
date::local_seconds LocalAt(int64_t s) { return date::local_seconds{std::chrono::seconds{s}}; }

/// A span [begin, end) of UTC seconds during which local = utc + offset.
struct Period {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t offset = 0;
};

Period ToPeriod(date::sys_info const& i) {
  return {Secs(i.begin), Secs(i.end), static_cast<int64_t>(i.offset.count())};
}

/// A POSIX TZ rule, the footer of a TZif zone file (RFC 8536 section 3.3), e.g.
/// `EST5EDT,M3.2.0,M11.1.0` or `<+0530>-5:30`. Offsets here are UTC offsets (local - UTC).
class PosixRule {
 public:
  static std::optional<PosixRule> Parse(std::string_view s) {
    PosixRule r;
    std::size_t i = 0;
    if (!Name(s, i) || !Time(s, i, r.std_offset_)) return std::nullopt;
    r.std_offset_ = -r.std_offset_;
    if (i == s.size()) return r;
    if (!Name(s, i)) return std::nullopt;
    r.has_dst_ = true;
    r.dst_offset_ = r.std_offset_ + 3600;
    if (i < s.size() && s[i] != ',') {
      if (!Time(s, i, r.dst_offset_)) return std::nullopt;
      r.dst_offset_ = -r.dst_offset_;
    }
    // DST without explicit rules never occurs in zone files; refuse rather than guess.
    if (i == s.size() || s[i] != ',' || !RuleAt(s, ++i, r.start_)) return std::nullopt;
    if (i == s.size() || s[i] != ',' || !RuleAt(s, ++i, r.end_)) return std::nullopt;
    if (i != s.size()) return std::nullopt;
    return r;
  }

  [[nodiscard]] Period PeriodAt(int64_t utc) const {
    if (!has_dst_) return {kEarliestS - 2 * kSafeMargin, kLatestS + 2 * kSafeMargin, std_offset_};
    int const y = static_cast<int>(std::chrono::year_month_day{
        std::chrono::sys_days{std::chrono::days{
            FloorDiv(utc, kDay)}}}.year());
    // Transitions of the surrounding years, sorted: (instant, offset from then on).
    std::array<std::pair<int64_t, int64_t>, 6> ts{};
    for (std::size_t k = 0; k < 3; ++k) {
      int const year = y - 1 + static_cast<int>(k);
      ts[2 * k] = {Local(start_, year) - std_offset_, dst_offset_};
      ts[2 * k + 1] = {Local(end_, year) - dst_offset_, std_offset_};
    }
    std::sort(ts.begin(), ts.end());
    std::size_t j = 0;
    while (j + 1 < ts.size() && ts[j + 1].first <= utc) ++j;
    int64_t const end = j + 1 < ts.size() ? ts[j + 1].first : ts[j].first + 366 * kDay;
    return {ts[j].first, end, ts[j].second};
  }

  [[nodiscard]] bool has_dst() const { return has_dst_; }

  /// Gap: the first instant after it; overlap: the earlier instant.
  [[nodiscard]] int64_t ToUtc(int64_t local) const {
    int64_t const u_std = local - std_offset_;
    if (!has_dst_) return u_std;
    int64_t const u_dst = local - dst_offset_;
    bool const ok_std = PeriodAt(u_std).offset == std_offset_;
    bool const ok_dst = PeriodAt(u_dst).offset == dst_offset_;
    if (ok_std && ok_dst) return std::min(u_std, u_dst);
    if (ok_std) return u_std;
    if (ok_dst) return u_dst;
    return PeriodAt(std::min(u_std, u_dst)).end;
  }

 private:
  struct Rule {
    char kind = 'M';  // 'J' (1-365, no Feb 29), 'N' (0-365), 'M' (month.week.weekday)
    int month = 0;
    int week = 0;
    int weekday = 0;  // 0 = Sunday
    int day = 0;
    int64_t time = 7200;  // local seconds after midnight, may be negative or > 24 h
  };

  static bool Name(std::string_view s, std::size_t& i) {
    std::size_t const start = i;
    if (i < s.size() && s[i] == '<') {
      auto const close = s.find('>', i);
      if (close == std::string_view::npos) return false;
      i = close + 1;
      return close - start >= 4;
    }
    while (i < s.size() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) ++i;
    return i - start >= 3;
  }

  static bool Number(std::string_view s, std::size_t& i, int max_digits, int64_t& v) {
    std::size_t const start = i;
    v = 0;
    while (i < s.size() && i - start < static_cast<std::size_t>(max_digits) && s[i] >= '0' &&
           s[i] <= '9') {
      v = v * 10 + (s[i++] - '0');
    }
    return i > start;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  static bool Time(std::string_view s, std::size_t& i, int64_t& out) {
    int64_t sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    int64_t h = 0;
    int64_t m = 0;
    int64_t sec = 0;
    if (!Number(s, i, 3, h) || h > 167) return false;
    if (i < s.size() && s[i] == ':') {
      if (!Number(s, ++i, 2, m) || m > 59) return false;
      if (i < s.size() && s[i] == ':' && (!Number(s, ++i, 2, sec) || sec > 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

  static bool RuleAt(std::string_view s, std::size_t& i, Rule& r) {
    int64_t v = 0;
    if (i < s.size() && s[i] == 'M') {
      r.kind = 'M';
      int64_t w = 0;
      int64_t d = 0;
      if (!Number(s, ++i, 2, v) || v < 1 || v > 12 || i >= s.size() || s[i] != '.') return false;
      if (!Number(s, ++i, 1, w) || w < 1 || w > 5 || i >= s.size() || s[i] != '.') return false;
      if (!Number(s, ++i, 1, d) || d > 6) return false;
      r.month = static_cast<int>(v);
      r.week = static_cast<int>(w);
      r.weekday = static_cast<int>(d);
    } else if (i < s.size() && s[i] == 'J') {
      r.kind = 'J';
      if (!Number(s, ++i, 3, v) || v < 1 || v > 365) return false;
      r.day = static_cast<int>(v);
    } else {
      r.kind = 'N';
      if (!Number(s, i, 3, v) || v > 365) return false;
      r.day = static_cast<int>(v);
    }
    if (i < s.size() && s[i] == '/') return Time(s, ++i, r.time);
    return true;
  }

  // Local seconds (since 1970-01-01 local) of the rule's moment in year y.
  static int64_t Local(Rule const& r, int y) {
    using std::chrono::sys_days;
    std::chrono::year const year{y};
    int64_t day = 0;
    if (r.kind == 'M') {
      std::chrono::month const m{static_cast<unsigned>(r.month)};
      std::chrono::weekday const wd{static_cast<unsigned>(r.weekday)};
      sys_days const d = r.week == 5 ? sys_days{year / m / wd[std::chrono::last]}
                                     : sys_days{year / m / wd[static_cast<unsigned>(r.week)]};
      day = d.time_since_epoch().count();
    } else {
      day = sys_days{year / 1 / 1}.time_since_epoch().count() + r.day;
      if (r.kind == 'J') day += (year.is_leap() && r.day >= 60) ? 0 : -1;
    }
    return day * kDay + r.time;
  }

  bool has_dst_ = false;
  int64_t std_offset_ = 0;
  int64_t dst_offset_ = 0;
  Rule start_;
  Rule end_;
};

/// A zone's offsets: the OS tzdb, continued after its last stored transition by the zone file's
/// POSIX TZ footer (date/tz with the OS tzdb ignores the footer and freezes the last offset).
class ZoneRules {
 public:
  explicit ZoneRules(date::time_zone const* tz) : tz_(tz) { LoadTail(); }

  [[nodiscard]] Period PeriodAt(int64_t utc) const {
    if (tail_ && utc >= tail_begin_) {
      Period p = tail_->PeriodAt(utc);
      p.begin = std::max(p.begin, tail_begin_);
      return p;
    }
    return ToPeriod(tz_->get_info(SysAt(utc)));
  }

  /// The instant of local wall time `local`: inside a gap, the first instant after it; inside an
  /// overlap, the earlier instant.
  [[nodiscard]] int64_t ToUtc(int64_t local) const {
    date::local_info const info = tz_->get_info(LocalAt(local));
    if (tail_ && info.result == date::local_info::unique && Secs(info.first.begin) >= tail_begin_) {
      return tail_->ToUtc(local);
    }
    if (info.result == date::local_info::nonexistent) return Secs(info.first.end);
    return local - static_cast<int64_t>(info.first.offset.count());
  }

 private:
  // Reads the footer line of the zone file. RFC 8536 requires it to agree with the last stored
  // transition; it is used only when it does and it has DST rules (a constant offset is what
  // date/tz already applies after the last transition).
  void LoadTail() {
    std::ifstream in("/usr/share/zoneinfo/" + std::string(tz_->name()), std::ios::binary);
    if (!in) return;
    std::string const data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (data.size() < 2 || data.back() != '\n') return;
    auto const nl = data.rfind('\n', data.size() - 2);
    if (nl == std::string::npos) return;
    std::string_view const footer{data.data() + nl + 1, data.size() - nl - 2};
    auto const rule = PosixRule::Parse(footer);
    if (!rule || !rule->has_dst()) return;
    date::sys_info const last =
        tz_->get_info(date::sys_seconds{date::sys_days{date::year{9000} / 1 / 1}});
    int64_t const begin = Secs(last.begin);
    if (begin <= kEarliestS + 400 * kDay || begin >= kLatestS) return;
    Period const at = rule->PeriodAt(begin);
    if (at.begin != begin || at.offset != last.offset.count() ||
        rule->PeriodAt(begin - 1).offset != tz_->get_info(SysAt(begin - 1)).offset.count()) {
      return;
    }
    tail_ = rule;
    tail_begin_ = begin;
  }

  date::time_zone const* tz_;
  std::optional<PosixRule> tail_;
  int64_t tail_begin_ = 0;
};

struct Day {
  int64_t open;  // UTC seconds; == close when the day has no business time
  int64_t close;
  int64_t before;  // business seconds in the table before this day
};

}  // namespace calendar_internal

using calendar_internal::Day;
using calendar_internal::FloorDiv;
using calendar_internal::kDay;
using calendar_internal::kEarliestS;
using calendar_internal::kLatestS;
using calendar_internal::Period;
using calendar_internal::ZoneRules;

struct BusinessCalendar::Impl {
  Impl(ZoneRules const& z, mappings::CalendarPolicy const& p)
      : zone(z),
        open_days(p.open_days),
        opens(std::chrono::seconds(p.opens).count()),
        closes(std::chrono::seconds(p.closes).count()) {
    holidays.reserve(p.holidays.size());
    for (auto const h : p.holidays) holidays.push_back(h.time_since_epoch().count());
    std::sort(holidays.begin(), holidays.end());
    holidays.erase(std::unique(holidays.begin(), holidays.end()), holidays.end());
    BuildTable();
  }

  ZoneRules zone;
  std::array<bool, 7> open_days;
  std::int64_t opens;  // seconds after local midnight
  std::int64_t closes;
  std::vector<std::int64_t> holidays;  // local day numbers, sorted, unique

  // Precomputed windows of local days [kTableFirstDay, kTableEndDay); covers UTC [t0, t1).
  std::vector<Day> days;
  std::int64_t t0 = 0;
  std::int64_t t1 = 0;
  std::int64_t total = 0;

  /// Computes day windows through the zone rules, remembering the last offset period so that
  /// consecutive days cost two subtractions instead of two tz lookups.
  class Cursor {
   public:
    explicit Cursor(Impl const& cal) : cal_(cal) {}

    /// The UTC instant of local wall time `local` (gap: after it; overlap: earlier).
    std::int64_t ToUtc(std::int64_t local) {
      std::int64_t const guess = local - p_.offset;
      if (guess - p_.begin >= calendar_internal::kSafeMargin &&
          p_.end - guess > calendar_internal::kSafeMargin) {
        return guess;
      }
      std::int64_t const utc = cal_.zone.ToUtc(local);
      p_ = cal_.zone.PeriodAt(utc);
      return utc;
    }

    /// Business window of local day `day` as UTC [open, close); false when the day is closed.
    bool Window(std::int64_t day, std::int64_t& open, std::int64_t& close) {
      if (!cal_.IsBusinessDay(day)) return false;
      open = ToUtc(day * kDay + cal_.opens);
      close = std::max(open, ToUtc(day * kDay + cal_.closes));
      return true;
    }

   private:
    Impl const& cal_;
    Period p_{1, 0, 0};  // empty: the first lookup goes to the zone
  };

  [[nodiscard]] bool IsBusinessDay(std::int64_t day) const {
    return open_days[static_cast<std::size_t>(calendar_internal::WeekdayIndex(day))] &&
           !std::binary_search(holidays.begin(), holidays.end(), day);
  }

  [[nodiscard]] std::int64_t LocalDay(std::int64_t utc) const {
    return FloorDiv(utc + zone.PeriodAt(utc).offset, kDay);
  }

  void BuildTable() {
    using calendar_internal::kTableEndDay;
    using calendar_internal::kTableFirstDay;
    Cursor cursor(*this);
    t0 = cursor.ToUtc(kTableFirstDay * kDay);
    t1 = cursor.ToUtc(kTableEndDay * kDay);
    days.resize(static_cast<std::size_t>(kTableEndDay - kTableFirstDay));
    std::int64_t prev_close = t0;
    std::int64_t sum = 0;
    for (std::int64_t d = kTableFirstDay; d < kTableEndDay; ++d) {
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (!cursor.Window(d, open, close)) {
        open = close = cursor.ToUtc(d * kDay + opens);  // an empty window keeps opens sorted
      }
      open = std::max(open, prev_close);
      close = std::max(close, open);
      days[static_cast<std::size_t>(d - kTableFirstDay)] = Day{open, close, sum};
      sum += close - open;
      prev_close = close;
    }
    total = sum;
  }

  [[nodiscard]] std::int64_t Size() const { return static_cast<std::int64_t>(days.size()); }
  [[nodiscard]] Day const& At(std::int64_t i) const { return days[static_cast<std::size_t>(i)]; }
  [[nodiscard]] std::int64_t EndOf(std::int64_t i) const {
    Day const& d = At(i);
    return d.before + (d.close - d.open);
  }

  /// The last table day whose window opens at or before t (t in [t0, t1]); -1 when none.
  [[nodiscard]] std::int64_t IndexAtOrBefore(std::int64_t t) const {
    std::int64_t const n = Size();
    std::int64_t i = std::min((t - t0) / kDay, n - 1);
    while (i + 1 < n && At(i + 1).open <= t) ++i;
    while (i >= 0 && At(i).open > t) --i;
    return i;
  }

  /// Business seconds in [t0, t) for t in [t0, t1].
  [[nodiscard]] std::int64_t Cumulative(std::int64_t t, std::int64_t i) const {
    if (i < 0) return 0;
    Day const& d = At(i);
    return d.before + std::min(t - d.open, d.close - d.open);
  }

  /// Business seconds in [a, b), any a < b inside [kEarliest, kLatest], day by day.
  [[nodiscard]] std::int64_t SlowElapsed(std::int64_t a, std::int64_t b) const {
    Cursor cursor(*this);
    std::int64_t sum = 0;
    std::int64_t const last = LocalDay(b);
    for (std::int64_t d = LocalDay(a) - 1; d <= last; ++d) {
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (!cursor.Window(d, open, close)) continue;
      std::int64_t const lo = std::max(open, a);
      std::int64_t const hi = std::min(close, b);
      if (lo < hi) sum += hi - lo;
    }
    return sum;
  }

  /// Counts `remaining` (> 0) business seconds from `start`, day by day, over local days before
  /// `stop_day`. Returns the due instant, or nullopt with `remaining` reduced by what was found.
  [[nodiscard]] std::optional<std::int64_t> SlowDue(std::int64_t start, std::int64_t& remaining,
                                                    std::int64_t stop_day) const {
    Cursor cursor(*this);
    for (std::int64_t d = LocalDay(start) - 1; d < stop_day; ++d) {
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (!cursor.Window(d, open, close)) continue;
      std::int64_t const lo = std::max(open, start);
      std::int64_t const hi = std::min(close, kLatestS);
      if (lo >= hi) continue;
      if (hi - lo >= remaining) return lo + remaining;
      remaining -= hi - lo;
    }
    return std::nullopt;
  }

  /// Due inside the table; nullopt (with `remaining` reduced) when it runs past t1.
  [[nodiscard]] std::optional<std::int64_t> TableDue(std::int64_t start,
                                                     std::int64_t& remaining) const {
    std::int64_t const j = IndexAtOrBefore(start);
    std::int64_t const target = Cumulative(start, j) + remaining;
    if (target > total) {
      remaining = target - total;
      return std::nullopt;
    }
    // Smallest k >= j whose window ends at or past target: gallop, then bisect.
    std::int64_t lo = std::max<std::int64_t>(j, 0);
    std::int64_t k = lo;
    if (EndOf(lo) < target) {
      std::int64_t const n = Size();
      std::int64_t step = 1;
      std::int64_t hi = lo + 1;
      while (hi < n - 1 && EndOf(hi) < target) {
        lo = hi;
        step *= 2;
        hi = std::min(lo + step, n - 1);
      }
      // EndOf(lo) < target <= EndOf(hi) (EndOf(n - 1) == total >= target).
      while (hi - lo > 1) {
        std::int64_t const mid = lo + (hi - lo) / 2;
        (EndOf(mid) >= target ? hi : lo) = mid;
      }
      k = hi;
    }
    Day const& d = At(k);
    return d.open + (target - d.before);
  }

  [[nodiscard]] std::int64_t Due(std::int64_t start, std::int64_t remaining) const {
    using calendar_internal::kTableFirstDay;
    if (start >= kLatestS) return BusinessCalendar::kNever.time_since_epoch().count();
    start = std::max(start, kEarliestS);
    if (start < t0) {
      if (auto t = SlowDue(start, remaining, kTableFirstDay)) return *t;
      start = t0;
    }
    if (start < t1) {
      if (auto t = TableDue(start, remaining)) return *t;
      start = t1;
    }
    if (auto t = SlowDue(start, remaining, LocalDay(kLatestS) + 1)) return *t;
    return BusinessCalendar::kNever.time_since_epoch().count();
  }

  /// Walks local days from `start` like SlowDue(), recording every stretch into `out`.
  /// Returns true when `remaining` business seconds were found (out.due set).
  bool ExplainWalk(std::int64_t start, std::int64_t remaining, DueExplanation& out) const {
    using Kind = CalendarSpan::Kind;
    Cursor cursor(*this);
    std::int64_t t = start;
    auto add = [&](Kind kind, std::int64_t begin, std::int64_t end, std::int64_t day, bool dst) {
      if (begin >= end) return;
      auto at = [](std::int64_t v) { return Instant{std::chrono::seconds{v}}; };
      if (!out.spans.empty() && kind == Kind::kClosedHours &&
          out.spans.back().kind == Kind::kClosedHours && out.spans.back().end == at(begin)) {
        out.spans.back().end = at(end);
        return;
      }
      out.spans.push_back(CalendarSpan{kind, at(begin), at(end),
                                       std::chrono::sys_days{std::chrono::days{day}}, dst});
    };
    std::int64_t const first = LocalDay(start);
    for (std::int64_t d = first; d < first + BusinessCalendar::kMaxExplainedDays; ++d) {
      std::int64_t const day_end = std::min(cursor.ToUtc((d + 1) * kDay), kLatestS);
      bool const dst = day_end - cursor.ToUtc(d * kDay) != kDay;
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (!cursor.Window(d, open, close)) {
        bool const weekday_open =
            open_days[static_cast<std::size_t>(calendar_internal::WeekdayIndex(d))];
        add(weekday_open ? Kind::kHoliday : Kind::kWeekend, t, day_end, d, dst);
        t = std::max(t, day_end);
        continue;
      }
      add(Kind::kClosedHours, t, open, d, dst);
      std::int64_t const lo = std::max(open, t);
      if (lo < close) {
        if (close - lo >= remaining) {
          add(Kind::kCounted, lo, lo + remaining, d, dst);
          out.due = Instant{std::chrono::seconds{lo + remaining}};
          return true;
        }
        add(Kind::kCounted, lo, close, d, dst);
        remaining -= close - lo;
      }
      t = std::max(t, close);
      add(Kind::kClosedHours, t, day_end, d, dst);
      t = std::max(t, day_end);
      if (t >= kLatestS) break;
    }
    return false;
  }

  [[nodiscard]] std::int64_t Elapsed(std::int64_t a, std::int64_t b) const {
    a = std::clamp(a, kEarliestS, kLatestS);
    b = std::clamp(b, kEarliestS, kLatestS);
    if (b <= a) return 0;
    std::int64_t sum = 0;
    if (a < t0) sum += SlowElapsed(a, std::min(b, t0));
    std::int64_t const lo = std::max(a, t0);
    std::int64_t const hi = std::min(b, t1);
    if (lo < hi) sum += Cumulative(hi, IndexAtOrBefore(hi)) - Cumulative(lo, IndexAtOrBefore(lo));
    if (b > t1) sum += SlowElapsed(std::max(a, t1), b);
    return sum;
  }
};

BusinessCalendar::~BusinessCalendar() = default;

StatusOr<BusinessCalendar> BusinessCalendar::Create(mappings::CalendarPolicy const& policy) {
  auto hhmm = [](std::chrono::minutes m) {
    auto const v = m.count();
    std::string s =
        std::to_string(v / 60) + ":" + (v % 60 < 10 ? "0" : "") + std::to_string(v % 60);
    return s.size() < 5 ? "0" + s : s;
  };
  auto invalid = [](std::string const& field, std::string message) {
    ErrorInfo info;
    info.field = field;
    return InvalidArgumentError("calendar: " + field + ": " + std::move(message), std::move(info));
  };
  try {
    if (policy.time_zone.empty()) {
      return invalid("time_zone", "empty; expected an IANA time zone such as America/New_York");
    }
    date::time_zone const* tz = nullptr;
    try {
      tz = date::locate_zone(policy.time_zone);
    } catch (std::exception const&) {
      return invalid("time_zone", "unknown time zone '" + policy.time_zone +
                                      "' (not in the IANA tz database under /usr/share/zoneinfo)");
    }
    if (policy.opens.count() < 0 || policy.opens.count() >= 24LL * 60) {
      return invalid("opens", "opening time must be within 00:00-23:59, got " +
                                  std::to_string(policy.opens.count()) + " minutes");
    }
    if (policy.closes.count() > 24LL * 60) {
      return invalid("closes", "closing time must be at most 24:00, got " +
                                   std::to_string(policy.closes.count()) + " minutes");
    }
    if (policy.opens >= policy.closes) {
      return invalid("opens", "opening time " + hhmm(policy.opens) +
                                  " must be before closing time " + hhmm(policy.closes));
    }
    if (std::none_of(policy.open_days.begin(), policy.open_days.end(), [](bool b) { return b; })) {
      return invalid("open_days", "no open day; at least one weekday must be open");
    }
    return BusinessCalendar(std::make_shared<Impl const>(ZoneRules(tz), policy));
  } catch (std::exception const& e) {
    return InternalError(std::string("calendar: cannot build the business calendar: ") + e.what());
  }
}

Instant BusinessCalendar::Due(Instant start, std::chrono::seconds business) const {
  if (business.count() <= 0) return start;
  return Instant{
      std::chrono::seconds{impl_->Due(start.time_since_epoch().count(), business.count())}};
}

DueExplanation BusinessCalendar::ExplainDue(Instant start, std::chrono::seconds business) const {
  DueExplanation out;
  out.due = start;
  if (business.count() <= 0) return out;
  if (start.time_since_epoch().count() >= kLatestS) {
    out.due = kNever;
    return out;
  }
  std::int64_t const from = std::max(start.time_since_epoch().count(), kEarliestS);
  if (!impl_->ExplainWalk(from, business.count(), out)) {
    out.truncated = true;
    out.due = Due(start, business);
  }
  return out;
}

std::chrono::seconds BusinessCalendar::Elapsed(Instant a, Instant b) const {
  return std::chrono::seconds{
      impl_->Elapsed(a.time_since_epoch().count(), b.time_since_epoch().count())};
}

Instant BusinessCalendar::Add(Instant start, mappings::RuleDuration const& d) const {
  if (d.kind == mappings::DurationKind::kBusiness) return Due(start, d.length);
  return start + d.length;
}

}  // namespace casebridge::engine
