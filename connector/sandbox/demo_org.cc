#include "connector/sandbox/demo_org.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

#include "connector/sandbox/sf_ids.h"

namespace casebridge::sandbox {
namespace demo_org_internal {
namespace {

namespace chr = std::chrono;
using chr::days;
using chr::hours;
using chr::minutes;
using chr::seconds;
using chr::sys_days;

sys_days NthWeekday(int y, unsigned m, chr::weekday wd, unsigned n) {
  return sys_days(chr::year_month_weekday(chr::year(y), chr::month(m), wd[n]));
}

sys_days LastWeekday(int y, unsigned m, chr::weekday wd) {
  return sys_days(chr::year_month_weekday_last(chr::year(y), chr::month(m), wd[chr::last]));
}

sys_days Observed(sys_days d) {
  chr::weekday const wd(d);
  if (wd == chr::Saturday) return d - days(1);
  if (wd == chr::Sunday) return d + days(1);
  return d;
}

sys_days Date(int y, unsigned m, unsigned d) {
  return sys_days(chr::year(y) / chr::month(m) / chr::day(d));
}

}  // namespace

std::vector<sys_days> UsFederalHolidays(int year) {
  std::vector<sys_days> out = {
      Observed(Date(year, 1, 1)),              // New Year's Day
      NthWeekday(year, 1, chr::Monday, 3),     // Birthday of Martin Luther King, Jr.
      NthWeekday(year, 2, chr::Monday, 3),     // Washington's Birthday
      LastWeekday(year, 5, chr::Monday),       // Memorial Day
      Observed(Date(year, 6, 19)),             // Juneteenth
      Observed(Date(year, 7, 4)),              // Independence Day
      NthWeekday(year, 9, chr::Monday, 1),     // Labor Day
      NthWeekday(year, 10, chr::Monday, 2),    // Columbus Day
      Observed(Date(year, 11, 11)),            // Veterans Day
      NthWeekday(year, 11, chr::Thursday, 4),  // Thanksgiving Day
      Observed(Date(year, 12, 25)),            // Christmas Day
  };
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

int YearOf(sys_days d) { return static_cast<int>(chr::year_month_day(d).year()); }

}  // namespace

// US Eastern daylight time: from the second Sunday of March 02:00 EST (07:00Z) to the first
// Sunday of November 02:00 EDT (06:00Z).
bool IsEasternDst(Instant t) {
  int const y = YearOf(chr::floor<days>(t));
  Instant const start = Instant(NthWeekday(y, 3, chr::Sunday, 2)) + hours(7);
  Instant const end = Instant(NthWeekday(y, 11, chr::Sunday, 1)) + hours(6);
  return t >= start && t < end;
}

Instant EasternToUtc(sys_days local_day, minutes local_time) {
  Instant const as_edt = Instant(local_day) + local_time + hours(4);
  if (IsEasternDst(as_edt)) return as_edt;
  return Instant(local_day) + local_time + hours(5);
}

}  // namespace demo_org_internal

namespace {

namespace chr = std::chrono;
using chr::days;
using chr::hours;
using chr::minutes;
using chr::seconds;
using chr::sys_days;
using demo_org_internal::EasternToUtc;
using nlohmann::json;

// ---- deterministic randomness (splitmix64: same numbers on every platform) ------------------

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  /// Uniform-enough integer in [0, n) (n > 0; the modulo bias is irrelevant here).
  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : Next() % n; }
  /// Integer in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return hi <= lo
               ? lo
               : lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  bool Percent(int p) { return static_cast<int>(Below(100)) < p; }

 private:
  std::uint64_t state_;
};

std::uint64_t StreamSeed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  Rng r(seed ^ (stream * 0xD1B54A32D192ED03ULL) ^ (index * 0x9E3779B97F4A7C15ULL));
  r.Next();
  return r.Next();
}

// ---- the business calendar of the shipped mappings (America/New_York, Mon-Fri 09-18) --------

struct LocalTime {
  sys_days day;
  minutes time;
};

LocalTime ToLocal(Instant t) {
  Instant const local = t - (demo_org_internal::IsEasternDst(t) ? hours(4) : hours(5));
  sys_days const day = chr::floor<days>(local);
  return {day, chr::floor<minutes>(local - day)};
}

bool IsFederalHoliday(sys_days d) {
  int const y = static_cast<int>(chr::year_month_day(d).year());
  // New Year's Day of the next year may be observed on December 31.
  return std::ranges::any_of(std::array<int, 2>{y, y + 1}, [d](int year) {
    auto const list = demo_org_internal::UsFederalHolidays(year);
    return std::binary_search(list.begin(), list.end(), d);
  });
}

bool IsOpenDay(sys_days d, bool holidays) {
  chr::weekday const wd(d);
  if (wd == chr::Saturday || wd == chr::Sunday) return false;
  return !(holidays && IsFederalHoliday(d));
}

Instant OpensAt(sys_days d) { return EasternToUtc(d, hours(9)); }
Instant ClosesAt(sys_days d) { return EasternToUtc(d, hours(18)); }

/// The last business instant at or before `t`.
Instant PrevBusiness(Instant t) {
  for (sys_days d = ToLocal(t).day;; d -= days(1)) {
    if (IsOpenDay(d, false) && t >= OpensAt(d)) return std::min(t, ClosesAt(d) - seconds(1));
  }
}

/// SPEC 1.1 due(): the earliest instant by which `amount` of business time has passed.
Instant AddBusiness(Instant t, seconds amount, bool holidays = false) {
  for (sys_days d = ToLocal(t).day;; d += days(1)) {
    if (!IsOpenDay(d, holidays)) continue;
    Instant const start = std::max(t, OpensAt(d));
    Instant const close = ClosesAt(d);
    if (start >= close) continue;
    if (start + amount <= close) return start + amount;
    amount -= close - start;
  }
}

/// Business time inside [a, b).
seconds BusinessBetween(Instant a, Instant b) {
  seconds total{0};
  if (b <= a) return total;
  for (sys_days d = ToLocal(a).day; d <= ToLocal(b).day; d += days(1)) {
    if (!IsOpenDay(d, false)) continue;
    Instant const lo = std::max(a, OpensAt(d));
    Instant const hi = std::min(b, ClosesAt(d));
    if (hi > lo) total += hi - lo;
  }
  return total;
}

// ---- the org's people, installers and wording ----------------------------------------------

// Minutes, as 64-bit counts (random offsets are drawn in minutes).
constexpr std::int64_t kHour = 60;
constexpr std::int64_t kDay = 24 * kHour;

constexpr std::uint64_t kIdBase = 218340105584896ULL;  // 62^8: ids read "…Dn01000…"

struct UserInfo {
  std::string_view first;
  std::string_view last;
  std::string_view username;
  std::string_view title;
  std::string_view department;
  std::string_view alias;
  std::string_view forge_id;
};

constexpr std::array<UserInfo, 9> kUsers = {{
    {"Casebridge", "Integration", kDemoSalesforceUsername, "Integration User", "", "cbint",
     kDemoForgeUserId},
    {"Dana", "Whitfield", "dana.whitfield@sunnyside.example", "Support Agent", "Customer Support",
     "dwhit", "u-dana"},
    {"Luis", "Ortega", "luis.ortega@sunnyside.example", "Support Agent", "Customer Support",
     "lorte", "u-luis"},
    {"Grace", "Kim", "grace.kim@sunnyside.example", "Support Agent", "Customer Support", "gkim",
     "u-grace"},
    {"Marcus", "Bell", "marcus.bell@sunnyside.example", "Back Office Specialist", "Back Office",
     "mbell", "u-marcus"},
    {"Priya", "Nair", "priya.nair@sunnyside.example", "Back Office Specialist", "Back Office",
     "pnair", "u-priya"},
    {"Cassandra", "Mercado", "cassandra.mercado@sunnyside.example", "Installer Account Manager",
     "Partnerships", "cmerc", "u-cassandra"},
    {"Tom", "O'Hearen", "tom.ohearen@sunnyside.example", "Support Manager", "Customer Support",
     "tohea", "u-tom"},
    {"Alex", "Romero", "alex.romero@sunnyside.example", "Operations Manager", "Operations", "aromr",
     "u-alex"},
}};
constexpr std::uint8_t kIntegration = 0;
constexpr std::array<std::uint8_t, 3> kAgents = {1, 2, 3};
constexpr std::array<std::uint8_t, 2> kBackOffice = {4, 5};
constexpr std::uint8_t kAccountManager = 6;
constexpr std::array<std::uint8_t, 2> kManagers = {7, 8};

// Owner-change targets besides user indices.
constexpr std::uint8_t kToBackOfficeQueue = 250;
constexpr std::uint8_t kToSupportQueue = 251;

constexpr std::string_view kSupportAddress = "support@sunnyside.example";
constexpr std::string_view kSupportName = "Sunnyside Solar Support";
constexpr std::string_view kPartnerRiskAddress = "risk@greentechrenewables.com";

struct InstallerInfo {
  std::string_view name;
  std::string_view city;
  std::string_view state;
  std::string_view phone;
  std::string_view escalation_phone;
  std::string_view escalation_email;
};

constexpr std::array<InstallerInfo, 12> kInstallers = {{
    {"SunPeak Installations", "Austin", "TX", "+1 512 555 0110", "+1 512 555 9000",
     "escalations@sunpeak.example"},
    {"BrightRoof Solar", "Phoenix", "AZ", "+1 602 555 0142", "+1 602 555 9111",
     "escalate@brightroof.example"},
    {"Evergreen Energy Partners", "Portland", "OR", "+1 503 555 0187", "+1 503 555 9222",
     "support-escalations@evergreen-energy.example"},
    {"Helios Home Power", "Raleigh", "NC", "+1 919 555 0163", "+1 919 555 9333",
     "escalations@helioshome.example"},
    {"Coastal Current Solar", "Tampa", "FL", "+1 813 555 0175", "+1 813 555 9444",
     "care@coastalcurrent.example"},
    {"Granite State Solar", "Manchester", "NH", "+1 603 555 0131", "+1 603 555 9555",
     "escalations@granitestatesolar.example"},
    {"Prairie Sun Installers", "Wichita", "KS", "+1 316 555 0158", "+1 316 555 9666",
     "office@prairiesun.example"},
    {"Blue Ridge Renewables", "Asheville", "NC", "+1 828 555 0124", "+1 828 555 9777",
     "escalations@blueridge-renewables.example"},
    {"Desert Bloom Energy", "Las Vegas", "NV", "+1 702 555 0199", "+1 702 555 9888",
     "escalate@desertbloom.example"},
    {"Lakeshore Solar Co", "Milwaukee", "WI", "+1 414 555 0117", "+1 414 555 9999",
     "service@lakeshoresolar.example"},
    {"Mesa Verde Power", "Albuquerque", "NM", "+1 505 555 0146", "+1 505 555 9010",
     "escalations@mesaverdepower.example"},
    {"Hudson Valley Sunworks", "Albany", "NY", "+1 518 555 0182", "+1 518 555 9020",
     "priority@hudsonsunworks.example"},
}};

constexpr std::array<std::string_view, 40> kFirstNames = {
    "Maria",  "James",  "Linda",  "Robert", "Aisha",   "Wei",    "Sofia",    "Daniel",
    "Fatima", "Kevin",  "Olivia", "Carlos", "Hannah",  "Ethan",  "Priyanka", "Marcus",
    "Emily",  "Jamal",  "Grace",  "Tomas",  "Nora",    "Samuel", "Leah",     "Andre",
    "Chloe",  "Miguel", "Ruth",   "Hiro",   "Beatriz", "Owen",   "Zara",     "Victor",
    "Isabel", "Noah",   "Yuki",   "Caleb",  "Amara",   "Diego",  "Ingrid",   "Felix"};
constexpr std::array<std::string_view, 40> kLastNames = {
    "Gonzalez",  "Okafor",  "Chen",    "Miller",   "Rahman",  "Zhang",   "Rossi",  "Kowalski",
    "Haddad",    "Nguyen",  "Brennan", "Ortiz",    "Schmidt", "Walker",  "Patel",  "Reed",
    "Johansson", "Carter",  "Kim",     "Novak",    "Murphy",  "Adeyemi", "Levin",  "Dubois",
    "Tanaka",    "Silva",   "Foster",  "Yamamoto", "Costa",   "Hughes",  "Mensah", "Petrov",
    "Alvarez",   "Bennett", "Sato",    "Morgan",   "Obi",     "Ramos",   "Larsen", "Weber"};

// Secondary reasons of reasons.json, with two complaint summaries each.
struct ReasonText {
  std::string_view value;
  std::array<std::string_view, 2> subjects;
};
constexpr std::array<ReasonText, 7> kSecondaryReasons = {{
    {"Unresponsive Installer",
     {"Installer has not returned calls for two weeks",
      "Installer ignores e-mails about my system"}},
    {"PTO Delay",
     {"PTO still pending three months after install", "Still waiting for permission to operate"}},
    {"Missing Equipment",
     {"Battery was never delivered", "Monitoring gateway missing after installation"}},
    {"System Not Connected",
     {"System installed but not connected to the grid", "Panels up for a month, system still off"}},
    {"Damage to Home or System",
     {"Roof leak after panel installation", "Crew cracked two roof tiles and a panel"}},
    {"Installer Conduct",
     {"Installer crew was rude to the homeowner", "Installer used abusive language on site"}},
    {"Other", {"Installer left debris in the yard", "Installer parked on the neighbor's lawn"}},
}};
constexpr std::size_t kUnresponsiveInstaller = 0;
constexpr std::size_t kPtoDelay = 1;

constexpr std::string_view kInstallerComplaints = "Installer Complaints";

// Non-complaint Case reasons.
constexpr std::array<ReasonText, 6> kGeneralReasons = {{
    {"Billing", {"Question about my monthly bill", "Charged twice for the same month"}},
    {"Monitoring", {"App shows no production today", "How do I read my production app?"}},
    {"Production", {"Production lower than estimated", "System output dropped this week"}},
    {"Hardware", {"Panels damaged after storm", "Inverter shows a red light"}},
    {"Account Update", {"Update my contact details", "Transfer the system to the new owner"}},
    {"Escalation",
     {"Threatening legal action over installation delays", "Property damage claim after install"}},
}};
constexpr std::uint8_t kReasonBilling = 0;
constexpr std::uint8_t kReasonMonitoring = 1;
constexpr std::uint8_t kReasonProduction = 2;
constexpr std::uint8_t kReasonHardware = 3;
constexpr std::uint8_t kReasonAccount = 4;
constexpr std::uint8_t kReasonEscalation = 5;

// ---- scenarios -----------------------------------------------------------------------------

enum class Scenario : std::uint8_t {
  kIcAgentStepsInProgress,
  kIcRelationsMissing,
  kIcOutreachNoteMissing,
  kIcNotHandedOff,
  kIcBackOfficeWithin2d,
  kIcBackOfficeCallTaskExists,
  kIcBackOfficePast2d,
  kIcInstallerCalledReached,
  kIcInstallerCalledVoicemail,
  kIcInstallerContactedHomeowner,
  kIcHomeownerSatisfiedClosed,
  kIcSalesReferralRecent,
  kIcSalesReferralAmSilent,
  kIcSalesReferralAmResponded,
  kIcFollowupChainBroken,
  kIcSalesReferralResolvedClosed,
  kBeamNotHandedOff,
  kBeamHandedOff,
  kBeamFollowupSent,
  kBeamHomeownerRequestedFollowup,
  kBeamUnresponsiveClosed,
  kIcPreM3Pto,
  kGeneralTier1,
  kGeneralTier1FollowupTaskExists,
  kGeneralTier2,
  kGeneralTier3,
  kGeneralTier4ManagerNotified,
  kGeneralTier4ManagerNotNotified,
  kGeneralTier4CasebridgePostExists,
  kGeneralNoTier,
  kGeneralClosed,
  kFollowupEmailAnsweredInTime,
  kFollowupEmailAnsweredLate,
  kFollowupEmailFridayEvening,
  kFollowupEmailBeforeOpening,
  kFollowupEmailWeekend,
  kFollowupEmailHoliday,
  kFollowupEmailDstChange,
  kFollowupEmailUnanswered,
};

struct ScenarioInfo {
  Scenario scenario;
  std::string_view name;
  int weight;  // cards in one deck of ~100
};

constexpr std::array<ScenarioInfo, 39> kScenarios = {{
    {Scenario::kIcAgentStepsInProgress, "ic_agent_steps_in_progress", 3},
    {Scenario::kIcRelationsMissing, "ic_relations_missing", 3},
    {Scenario::kIcOutreachNoteMissing, "ic_outreach_note_missing", 3},
    {Scenario::kIcNotHandedOff, "ic_not_handed_off", 3},
    {Scenario::kIcBackOfficeWithin2d, "ic_back_office_within_2d", 4},
    {Scenario::kIcBackOfficeCallTaskExists, "ic_back_office_call_task_exists", 2},
    {Scenario::kIcBackOfficePast2d, "ic_back_office_past_2d", 4},
    {Scenario::kIcInstallerCalledReached, "ic_installer_called_reached", 3},
    {Scenario::kIcInstallerCalledVoicemail, "ic_installer_called_voicemail", 3},
    {Scenario::kIcInstallerContactedHomeowner, "ic_installer_contacted_homeowner", 3},
    {Scenario::kIcHomeownerSatisfiedClosed, "ic_homeowner_satisfied_closed", 4},
    {Scenario::kIcSalesReferralRecent, "ic_sales_referral_recent", 3},
    {Scenario::kIcSalesReferralAmSilent, "ic_sales_referral_am_silent", 3},
    {Scenario::kIcSalesReferralAmResponded, "ic_sales_referral_am_responded", 3},
    {Scenario::kIcFollowupChainBroken, "ic_followup_chain_broken", 3},
    {Scenario::kIcSalesReferralResolvedClosed, "ic_sales_referral_resolved_closed", 3},
    {Scenario::kBeamNotHandedOff, "beam_not_handed_off", 1},
    {Scenario::kBeamHandedOff, "beam_handed_off", 3},
    {Scenario::kBeamFollowupSent, "beam_followup_sent", 2},
    {Scenario::kBeamHomeownerRequestedFollowup, "beam_homeowner_requested_followup", 2},
    {Scenario::kBeamUnresponsiveClosed, "beam_unresponsive_closed", 2},
    {Scenario::kIcPreM3Pto, "ic_pre_m3_pto", 3},
    {Scenario::kGeneralTier1, "general_tier_1", 4},
    {Scenario::kGeneralTier1FollowupTaskExists, "general_tier_1_followup_task_exists", 2},
    {Scenario::kGeneralTier2, "general_tier_2", 4},
    {Scenario::kGeneralTier3, "general_tier_3", 4},
    {Scenario::kGeneralTier4ManagerNotified, "general_tier_4_manager_notified", 2},
    {Scenario::kGeneralTier4ManagerNotNotified, "general_tier_4_manager_not_notified", 2},
    {Scenario::kGeneralTier4CasebridgePostExists, "general_tier_4_casebridge_post_exists", 1},
    {Scenario::kGeneralNoTier, "general_no_tier", 4},
    {Scenario::kGeneralClosed, "general_closed", 4},
    {Scenario::kFollowupEmailAnsweredInTime, "followup_email_answered_in_time", 2},
    {Scenario::kFollowupEmailAnsweredLate, "followup_email_answered_late", 2},
    {Scenario::kFollowupEmailFridayEvening, "followup_email_friday_evening", 2},
    {Scenario::kFollowupEmailBeforeOpening, "followup_email_before_opening", 1},
    {Scenario::kFollowupEmailWeekend, "followup_email_weekend", 2},
    {Scenario::kFollowupEmailHoliday, "followup_email_holiday", 1},
    {Scenario::kFollowupEmailDstChange, "followup_email_dst_change", 1},
    {Scenario::kFollowupEmailUnanswered, "followup_email_unanswered", 2},
}};

std::string_view ScenarioName(Scenario s) {
  return kScenarios.at(static_cast<std::size_t>(s)).name;
}

enum class ForgeScenario : std::uint8_t {
  kTier1,
  kTier2,
  kTier3,
  kTier4,
  kNoTier,
  kInstallerComplaint,
};
constexpr std::array<std::string_view, 6> kForgeScenarioNames = {
    "forge_tier_1", "forge_tier_2",  "forge_tier_3",
    "forge_tier_4", "forge_no_tier", "forge_installer_complaint"};

// ---- the plan of one case ------------------------------------------------------------------

enum class Act : std::uint8_t {
  kIncomingEmail,   // homeowner -> support: customer_message
  kEmailHomeowner,  // support -> Contact.Email: homeowner_contacted
  kEmailInstaller,  // support -> the installer's Escalation_Email__c: installer_emailed
  kEmailPartner,    // support -> the partner's risk team (Beam/Concert outreach and follow-up)
  kCallHomeowner,   // completed Call Task on the homeowner: homeowner_contacted
  kOutreachNote,    // FeedItem "Outreach note: …": outreach_note
  kCaseNote,        // an ordinary FeedItem
  kOwnerChange,     // two CaseHistory rows: reassigned
  kStep,            // completed Task with Escalation_Step__c
  kCasebridgeTask,  // open Task casebridge created (Casebridge_Key__c)
  kCasebridgePost,  // feed post casebridge made (marker [casebridge:<key>])
  kClose,           // Status -> Closed (one CaseHistory row)
};

enum class Step : std::uint8_t {
  kInstallerCalled,
  kInstallerContactedHomeowner,
  kHomeownerSatisfied,
  kSalesReferral,
  kAmResponded,
  kHomeownerRequestedFollowup,
  kHomeownerUnresponsive,
  kManagerNotified,
};
// Escalation_Step__c values (signals.json) and Forge tags (forge.json), by Step.
constexpr std::array<std::string_view, 8> kStepValues = {
    "Installer Called",       "Installer Contacted Homeowner",
    "Homeowner Satisfied",    "Sales Referral",
    "AM Responded",           "Homeowner Requested Follow-up",
    "Homeowner Unresponsive", "Manager Notified"};
constexpr std::array<std::string_view, 8> kStepTags = {"",
                                                       "installer_contacted_homeowner",
                                                       "homeowner_satisfied",
                                                       "sales_referral",
                                                       "am_responded",
                                                       "homeowner_requested_followup",
                                                       "homeowner_unresponsive",
                                                       "manager_notified"};
constexpr std::array<std::string_view, 8> kStepSubjects = {
    "Called the installer escalation line",
    "Installer confirmed contact with the homeowner",
    "Homeowner confirmed the issue is resolved",
    "Case assignment to Sales (account manager)",
    "Account manager responded to the case assignment",
    "Homeowner asked for another follow-up",
    "Homeowner did not respond to follow-ups",
    "Manager notified of tier 4 escalation"};

enum class Mail : std::uint8_t {
  kFirst,                // the homeowner's first e-mail (creates the case)
  kAskUpdate,            // the homeowner asks for news
  kAcknowledge,          // first answer to the homeowner
  kKbArticle,            // tier 1: knowledge-base article
  kUpdate,               // a follow-up / status update to the homeowner
  kUnresponsiveInstall,  // quick reply "Unresponsive Install" to the installer
  kComplaintDetails,     // complaint details to the installer
  kPtoInstaller,         // pre-M3 PTO: to the installer, homeowner in cc
  kUnresponsiveBeamHo,   // quick reply "Unresponsive Beam HO"
  kInstallComplntDone,   // quick reply "Install-Complnt Done"
  kResolved,             // closing note to the homeowner
  kPartnerOutreach,      // to the partner's risk team: initial outreach
  kPartnerFollowup,      // to the partner's risk team: update requested
};

enum class CasebridgeAction : std::uint8_t { kCallInstaller, kTierFollowup, kBeamFollowup };
constexpr std::array<std::string_view, 3> kCasebridgeActions = {"call_installer", "tier_followup",
                                                                "beam_followup"};

struct Activity {
  Instant at{};
  Instant due{};  // kCasebridgeTask
  Act kind = Act::kCaseNote;
  std::uint8_t actor = kIntegration;  // index into kUsers
  std::uint8_t detail = 0;            // Step, Mail, owner target, CasebridgeAction, note variant
  std::uint8_t outcome = 0;           // kStep installer called: 0 reached, 1 voicemail
  bool optional = false;              // dropped (not shifted) when it would lie after `now`
  std::uint32_t seq = 0;              // record sequence of its object
};

struct PlannedCase {
  Scenario scenario{};
  std::uint32_t occurrence = 0;  // how many cases of the same scenario come before this one
  Instant created{};
  std::optional<Instant> closed;
  bool complaint = false;
  std::uint8_t reason = 0;  // kSecondaryReasons (complaint) or kGeneralReasons index
  std::uint8_t subject = 0;
  int tier = 0;                // 0 = null
  std::uint8_t financing = 0;  // 0 none, 1 Beam, 2 Concert
  bool pre_m3 = false;
  bool installer_related = true;
  bool homeowner_related = true;
  std::uint8_t installer = 0;
  std::uint8_t creator = kIntegration;
  std::uint8_t origin = 0;  // 0 phone, 1 e-mail, 2 web
  bool forge_linked = false;
  bool service_ticket = false;
  std::uint8_t documented = 0;  // how many of its interactions are already in Forge
  std::vector<Activity> acts;
};

constexpr std::array<std::string_view, 3> kOrigins = {"Phone", "Email", "Web"};
constexpr std::array<std::string_view, 3> kFinancing = {"", "Beam", "Concert"};

bool Mirrorable(Activity const& a) {
  switch (a.kind) {
    case Act::kIncomingEmail:
    case Act::kEmailHomeowner:
    case Act::kEmailInstaller:
    case Act::kCallHomeowner:
    case Act::kOutreachNote:
    case Act::kStep:
      return true;
    default:
      return false;
  }
}

// ---- building one case's timeline ----------------------------------------------------------

class CaseBuilder {
 public:
  CaseBuilder(std::uint64_t seed, Instant now, Instant window_start, PlannedCase& pc)
      : rng_(seed), now_(now), window_start_(window_start), pc_(pc) {}

  void Build();

 private:
  struct AgentPlan {
    bool reply = true;
    bool late_reply = false;
    bool email_installer = true;
    bool note = true;
    bool handoff = true;
  };
  struct AgentResult {
    Instant start{};
    Instant handoff{};
  };

  Instant Ago(minutes m) const { return now_ - m; }
  Instant AgoDays(double d) const {
    return now_ - minutes(static_cast<std::int64_t>(d * 24 * kHour));
  }
  Instant Earliest() const { return window_start_ + hours(1); }
  Instant Clamp(Instant t) const { return std::max(t, Earliest()); }
  std::uint8_t Agent() { return kAgents.at(rng_.Below(kAgents.size())); }
  std::uint8_t BackOfficeUser() { return kBackOffice.at(rng_.Below(kBackOffice.size())); }
  std::uint8_t Manager() { return kManagers.at(rng_.Below(kManagers.size())); }
  seconds Jitter() { return seconds(rng_.Below(60)); }
  /// Sub-branches rotate with the case's occurrence within its scenario, so that even a small
  /// org has every variant.
  [[nodiscard]] std::uint32_t Variant(std::uint32_t k) const { return pc_.occurrence % k; }
  Instant Plus(Instant t, std::int64_t lo_min, std::int64_t hi_min) {
    return t + minutes(rng_.Between(lo_min, hi_min)) + Jitter();
  }
  Instant BizPlus(Instant t, std::int64_t lo_min, std::int64_t hi_min) {
    return AddBusiness(t, minutes(rng_.Between(lo_min, hi_min))) + Jitter();
  }
  /// A business instant shortly (0-150 minutes) before `t` (or at `t` less a little): snapped
  /// times do not all read 17:59:59.
  Instant BusinessBefore(Instant t) {
    Instant const p = PrevBusiness(t);
    Instant const open = OpensAt(ToLocal(p).day);
    return std::max(open, p - minutes(rng_.Below(150)) - Jitter());
  }
  /// A business instant shortly (0-60 minutes of business time) after `t`.
  Instant BusinessAfter(Instant t) { return AddBusiness(t, minutes(rng_.Below(60))) + Jitter(); }
  /// A random business instant in [lo, hi] (one shortly before `hi` when there is none).
  Instant PickBusiness(Instant lo, Instant hi) {
    lo = Clamp(lo);
    seconds const total = BusinessBetween(lo, hi);
    if (total <= seconds(0)) return BusinessBefore(hi);
    return AddBusiness(lo, seconds(rng_.Below(static_cast<std::uint64_t>(total.count()))));
  }
  /// The case is created at a business instant between `max_age` and `min_age` ago.
  Instant CreatedBetween(double min_age_days, double max_age_days) {
    return PickBusiness(AgoDays(max_age_days), AgoDays(min_age_days));
  }
  /// Like CreatedBetween, but an e-mail or web case arrives at any hour 30% of the time
  /// (evenings, weekends); agents act on it in business hours.
  Instant ArrivedBetween(double min_age_days, double max_age_days) {
    if (pc_.origin == 0 || !rng_.Percent(30)) return CreatedBetween(min_age_days, max_age_days);
    Instant const lo = std::max(AgoDays(max_age_days), Earliest());
    Instant const hi = AgoDays(min_age_days);
    if (hi <= lo) return CreatedBetween(min_age_days, max_age_days);
    return lo + seconds(rng_.Below(static_cast<std::uint64_t>((hi - lo).count())));
  }

  void Add(Act kind, Instant at, std::uint8_t actor, std::uint8_t detail = 0, bool optional = false,
           std::uint8_t outcome = 0, Instant due = {}) {
    Activity a;
    a.at = at;
    a.due = due;
    a.kind = kind;
    a.actor = actor;
    a.detail = detail;
    a.outcome = outcome;
    a.optional = optional;
    pc_.acts.push_back(a);
  }
  void AddStep(Step step, Instant at, std::uint8_t actor, bool optional = false,
               std::uint8_t outcome = 0) {
    Add(Act::kStep, at, actor, static_cast<std::uint8_t>(step), optional, outcome);
  }
  void Close(Instant at, std::uint8_t actor, bool optional = false) {
    Add(Act::kClose, at, actor, 0, optional);
  }

  void InstallerComplaint(std::size_t secondary) {
    pc_.complaint = true;
    pc_.reason = static_cast<std::uint8_t>(secondary);
  }
  void RandomComplaint() { InstallerComplaint(rng_.Below(kSecondaryReasons.size())); }
  void General(std::uint8_t reason, int tier) {
    pc_.complaint = false;
    pc_.reason = reason;
    pc_.tier = tier;
  }

  /// Seed 001 agent steps 1-9 from the first contact: answer the homeowner, e-mail the installer
  /// (or the partner), note the outreach, hand off to the back-office queue.
  AgentResult AgentSteps(AgentPlan const& plan);
  /// Back-office step 1: a back-office specialist takes the case from the queue.
  Instant SelfAssign(Instant handoff, std::uint8_t user, bool optional = true) {
    Instant const at = BizPlus(handoff, 15, 180);
    Add(Act::kOwnerChange, at, user, user, optional);
    return at;
  }
  /// The general rules: the first answer to the homeowner, in time, late (after a day) or not
  /// at all; a phone case is answered by the call itself.
  enum class Answer : std::uint8_t { kInTime, kLate, kNone };
  Instant FirstAnswer(std::uint8_t mail, Answer answer);
  Instant FirstAnswer(std::uint8_t mail, int late_percent, int none_percent) {
    auto const roll = static_cast<int>(rng_.Below(100));
    return FirstAnswer(mail, roll < none_percent                  ? Answer::kNone
                             : roll < none_percent + late_percent ? Answer::kLate
                                                                  : Answer::kInTime);
  }
  /// Tiers 1 and 2: every fourth case unanswered, every fourth late (both arrive by e-mail),
  /// the rest answered in time.
  /// Tiers 1 and 2: the unanswered ones are e-mails that arrived (at any hour) within the last
  /// 22 hours; the others at any time of the window.
  Instant TierCreated() {
    if (Variant(4) == 0) return Ago(minutes(rng_.Between(20, 22 * kHour)));
    return ArrivedBetween(0.05, 20);
  }
  Instant TierAnswer(std::uint8_t mail) {
    std::uint32_t const v = Variant(4);
    return FirstAnswer(mail, v == 0 ? Answer::kNone : v == 1 ? Answer::kLate : Answer::kInTime);
  }
  /// E-mails to the homeowner every 3-4.5 days after `from` until `now` (step 10, kept).
  Instant FollowupChain(Instant from, std::uint8_t user);
  struct Referral {
    Instant created{};
    Instant call{};
    Instant referral{};
  };
  /// A case whose back office referred it to Sales at a business instant in [lo, hi]: the
  /// installer was called about two days before, the case created two days before that.
  Referral ReferralTimeline(Instant lo, Instant hi, bool late_referral, std::uint8_t bo);
  /// A follow-up e-mail from the homeowner at `message`, answered at `reply` (if set).
  void FollowupEmail(Instant message, std::optional<Instant> reply, bool anchored);

  void BuildInstallerComplaint();
  void BuildBeam();
  void BuildGeneral();
  void BuildFollowupEmail();
  void Finish();

  Rng rng_;
  Instant now_;
  Instant window_start_;
  PlannedCase& pc_;
};

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

// ---- the whole org's plan ------------------------------------------------------------------

struct ForgeInteractionPlan {
  Instant at{};
  std::uint8_t kind = 0;       // 0 message, 1 email, 2 call, 3 note
  std::uint8_t direction = 0;  // 0 inbound, 1 outbound, 2 internal
  std::uint8_t party = 0;      // 0 customer, 1 installer, 2 sales, 3 manager, 4 internal
  std::uint8_t outcome = 0;    // 0 none, 1 reached, 2 voicemail
  std::uint8_t tag = 0;        // 0 none, 1 outreach, 2+ kStepTags index + 2
  std::uint8_t actor = 1;
};

struct ForgeTicketPlan {
  ForgeScenario scenario{};
  Instant created{};
  std::optional<Instant> closed;
  int tier = 0;
  std::uint8_t reason = 0;
  std::uint8_t subject = 0;
  std::uint8_t agent = 1;
  std::uint8_t installer = 0;
  bool service_ticket = false;
  bool task = false;
  std::vector<ForgeInteractionPlan> interactions;
};

struct Plan {
  std::vector<PlannedCase> cases;
  std::vector<ForgeTicketPlan> forge_tickets;
  int emails = 0;
  int tasks = 0;
  int feeds = 0;
  int histories = 0;
};

int EffectiveHistoryDays(DemoOrgOptions const& options) {
  return std::max(options.history_days, kMinimumHistoryDays);
}

void PlanForgeTicket(std::uint64_t seed, Instant now, Instant window_start, ForgeTicketPlan& t) {
  Rng rng(seed);
  Instant const lo = window_start + hours(1);
  Instant const hi = now - hours(1);
  seconds const total = BusinessBetween(lo, hi);
  t.created = total > seconds(0)
                  ? AddBusiness(lo, seconds(rng.Below(static_cast<std::uint64_t>(total.count()))))
                  : PrevBusiness(hi);
  t.agent = kAgents.at(rng.Below(kAgents.size()));
  t.installer = static_cast<std::uint8_t>(rng.Below(kInstallers.size()));
  t.subject = static_cast<std::uint8_t>(rng.Below(2));
  auto add = [&](Instant at, std::uint8_t kind, std::uint8_t direction, std::uint8_t party,
                 std::uint8_t outcome = 0, std::uint8_t tag = 0, std::uint8_t actor = 0) {
    if (at >= now - minutes(1)) return false;
    t.interactions.push_back(
        {at, kind, direction, party, outcome, tag, actor == 0 ? t.agent : actor});
    return true;
  };
  auto plus = [&](Instant from, std::int64_t lo_min, std::int64_t hi_min) {
    return AddBusiness(from, minutes(rng.Between(lo_min, hi_min))) + seconds(rng.Below(60));
  };
  add(t.created, 0, 0, 0);
  Instant last = t.created;
  switch (t.scenario) {
    case ForgeScenario::kTier1:
    case ForgeScenario::kTier2:
    case ForgeScenario::kNoTier:
    case ForgeScenario::kTier3:
    case ForgeScenario::kTier4: {
      t.tier = t.scenario == ForgeScenario::kNoTier ? 0 : static_cast<int>(t.scenario) + 1;
      t.reason = t.tier == 4   ? kReasonEscalation
                 : t.tier == 3 ? kReasonHardware
                               : static_cast<std::uint8_t>(rng.Below(3));
      if (rng.Percent(80)) {
        Instant const reply = rng.Percent(80) ? plus(t.created, 10, 230) : t.created + hours(30);
        if (add(reply, 1, 1, 0)) last = reply;
      }
      if (t.tier == 4 && rng.Percent(60)) {
        add(t.created + minutes(rng.Between(8, 50)), 3, 2, 3, 0, 2 + 7);
      }
      if (t.tier == 3) t.service_ticket = rng.Percent(50);
      break;
    }
    case ForgeScenario::kInstallerComplaint: {
      t.reason = static_cast<std::uint8_t>(rng.Below(kSecondaryReasons.size()));
      add(t.created + minutes(rng.Between(5, 20)), 1, 1, 0);
      add(t.created + minutes(rng.Between(21, 40)), 1, 1, 1);
      add(t.created + minutes(rng.Between(41, 60)), 3, 2, 4, 0, 1);
      if (rng.Percent(50)) {
        Instant const call = plus(t.created + days(2), 0, 180);
        add(call, 2, 1, 1, static_cast<std::uint8_t>(1 + rng.Below(2)), 0,
            kBackOffice.at(rng.Below(2)));
        if (rng.Percent(50)) add(plus(call, 60, 600), 3, 2, 4, 0, 2 + 1);
      }
      break;
    }
  }
  for (auto const& i : t.interactions) last = std::max(last, i.at);
  if (rng.Percent(25) && last + days(1) < now - minutes(1)) t.closed = last + days(1);
  t.task = rng.Percent(30);
}

Plan BuildPlan(DemoOrgOptions const& options) {
  Plan plan;
  int const count = std::max(options.cases, 0);
  Instant const now = options.now;
  Instant const window_start = now - days(EffectiveHistoryDays(options));
  // A deck holds every scenario `weight` times; each run through it is shuffled anew, so every
  // scenario appears once per ~100 cases and the mix stays even at any size.
  std::vector<Scenario> deck;
  for (auto const& s : kScenarios) {
    for (int i = 0; i < s.weight; ++i) deck.push_back(s.scenario);
  }
  Rng deck_rng(StreamSeed(options.seed, 1, 0));
  std::array<std::uint32_t, kScenarios.size()> occurrences{};
  plan.cases.resize(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::size_t const pos = static_cast<std::size_t>(i) % deck.size();
    if (pos == 0) {
      for (std::size_t k = deck.size(); k > 1; --k) {
        std::swap(deck[k - 1], deck[deck_rng.Below(k)]);
      }
    }
    PlannedCase& pc = plan.cases[static_cast<std::size_t>(i)];
    pc.scenario = deck[pos];
    pc.occurrence = occurrences.at(static_cast<std::size_t>(pc.scenario))++;
    CaseBuilder(StreamSeed(options.seed, 2, static_cast<std::uint64_t>(i)), now, window_start, pc)
        .Build();
  }
  // Record sequences, in document order.
  std::uint32_t emails = 0;
  std::uint32_t tasks = 0;
  std::uint32_t feeds = 0;
  int histories = 0;
  for (auto& pc : plan.cases) {
    ++histories;  // "created"
    for (auto& a : pc.acts) {
      switch (a.kind) {
        case Act::kIncomingEmail:
        case Act::kEmailHomeowner:
        case Act::kEmailInstaller:
        case Act::kEmailPartner:
          a.seq = ++emails;
          break;
        case Act::kCallHomeowner:
        case Act::kStep:
        case Act::kCasebridgeTask:
          a.seq = ++tasks;
          break;
        case Act::kOutreachNote:
        case Act::kCaseNote:
        case Act::kCasebridgePost:
          a.seq = ++feeds;
          break;
        case Act::kOwnerChange:
          histories += 2;
          break;
        case Act::kClose:
          histories += 1;
          break;
      }
    }
  }
  plan.emails = static_cast<int>(emails);
  plan.tasks = static_cast<int>(tasks);
  plan.feeds = static_cast<int>(feeds);
  plan.histories = histories;

  int const forge_only = count > 0 ? count / 10 + static_cast<int>(kForgeScenarioNames.size()) : 0;
  Rng forge_deck_rng(StreamSeed(options.seed, 3, 0));
  std::vector<ForgeScenario> forge_deck;
  for (std::size_t s = 0; s < kForgeScenarioNames.size(); ++s) {
    forge_deck.push_back(static_cast<ForgeScenario>(s));
  }
  plan.forge_tickets.resize(static_cast<std::size_t>(forge_only));
  for (int i = 0; i < forge_only; ++i) {
    std::size_t const pos = static_cast<std::size_t>(i) % forge_deck.size();
    if (pos == 0) {
      for (std::size_t k = forge_deck.size(); k > 1; --k) {
        std::swap(forge_deck[k - 1], forge_deck[forge_deck_rng.Below(k)]);
      }
    }
    ForgeTicketPlan& t = plan.forge_tickets[static_cast<std::size_t>(i)];
    t.scenario = forge_deck[pos];
    PlanForgeTicket(StreamSeed(options.seed, 4, static_cast<std::uint64_t>(i)), now, window_start,
                    t);
  }
  return plan;
}

// ---- ids and text --------------------------------------------------------------------------

std::string Id(std::string_view prefix, std::uint64_t seq) { return MakeId(prefix, kIdBase + seq); }
std::string UserId(std::uint8_t user) { return Id("005", user + 1U); }
std::string QueueId(std::uint8_t target) { return Id("00G", target == kToBackOfficeQueue ? 1 : 2); }
std::string InstallerId(std::uint8_t i) { return Id("001", i + 1U); }
std::string CaseId(std::size_t i) { return Id("500", i + 1); }
std::string ContactId(std::size_t i) { return Id("003", i + 1); }

std::string Padded(char const* format, std::uint64_t n) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), format, static_cast<unsigned long long>(n));
  return buf.data();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Homeowner {
  std::string first;
  std::string last;
  std::string email;
  std::string phone;
};

Homeowner HomeownerOf(std::size_t i, std::uint64_t seed) {
  Rng r(StreamSeed(seed, 5, i));
  Homeowner h;
  h.first = std::string(kFirstNames.at(r.Below(kFirstNames.size())));
  h.last = std::string(kLastNames.at(r.Below(kLastNames.size())));
  h.email = Lower(h.first) + "." + Lower(h.last) + "." + std::to_string(i + 1) + "@example.com";
  h.phone =
      "+1 " + Padded("%03llu", 200 + r.Below(700)) + " 555 " + Padded("%04llu", r.Below(10000));
  return h;
}

std::string Subject(PlannedCase const& pc) {
  if (pc.complaint) return std::string(kSecondaryReasons.at(pc.reason).subjects.at(pc.subject));
  return std::string(kGeneralReasons.at(pc.reason).subjects.at(pc.subject));
}

std::string Iso(Instant t) { return FormatInstant(t); }

std::string DateOf(Instant t) { return FormatDate(chr::floor<days>(t)); }

void Put(json& object, char const* key, json value) {
  object.get_ref<json::object_t&>().emplace(key, std::move(value));
}

// ---- the Salesforce document ---------------------------------------------------------------

json SalesforceFields() {
  return json::parse(R"({
    "Case": {
      "Installer__c": {"type": "reference", "referenceTo": "Account",
                       "relationshipName": "Installer__r",
                       "childRelationshipName": "Installer_Cases__r"},
      "Secondary_Reason__c": "picklist",
      "Financing_Partner__c": "picklist",
      "Pre_M3_PTO__c": "checkbox",
      "Escalation_Tier__c": "number"
    },
    "Task": {"Escalation_Step__c": "picklist"},
    "Account": {"Escalation_Email__c": "email", "Escalation_Phone__c": "phone"}
  })");
}

constexpr std::string_view kOrgEpoch = "2025-06-01T12:00:00Z";

json SalesforceUsers() {
  json users = json::array();
  for (std::size_t i = 0; i < kUsers.size(); ++i) {
    auto const& u = kUsers[i];
    json r = json::object();
    Put(r, "Id", UserId(static_cast<std::uint8_t>(i)));
    Put(r, "Username", std::string(u.username));
    Put(r, "FirstName", std::string(u.first));
    Put(r, "LastName", std::string(u.last));
    Put(r, "Alias", std::string(u.alias));
    Put(r, "Email", std::string(u.username));
    Put(r, "Title", std::string(u.title));
    if (!u.department.empty()) Put(r, "Department", std::string(u.department));
    Put(r, "IsActive", true);
    Put(r, "TimeZoneSidKey", "America/New_York");
    Put(r, "CreatedDate", std::string(kOrgEpoch));
    users.push_back(std::move(r));
  }
  return users;
}

std::string MailSubject(Mail mail, std::string const& subject) {
  switch (mail) {
    case Mail::kFirst:
      return subject;
    case Mail::kAskUpdate:
      return "Re: " + subject + " - any update?";
    case Mail::kKbArticle:
      return "Re: " + subject + " (knowledge-base article)";
    case Mail::kUnresponsiveInstall:
      return "Unresponsive Install: homeowner waiting for your call";
    case Mail::kComplaintDetails:
      return "Homeowner complaint: " + subject;
    case Mail::kPtoInstaller:
      return "PTO status for your customer (homeowner in copy)";
    case Mail::kUnresponsiveBeamHo:
      return "Unresponsive Beam HO: checking in on your case";
    case Mail::kInstallComplntDone:
      return "Install-Complnt Done: thank you";
    case Mail::kResolved:
      return "Your case is resolved";
    case Mail::kPartnerOutreach:
      return "Greentech escalation: " + subject;
    case Mail::kPartnerFollowup:
      return "Greentech escalation follow-up: " + subject;
    case Mail::kAcknowledge:
    case Mail::kUpdate:
      return "Re: " + subject;
  }
  return subject;
}

std::string MailBody(Mail mail, std::string const& subject, Homeowner const& h,
                     InstallerInfo const& installer) {
  switch (mail) {
    case Mail::kFirst:
      return "Hello, " + Lower(subject) + ". Please help. " + h.first + " " + h.last;
    case Mail::kAskUpdate:
      return "Hi, I have not heard back about this. Is there any news? " + h.first;
    case Mail::kAcknowledge:
      return "Hi " + h.first + ", thank you for reaching out. Your installer is " +
             std::string(installer.name) + " (" + std::string(installer.phone) +
             "). We are reaching out to them as well and will follow up with you.";
    case Mail::kKbArticle:
      return "Hi " + h.first +
             ", this knowledge-base article walks through it step by step. Let us know if it "
             "does not help.";
    case Mail::kUpdate:
      return "Hi " + h.first +
             ", a quick update: we are still working on your case. Has the installer contacted "
             "you directly?";
    case Mail::kUnresponsiveInstall:
      return "Your customer " + h.first + " " + h.last +
             " reports they cannot reach you. Please call the homeowner at " + h.phone + ".";
    case Mail::kComplaintDetails:
      return "Homeowner " + h.first + " " + h.last + ", " + h.phone + ": " + subject +
             ". Please contact the homeowner by phone.";
    case Mail::kPtoInstaller:
      return "The homeowner asks about the PTO status of their system. Please update them "
             "directly.";
    case Mail::kUnresponsiveBeamHo:
      return "Hi " + h.first +
             ", we are following up on your case with Greentech. Do you "
             "still need our help?";
    case Mail::kInstallComplntDone:
      return "Hi " + h.first +
             ", we are glad the installer resolved your concern. We are "
             "closing this case.";
    case Mail::kResolved:
      return "Hi " + h.first + ", your case is resolved. Reply to this e-mail to reopen it.";
    case Mail::kPartnerOutreach:
      return "Initial outreach: homeowner " + h.first + " " + h.last + " reports: " + subject + ".";
    case Mail::kPartnerFollowup:
      return "The homeowner asked for another follow-up. Could you share an update?";
  }
  return {};
}

void AppendSalesforceCase(std::size_t index, PlannedCase const& pc, std::uint64_t seed,
                          std::uint32_t& history_seq, json& cases, json& contacts, json& emails,
                          json& tasks, json& feeds, json& histories) {
  std::string const case_id = CaseId(index);
  std::string const contact_id = ContactId(index);
  Homeowner const h = HomeownerOf(index, seed);
  InstallerInfo const& installer = kInstallers.at(pc.installer);
  std::string const subject = Subject(pc);
  std::string const creator = pc.origin == 0 ? UserId(pc.creator) : UserId(kIntegration);

  {
    json contact = json::object();
    Put(contact, "Id", contact_id);
    Put(contact, "FirstName", h.first);
    Put(contact, "LastName", h.last);
    Put(contact, "Email", h.email);
    Put(contact, "Phone", h.phone);
    Put(contact, "MailingCity", std::string(installer.city));
    Put(contact, "MailingState", std::string(installer.state));
    Put(contact, "OwnerId", UserId(pc.creator));
    Put(contact, "CreatedDate", Iso(pc.created - days(30 + (index * 7919) % 400)));
    contacts.push_back(std::move(contact));
  }

  auto history = [&](Instant at, std::string const& actor, char const* field, char const* type,
                     json old_value, json new_value) {
    json row = json::object();
    Put(row, "Id", Id("017", ++history_seq));
    Put(row, "CaseId", case_id);
    Put(row, "Field", field);
    Put(row, "DataType", type);
    Put(row, "OldValue", std::move(old_value));
    Put(row, "NewValue", std::move(new_value));
    Put(row, "CreatedDate", Iso(at));
    Put(row, "CreatedById", actor);
    histories.push_back(std::move(row));
  };
  history(pc.created, creator, "created", "Text", nullptr, nullptr);

  std::string owner = pc.origin == 0 ? UserId(pc.creator) : QueueId(kToSupportQueue);
  std::string owner_name = pc.origin == 0 ? std::string(kUsers.at(pc.creator).first) + " " +
                                                std::string(kUsers.at(pc.creator).last)
                                          : std::string("Customer Support");
  bool in_back_office = false;
  Instant last = pc.created;
  std::string last_by = creator;

  for (auto const& a : pc.acts) {
    std::string const actor = UserId(a.actor);
    last = std::max(last, a.at);
    last_by = actor;
    switch (a.kind) {
      case Act::kIncomingEmail:
      case Act::kEmailHomeowner:
      case Act::kEmailInstaller:
      case Act::kEmailPartner: {
        auto const mail = static_cast<Mail>(a.detail);
        bool const incoming = a.kind == Act::kIncomingEmail;
        json e = json::object();
        Put(e, "Id", Id("02s", a.seq));
        Put(e, "ParentId", case_id);
        Put(e, "RelatedToId", case_id);
        Put(e, "Incoming", incoming);
        Put(e, "MessageDate", Iso(a.at));
        if (incoming) {
          Put(e, "FromAddress", h.email);
          Put(e, "FromName", h.first + " " + h.last);
          Put(e, "ToAddress", std::string(kSupportAddress));
          Put(e, "Status", "1");
        } else {
          Put(e, "FromAddress", std::string(kSupportAddress));
          Put(e, "FromName", std::string(kSupportName));
          if (a.kind == Act::kEmailHomeowner) {
            Put(e, "ToAddress", h.email);
          } else if (a.kind == Act::kEmailInstaller) {
            Put(e, "ToAddress", std::string(installer.escalation_email));
            if (mail == Mail::kPtoInstaller) Put(e, "CcAddress", h.email);
          } else {
            Put(e, "ToAddress", std::string(kPartnerRiskAddress));
          }
          Put(e, "Status", "3");
        }
        Put(e, "Subject", MailSubject(mail, subject));
        Put(e, "TextBody", MailBody(mail, subject, h, installer));
        Put(e, "CreatedDate", Iso(a.at));
        Put(e, "CreatedById", incoming ? UserId(kIntegration) : actor);
        emails.push_back(std::move(e));
        break;
      }
      case Act::kCallHomeowner:
      case Act::kStep:
      case Act::kCasebridgeTask: {
        json t = json::object();
        Put(t, "Id", Id("00T", a.seq));
        Put(t, "WhatId", case_id);
        std::string task_owner = actor;
        if (a.kind == Act::kCasebridgeTask) task_owner = UserId(kBackOffice.at(a.seq % 2));
        if (a.kind == Act::kStep && static_cast<Step>(a.detail) == Step::kSalesReferral) {
          task_owner = UserId(kAccountManager);  // the case assignment to Sales
        }
        Put(t, "OwnerId", task_owner);
        Put(t, "Priority", "Normal");
        Put(t, "CreatedDate", Iso(a.at));
        Put(t, "CreatedById", actor);
        if (a.kind == Act::kCasebridgeTask) {
          auto const action = kCasebridgeActions.at(a.detail);
          std::string const key = case_id + ":" + std::string(action) + ":1";
          std::string title;
          switch (static_cast<CasebridgeAction>(a.detail)) {
            case CasebridgeAction::kCallInstaller:
              title = "Call " + std::string(installer.name) + " escalation line " +
                      std::string(installer.escalation_phone);
              break;
            case CasebridgeAction::kTierFollowup:
              title = "Update the customer (tier follow-up within 24 hours)";
              break;
            case CasebridgeAction::kBeamFollowup:
              title = "E-mail the homeowner (quick reply \"Unresponsive Beam HO\")";
              break;
          }
          Put(t, "Subject", title);
          Put(t, "Description", "Planned by casebridge. Key " + key + ".");
          Put(t, "Status", "Not Started");
          Put(t, "TaskSubtype", "Task");
          Put(t, "ActivityDate", DateOf(a.due));
          Put(t, "Casebridge_Key__c", key);
        } else if (a.kind == Act::kCallHomeowner) {
          Put(t, "Subject", "Call with " + h.first + " " + h.last);
          Put(t, "Status", "Completed");
          Put(t, "TaskSubtype", "Call");
          Put(t, "CallType", a.at == pc.created ? "Inbound" : "Outbound");
          Put(t, "WhoId", contact_id);
          Put(t, "ActivityDate", DateOf(a.at));
          Put(t, "CompletedDateTime", Iso(a.at));
          Put(t, "Description", "Spoke with the homeowner about: " + subject + ".");
        } else {
          auto const step = static_cast<Step>(a.detail);
          Put(t, "Subject", std::string(kStepSubjects.at(a.detail)));
          Put(t, "Status", "Completed");
          Put(t, "Escalation_Step__c", std::string(kStepValues.at(a.detail)));
          Put(t, "ActivityDate", DateOf(a.at));
          Put(t, "CompletedDateTime", Iso(a.at));
          if (step == Step::kInstallerCalled) {
            Put(t, "TaskSubtype", "Call");
            Put(t, "CallType", "Outbound");
            Put(t, "CallDisposition", a.outcome == 0 ? "Reached" : "Left voicemail");
            Put(t, "Description",
                a.outcome == 0
                    ? "Reached " + std::string(installer.name) + " at " +
                          std::string(installer.escalation_phone) +
                          "; described the complaint and asked them to call the homeowner."
                    : "No answer at " + std::string(installer.escalation_phone) +
                          "; left a detailed voicemail with the complaint and the homeowner's "
                          "contact details.");
          } else {
            Put(t, "TaskSubtype", "Task");
            if (step == Step::kSalesReferral) {
              Put(t, "Description",
                  "The installer has been unresponsive in our outreach attempts to resolve the "
                  "homeowners concern of " +
                      Lower(subject) +
                      ". We would like your assistance in receiving a response or update from "
                      "the installer.");
            }
            if (step == Step::kInstallerContactedHomeowner || step == Step::kHomeownerSatisfied ||
                step == Step::kHomeownerRequestedFollowup || step == Step::kHomeownerUnresponsive) {
              Put(t, "WhoId", contact_id);
            }
          }
        }
        tasks.push_back(std::move(t));
        break;
      }
      case Act::kOutreachNote:
      case Act::kCaseNote:
      case Act::kCasebridgePost: {
        json f = json::object();
        Put(f, "Id", Id("0D5", a.seq));
        Put(f, "ParentId", case_id);
        Put(f, "Type", "TextPost");
        std::string body;
        if (a.kind == Act::kOutreachNote) {
          body = a.detail == 1 ? "Outreach note: initial outreach to Greentech has been made."
                               : "Outreach note: initial outreach to the installer (" +
                                     std::string(installer.name) + ") has been made.";
        } else if (a.kind == Act::kCaseNote) {
          body = "Homeowner sent photos of the issue; attached to the case.";
        } else {
          auto const& m = kUsers.at(a.detail);
          body = "@";
          body.append(m.first).append(" ").append(m.last).append(" tier 4 escalation: ");
          body.append(subject).append(". Please take over. [casebridge:").append(case_id);
          body.append(":notify_manager:1]");
        }
        Put(f, "Body", std::move(body));
        Put(f, "CreatedDate", Iso(a.at));
        Put(f, "CreatedById", actor);
        feeds.push_back(std::move(f));
        break;
      }
      case Act::kOwnerChange: {
        std::string new_owner;
        std::string new_name;
        if (a.detail == kToBackOfficeQueue || a.detail == kToSupportQueue) {
          new_owner = QueueId(a.detail);
          new_name = a.detail == kToBackOfficeQueue ? "Back Office" : "Customer Support";
          in_back_office = in_back_office || a.detail == kToBackOfficeQueue;
        } else {
          new_owner = UserId(a.detail);
          new_name =
              std::string(kUsers.at(a.detail).first) + " " + std::string(kUsers.at(a.detail).last);
        }
        // As the emulator writes an owner change: names first, then ids.
        history(a.at, actor, "Owner", "Text", owner_name, new_name);
        history(a.at, actor, "Owner", "EntityId", owner, new_owner);
        owner = std::move(new_owner);
        owner_name = std::move(new_name);
        break;
      }
      case Act::kClose:
        history(a.at, actor, "Status", "Text", in_back_office ? "Escalated" : "Working", "Closed");
        break;
    }
  }

  json c = json::object();
  Put(c, "Id", case_id);
  Put(c, "CaseNumber", Padded("%08llu", 100000 + index));
  Put(c, "Subject", subject);
  Put(c, "Description",
      subject + ". Reported by " + h.first + " " + h.last + " (" +
          std::string(kOrigins.at(pc.origin)) + ").");
  Put(c, "Status",
      pc.closed         ? "Closed"
      : in_back_office  ? "Escalated"
      : pc.acts.empty() ? "New"
                        : "Working");
  Put(c, "Priority", pc.tier == 4 ? "High" : "Medium");
  Put(c, "Origin", std::string(kOrigins.at(pc.origin)));
  Put(c, "Reason",
      pc.complaint ? std::string(kInstallerComplaints)
                   : std::string(kGeneralReasons.at(pc.reason).value));
  Put(c, "Secondary_Reason__c",
      pc.complaint ? json(std::string(kSecondaryReasons.at(pc.reason).value)) : json(nullptr));
  Put(c, "OwnerId", owner);
  Put(c, "ContactId", pc.homeowner_related ? json(contact_id) : json(nullptr));
  if (!pc.homeowner_related) Put(c, "SuppliedEmail", h.email);
  Put(c, "Installer__c", pc.installer_related ? json(InstallerId(pc.installer)) : json(nullptr));
  Put(c, "Financing_Partner__c",
      pc.financing == 0 ? json(nullptr) : json(std::string(kFinancing.at(pc.financing))));
  Put(c, "Pre_M3_PTO__c", pc.pre_m3);
  Put(c, "Escalation_Tier__c", pc.tier == 0 ? json(nullptr) : json(pc.tier));
  Put(c, "CreatedDate", Iso(pc.created));
  Put(c, "CreatedById", creator);
  if (pc.closed) Put(c, "ClosedDate", Iso(*pc.closed));
  // The latest activity, so that an incremental read on SystemModstamp sees the case.
  Put(c, "LastModifiedDate", Iso(last));
  Put(c, "LastModifiedById", last_by);
  Put(c, "SystemModstamp", Iso(last));
  cases.push_back(std::move(c));
}

json GenerateSalesforce(DemoOrgOptions const& options, Plan const& plan) {
  json doc = json::object();
  Put(doc, "_fields", SalesforceFields());
  Put(doc, "User", SalesforceUsers());
  json groups = json::array();
  json queue_objects = json::array();
  for (std::uint8_t target : {kToBackOfficeQueue, kToSupportQueue}) {
    bool const bo = target == kToBackOfficeQueue;
    json g = json::object();
    Put(g, "Id", QueueId(target));
    Put(g, "Name", bo ? "Back Office" : "Customer Support");
    Put(g, "DeveloperName", bo ? "Back_Office" : "Customer_Support");
    Put(g, "Type", "Queue");
    Put(g, "Email", bo ? "back-office@sunnyside.example" : "customer-support@sunnyside.example");
    Put(g, "CreatedDate", std::string(kOrgEpoch));
    groups.push_back(std::move(g));
    json q = json::object();
    Put(q, "Id", Id("03g", bo ? 1 : 2));
    Put(q, "QueueId", QueueId(target));
    Put(q, "SobjectType", "Case");
    Put(q, "CreatedDate", std::string(kOrgEpoch));
    queue_objects.push_back(std::move(q));
  }
  Put(doc, "Group", std::move(groups));
  Put(doc, "QueueSobject", std::move(queue_objects));
  json accounts = json::array();
  for (std::size_t i = 0; i < kInstallers.size(); ++i) {
    auto const& inst = kInstallers[i];
    json a = json::object();
    Put(a, "Id", InstallerId(static_cast<std::uint8_t>(i)));
    Put(a, "Name", std::string(inst.name));
    Put(a, "Type", "Installer");
    Put(a, "Phone", std::string(inst.phone));
    Put(a, "Escalation_Phone__c", std::string(inst.escalation_phone));
    Put(a, "Escalation_Email__c", std::string(inst.escalation_email));
    Put(a, "BillingCity", std::string(inst.city));
    Put(a, "BillingState", std::string(inst.state));
    Put(a, "BillingCountry", "US");
    Put(a, "OwnerId", UserId(kAccountManager));
    Put(a, "CreatedDate", std::string(kOrgEpoch));
    accounts.push_back(std::move(a));
  }
  Put(doc, "Account", std::move(accounts));

  json cases = json::array();
  json contacts = json::array();
  json emails = json::array();
  json tasks = json::array();
  json feeds = json::array();
  json histories = json::array();
  cases.get_ref<json::array_t&>().reserve(plan.cases.size());
  contacts.get_ref<json::array_t&>().reserve(plan.cases.size());
  emails.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(plan.emails));
  tasks.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(plan.tasks));
  feeds.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(plan.feeds));
  histories.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(plan.histories));
  std::uint32_t history_seq = 0;
  for (std::size_t i = 0; i < plan.cases.size(); ++i) {
    AppendSalesforceCase(i, plan.cases[i], options.seed, history_seq, cases, contacts, emails,
                         tasks, feeds, histories);
  }
  Put(doc, "Contact", std::move(contacts));
  Put(doc, "Case", std::move(cases));
  Put(doc, "EmailMessage", std::move(emails));
  Put(doc, "Task", std::move(tasks));
  Put(doc, "FeedItem", std::move(feeds));
  Put(doc, "CaseHistory", std::move(histories));
  return doc;
}

// ---- the Forge document --------------------------------------------------------------------

constexpr std::array<std::string_view, 4> kForgeKinds = {"message", "email", "call", "note"};
constexpr std::array<std::string_view, 3> kForgeDirections = {"inbound", "outbound", "internal"};
constexpr std::array<std::string_view, 5> kForgeParties = {"customer", "installer", "sales",
                                                           "manager", "internal"};
constexpr std::array<std::string_view, 3> kForgeOutcomes = {"", "reached", "voicemail"};

std::string ForgeUser(std::uint8_t user) { return std::string(kUsers.at(user).forge_id); }

json ForgeUsers() {
  json users = json::array();
  for (std::size_t i = 0; i < kUsers.size(); ++i) {
    auto const& u = kUsers[i];
    json r = json::object();
    Put(r, "id", std::string(u.forge_id));
    if (i == kIntegration) {
      Put(r, "email", std::string(kDemoForgeEmail));
      Put(r, "password", std::string(kDemoForgePassword));
      Put(r, "name", "casebridge integration");
      Put(r, "role", "integration");
    } else {
      Put(r, "email", std::string(u.username));
      Put(r, "name", std::string(u.first) + " " + std::string(u.last));
      Put(r, "role",
          std::find(kBackOffice.begin(), kBackOffice.end(), i) != kBackOffice.end() ? "back_office"
          : std::find(kManagers.begin(), kManagers.end(), i) != kManagers.end()     ? "manager"
          : i == kAccountManager                                                    ? "sales"
                                                                                    : "agent");
    }
    users.push_back(std::move(r));
  }
  return users;
}

// The Forge form of a mirrored Salesforce activity.
ForgeInteractionPlan MirrorOf(Activity const& a) {
  ForgeInteractionPlan i;
  switch (a.kind) {
    case Act::kIncomingEmail:
      i = {a.at, 1, 0, 0, 0, 0, kIntegration};
      break;
    case Act::kEmailHomeowner:
      i = {a.at, 1, 1, 0, 0, 0, a.actor};
      break;
    case Act::kEmailInstaller:
      i = {a.at, 1, 1, 1, 0, 0, a.actor};
      break;
    case Act::kCallHomeowner:
      i = {a.at, 2, 1, 0, 1, 0, a.actor};
      break;
    case Act::kOutreachNote:
      i = {a.at, 3, 2, 4, 0, 1, a.actor};
      break;
    case Act::kStep: {
      auto const step = static_cast<Step>(a.detail);
      if (step == Step::kInstallerCalled) {
        i = {a.at, 2, 1, 1, static_cast<std::uint8_t>(a.outcome == 0 ? 1 : 2), 0, a.actor};
      } else {
        std::uint8_t const party = step == Step::kAmResponded || step == Step::kSalesReferral ? 2
                                   : step == Step::kManagerNotified                           ? 3
                                                                                              : 4;
        i = {a.at, 3, 2, party, 0, static_cast<std::uint8_t>(2 + a.detail), a.actor};
      }
      break;
    }
    default:
      break;
  }
  return i;
}

std::string InteractionBody(ForgeInteractionPlan const& i, std::string const& subject) {
  if (i.tag == 1) return "Outreach note: initial outreach has been made.";
  if (i.tag >= 2) return std::string(kStepSubjects.at(i.tag - 2)) + ".";
  if (i.kind == 2) return i.party == 1 ? "Called the installer." : "Called the customer.";
  if (i.direction == 0) return "Customer wrote: " + subject + ".";
  return i.party == 1 ? "E-mailed the installer about: " + subject + "."
                      : "Answered the customer about: " + subject + ".";
}

json InteractionJson(std::string id, std::string const& ticket_id, std::string const& customer_id,
                     ForgeInteractionPlan const& i, std::string const& subject, Instant now,
                     std::string const& source_ref) {
  json r = json::object();
  Put(r, "id", std::move(id));
  Put(r, "ticket_id", ticket_id);
  Put(r, "customer_id", customer_id);
  Put(r, "kind", std::string(kForgeKinds.at(i.kind)));
  Put(r, "direction", std::string(kForgeDirections.at(i.direction)));
  Put(r, "party", std::string(kForgeParties.at(i.party)));
  Put(r, "outcome",
      i.outcome == 0 ? json(nullptr) : json(std::string(kForgeOutcomes.at(i.outcome))));
  json tags = json::array();
  if (i.tag == 1) tags.push_back("outreach");
  if (i.tag >= 2) tags.push_back(std::string(kStepTags.at(i.tag - 2)));
  Put(r, "tags", std::move(tags));
  Put(r, "subject", subject);
  Put(r, "body", InteractionBody(i, subject));
  Put(r, "occurred_at", Iso(i.at));
  if (!source_ref.empty()) {
    Put(r, "source", "salesforce");
    Put(r, "source_ref", source_ref);
  }
  Put(r, "created_by", ForgeUser(i.actor));
  Instant const created = std::min(i.at + minutes(2), std::max(i.at, now - minutes(1)));
  Put(r, "created_at", Iso(created));
  Put(r, "updated_at", Iso(created));
  return r;
}

std::string SalesforceRecordId(Activity const& a) {
  switch (a.kind) {
    case Act::kIncomingEmail:
    case Act::kEmailHomeowner:
    case Act::kEmailInstaller:
    case Act::kEmailPartner:
      return Id("02s", a.seq);
    case Act::kCallHomeowner:
    case Act::kStep:
    case Act::kCasebridgeTask:
      return Id("00T", a.seq);
    default:
      return Id("0D5", a.seq);
  }
}

json GenerateForge(DemoOrgOptions const& options, Plan const& plan) {
  Instant const now = options.now;
  json doc = json::object();
  Put(doc, "users", ForgeUsers());
  json tickets = json::array();
  json interactions = json::array();
  json service_tickets = json::array();
  json tasks = json::array();
  std::uint64_t ticket_seq = 0;
  std::uint64_t interaction_seq = 0;
  std::uint64_t service_seq = 0;
  std::uint64_t task_seq = 0;

  auto ticket_json = [&](std::string const& id, std::string const& subject, std::string status,
                         int tier, std::string category, json subcategory,
                         std::string const& customer_id, json installer_id, json assigned_to,
                         json team, json financing, json pre_m3, json case_id, Instant created,
                         Instant updated, std::optional<Instant> closed) {
    json t = json::object();
    Put(t, "id", id);
    Put(t, "number", "F-" + std::to_string(2000000 + ticket_seq));
    Put(t, "subject", subject);
    Put(t, "status", std::move(status));
    Put(t, "escalation_tier", tier == 0 ? json(nullptr) : json(tier));
    Put(t, "category", std::move(category));
    Put(t, "subcategory", std::move(subcategory));
    Put(t, "customer_id", customer_id);
    Put(t, "installer_id", std::move(installer_id));
    Put(t, "assigned_to", std::move(assigned_to));
    Put(t, "team", std::move(team));
    Put(t, "financing_partner", std::move(financing));
    Put(t, "pre_m3_pto", std::move(pre_m3));
    Put(t, "salesforce_case_id", std::move(case_id));
    Put(t, "created_at", Iso(created));
    Put(t, "updated_at", Iso(updated));
    Put(t, "closed_at", closed ? json(Iso(*closed)) : json(nullptr));
    tickets.push_back(std::move(t));
  };
  auto service_ticket = [&](std::string const& ticket_id, std::string const& customer_id,
                            json case_id, std::string const& subject, Instant created) {
    ++service_seq;
    json s = json::object();
    Put(s, "id", "SVC-D" + Padded("%07llu", service_seq));
    Put(s, "number", "FS-" + std::to_string(300000 + service_seq));
    Put(s, "ticket_id", ticket_id);
    Put(s, "customer_id", customer_id);
    Put(s, "salesforce_case_id", std::move(case_id));
    Put(s, "summary", "Field service: " + subject);
    Put(s, "description", "On-site visit to inspect and repair: " + subject + ".");
    Put(s, "status", service_seq % 3 == 0 ? "scheduled" : "requested");
    Put(s, "created_at", Iso(created));
    Put(s, "updated_at", Iso(created));
    service_tickets.push_back(std::move(s));
  };

  // Tickets agents opened for Salesforce cases, with what they documented so far.
  for (std::size_t index = 0; index < plan.cases.size(); ++index) {
    PlannedCase const& pc = plan.cases[index];
    if (!pc.forge_linked) continue;
    ++ticket_seq;
    std::string const ticket_id = "TCK-D" + Padded("%07llu", ticket_seq);
    std::string const customer_id = "C-" + std::to_string(100000 + index);
    std::string const subject = Subject(pc);
    Instant const created = std::min(pc.created + minutes(5 + index % 20), now - minutes(1));
    Instant updated = created;
    int documented = 0;
    for (auto const& a : pc.acts) {
      if (!Mirrorable(a) || documented >= pc.documented) continue;
      ++documented;
      ForgeInteractionPlan const i = MirrorOf(a);
      updated = std::max(updated, std::min(i.at + minutes(2), now - minutes(1)));
      interactions.push_back(InteractionJson("INT-D" + Padded("%08llu", ++interaction_seq),
                                             ticket_id, customer_id, i, subject, now,
                                             SalesforceRecordId(a)));
    }
    bool back_office = false;
    std::optional<std::uint8_t> assignee;
    for (auto const& a : pc.acts) {
      if (a.kind != Act::kOwnerChange) continue;
      if (a.detail == kToBackOfficeQueue) {
        back_office = true;
        assignee.reset();
      } else if (a.detail != kToSupportQueue) {
        assignee = a.detail;
      }
    }
    if (!assignee && !back_office) assignee = pc.creator;
    ticket_json(
        ticket_id, subject,
        pc.closed     ? "resolved"
        : back_office ? "pending"
                      : "open",
        pc.tier,
        pc.complaint ? std::string(kInstallerComplaints)
                     : std::string(kGeneralReasons.at(pc.reason).value),
        pc.complaint ? json(std::string(kSecondaryReasons.at(pc.reason).value)) : json(nullptr),
        customer_id,
        pc.installer_related ? json("I-" + std::to_string(501 + pc.installer)) : json(nullptr),
        assignee ? json(ForgeUser(*assignee)) : json(nullptr),
        back_office ? json("back-office") : json(nullptr),
        pc.financing == 0 ? json(nullptr) : json(std::string(kFinancing.at(pc.financing))),
        json(pc.pre_m3), json(CaseId(index)), created,
        std::max(updated, pc.closed.value_or(updated)), pc.closed);
    if (pc.service_ticket) {
      service_ticket(ticket_id, customer_id, json(CaseId(index)), subject,
                     std::min(created + hours(2), now - minutes(1)));
    }
  }

  // Tickets that exist in Forge only.
  for (std::size_t n = 0; n < plan.forge_tickets.size(); ++n) {
    ForgeTicketPlan const& t = plan.forge_tickets[n];
    ++ticket_seq;
    std::string const ticket_id = "TCK-D" + Padded("%07llu", ticket_seq);
    std::string const customer_id = "C-F" + Padded("%06llu", n + 1);
    bool const complaint = t.scenario == ForgeScenario::kInstallerComplaint;
    std::string const subject =
        std::string(complaint ? kSecondaryReasons.at(t.reason).subjects.at(t.subject)
                              : kGeneralReasons.at(t.reason).subjects.at(t.subject));
    Instant updated = t.created;
    for (auto const& i : t.interactions) {
      updated = std::max(updated, std::min(i.at + minutes(2), now - minutes(1)));
      interactions.push_back(InteractionJson("INT-D" + Padded("%08llu", ++interaction_seq),
                                             ticket_id, customer_id, i, subject, now, ""));
    }
    if (t.closed) updated = std::max(updated, *t.closed);
    ticket_json(ticket_id, subject, t.closed ? "resolved" : "open", t.tier,
                complaint ? std::string(kInstallerComplaints)
                          : std::string(kGeneralReasons.at(t.reason).value),
                complaint ? json(std::string(kSecondaryReasons.at(t.reason).value)) : json(nullptr),
                customer_id,
                complaint ? json("I-" + std::to_string(501 + t.installer)) : json(nullptr),
                complaint ? json(nullptr) : json(ForgeUser(t.agent)),
                complaint ? json("back-office") : json(nullptr), json(nullptr), json(false),
                json(nullptr), t.created, updated, t.closed);
    if (t.service_ticket) {
      service_ticket(ticket_id, customer_id, json(nullptr), subject,
                     std::min(t.created + hours(3), now - minutes(1)));
    }
    if (t.task) {
      ++task_seq;
      json k = json::object();
      Put(k, "id", "TSK-D" + Padded("%07llu", task_seq));
      Put(k, "title", "Follow up with the customer: " + subject);
      Put(k, "description", "Check that the customer's question was fully answered.");
      Put(k, "status", t.closed ? "done" : "todo");
      Put(k, "assigned_to", ForgeUser(t.agent));
      Put(k, "due_at", Iso(t.created + days(1)));
      Put(k, "ticket_id", ticket_id);
      Instant const created = std::min(t.created + minutes(30), now - minutes(1));
      Put(k, "created_at", Iso(created));
      Put(k, "updated_at", Iso(created));
      tasks.push_back(std::move(k));
    }
  }
  Put(doc, "tickets", std::move(tickets));
  Put(doc, "interactions", std::move(interactions));
  Put(doc, "service_tickets", std::move(service_tickets));
  Put(doc, "tasks", std::move(tasks));
  return doc;
}

}  // namespace

json GenerateSalesforceDemoOrg(DemoOrgOptions const& options) {
  return GenerateSalesforce(options, BuildPlan(options));
}

json GenerateForgeDemoOrg(DemoOrgOptions const& options) {
  return GenerateForge(options, BuildPlan(options));
}

DemoOrgStats DescribeDemoOrg(DemoOrgOptions const& options) {
  Plan const plan = BuildPlan(options);
  DemoOrgStats stats;
  stats.case_scenarios.reserve(plan.cases.size());
  int linked = 0;
  int service = 0;
  int interactions = 0;
  for (auto const& pc : plan.cases) {
    std::string name(ScenarioName(pc.scenario));
    ++stats.by_scenario[name];
    stats.case_scenarios.push_back(std::move(name));
    if (pc.forge_linked) {
      ++linked;
      interactions += pc.documented;
      service += pc.service_ticket ? 1 : 0;
    }
  }
  int tasks = 0;
  for (auto const& t : plan.forge_tickets) {
    ++stats.by_scenario[std::string(kForgeScenarioNames.at(static_cast<std::size_t>(t.scenario)))];
    interactions += static_cast<int>(t.interactions.size());
    service += t.service_ticket ? 1 : 0;
    tasks += t.task ? 1 : 0;
  }
  auto const cases = static_cast<int>(plan.cases.size());
  stats.salesforce_records = {{"User", static_cast<int>(kUsers.size())},
                              {"Group", 2},
                              {"QueueSobject", 2},
                              {"Account", static_cast<int>(kInstallers.size())},
                              {"Contact", cases},
                              {"Case", cases},
                              {"EmailMessage", plan.emails},
                              {"Task", plan.tasks},
                              {"FeedItem", plan.feeds},
                              {"CaseHistory", plan.histories}};
  stats.forge_records = {{"users", static_cast<int>(kUsers.size())},
                         {"tickets", linked + static_cast<int>(plan.forge_tickets.size())},
                         {"interactions", interactions},
                         {"service_tickets", service},
                         {"tasks", tasks}};
  return stats;
}

}  // namespace casebridge::sandbox
