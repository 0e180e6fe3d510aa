// A realistic sample org for the sandbox: `casebridge demo`, end-to-end tests and benchmarks seed
// the Salesforce and Forge emulators with it.
//
// Flow: DemoOrgOptions --plan (scenario deck, per-case splitmix64 stream, business-hours-aware
// timelines)--> one plan per case --> GenerateSalesforceDemoOrg() (SalesforceOrg::Seed document)
// and GenerateForgeDemoOrg() (ForgeService::Seed document), which share the plan so that Forge
// tickets, mirrored interactions and service tickets refer to the Salesforce ids they belong to.
//
// The data follows the shipped mappings (mappings/default/*.json) the way a real org would record
// the procedures of ../shared/seeds: primary reason `Installer Complaints` with the secondary
// reasons of reasons.json; Case fields Installer__c, ContactId, Financing_Partner__c
// (Beam/Concert), Pre_M3_PTO__c and Escalation_Tier__c of relations.json; queues Back_Office and
// Customer_Support of queues.json; and every Salesforce signal of signals.json: incoming
// EmailMessages (customer messages), outgoing ones to the Contact's Email (homeowner contacted)
// or to the installer Account's Escalation_Email__c (installer e-mailed), completed Call Tasks on
// the homeowner, FeedItems saying "Outreach note: ...", owner changes as CaseHistory row pairs
// (Text names, then EntityId ids, as the emulator writes them), back-office steps as completed
// Tasks with Escalation_Step__c, and Tasks / feed posts casebridge already wrote (Task
// Casebridge_Key__c `<case id>:<action>:1`, feed marker `[casebridge:<key>]`).
//
// Scenarios: every case follows one scenario (DescribeDemoOrg names them): installer complaints
// at each agent and back-office step (missing relations / outreach note / handoff, in back office
// before and after the 2-day clock, installer called and reached or voicemail, installer contact,
// satisfied and closed, sales referral with and without the AM's answer, 5-day follow-up chains
// kept and broken), Beam/Concert cases (handoff, 1-week follow-up in time and late, homeowner
// asks for more, unresponsive and closed), pre-M3 PTO complaints, general cases of tiers 1-4 and
// none, customer follow-up e-mails answered in and out of time, and the business-hours edge cases
// (Friday evening, before opening, weekend, federal holiday, the Friday before a DST change),
// each answered 30 minutes before or after its due time. A shuffled deck of ~100 cards deals the
// scenarios, so any 100 consecutive cases hold every one; sub-branches (in time / late, which
// relation is missing, …) rotate with a case's occurrence within its scenario.
//
// Time: nothing reads the clock. Every record lies strictly before `options.now`. Cases are
// created within the last max(history_days, kMinimumHistoryDays) days (agents and the back office
// act in business hours; e-mail and web cases may arrive at any hour), with two exceptions: a
// case whose steps would otherwise run past `now` is moved back by whole weeks (rare, keeps
// weekday and local time), and the holiday and DST-change edge cases sit on the most recent such
// date before `now` and may therefore be older. Holidays are the observed US federal holidays
// (those calendar.json lists, commented out, as its example). Business hours are those of the
// shipped calendar (America/New_York, Monday-Friday 09:00-18:00), with the US daylight-saving
// rules in force since 2007.
//
// Determinism: the same options give byte-identical documents on every platform (splitmix64,
// no std::*_distribution, no unordered containers in the output, no clock).
//
// Cost: linear in `cases`. 100,000 cases make about 970,000 Salesforce records: about 2 s and
// 2 GB of nlohmann::json to generate (Forge: 0.4 s), then about 11 s to seed into
// SalesforceEmulator (Forge: 2 s), on an idle 2-core machine.
//
// Thread-safety: the functions are pure; they may run concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::sandbox {

/// The Salesforce user the demo authenticates as (first User of the document, so also the
/// emulator's default creator); it matches the sandbox's connected app run-as user.
inline constexpr std::string_view kDemoSalesforceUsername = "integration@casebridge.sandbox";
/// The Forge integration user of the document (the same as DemoForgeUser()).
inline constexpr std::string_view kDemoForgeUserId = "u-integration";
inline constexpr std::string_view kDemoForgeEmail = "integration@forge.sandbox";
inline constexpr std::string_view kDemoForgePassword = "forge-sandbox-password";

/// Shorter histories cannot hold the longest procedures (sales referral + 5-day follow-ups).
inline constexpr int kMinimumHistoryDays = 21;

struct DemoOrgOptions {
  int cases = 300;            // number of Salesforce cases (negative counts as 0)
  std::uint64_t seed = 2026;  // RNG seed: same options -> byte-identical output
  Instant now{};              // the generated history ends before `now` (events in the past)
  int history_days = 21;      // cases are created within [now - history_days, now)
                              // (at least kMinimumHistoryDays; see the file comment)
};

/// A Salesforce emulator seed document (SalesforceOrg::Seed format): `_fields` for the custom
/// fields (Case Installer__c -> Account with relationship Installer__r, Secondary_Reason__c,
/// Financing_Partner__c, Pre_M3_PTO__c, Escalation_Tier__c; Task Escalation_Step__c and the
/// unique external id Casebridge_Key__c; Account Escalation_Email__c, Escalation_Phone__c) and
/// the org's picklist values, as the bundled default seed declares them, Users, the two queues
/// (Group + QueueSobject), installer Accounts, homeowner Contacts, Cases and their EmailMessages,
/// Tasks, FeedItems and CaseHistory rows, all with explicit 18-character ids. A Case's
/// LastModifiedDate and SystemModstamp are its latest activity. Never fails.
nlohmann::json GenerateSalesforceDemoOrg(DemoOrgOptions const& options);

/// The same org in parts, each a seed document handed to `consume` in order: first the
/// org-wide records (`_fields`, users, queues, accounts), then `cases_per_part` cases at a time
/// with their contacts and related records. Seeding the parts in order gives the org of
/// GenerateSalesforceDemoOrg while only one part is in memory. Stops at the first error of
/// `consume` and returns it.
Status GenerateSalesforceDemoOrgInParts(DemoOrgOptions const& options, std::size_t cases_per_part,
                                        std::function<Status(nlohmann::json)> const& consume);

/// A Forge emulator seed document (ForgeService::Seed format): the integration user
/// (kDemoForgeEmail / kDemoForgePassword) and agents; tickets linked to Salesforce cases through
/// `salesforce_case_id` (every tier-3 case and about a third of the others), each with the first
/// part of its case's e-mails, calls, notes and steps already documented (`source` "salesforce",
/// `source_ref` the Salesforce record id; the rest is left for `forge_document`); half of the
/// tier-3 ones with a service ticket (the others left for `forge_service_ticket`); Forge-only
/// tickets (cases / 10 + 6) of tiers 1-4 and none and installer complaints, with interactions
/// tagged as mappings/default/forge.json expects; a few tasks. Never fails.
nlohmann::json GenerateForgeDemoOrg(DemoOrgOptions const& options);

/// What was generated, for the demo's summary and for tests.
struct DemoOrgStats {
  /// Scenario name -> number of Salesforce cases / Forge-only tickets (names `forge_…`).
  std::map<std::string, int> by_scenario;
  /// The scenario of each Salesforce case, in the order of the document's "Case" array.
  std::vector<std::string> case_scenarios;
  /// Records per object / collection in the two documents ("Case", "Task", …; "tickets", …).
  std::map<std::string, int> salesforce_records;
  std::map<std::string, int> forge_records;
};

/// Describes what GenerateSalesforceDemoOrg / GenerateForgeDemoOrg produce for `options`
/// (without building the documents).
DemoOrgStats DescribeDemoOrg(DemoOrgOptions const& options);

namespace demo_org_internal {

/// The observed dates of the eleven US federal holidays of `year` (Saturday -> Friday,
/// Sunday -> Monday; New Year's Day may be observed on December 31 of the year before), sorted.
std::vector<std::chrono::sys_days> UsFederalHolidays(int year);

/// True when `t` lies in US Eastern daylight time (second Sunday of March 02:00 EST to the first
/// Sunday of November 02:00 EDT).
bool IsEasternDst(Instant t);

/// The UTC instant of a local wall time in America/New_York (US rules since 2007). A time in the
/// spring-forward gap moves forward by an hour; one in the fall-back overlap is the earlier one.
Instant EasternToUtc(std::chrono::sys_days local_day, std::chrono::minutes local_time);

}  // namespace demo_org_internal

}  // namespace casebridge::sandbox
