// The business calendar of SPEC 1.1, on the IANA tz database (Howard Hinnant's date/tz).
//
//   due(start, H)   = earliest t >= start such that business time in [start, t) equals H;
//   elapsed(a, b)   = business time in [a, b), 0 when b <= a.
// Business time is the real time (UTC seconds) inside the local-wall-clock windows
// [opens, closes) of open days that are not holidays. Immutable and thread-safe after Create().
#pragma once

#include <chrono>
#include <memory>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "mappings/policy.h"

namespace casebridge::engine {

class BusinessCalendar {
 public:
  /// Fails with kInvalidArgument for an unknown time zone, opens >= closes, or no open day.
  static StatusOr<BusinessCalendar> Create(mappings::CalendarPolicy const& policy);

  /// SPEC 1.1 due(). `business` >= 0; 0 returns `start`.
  [[nodiscard]] Instant Due(Instant start, std::chrono::seconds business) const;
  /// SPEC 1.1 elapsed(), in seconds.
  [[nodiscard]] std::chrono::seconds Elapsed(Instant a, Instant b) const;
  /// `start` + d: calendar kind adds d.length; business kind is Due(start, d.length).
  [[nodiscard]] Instant Add(Instant start, mappings::RuleDuration const& d) const;

  BusinessCalendar(BusinessCalendar const&) = default;
  BusinessCalendar& operator=(BusinessCalendar const&) = default;
  BusinessCalendar(BusinessCalendar&&) noexcept = default;
  BusinessCalendar& operator=(BusinessCalendar&&) noexcept = default;
  ~BusinessCalendar();

  struct Impl;

 private:
  explicit BusinessCalendar(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl const> impl_;
};

}  // namespace casebridge::engine
