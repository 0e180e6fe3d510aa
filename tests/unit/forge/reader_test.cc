// Forge tickets and interactions -> normalized snapshots through the mapping (SPEC 2):
// each escalation tier, owner, financing, and the interaction signals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/engine/snapshot.h"
#include "connector/forge/reader.h"
#include "connector/forge/record_codec.h"
#include "tests/unit/forge/forge_test_util.h"

namespace casebridge::forge {
namespace {

using nlohmann::json;
using testing::At;
using testing::ShippedMapping;

StatusOr<Ticket> ParseTicketJson(json const& j, mappings::ForgeMapping const& m) {
  return forge_internal::ParseTicket(j, m.tickets);
}

json TicketJson(json tier) {
  return json{{"id", "TCK-1"},
              {"number", "F-10001"},
              {"status", "open"},
              {"escalation_tier", std::move(tier)},
              {"category", "Installer Complaints"},
              {"subcategory", "Unresponsive Installer"},
              {"customer_id", "C-1"},
              {"installer_id", "I-1"},
              {"assigned_to", nullptr},
              {"team", "back-office"},
              {"financing_partner", "Concert"},
              {"pre_m3_pto", true},
              {"created_at", "2026-03-02T09:05:00-05:00"},
              {"updated_at", "2026-03-02T15:00:00Z"},
              {"closed_at", nullptr}};
}

class TierMapping : public ::testing::TestWithParam<std::pair<json, int>> {};

TEST_P(TierMapping, TicketTierBecomesTheSnapshotTier) {
  auto const m = ShippedMapping();
  auto t = ParseTicketJson(TicketJson(GetParam().first), m);
  ASSERT_TRUE(t.ok()) << t.status();
  auto const s = TicketToSnapshot(*t, {}, m);
  EXPECT_EQ(s.tier, GetParam().second);
  EXPECT_EQ(s.source, "forge");
}

INSTANTIATE_TEST_SUITE_P(EveryTier, TierMapping,
                         ::testing::Values(std::make_pair(json(nullptr), 0),
                                           std::make_pair(json(1), 1), std::make_pair(json(2), 2),
                                           std::make_pair(json(3), 3), std::make_pair(json(4), 4),
                                           std::make_pair(json("self_service"), 1),
                                           std::make_pair(json("agent_assisted"), 2),
                                           std::make_pair(json("field_service"), 3),
                                           std::make_pair(json("executive"), 4),
                                           std::make_pair(json("3"), 3)));

TEST(ForgeSnapshot, TierOutsideOneToFourIsABadRecordNamingTheField) {
  auto const m = ShippedMapping();
  for (json const& bad : {json(0), json(5), json("platinum"), json(2.5), json(true)}) {
    auto t = ParseTicketJson(TicketJson(bad), m);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().info().field, "escalation_tier");
  }
}

TEST(ForgeSnapshot, TicketFieldsMapOntoTheSnapshot) {
  auto const m = ShippedMapping();
  auto t = ParseTicketJson(TicketJson(3), m);
  ASSERT_TRUE(t.ok()) << t.status();
  auto const s = TicketToSnapshot(*t, {}, m);
  EXPECT_EQ(s.id, "TCK-1");
  EXPECT_EQ(s.number, "F-10001");
  EXPECT_EQ(s.created_at, At("2026-03-02T14:05:00Z"));
  EXPECT_FALSE(s.closed_at.has_value());
  EXPECT_EQ(s.primary_reason, "Installer Complaints");
  EXPECT_EQ(s.secondary_reason, "Unresponsive Installer");
  EXPECT_EQ(s.owner, "queue:back_office");  // unassigned: the team's queue
  EXPECT_EQ(s.financing, engine::Financing::kConcert);
  EXPECT_TRUE(s.pre_m3_pto);
  EXPECT_EQ(s.homeowner_id, "C-1");
  EXPECT_EQ(s.installer_id, "I-1");
  EXPECT_TRUE(s.events.empty());
}

TEST(ForgeSnapshot, AnAssigneeIsTheOwnerAndUnknownTeamsAndPartnersMapToNothing) {
  auto const m = ShippedMapping();
  json j = TicketJson(2);
  j["assigned_to"] = "u-dana";
  j["financing_partner"] = "Sunrun";
  auto t = ParseTicketJson(j, m);
  ASSERT_TRUE(t.ok());
  auto s = TicketToSnapshot(*t, {}, m);
  EXPECT_EQ(s.owner, "user:u-dana");
  EXPECT_EQ(s.financing, engine::Financing::kNone);
  j["assigned_to"] = nullptr;
  j["team"] = "sales";
  s = TicketToSnapshot(*ParseTicketJson(j, m), {}, m);
  EXPECT_EQ(s.owner, "");
}

TEST(ForgeSnapshot, AClosedStatusWithoutClosedAtClosesAtTheLastUpdate) {
  auto const m = ShippedMapping();
  json j = TicketJson(1);
  j["status"] = "resolved";
  auto t = ParseTicketJson(j, m);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->closed_at, At("2026-03-02T15:00:00Z"));
  j["closed_at"] = "2026-03-02T14:30:00Z";
  EXPECT_EQ(ParseTicketJson(j, m)->closed_at, At("2026-03-02T14:30:00Z"));
}

TEST(ForgeSnapshot, MissingIdOrTimestampsAreBadRecords) {
  auto const m = ShippedMapping();
  json j = TicketJson(1);
  j.erase("id");
  EXPECT_EQ(ParseTicketJson(j, m).status().info().field, "id");
  j = TicketJson(1);
  j["created_at"] = "2026-03-02 14:05";
  EXPECT_EQ(ParseTicketJson(j, m).status().info().field, "created_at");
}

Interaction Make(std::string kind, std::string direction, std::string party,
                 std::vector<std::string> tags = {}, std::string outcome = {}) {
  Interaction i;
  i.id = "INT-1";
  i.kind = std::move(kind);
  i.direction = std::move(direction);
  i.party = std::move(party);
  i.tags = std::move(tags);
  i.outcome = std::move(outcome);
  i.occurred_at = At("2026-03-02T16:00:00Z");
  i.updated_at = i.occurred_at;
  return i;
}

std::vector<engine::EventType> Types(Interaction const& i) {
  std::vector<engine::EventType> out;
  for (auto const& e : InteractionEvents(i, ShippedMapping())) out.push_back(e.type);
  return out;
}

TEST(ForgeSnapshot, InteractionsBecomeEventsThroughTheSignals) {
  using E = engine::EventType;
  EXPECT_EQ(Types(Make("message", "inbound", "customer")), std::vector<E>{E::kCustomerMessage});
  EXPECT_EQ(Types(Make("call", "outbound", "customer")), std::vector<E>{E::kHomeownerContacted});
  EXPECT_EQ(Types(Make("email", "outbound", "customer")), std::vector<E>{E::kHomeownerContacted});
  EXPECT_EQ(Types(Make("email", "outbound", "installer")), std::vector<E>{E::kInstallerEmailed});
  EXPECT_EQ(Types(Make("note", "internal", "internal", {"outreach"})),
            std::vector<E>{E::kOutreachNote});
  EXPECT_EQ(Types(Make("note", "internal", "manager", {"manager_notified"})),
            std::vector<E>{E::kManagerNotified});
  EXPECT_EQ(Types(Make("call", "outbound", "customer", {"homeowner_satisfied"})),
            (std::vector<E>{E::kHomeownerContacted, E::kHomeownerSatisfied}));
  EXPECT_TRUE(Types(Make("note", "internal", "internal")).empty());
}

TEST(ForgeSnapshot, InstallerCallsCarryTheirOutcome) {
  auto const m = ShippedMapping();
  auto events = InteractionEvents(Make("call", "outbound", "installer", {}, "voicemail"), m);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, engine::EventType::kInstallerCalled);
  EXPECT_EQ(events[0].outcome, engine::CallOutcome::kVoicemail);
  EXPECT_EQ(events[0].at, At("2026-03-02T16:00:00Z"));
  events = InteractionEvents(Make("call", "outbound", "installer", {}, "reached"), m);
  EXPECT_EQ(events[0].outcome, engine::CallOutcome::kReached);
  events = InteractionEvents(Make("call", "outbound", "installer", {}, "no_answer"), m);
  EXPECT_EQ(events[0].outcome, engine::CallOutcome::kNone);
}

TEST(ForgeSnapshot, SnapshotCollectsTheEventsOfItsInteractions) {
  auto const m = ShippedMapping();
  auto t = ParseTicketJson(TicketJson(4), m);
  ASSERT_TRUE(t.ok());
  auto const s = TicketToSnapshot(*t,
                                  {Make("message", "inbound", "customer"),
                                   Make("note", "internal", "manager", {"manager_notified"})},
                                  m);
  ASSERT_EQ(s.events.size(), 2U);
  EXPECT_EQ(s.events[0].type, engine::EventType::kCustomerMessage);
  EXPECT_EQ(s.events[1].type, engine::EventType::kManagerNotified);
}

TEST(ForgeSnapshot, SignalsFollowTheMappingNotTheCode) {
  auto m = ShippedMapping();
  m.signals = {mappings::ForgeSignal{"homeowner_contacted", {{"kind", {"sms", "call"}}}}};
  auto const events = InteractionEvents(Make("sms", "outbound", "whoever"), m);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, engine::EventType::kHomeownerContacted);
}

}  // namespace
}  // namespace casebridge::forge
