#include "connector/engine/engine.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>

namespace casebridge::engine {
namespace {

using mappings::ActionId;
using mappings::RuleDuration;
using mappings::RuleId;

constexpr std::uint32_t Bit(EventType t) { return std::uint32_t{1} << static_cast<unsigned>(t); }

constexpr std::size_t Index(RuleId id) { return static_cast<std::size_t>(id); }

// The earliest representable instant (the starting point of the sortedness check).
constexpr Instant kDawn = Instant{std::chrono::seconds{std::numeric_limits<std::int64_t>::min()}};

// Index range [begin, end) of one rule's instances in Evaluation::flags.
struct FlagRange {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  [[nodiscard]] bool empty() const { return begin == end; }
  [[nodiscard]] std::uint32_t size() const { return end - begin; }
};

// One evaluation of one snapshot. Lives on the stack; every buffer it fills belongs to `out`.
class Evaluator {
 public:
  Evaluator(mappings::Policy const& policy, BusinessCalendar const& calendar,
            std::string_view back_office_owner, Snapshot const& snapshot, Instant now,
            Evaluation& out)
      : policy_(policy),
        calendar_(calendar),
        back_office_owner_(back_office_owner),
        s_(snapshot),
        events_(snapshot.events),
        now_(now),
        out_(out),
        // A closing later than `now` has not happened yet: the case is open as of `now`.
        closed_(snapshot.closed_at.has_value() && *snapshot.closed_at <= now),
        closed_at_(closed_ ? *snapshot.closed_at : Instant{}) {}

  void Run() {
    out_.flags.clear();
    out_.later_than_now.reset();
    if (s_.closed_at && !closed_) NoteLaterThanNow(*s_.closed_at);
    ranges_.fill(FlagRange{});
    OrderEvents();
    CollectFacts();
    ComputeFlags();
    PlanActions();
    out_.stage = ComputeStage();
  }

 private:
  // ---- events -------------------------------------------------------------------------------

  void NoteLaterThanNow(Instant at) {
    if (!out_.later_than_now || at < *out_.later_than_now) out_.later_than_now = at;
  }

  // Fills scratch.order with the indices of the events that count, sorted by `at`, ties in input
  // order (none is dropped: two events at one instant are two events). Events later than `now`
  // (noted in later_than_now) and after the close are left out. The common case (already sorted
  // input) costs one pass.
  void OrderEvents() {
    auto& order = out_.scratch.order;
    order.clear();
    bool sorted = true;
    Instant last = kDawn;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      Event const& e = events_[i];
      if (e.type == EventType::kUnknown) continue;
      if (e.at > now_) {
        NoteLaterThanNow(e.at);
        continue;
      }
      if (closed_ && e.at > closed_at_) continue;
      if (e.at < last) sorted = false;
      last = e.at;
      order.push_back(static_cast<std::uint32_t>(i));
    }
    if (!sorted) {
      // (at, input index) is a total order, so an unstable sort gives the stable result without
      // the temporary buffer std::stable_sort would allocate.
      std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
        Instant const ta = events_[a].at;
        Instant const tb = events_[b].at;
        return ta < tb || (ta == tb && a < b);
      });
    }
    order_ = std::span<std::uint32_t const>(order.data(), order.size());
  }

  [[nodiscard]] bool IsBackOfficeHandoff(Event const& e) const {
    return e.type == EventType::kReassigned && e.to == back_office_owner_;
  }

  void CollectFacts() {
    for (std::uint32_t p = 0; p < order_.size(); ++p) {
      std::uint32_t const idx = order_[p];
      Event const& e = events_[idx];
      types_ |= Bit(e.type);
      last_end_[static_cast<std::size_t>(e.type)] = p + 1;
      if (first_back_office_ < 0 && IsBackOfficeHandoff(e)) {
        first_back_office_ = static_cast<int>(idx);
      }
      if (first_referral_ < 0 && e.type == EventType::kSalesReferral) {
        first_referral_ = static_cast<int>(idx);
      }
    }
    installer_complaint_ = s_.primary_reason == policy_.reasons.installer_complaint;
    procedure_ = installer_complaint_ && !s_.pre_m3_pto;
    beam_ = s_.financing == Financing::kBeam || s_.financing == Financing::kConcert;
  }

  [[nodiscard]] bool Has(EventType t) const { return (types_ & Bit(t)) != 0; }

  // Position in order_ of the first event at or after `from` (strictly after when `strict`).
  [[nodiscard]] std::size_t LowerBound(Instant from, bool strict) const {
    auto const it = std::partition_point(order_.begin(), order_.end(), [&](std::uint32_t idx) {
      return strict ? events_[idx].at <= from : events_[idx].at < from;
    });
    return static_cast<std::size_t>(it - order_.begin());
  }

  // Original index of the first event of one of the `types` at or after `from` (strictly after
  // when `strict`), or -1.
  [[nodiscard]] int FindFirst(std::uint32_t types, Instant from, bool strict = false) const {
    std::uint32_t present = types_ & types;
    if (present == 0) return -1;
    // Stop after the last event of the wanted types: keeps many unanswered messages linear.
    std::size_t end = 0;
    for (; present != 0; present &= present - 1) {
      end = std::max<std::size_t>(end,
                                  last_end_[static_cast<std::size_t>(std::countr_zero(present))]);
    }
    for (std::size_t p = LowerBound(from, strict); p < end; ++p) {
      std::uint32_t const idx = order_[p];
      if ((Bit(events_[idx].type) & types) != 0) return static_cast<int>(idx);
    }
    return -1;
  }

  [[nodiscard]] int FindFirstHandoff(Instant from) const {
    if (first_back_office_ < 0) return -1;
    for (std::size_t p = LowerBound(from, false); p < order_.size(); ++p) {
      std::uint32_t const idx = order_[p];
      if (IsBackOfficeHandoff(events_[idx])) return static_cast<int>(idx);
    }
    return -1;
  }

  // ---- clocks -------------------------------------------------------------------------------

  // calendar.Add(start, duration of `rule`), memoised: several rules share a start and a length
  // (created_at + 4 business hours), and business-hour arithmetic is the costly part.
  Instant Due(Instant start, RuleId rule) {
    RuleDuration const& d = policy_.Duration(rule);
    for (std::size_t i = 0; i < memo_size_; ++i) {
      Memo const& m = memo_[i];
      if (m.start == start && m.length == d.length && m.kind == d.kind) return m.due;
    }
    Instant const due = calendar_.Add(start, d);
    Memo& slot = memo_[memo_next_];
    slot = Memo{start, d.length, d.kind, due};
    memo_next_ = (memo_next_ + 1) % memo_.size();
    memo_size_ = std::min(memo_size_ + 1, memo_.size());
    return due;
  }

  // ---- flags --------------------------------------------------------------------------------

  void Begin(RuleId rule) { ranges_[Index(rule)].begin = FlagCount(); }
  void End(RuleId rule) { ranges_[Index(rule)].end = FlagCount(); }
  [[nodiscard]] std::uint32_t FlagCount() const {
    return static_cast<std::uint32_t>(out_.flags.size());
  }
  [[nodiscard]] FlagRange Range(RuleId rule) const { return ranges_[Index(rule)]; }
  [[nodiscard]] Flag const& At(std::uint32_t i) const { return out_.flags[i]; }

  // Appends a flag of `rule` started at `started`, settled against the meeting event `met_by`
  // (original index, -1 when none).
  void AddFlag(RuleId rule, Instant started, int met_by) {
    Flag& f = out_.flags.emplace_back();
    f.rule = rule;
    f.started = started;
    f.due = Due(started, rule);
    if (met_by >= 0) {
      f.met_by_event = met_by;
      Settle(f, events_[static_cast<std::size_t>(met_by)].at);
    } else {
      SettleUnmet(f);
    }
  }

  static void Breach(Flag& f, Instant end) {
    f.status = FlagStatus::kBreached;
    f.late_minutes = LateMinutes(*f.due, end);
  }

  static void Settle(Flag& f, Instant met_at) {
    f.met_at = met_at;
    if (met_at <= *f.due) {
      f.status = FlagStatus::kMet;
    } else {
      Breach(f, met_at);
    }
  }

  void SettleUnmet(Flag& f) const {
    if (closed_) {
      if (*f.due >= closed_at_) {
        f.status = FlagStatus::kMet;
        f.met_at = closed_at_;
        f.met_by_close = true;
      } else {
        Breach(f, closed_at_);
        f.stopped_by_close = true;
      }
    } else if (now_ <= *f.due) {
      f.status = FlagStatus::kPending;
    } else {
      Breach(f, now_);
    }
  }

  void ComputeFlags() {
    constexpr std::uint32_t kContacted = Bit(EventType::kHomeownerContacted);
    Instant const created = s_.created_at;

    // response_4bh: the case's creation and every customer message after it. A message at or
    // before created_at is the contact that opened the case (Email-to-Case): the creation clock
    // covers it. Messages come in time order, so the instances are sorted by `started`.
    Begin(RuleId::kResponse4bh);
    AddFlag(RuleId::kResponse4bh, created, FindFirst(kContacted, created));
    if (Has(EventType::kCustomerMessage)) {
      for (std::size_t p = LowerBound(created, /*strict=*/true); p < order_.size(); ++p) {
        Event const& e = events_[order_[p]];
        if (e.type == EventType::kCustomerMessage) {
          AddFlag(RuleId::kResponse4bh, e.at, FindFirst(kContacted, e.at));
        }
      }
    }
    End(RuleId::kResponse4bh);

    Begin(RuleId::kTierUpdate24h);
    if (s_.tier == 1 || s_.tier == 2) {
      AddFlag(RuleId::kTierUpdate24h, created, FindFirst(kContacted, created));
    }
    End(RuleId::kTierUpdate24h);

    Begin(RuleId::kManagerNotified);
    if (s_.tier == 4) {
      AddFlag(RuleId::kManagerNotified, created,
              FindFirst(Bit(EventType::kManagerNotified), created));
    }
    End(RuleId::kManagerNotified);

    // Agent steps of the installer-complaint procedure.
    Begin(RuleId::kRelationsMissing);
    if (procedure_) {
      if (!s_.installer_id.empty() && !s_.homeowner_id.empty()) {
        Flag& f = out_.flags.emplace_back();
        f.rule = RuleId::kRelationsMissing;
        f.started = created;
        f.due = Due(created, RuleId::kRelationsMissing);
        f.status = FlagStatus::kMet;  // met by the case's data: no event, met_at null
      } else {
        AddFlag(RuleId::kRelationsMissing, created, -1);
      }
    }
    End(RuleId::kRelationsMissing);

    Begin(RuleId::kOutreachNoteMissing);
    if (procedure_) {
      AddFlag(RuleId::kOutreachNoteMissing, created,
              FindFirst(Bit(EventType::kOutreachNote), created));
    }
    End(RuleId::kOutreachNoteMissing);

    Begin(RuleId::kBackOfficeHandoff);
    if (procedure_) AddFlag(RuleId::kBackOfficeHandoff, created, FindFirstHandoff(created));
    End(RuleId::kBackOfficeHandoff);

    // Back-office steps, non-Beam.
    bool const non_beam = procedure_ && !beam_;
    Begin(RuleId::kInstallerContact2d);
    if (non_beam) {
      AddFlag(RuleId::kInstallerContact2d, created,
              FindFirst(Bit(EventType::kInstallerContactedHomeowner), created));
    }
    End(RuleId::kInstallerContact2d);

    Begin(RuleId::kSalesReferral2d);
    if (non_beam && Has(EventType::kInstallerCalled)) {
      constexpr std::uint32_t kMeets =
          Bit(EventType::kInstallerContactedHomeowner) | Bit(EventType::kSalesReferral);
      for (std::uint32_t idx : order_) {
        Event const& e = events_[idx];
        if (e.type == EventType::kInstallerCalled) {
          AddFlag(RuleId::kSalesReferral2d, e.at, FindFirst(kMeets, e.at));
        }
      }
    }
    End(RuleId::kSalesReferral2d);

    // The rolling follow-up chain after the Sales referral.
    Begin(RuleId::kFollowup5d);
    if (procedure_ && first_referral_ >= 0) {
      Instant start = events_[static_cast<std::size_t>(first_referral_)].at;
      for (;;) {
        int const met_by = FindFirst(kContacted, start, /*strict=*/true);
        AddFlag(RuleId::kFollowup5d, start, met_by);
        if (met_by < 0) break;
        start = events_[static_cast<std::size_t>(met_by)].at;
      }
    }
    End(RuleId::kFollowup5d);

    Begin(RuleId::kAmResponse5d);
    if (first_referral_ >= 0 && !(installer_complaint_ && s_.pre_m3_pto)) {
      Instant const start = events_[static_cast<std::size_t>(first_referral_)].at;
      AddFlag(RuleId::kAmResponse5d, start, FindFirst(Bit(EventType::kAmResponded), start));
    }
    End(RuleId::kAmResponse5d);

    // Beam/Concert branch: after the handoff, and after each homeowner request.
    Begin(RuleId::kBeamFollowup1w);
    if (procedure_ && beam_ && first_back_office_ >= 0) {
      Instant const handoff = events_[static_cast<std::size_t>(first_back_office_)].at;
      AddFlag(RuleId::kBeamFollowup1w, handoff, FindFirst(kContacted, handoff));
      if (Has(EventType::kHomeownerRequestedFollowup)) {
        for (std::size_t p = LowerBound(handoff, false); p < order_.size(); ++p) {
          Event const& e = events_[order_[p]];
          if (e.type == EventType::kHomeownerRequestedFollowup) {
            AddFlag(RuleId::kBeamFollowup1w, e.at, FindFirst(kContacted, e.at));
          }
        }
      }
    }
    End(RuleId::kBeamFollowup1w);

    Begin(RuleId::kCaseNotRequired);
    if (installer_complaint_ && s_.pre_m3_pto) {
      Flag& f = out_.flags.emplace_back();
      f.rule = RuleId::kCaseNotRequired;
      f.started = created;
      f.status = FlagStatus::kInfo;
    }
    End(RuleId::kCaseNotRequired);
  }

  // ---- actions ------------------------------------------------------------------------------

  // Writes "<case id>:<action id>:<n>" into `key`, reusing its capacity.
  void BuildKey(std::string& key, ActionId action, int n) const {
    key.clear();
    key.append(s_.id);
    key.push_back(':');
    key.append(mappings::ActionName(action));
    key.push_back(':');
    std::array<char, 16> digits{};
    auto const [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n);
    (void)ec;  // 16 chars always hold an int
    key.append(digits.data(), end);
  }

  // Only the task_created events that count as of `now` (the ones in order_).
  [[nodiscard]] bool AlreadyCreated(std::string_view key) const {
    if (!Has(EventType::kTaskCreated)) return false;
    for (std::uint32_t idx : order_) {
      Event const& e = events_[idx];
      if (e.type == EventType::kTaskCreated && e.key == key) return true;
    }
    return false;
  }

  // Plans one action, unless a task_created event already carries its key. Reuses the slot (and
  // its key buffer) left in out_.actions by the previous evaluation.
  void Plan(ActionId action, int n, std::optional<Instant> due, RuleId rule) {
    auto& actions = out_.actions;
    if (planned_ == actions.size()) {
      PlannedAction& fresh = actions.emplace_back();
      auto& spare = out_.scratch.spare_keys;
      if (!spare.empty()) {
        fresh.key = std::move(spare.back());
        spare.pop_back();
      }
    }
    PlannedAction& a = actions[planned_];
    BuildKey(a.key, action, n);
    if (AlreadyCreated(a.key)) return;  // the slot stays free for the next action
    a.action = action;
    a.kind = mappings::KindOf(action);
    a.n = n;
    a.due = due;
    a.rule = rule;
    ++planned_;
  }

  // Drops the slots this evaluation did not use, keeping their key buffers for later calls.
  void TrimActions() {
    auto& actions = out_.actions;
    auto& spare = out_.scratch.spare_keys;
    while (actions.size() > planned_) {
      spare.push_back(std::move(actions.back().key));
      actions.pop_back();
    }
  }

  void PlanActions() {
    planned_ = 0;
    if (!closed_) PlanOpenCaseActions();
    TrimActions();
  }

  void PlanOpenCaseActions() {
    bool const in_back_office = first_back_office_ >= 0;

    if (procedure_ && !in_back_office && !s_.installer_id.empty() && !s_.homeowner_id.empty() &&
        Has(EventType::kOutreachNote) && s_.owner != back_office_owner_) {
      Flag const& handoff = At(Range(RuleId::kBackOfficeHandoff).begin);
      Plan(ActionId::kReassignBackOffice, 1, handoff.due, RuleId::kBackOfficeHandoff);
    }

    if (procedure_ && !beam_ && in_back_office && !Has(EventType::kInstallerContactedHomeowner) &&
        !Has(EventType::kInstallerCalled) && !Has(EventType::kSalesReferral)) {
      Flag const& contact = At(Range(RuleId::kInstallerContact2d).begin);
      Plan(ActionId::kCallInstaller, 1, contact.due, RuleId::kInstallerContact2d);
    }

    FlagRange const calls = Range(RuleId::kSalesReferral2d);
    for (std::uint32_t i = calls.begin; i < calls.end; ++i) {
      if (!At(i).met_at) {
        Plan(ActionId::kSalesReferralReminder, static_cast<int>(i - calls.begin + 1), At(i).due,
             RuleId::kSalesReferral2d);
      }
    }

    FlagRange const chain = Range(RuleId::kFollowup5d);
    if (!chain.empty() && !At(chain.end - 1).met_at) {
      Plan(ActionId::kHomeownerFollowup, static_cast<int>(chain.size()), At(chain.end - 1).due,
           RuleId::kFollowup5d);
    }

    FlagRange const beam = Range(RuleId::kBeamFollowup1w);
    if (!Has(EventType::kHomeownerUnresponsive)) {
      for (std::uint32_t i = beam.begin; i < beam.end; ++i) {
        if (!At(i).met_at) {
          Plan(ActionId::kBeamFollowup, static_cast<int>(i - beam.begin + 1), At(i).due,
               RuleId::kBeamFollowup1w);
        }
      }
    }

    FlagRange const tier = Range(RuleId::kTierUpdate24h);
    if (!tier.empty() && !At(tier.begin).met_at) {
      Plan(ActionId::kTierFollowup, 1, At(tier.begin).due, RuleId::kTierUpdate24h);
    }

    FlagRange const am = Range(RuleId::kAmResponse5d);
    if (!am.empty() && !At(am.begin).met_at && At(am.begin).status == FlagStatus::kBreached) {
      Plan(ActionId::kEscalateAmSilence, 1, At(am.begin).due, RuleId::kAmResponse5d);
    }

    FlagRange const manager = Range(RuleId::kManagerNotified);
    if (!manager.empty() && !At(manager.begin).met_at) {
      Plan(ActionId::kNotifyManager, 1, At(manager.begin).due, RuleId::kManagerNotified);
    }
  }

  // ---- stage --------------------------------------------------------------------------------

  [[nodiscard]] Stage ComputeStage() const {
    if (closed_) return Stage::kClosed;
    if (installer_complaint_) {
      if (s_.pre_m3_pto) return Stage::kCaseNotRequired;
      if (first_back_office_ < 0) return Stage::kAgentSteps;
      if (beam_) return Stage::kBeamFollowup;
      if (Has(EventType::kInstallerContactedHomeowner)) return Stage::kInstallerContacted;
      if (Has(EventType::kSalesReferral)) return Stage::kSalesReferral;
      if (Has(EventType::kInstallerCalled)) return Stage::kInstallerCalled;
      return Stage::kBackOffice;
    }
    switch (s_.tier) {
      case 4:
        return Stage::kExecutiveEscalation;
      case 3:
        return Stage::kFieldService;
      case 2:
        return Stage::kAgentAssisted;
      case 1:
        return Stage::kSelfService;
      default:
        return Stage::kOpen;
    }
  }

  struct Memo {
    Instant start{};
    std::chrono::seconds length{0};
    mappings::DurationKind kind = mappings::DurationKind::kCalendar;
    Instant due{};
  };

  mappings::Policy const& policy_;
  BusinessCalendar const& calendar_;
  std::string_view back_office_owner_;
  Snapshot const& s_;
  std::vector<Event> const& events_;
  Instant const now_;
  Evaluation& out_;
  bool const closed_;
  Instant const closed_at_;

  std::span<std::uint32_t const> order_;
  // Per EventType: 1 + position in order_ of its last event, 0 when absent.
  std::array<std::uint32_t, static_cast<std::size_t>(EventType::kUnknown) + 1> last_end_{};
  std::uint32_t types_ = 0;     // bit per EventType present among the evaluated events
  int first_back_office_ = -1;  // original index of the first reassigned-to-back-office event
  int first_referral_ = -1;     // original index of the first sales_referral
  bool installer_complaint_ = false;
  bool procedure_ = false;  // installer complaint to which the seed-001 procedure applies
  bool beam_ = false;
  std::array<FlagRange, mappings::kRuleCount> ranges_{};
  std::array<Memo, 6> memo_{};
  std::size_t memo_size_ = 0;
  std::size_t memo_next_ = 0;
  std::size_t planned_ = 0;
};

}  // namespace

Engine::Engine(mappings::Policy const& policy, BusinessCalendar const& calendar)
    : policy_(policy),
      calendar_(calendar),
      back_office_owner_("queue:" + policy.queues.back_office) {}

void Engine::Evaluate(Snapshot const& snapshot, Instant now, Evaluation& out) const {
  Evaluator(policy_, calendar_, back_office_owner_, snapshot, now, out).Run();
}

Evaluation Engine::Evaluate(Snapshot const& snapshot, Instant now) const {
  Evaluation out;
  Evaluate(snapshot, now, out);
  return out;
}

}  // namespace casebridge::engine
