// One Salesforce case's timeline in the demo org (CaseBuilder, demo_org_parts.h).
#include "connector/sandbox/demo_org_parts.h"

namespace casebridge::sandbox::demo_org_internal {

std::string Subject(PlannedCase const& pc) {
  if (pc.complaint) return std::string(kSecondaryReasons.at(pc.reason).subjects.at(pc.subject));
  return std::string(kGeneralReasons.at(pc.reason).subjects.at(pc.subject));
}

CaseBuilder::AgentResult CaseBuilder::AgentSteps(AgentPlan const& plan) {
  AgentResult r;
  std::uint8_t const agent = pc_.creator;
  Instant const c = pc_.created;
  bool const beam = pc_.financing != 0;
  if (pc_.origin == 0) {
    r.start = c;
  } else {
    Add(Act::kIncomingEmail, c, kIntegration, static_cast<std::uint8_t>(Mail::kFirst));
    r.start = BizPlus(c, 5, 90);
    Add(Act::kOwnerChange, r.start, agent, agent);
  }
  Instant t = r.start;
  if (plan.reply) {
    if (pc_.origin == 0) {
      Add(Act::kCallHomeowner, Plus(c, 3, 15), agent);
    } else if (plan.late_reply) {
      Add(Act::kEmailHomeowner, BizPlus(c, 300, 700), agent,
          static_cast<std::uint8_t>(Mail::kAcknowledge));
    } else {
      Add(Act::kEmailHomeowner, Plus(t, 4, 20), agent,
          static_cast<std::uint8_t>(Mail::kAcknowledge));
    }
  }
  t = Plus(t, 10, 35);
  if (plan.email_installer) {
    if (beam) {
      Add(Act::kEmailPartner, t, agent, static_cast<std::uint8_t>(Mail::kPartnerOutreach));
    } else {
      Mail const mail = pc_.pre_m3 ? Mail::kPtoInstaller
                        : (pc_.reason == kUnresponsiveInstaller || pc_.reason == kPtoDelay)
                            ? Mail::kUnresponsiveInstall
                            : Mail::kComplaintDetails;
      Add(Act::kEmailInstaller, t, agent, static_cast<std::uint8_t>(mail));
    }
  }
  t = Plus(t, 3, 15);
  if (plan.note) Add(Act::kOutreachNote, t, agent, beam ? 1 : 0);
  t = Plus(t, 2, 12);
  if (plan.handoff) Add(Act::kOwnerChange, t, agent, kToBackOfficeQueue);
  r.handoff = t;
  return r;
}

Instant CaseBuilder::FirstAnswer(std::uint8_t mail, Answer answer) {
  Instant const c = pc_.created;
  std::uint8_t const agent = pc_.creator;
  Instant start = c;
  if (pc_.origin == 0) {
    Instant const call = Plus(c, 3, 15);
    Add(Act::kCallHomeowner, call, agent);
    return call;
  }
  Add(Act::kIncomingEmail, c, kIntegration, static_cast<std::uint8_t>(Mail::kFirst));
  start = BizPlus(c, 5, 60);
  Add(Act::kOwnerChange, start, agent, agent, /*optional=*/true);
  if (answer == Answer::kNone) return start;
  Instant const at = answer == Answer::kLate ? BusinessAfter(Plus(c, 26 * kHour, 40 * kHour))
                                             : BizPlus(start, 5, 200);
  Add(Act::kEmailHomeowner, at, agent, mail, /*optional=*/true);
  return at;
}

Instant CaseBuilder::FollowupChain(Instant from, std::uint8_t user) {
  Instant t = from;
  for (int i = 0; i < 8; ++i) {
    Instant const target = t + minutes(rng_.Between(72 * kHour, 108 * kHour));
    Instant next = BusinessBefore(target);
    if (next <= t + hours(12)) next = BusinessAfter(t + hours(12));
    next += Jitter();
    if (next >= now_ - minutes(1)) break;
    Add(Act::kEmailHomeowner, next, user, static_cast<std::uint8_t>(Mail::kUpdate), true);
    t = next;
  }
  return t;
}

CaseBuilder::Referral CaseBuilder::ReferralTimeline(Instant lo, Instant hi, bool late_referral,
                                                    std::uint8_t bo) {
  Referral r;
  r.referral = PickBusiness(lo, hi);
  minutes const gap = late_referral ? minutes(rng_.Between(50 * kHour, 70 * kHour))
                                    : minutes(rng_.Between(30 * kHour, 46 * kHour));
  r.call = BusinessAfter(r.referral - gap);
  if (r.call > r.referral - hours(1)) r.call = BusinessBefore(r.referral - gap);
  pc_.created = BusinessBefore(r.call - minutes(rng_.Between(48 * kHour, 54 * kHour)));
  pc_.origin = 0;
  AgentResult const a = AgentSteps({});
  SelfAssign(a.handoff, bo, /*optional=*/false);
  AddStep(Step::kInstallerCalled, r.call, bo, false, static_cast<std::uint8_t>(rng_.Below(2)));
  AddStep(Step::kSalesReferral, r.referral, bo);
  return r;
}

void CaseBuilder::FollowupEmail(Instant message, std::optional<Instant> reply, bool anchored) {
  General(rng_.Percent(50) ? kReasonProduction : kReasonBilling, rng_.Percent(60) ? 0 : 2);
  pc_.origin = 1;
  pc_.created = BusinessBefore(message - minutes(rng_.Between(3 * kDay, 6 * kDay)));
  FirstAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge), 0, 0);
  std::uint8_t const agent = pc_.creator;
  Add(Act::kIncomingEmail, message, kIntegration, static_cast<std::uint8_t>(Mail::kAskUpdate));
  if (reply) {
    Add(Act::kEmailHomeowner, *reply, agent, static_cast<std::uint8_t>(Mail::kUpdate));
    if (anchored || rng_.Percent(30)) {
      Close(BizPlus(*reply, 9 * kHour, 18 * kHour), agent, /*optional=*/true);
    }
  }
}

void CaseBuilder::BuildInstallerComplaint() {
  std::uint8_t const bo = BackOfficeUser();
  switch (pc_.scenario) {
    case Scenario::kIcAgentStepsInProgress: {
      RandomComplaint();
      // Called in during the last business hours, or e-mailed at any hour since yesterday.
      pc_.created = pc_.origin == 0 ? PickBusiness(Ago(minutes(170)), Ago(minutes(20)))
                                    : Ago(minutes(rng_.Between(20, 40 * kHour)));
      AgentPlan plan;
      plan.email_installer = rng_.Percent(50);
      plan.note = false;
      plan.handoff = false;
      AgentSteps(plan);
      // Steps after `now` have not happened yet.
      for (auto& a : pc_.acts) a.optional = true;
      return;
    }
    case Scenario::kIcRelationsMissing: {
      RandomComplaint();
      pc_.created = CreatedBetween(1, 12);
      if (Variant(2) == 0) {
        pc_.installer_related = false;
      } else {
        pc_.homeowner_related = false;
      }
      AgentPlan plan;
      plan.handoff = false;
      AgentSteps(plan);
      return;
    }
    case Scenario::kIcOutreachNoteMissing: {
      RandomComplaint();
      pc_.created = CreatedBetween(1, 12);
      AgentPlan plan;
      plan.note = false;
      plan.handoff = false;
      AgentSteps(plan);
      return;
    }
    case Scenario::kIcNotHandedOff: {
      RandomComplaint();
      pc_.created = CreatedBetween(0.15, 8);
      AgentPlan plan;
      plan.handoff = false;
      plan.late_reply = rng_.Percent(20);
      AgentSteps(plan);
      return;
    }
    case Scenario::kIcBackOfficeWithin2d:
    case Scenario::kIcBackOfficeCallTaskExists: {
      RandomComplaint();
      pc_.origin = 0;
      pc_.created = PickBusiness(Ago(hours(44)), Ago(hours(3)));
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo);
      if (pc_.scenario == Scenario::kIcBackOfficeCallTaskExists) {
        Add(Act::kCasebridgeTask, Plus(a.handoff, 5, 30), kIntegration,
            static_cast<std::uint8_t>(CasebridgeAction::kCallInstaller), true, 0,
            pc_.created + days(2));
      }
      return;
    }
    case Scenario::kIcBackOfficePast2d: {
      RandomComplaint();
      pc_.created = CreatedBetween(2.5, 10);
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo);
      if (rng_.Percent(60)) {
        Instant const ask = PickBusiness(pc_.created + days(2), Ago(hours(2)));
        Add(Act::kIncomingEmail, ask, kIntegration, static_cast<std::uint8_t>(Mail::kAskUpdate),
            true);
        if (rng_.Percent(60)) {
          Add(Act::kEmailHomeowner, BizPlus(ask, 20, 400), bo,
              static_cast<std::uint8_t>(Mail::kUpdate), true);
        }
      }
      return;
    }
    case Scenario::kIcInstallerCalledReached:
    case Scenario::kIcInstallerCalledVoicemail: {
      RandomComplaint();
      pc_.origin = 0;
      // Every other call within the last 40 hours (its 2-day clock still running).
      Instant const call = Variant(2) == 0 ? PickBusiness(Ago(hours(40)), Ago(hours(1)))
                                           : PickBusiness(AgoDays(8), Ago(hours(2)));
      pc_.created = BusinessBefore(call - minutes(rng_.Between(48 * kHour, 56 * kHour)));
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo, false);
      AddStep(Step::kInstallerCalled, call, bo, false,
              pc_.scenario == Scenario::kIcInstallerCalledReached ? 0 : 1);
      return;
    }
    case Scenario::kIcInstallerContactedHomeowner: {
      RandomComplaint();
      pc_.created = CreatedBetween(2, 12);
      AgentResult const a = AgentSteps({});
      Instant const assigned = SelfAssign(a.handoff, bo, false);
      if (rng_.Percent(65)) {
        Instant const contact = std::max(
            assigned, BusinessBefore(pc_.created + minutes(rng_.Between(6 * kHour, 46 * kHour))));
        AddStep(Step::kInstallerContactedHomeowner, contact + minutes(5), bo);
      } else {
        Instant const call = BizPlus(pc_.created + days(2), 0, 120);
        AddStep(Step::kInstallerCalled, call, bo, false, 1);
        AddStep(Step::kInstallerContactedHomeowner, BizPlus(call, 120, 700), bo, true);
      }
      return;
    }
    case Scenario::kIcHomeownerSatisfiedClosed: {
      RandomComplaint();
      pc_.created = CreatedBetween(3, 14);
      AgentResult const a = AgentSteps({});
      Instant const assigned = SelfAssign(a.handoff, bo, false);
      Instant const contact = std::max(assigned, BizPlus(pc_.created, 4 * kHour, 14 * kHour));
      AddStep(Step::kInstallerContactedHomeowner, contact + minutes(3), bo);
      Instant const satisfied = BizPlus(contact, 60, 300);
      AddStep(Step::kHomeownerSatisfied, satisfied, bo);
      Add(Act::kEmailHomeowner, satisfied + minutes(4), bo,
          static_cast<std::uint8_t>(Mail::kInstallComplntDone));
      Close(satisfied + minutes(6), bo);
      return;
    }
    case Scenario::kIcSalesReferralRecent: {
      RandomComplaint();
      Referral const r = ReferralTimeline(Ago(hours(4 * 24 + 12)), Ago(hours(3)), false, bo);
      if (rng_.Percent(40)) {
        Add(Act::kEmailHomeowner, BizPlus(r.referral + days(2), 0, 240), bo,
            static_cast<std::uint8_t>(Mail::kUpdate), true);
      }
      return;
    }
    case Scenario::kIcSalesReferralAmSilent: {
      RandomComplaint();
      Referral const r = ReferralTimeline(AgoDays(12), AgoDays(5.5), Variant(3) == 0, bo);
      FollowupChain(r.referral, bo);
      return;
    }
    case Scenario::kIcSalesReferralAmResponded: {
      RandomComplaint();
      Referral const r = ReferralTimeline(AgoDays(12), AgoDays(5), rng_.Percent(20), bo);
      Instant const am = BizPlus(r.referral, 4 * kHour, 27 * kHour);
      AddStep(Step::kAmResponded, am, kAccountManager, /*optional=*/true);
      FollowupChain(r.referral, bo);
      return;
    }
    case Scenario::kIcFollowupChainBroken: {
      RandomComplaint();
      Referral const r = ReferralTimeline(AgoDays(14), AgoDays(10.2), false, bo);
      Instant const first =
          BusinessBefore(r.referral + minutes(rng_.Between(48 * kHour, 100 * kHour)));
      Add(Act::kEmailHomeowner, first, bo, static_cast<std::uint8_t>(Mail::kUpdate));
      Instant const late = BusinessAfter(first + minutes(rng_.Between(6 * kDay, 8 * kDay)));
      Add(Act::kEmailHomeowner, late, bo, static_cast<std::uint8_t>(Mail::kUpdate), true);
      if (rng_.Percent(50)) {
        AddStep(Step::kAmResponded, BizPlus(r.referral, 9 * kHour, 27 * kHour), kAccountManager);
      }
      return;
    }
    case Scenario::kIcSalesReferralResolvedClosed: {
      RandomComplaint();
      Referral const r = ReferralTimeline(AgoDays(12), AgoDays(7), false, bo);
      Instant const am = BizPlus(r.referral, 2 * kHour, 18 * kHour);
      AddStep(Step::kAmResponded, am, kAccountManager);
      Instant const contact = BizPlus(am, 3 * kHour, 14 * kHour);
      AddStep(Step::kInstallerContactedHomeowner, contact, bo);
      Instant const satisfied = BizPlus(contact, 30, 240);
      AddStep(Step::kHomeownerSatisfied, satisfied, bo);
      Add(Act::kEmailHomeowner, satisfied + minutes(3), bo,
          static_cast<std::uint8_t>(Mail::kInstallComplntDone));
      Close(satisfied + minutes(5), bo);
      return;
    }
    case Scenario::kIcPreM3Pto: {
      InstallerComplaint(kPtoDelay);
      pc_.pre_m3 = true;
      pc_.created = CreatedBetween(0.1, 20);
      AgentPlan plan;
      plan.note = rng_.Percent(30);
      plan.handoff = false;
      AgentResult const a = AgentSteps(plan);
      // Every other one is closed at once: no case was needed.
      if (Variant(2) == 1) Close(Plus(a.handoff, 10, 60), pc_.creator, true);
      return;
    }
    default:
      return;
  }
}

void CaseBuilder::BuildBeam() {
  RandomComplaint();
  pc_.financing = static_cast<std::uint8_t>(1 + rng_.Below(2));
  std::uint8_t const bo = BackOfficeUser();
  switch (pc_.scenario) {
    case Scenario::kBeamNotHandedOff: {
      pc_.origin = 0;
      pc_.created = CreatedBetween(0.1, 5);
      AgentPlan plan;
      plan.handoff = false;
      AgentSteps(plan);
      return;
    }
    case Scenario::kBeamHandedOff: {
      pc_.origin = 0;
      pc_.created = CreatedBetween(0.2, 6);
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo);
      if (rng_.Percent(35)) {
        Add(Act::kCasebridgeTask, Plus(a.handoff, 5, 30), kIntegration,
            static_cast<std::uint8_t>(CasebridgeAction::kBeamFollowup), true, 0,
            a.handoff + days(7));
      }
      return;
    }
    case Scenario::kBeamFollowupSent: {
      pc_.created = CreatedBetween(8.5, 16);
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo, false);
      bool const late = Variant(3) == 0;
      Instant const followup =
          late ? BusinessAfter(a.handoff + minutes(rng_.Between(7 * kDay + 60, 8 * kDay)))
               : BusinessBefore(a.handoff + minutes(rng_.Between(5 * kDay, 7 * kDay - 60)));
      Add(Act::kEmailHomeowner, followup, bo, static_cast<std::uint8_t>(Mail::kUnresponsiveBeamHo));
      return;
    }
    case Scenario::kBeamHomeownerRequestedFollowup: {
      pc_.created = CreatedBetween(9, 18);
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo, false);
      Instant const followup =
          BusinessBefore(a.handoff + minutes(rng_.Between(5 * kDay, 6 * kDay + 12 * kHour)));
      Add(Act::kEmailHomeowner, followup, bo, static_cast<std::uint8_t>(Mail::kUnresponsiveBeamHo));
      Instant const asked = BizPlus(followup, 3 * kHour, 18 * kHour);
      AddStep(Step::kHomeownerRequestedFollowup, asked, bo);
      Add(Act::kEmailPartner, asked + minutes(8), bo,
          static_cast<std::uint8_t>(Mail::kPartnerFollowup));
      Add(Act::kEmailHomeowner, BusinessAfter(asked + minutes(rng_.Between(3 * kDay, 9 * kDay))),
          bo, static_cast<std::uint8_t>(Mail::kUnresponsiveBeamHo), true);
      return;
    }
    case Scenario::kBeamUnresponsiveClosed: {
      pc_.created = CreatedBetween(13, 20);
      AgentResult const a = AgentSteps({});
      SelfAssign(a.handoff, bo, false);
      Instant const followup =
          BusinessBefore(a.handoff + minutes(rng_.Between(6 * kDay, 7 * kDay - 60)));
      Add(Act::kEmailHomeowner, followup, bo, static_cast<std::uint8_t>(Mail::kUnresponsiveBeamHo));
      Instant const gave_up = BusinessAfter(followup + minutes(rng_.Between(4 * kDay, 6 * kDay)));
      AddStep(Step::kHomeownerUnresponsive, gave_up, bo);
      Close(gave_up + minutes(4), bo);
      return;
    }
    default:
      return;
  }
}

void CaseBuilder::BuildGeneral() {
  switch (pc_.scenario) {
    case Scenario::kGeneralTier1: {
      General(rng_.Percent(50) ? kReasonMonitoring : kReasonBilling, 1);
      if (Variant(4) < 2) pc_.origin = 1;
      pc_.created = TierCreated();
      Instant const answer = TierAnswer(static_cast<std::uint8_t>(Mail::kKbArticle));
      if (rng_.Percent(35)) Close(BizPlus(answer, 120, 20 * kHour), pc_.creator, true);
      return;
    }
    case Scenario::kGeneralTier1FollowupTaskExists: {
      General(kReasonMonitoring, 1);
      pc_.origin = 1;
      pc_.created = ArrivedBetween(0.1, 3);
      FirstAnswer(0, 0, 100);
      Add(Act::kCasebridgeTask, Plus(pc_.created, 5, 25), kIntegration,
          static_cast<std::uint8_t>(CasebridgeAction::kTierFollowup), true, 0,
          pc_.created + hours(24));
      return;
    }
    case Scenario::kGeneralTier2: {
      General(rng_.Percent(50) ? kReasonProduction : kReasonAccount, 2);
      if (Variant(4) < 2) pc_.origin = 1;
      pc_.created = TierCreated();
      Instant const answer = TierAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge));
      if (rng_.Percent(30)) Close(BizPlus(answer, 4 * kHour, 30 * kHour), pc_.creator, true);
      return;
    }
    case Scenario::kGeneralTier3: {
      General(kReasonHardware, 3);
      pc_.created = CreatedBetween(0.1, 20);
      FirstAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge), 10, 10);
      pc_.forge_linked = true;
      pc_.service_ticket = rng_.Percent(50);
      if (rng_.Percent(40)) {
        Add(Act::kCaseNote, BizPlus(pc_.created, 30, 300), pc_.creator, 1, true);
      }
      return;
    }
    case Scenario::kGeneralTier4ManagerNotified:
    case Scenario::kGeneralTier4ManagerNotNotified:
    case Scenario::kGeneralTier4CasebridgePostExists: {
      General(kReasonEscalation, 4);
      pc_.created = CreatedBetween(0.1, 20);
      FirstAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge), 10, 10);
      if (pc_.scenario == Scenario::kGeneralTier4ManagerNotified) {
        Instant const at = Variant(3) != 0 ? Plus(pc_.created, 8, 50) : Plus(pc_.created, 75, 240);
        AddStep(Step::kManagerNotified, at, pc_.creator, true);
      } else if (pc_.scenario == Scenario::kGeneralTier4CasebridgePostExists) {
        Add(Act::kCasebridgePost, Plus(pc_.created, 6, 20), kIntegration, Manager(), true);
      }
      return;
    }
    case Scenario::kGeneralNoTier: {
      General(static_cast<std::uint8_t>(rng_.Below(5)), 0);
      pc_.created = ArrivedBetween(0.05, 20);
      FirstAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge), 15, 15);
      return;
    }
    case Scenario::kGeneralClosed: {
      General(static_cast<std::uint8_t>(rng_.Below(5)), static_cast<int>(rng_.Below(3)));
      pc_.created = CreatedBetween(2, 20);
      Instant const answer = FirstAnswer(static_cast<std::uint8_t>(Mail::kAcknowledge), 0, 0);
      Add(Act::kEmailHomeowner, BizPlus(answer, 4 * kHour, 20 * kHour), pc_.creator,
          static_cast<std::uint8_t>(Mail::kResolved));
      Close(BizPlus(answer, 20 * kHour, 40 * kHour), pc_.creator);
      return;
    }
    default:
      return;
  }
}

void CaseBuilder::BuildFollowupEmail() {
  Instant const lo = window_start_ + days(9);
  Instant const hi = now_ - hours(1);
  // Local days in [lo, hi] that satisfy `want`, newest first.
  auto candidate_days = [&](auto want) {
    std::vector<sys_days> out;
    for (sys_days d = ToLocal(hi).day; Instant(d) >= lo - days(1); d -= days(1)) {
      if (want(d)) out.push_back(d);
    }
    return out;
  };
  // The message at a local time on one of `days_`, answered 30 minutes before or after its due
  // time; the newest day whose answer lies before `now` is used when the random one does not fit.
  auto edge = [&](std::vector<sys_days> const& options, minutes from, minutes span, bool holidays,
                  bool always_in_time) {
    bool const in_time = always_in_time || Variant(2) == 0;
    std::size_t const first = options.empty() ? 0 : rng_.Below(options.size());
    for (std::size_t k = 0; k < options.size(); ++k) {
      sys_days const d = options[(first + k) % options.size()];
      Instant const message =
          EasternToUtc(d, from + minutes(rng_.Below(static_cast<std::uint64_t>(span.count()))));
      Instant const due = AddBusiness(message, hours(4), holidays);
      Instant const reply = in_time ? due - minutes(30) : due + minutes(30);
      if (reply < now_ - minutes(1)) {
        FollowupEmail(message, reply, /*anchored=*/false);
        return;
      }
    }
    // No day fits (cannot happen with a 21-day window): an ordinary answered e-mail instead.
    Instant const message = PickBusiness(lo, AgoDays(2));
    FollowupEmail(message, AddBusiness(message, minutes(90)), false);
  };
  auto is = [](chr::weekday want) {
    return [want](sys_days d) { return chr::weekday(d) == want; };
  };
  switch (pc_.scenario) {
    case Scenario::kFollowupEmailAnsweredInTime: {
      Instant const message = PickBusiness(lo, AgoDays(1));
      FollowupEmail(message, AddBusiness(message, minutes(rng_.Between(15, 225))), false);
      return;
    }
    case Scenario::kFollowupEmailAnsweredLate: {
      Instant const message = PickBusiness(lo, AgoDays(3));
      FollowupEmail(message, AddBusiness(message, minutes(rng_.Between(255, 900))), false);
      return;
    }
    case Scenario::kFollowupEmailFridayEvening:
      edge(candidate_days(is(chr::Friday)), hours(17), minutes(58), false, false);
      return;
    case Scenario::kFollowupEmailBeforeOpening:
      edge(candidate_days([](sys_days d) { return IsOpenDay(d, false); }), minutes(6 * kHour + 30),
           minutes(135), false, false);
      return;
    case Scenario::kFollowupEmailWeekend:
      edge(candidate_days([](sys_days d) { return !IsOpenDay(d, false); }), hours(8), hours(12),
           false, false);
      return;
    case Scenario::kFollowupEmailHoliday: {
      // The most recent observed federal holiday whose next-business-day answer lies before now.
      int const year = static_cast<int>(chr::year_month_day(ToLocal(now_).day).year());
      for (int y = year; y >= year - 2; --y) {
        auto list = demo_org_internal::UsFederalHolidays(y);
        std::reverse(list.begin(), list.end());  // newest first
        for (sys_days const holiday : list) {
          Instant const message = EasternToUtc(holiday, hours(10) + minutes(rng_.Below(5 * kHour)));
          // Answered 30 minutes before the due time of a calendar that lists the holiday: in time
          // for such a calendar, late for the shipped one (no holidays).
          Instant const reply = AddBusiness(message, hours(4), /*holidays=*/true) - minutes(30);
          if (reply < now_ - minutes(1)) {
            FollowupEmail(message, reply, /*anchored=*/true);
            return;
          }
        }
      }
      return;
    }
    case Scenario::kFollowupEmailDstChange: {
      // The Friday before the most recent daylight-saving change whose answer lies before now.
      int const year = static_cast<int>(chr::year_month_day(ToLocal(now_).day).year());
      bool const in_time = Variant(2) == 0;
      for (int y = year; y >= year - 2; --y) {
        std::array<sys_days, 2> const changes = {
            sys_days(chr::year_month_weekday(chr::year(y), chr::November, chr::Sunday[1])),
            sys_days(chr::year_month_weekday(chr::year(y), chr::March, chr::Sunday[2]))};
        for (sys_days const change : changes) {
          sys_days const friday = change - days(2);
          Instant const message = EasternToUtc(friday, minutes(17 * kHour + rng_.Below(55)));
          Instant const due = AddBusiness(message, hours(4));
          Instant const reply = in_time ? due - minutes(30) : due + minutes(30);
          if (reply < now_ - minutes(1)) {
            FollowupEmail(message, reply, /*anchored=*/true);
            return;
          }
        }
      }
      return;
    }
    case Scenario::kFollowupEmailUnanswered: {
      // Every other one arrived in the last business hours (its 4-hour clock still running).
      Instant const message = Variant(2) == 0 ? PickBusiness(Ago(hours(3)), Ago(minutes(10)))
                                              : PickBusiness(AgoDays(3), Ago(minutes(10)));
      FollowupEmail(message, std::nullopt, false);
      return;
    }
    default:
      return;
  }
}

void CaseBuilder::Build() {
  pc_.installer = static_cast<std::uint8_t>(rng_.Below(kInstallers.size()));
  pc_.creator = kAgents.at(rng_.Below(kAgents.size()));
  pc_.origin = static_cast<std::uint8_t>(rng_.Percent(45) ? 0 : (rng_.Percent(80) ? 1 : 2));
  pc_.subject = static_cast<std::uint8_t>(rng_.Below(2));
  switch (pc_.scenario) {
    case Scenario::kBeamNotHandedOff:
    case Scenario::kBeamHandedOff:
    case Scenario::kBeamFollowupSent:
    case Scenario::kBeamHomeownerRequestedFollowup:
    case Scenario::kBeamUnresponsiveClosed:
      BuildBeam();
      break;
    case Scenario::kGeneralTier1:
    case Scenario::kGeneralTier1FollowupTaskExists:
    case Scenario::kGeneralTier2:
    case Scenario::kGeneralTier3:
    case Scenario::kGeneralTier4ManagerNotified:
    case Scenario::kGeneralTier4ManagerNotNotified:
    case Scenario::kGeneralTier4CasebridgePostExists:
    case Scenario::kGeneralNoTier:
    case Scenario::kGeneralClosed:
      BuildGeneral();
      break;
    case Scenario::kFollowupEmailAnsweredInTime:
    case Scenario::kFollowupEmailAnsweredLate:
    case Scenario::kFollowupEmailFridayEvening:
    case Scenario::kFollowupEmailBeforeOpening:
    case Scenario::kFollowupEmailWeekend:
    case Scenario::kFollowupEmailHoliday:
    case Scenario::kFollowupEmailDstChange:
    case Scenario::kFollowupEmailUnanswered:
      BuildFollowupEmail();
      break;
    default:
      BuildInstallerComplaint();
      break;
  }
  if (pc_.tier != 3) {
    // Agents open a Forge ticket for about a third of the other cases by hand.
    pc_.forge_linked = rng_.Percent(30);
  }
  // General cases usually still name the homeowner's installer.
  if (!pc_.complaint && rng_.Percent(40)) pc_.installer_related = false;
  Finish();
}

void CaseBuilder::Finish() {
  Instant const limit = now_ - minutes(1);
  // A required step after `now` moves the whole history back by whole weeks (weekday and local
  // time stay as planned); optional steps after `now` have simply not happened yet.
  for (int guard = 0; guard < 8; ++guard) {
    Instant latest = pc_.created;
    for (auto const& a : pc_.acts) {
      if (!a.optional) latest = std::max(latest, a.at);
    }
    if (latest <= limit) break;
    pc_.created -= days(7);
    for (auto& a : pc_.acts) {
      a.at -= days(7);
      if (a.due != Instant{}) a.due -= days(7);
    }
  }
  std::erase_if(pc_.acts, [&](Activity const& a) { return a.at > limit || a.at < pc_.created; });
  std::stable_sort(pc_.acts.begin(), pc_.acts.end(),
                   [](Activity const& a, Activity const& b) { return a.at < b.at; });
  // Nothing happens on a closed case after it closed.
  for (std::size_t i = 0; i < pc_.acts.size(); ++i) {
    if (pc_.acts[i].kind == Act::kClose) {
      pc_.closed = pc_.acts[i].at;
      pc_.acts.resize(i + 1);
      break;
    }
  }
  if (pc_.forge_linked) {
    std::size_t mirrorable = 0;
    for (auto const& a : pc_.acts) mirrorable += Mirrorable(a) ? 1 : 0;
    pc_.documented =
        static_cast<std::uint8_t>(std::min<std::uint64_t>(255, rng_.Below(mirrorable + 1)));
  }
}

}  // namespace casebridge::sandbox::demo_org_internal
