// Internal to the demo org generator (demo_org.h), split by concern:
//   demo_calendar.cc      the business calendar of the shipped mappings (US Eastern, holidays)
//   demo_people.cc        ids, homeowners and the wording shared by both documents
//   demo_scenarios.cc     which scenarios the org holds and the plan of the whole org
//   demo_case_builder.cc  one Salesforce case's timeline (CaseBuilder)
//   demo_forge.cc         the Forge document
//   demo_org.cc           the Salesforce document and the public entry points
// This header holds what they share: deterministic randomness, the people, installers and
// reasons, the scenario table, and the plan types.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/time.h"
#include "connector/sandbox/demo_org.h"

namespace casebridge::sandbox::demo_org_internal {

namespace chr = std::chrono;
using chr::days;
using chr::hours;
using chr::minutes;
using chr::seconds;
using chr::sys_days;
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

inline std::uint64_t StreamSeed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  Rng r(seed ^ (stream * 0xD1B54A32D192ED03ULL) ^ (index * 0x9E3779B97F4A7C15ULL));
  r.Next();
  return r.Next();
}

// ---- the business calendar of the shipped mappings (demo_calendar.cc) -----------------------

struct LocalTime {
  sys_days day;
  minutes time;
};

LocalTime ToLocal(Instant t);
bool IsFederalHoliday(sys_days d);
bool IsOpenDay(sys_days d, bool holidays);
Instant OpensAt(sys_days d);
Instant ClosesAt(sys_days d);
/// The last business instant at or before `t`.
Instant PrevBusiness(Instant t);
/// SPEC 1.1 due(): the earliest instant by which `amount` of business time has passed.
Instant AddBusiness(Instant t, seconds amount, bool holidays = false);
/// Business time inside [a, b).
seconds BusinessBetween(Instant a, Instant b);

// ---- the org's people, installers and wording ----------------------------------------------

// Minutes, as 64-bit counts (random offsets are drawn in minutes).
inline constexpr std::int64_t kHour = 60;
inline constexpr std::int64_t kDay = 24 * kHour;

inline constexpr std::uint64_t kIdBase = 218340105584896ULL;  // 62^8: ids read "…Dn01000…"

struct UserInfo {
  std::string_view first;
  std::string_view last;
  std::string_view username;
  std::string_view title;
  std::string_view department;
  std::string_view alias;
  std::string_view forge_id;
};

inline constexpr std::array<UserInfo, 9> kUsers = {{
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
inline constexpr std::uint8_t kIntegration = 0;
inline constexpr std::array<std::uint8_t, 3> kAgents = {1, 2, 3};
inline constexpr std::array<std::uint8_t, 2> kBackOffice = {4, 5};
inline constexpr std::uint8_t kAccountManager = 6;
inline constexpr std::array<std::uint8_t, 2> kManagers = {7, 8};

// Owner-change targets besides user indices.
inline constexpr std::uint8_t kToBackOfficeQueue = 250;
inline constexpr std::uint8_t kToSupportQueue = 251;

inline constexpr std::string_view kSupportAddress = "support@sunnyside.example";
inline constexpr std::string_view kSupportName = "Sunnyside Solar Support";
inline constexpr std::string_view kPartnerRiskAddress = "risk@greentechrenewables.com";

struct InstallerInfo {
  std::string_view name;
  std::string_view city;
  std::string_view state;
  std::string_view phone;
  std::string_view escalation_phone;
  std::string_view escalation_email;
};

inline constexpr std::array<InstallerInfo, 12> kInstallers = {{
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

inline constexpr std::array<std::string_view, 40> kFirstNames = {
    "Maria",  "James",  "Linda",  "Robert", "Aisha",   "Wei",    "Sofia",    "Daniel",
    "Fatima", "Kevin",  "Olivia", "Carlos", "Hannah",  "Ethan",  "Priyanka", "Marcus",
    "Emily",  "Jamal",  "Grace",  "Tomas",  "Nora",    "Samuel", "Leah",     "Andre",
    "Chloe",  "Miguel", "Ruth",   "Hiro",   "Beatriz", "Owen",   "Zara",     "Victor",
    "Isabel", "Noah",   "Yuki",   "Caleb",  "Amara",   "Diego",  "Ingrid",   "Felix"};
inline constexpr std::array<std::string_view, 40> kLastNames = {
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
inline constexpr std::array<ReasonText, 7> kSecondaryReasons = {{
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
inline constexpr std::size_t kUnresponsiveInstaller = 0;
inline constexpr std::size_t kPtoDelay = 1;

inline constexpr std::string_view kInstallerComplaints = "Installer Complaints";

// Non-complaint Case reasons.
inline constexpr std::array<ReasonText, 6> kGeneralReasons = {{
    {"Billing", {"Question about my monthly bill", "Charged twice for the same month"}},
    {"Monitoring", {"App shows no production today", "How do I read my production app?"}},
    {"Production", {"Production lower than estimated", "System output dropped this week"}},
    {"Hardware", {"Panels damaged after storm", "Inverter shows a red light"}},
    {"Account Update", {"Update my contact details", "Transfer the system to the new owner"}},
    {"Escalation",
     {"Threatening legal action over installation delays", "Property damage claim after install"}},
}};
inline constexpr std::uint8_t kReasonBilling = 0;
inline constexpr std::uint8_t kReasonMonitoring = 1;
inline constexpr std::uint8_t kReasonProduction = 2;
inline constexpr std::uint8_t kReasonHardware = 3;
inline constexpr std::uint8_t kReasonAccount = 4;
inline constexpr std::uint8_t kReasonEscalation = 5;

// ---- ids and text (demo_people.cc) ------------------------------------------------------------

std::string Id(std::string_view prefix, std::uint64_t seq);
std::string UserId(std::uint8_t user);
std::string QueueId(std::uint8_t target);
std::string InstallerId(std::uint8_t i);
std::string CaseId(std::size_t i);
std::string ContactId(std::size_t i);
std::string Padded(char const* format, std::uint64_t n);
std::string Lower(std::string_view s);

struct Homeowner {
  std::string first;
  std::string last;
  std::string email;
  std::string phone;
};
Homeowner HomeownerOf(std::size_t i, std::uint64_t seed);
std::string Iso(Instant t);
std::string DateOf(Instant t);
void Put(json& object, char const* key, json value);

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

inline constexpr std::array<ScenarioInfo, 39> kScenarios = {{
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

inline std::string_view ScenarioName(Scenario s) {
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
inline constexpr std::array<std::string_view, 6> kForgeScenarioNames = {
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
inline constexpr std::array<std::string_view, 8> kStepValues = {
    "Installer Called",       "Installer Contacted Homeowner",
    "Homeowner Satisfied",    "Sales Referral",
    "AM Responded",           "Homeowner Requested Follow-up",
    "Homeowner Unresponsive", "Manager Notified"};
inline constexpr std::array<std::string_view, 8> kStepTags = {"",
                                                              "installer_contacted_homeowner",
                                                              "homeowner_satisfied",
                                                              "sales_referral",
                                                              "am_responded",
                                                              "homeowner_requested_followup",
                                                              "homeowner_unresponsive",
                                                              "manager_notified"};
inline constexpr std::array<std::string_view, 8> kStepSubjects = {
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
inline constexpr std::array<std::string_view, 3> kCasebridgeActions = {
    "call_installer", "tier_followup", "beam_followup"};

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

inline constexpr std::array<std::string_view, 3> kOrigins = {"Phone", "Email", "Web"};
inline constexpr std::array<std::string_view, 3> kFinancing = {"", "Beam", "Concert"};

inline bool Mirrorable(Activity const& a) {
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

/// The subject line of a planned case.
std::string Subject(PlannedCase const& pc);

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

// demo_scenarios.cc
int EffectiveHistoryDays(DemoOrgOptions const& options);
Plan BuildPlan(DemoOrgOptions const& options);

// demo_forge.cc
json GenerateForge(DemoOrgOptions const& options, Plan const& plan);

}  // namespace casebridge::sandbox::demo_org_internal
