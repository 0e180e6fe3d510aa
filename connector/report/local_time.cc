#include "connector/report/local_time.h"

#include <date/tz.h>

#include <array>
#include <exception>

namespace casebridge::report::report_internal {
namespace {

void AppendDigits(std::string& out, std::int64_t value, int width) {
  std::array<char, 20> buf{};
  int n = 0;
  bool const negative = value < 0;
  std::uint64_t v =
      negative ? static_cast<std::uint64_t>(-(value + 1)) + 1U : static_cast<std::uint64_t>(value);
  do {
    buf.at(static_cast<std::size_t>(n++)) = static_cast<char>('0' + v % 10U);
    v /= 10U;
  } while (v != 0 && n < static_cast<int>(buf.size()));
  if (negative) out.push_back('-');
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buf.at(static_cast<std::size_t>(--n)));
}

}  // namespace

StatusOr<LocalTime> LocalTime::Create(std::string const& zone_name) {
  try {
    date::time_zone const* zone = date::locate_zone(zone_name);
    return LocalTime(zone, zone_name);
  } catch (std::exception const& e) {
    return InvalidArgumentError("unknown time zone \"" + zone_name + "\": " + e.what());
  }
}

std::chrono::seconds LocalTime::Offset(Instant t) {
  if (t >= begin_ && t < end_) return offset_;
  try {
    date::sys_info const info = zone_->get_info(t);
    begin_ = std::chrono::time_point_cast<std::chrono::seconds>(info.begin);
    end_ = std::chrono::time_point_cast<std::chrono::seconds>(info.end);
    offset_ = info.offset;
  } catch (std::exception const&) {
    // Outside what the tz database describes: show UTC rather than fail a whole report.
    begin_ = t;
    end_ = t + std::chrono::seconds(1);
    offset_ = std::chrono::seconds(0);
  }
  return offset_;
}

void LocalTime::Append(std::string& out, Instant t) {
  auto const local = t.time_since_epoch() + Offset(t);
  auto const day = std::chrono::floor<std::chrono::days>(local);
  std::chrono::year_month_day const ymd{std::chrono::sys_days(day)};
  auto const secs = (local - day).count();
  AppendDigits(out, static_cast<int>(ymd.year()), 4);
  out.push_back('-');
  AppendDigits(out, static_cast<unsigned>(ymd.month()), 2);
  out.push_back('-');
  AppendDigits(out, static_cast<unsigned>(ymd.day()), 2);
  out.push_back(' ');
  AppendDigits(out, secs / 3600, 2);
  out.push_back(':');
  AppendDigits(out, (secs / 60) % 60, 2);
  out.push_back(':');
  AppendDigits(out, secs % 60, 2);
}

std::chrono::sys_days LocalTime::LocalDate(Instant t) {
  auto const local = t.time_since_epoch() + Offset(t);
  return std::chrono::sys_days(std::chrono::floor<std::chrono::days>(local));
}

Instant LocalTime::StartOfDay(std::chrono::sys_days day) const {
  date::local_seconds const midnight{
      std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch())};
  try {
    // A midnight in a DST gap maps to the transition (the day's first instant); one in an
    // overlap to the earlier of its two instants.
    return std::chrono::time_point_cast<std::chrono::seconds>(
        zone_->to_sys(midnight, date::choose::earliest));
  } catch (std::exception const&) {
    return Instant(midnight.time_since_epoch());
  }
}

std::string IsoWeek::Label() const {
  std::string out;
  AppendDigits(out, year, 4);
  out += "-W";
  AppendDigits(out, week, 2);
  return out;
}

IsoWeek IsoWeekOf(std::chrono::sys_days day) {
  using std::chrono::days;
  std::chrono::weekday const wd{day};
  auto const from_monday = static_cast<int>(wd.iso_encoding()) - 1;  // Monday = 0
  std::chrono::sys_days const monday = day - days(from_monday);
  std::chrono::sys_days const thursday = monday + days(3);
  std::chrono::year_month_day const t{thursday};
  std::chrono::sys_days const jan1{t.year() / std::chrono::January / 1};
  IsoWeek w;
  w.monday = monday;
  w.year = static_cast<int>(t.year());
  w.week = static_cast<int>((thursday - jan1).count() / 7) + 1;
  return w;
}

}  // namespace casebridge::report::report_internal
