// From evaluated snapshots to report flag rows: case facts, queues, evidence.
#include "connector/report/case_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/snapshot_codec.h"
#include "mappings/loader.h"

namespace casebridge::report {
namespace {

using ::testing::HasSubstr;

Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

class CaseFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = std::make_unique<mappings::Policy>(std::move(policy).value());
    auto calendar = engine::BusinessCalendar::Create(policy_->calendar);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = std::make_unique<engine::BusinessCalendar>(std::move(calendar).value());
    engine_ = std::make_unique<engine::Engine>(*policy_, *calendar_);
  }

  static engine::Snapshot Parse(std::string const& line) {
    engine::Snapshot s;
    Status st = engine::ParseSnapshotLine(line, s);
    EXPECT_TRUE(st.ok()) << st;
    return s;
  }

  // The flag record of `rule` (first instance) of `line` evaluated at `now`.
  store::FlagRecord Record(std::string const& line, std::string_view rule, Instant now,
                           CaseFacts const& facts = {}) {
    engine::Snapshot const s = Parse(line);
    engine::Evaluation const e = engine_->Evaluate(s, now);
    for (auto const& f : e.flags) {
      if (mappings::RuleName(f.rule) != rule) continue;
      store::FlagRecord r;
      ToFlagRecord(s, f, facts, r);
      return r;
    }
    ADD_FAILURE() << "no " << rule << " flag";
    return {};
  }

  static std::string Text(store::FlagRecord const& r) {
    std::string out;
    AppendEvidenceText(out, r.status, r.evidence);
    return out;
  }

  std::unique_ptr<mappings::Policy> policy_;
  std::unique_ptr<engine::BusinessCalendar> calendar_;
  std::unique_ptr<engine::Engine> engine_;
};

constexpr char const* kComplaint =
    R"({"id":"500A","source":"salesforce","number":"00042","created_at":"2026-03-02T14:05:00Z",)"
    R"("primary_reason":"Installer Complaints","owner":"user:005B","homeowner_id":"003H",)"
    R"("installer_id":"001I","tier":2,"events":[)"
    R"({"type":"homeowner_contacted","at":"2026-03-02T14:40:00Z"},)"
    R"({"type":"reassigned","at":"2026-03-02T15:00:00Z","to":"queue:back_office"},)"
    R"({"type":"reassigned","at":"2026-03-02T15:30:00Z","to":"user:005B"}]})";

TEST_F(CaseFlagsTest, AFlagMetByAnEventNamesTheEventAndItsTime) {
  auto const r = Record(kComplaint, "response_4bh", T("2026-03-03T12:00:00Z"));
  EXPECT_EQ(r.case_id, "500A");
  EXPECT_EQ(r.case_number, "00042");
  EXPECT_EQ(r.source_system, "salesforce");
  EXPECT_EQ(r.status, "met");
  EXPECT_EQ(r.owner, "user:005B");
  EXPECT_EQ(r.installer, "001I");
  EXPECT_EQ(r.tier, 2);
  EXPECT_EQ(r.met_at, T("2026-03-02T14:40:00Z"));
  EXPECT_FALSE(r.late_minutes.has_value());
  auto const j = nlohmann::json::parse(r.evidence);
  EXPECT_EQ(j.at("met_by"), "event");
  EXPECT_EQ(j.at("event"), "homeowner_contacted");
  EXPECT_EQ(j.at("at"), "2026-03-02T14:40:00Z");
  EXPECT_EQ(Text(r), "met by homeowner_contacted at 2026-03-02T14:40:00Z");
}

TEST_F(CaseFlagsTest, TheHandoffEvidenceSaysWhereTheCaseWent) {
  auto const r = Record(kComplaint, "back_office_handoff", T("2026-03-03T12:00:00Z"));
  EXPECT_EQ(Text(r), "met by reassigned to queue:back_office at 2026-03-02T15:00:00Z");
}

TEST_F(CaseFlagsTest, AnUnmetClockSaysWhatItIsWaitingForAndBreachedOnesCarryMinutesLate) {
  auto const pending = Record(kComplaint, "outreach_note_missing", T("2026-03-02T16:00:00Z"));
  EXPECT_EQ(pending.status, "pending");
  EXPECT_EQ(Text(pending), "none: no outreach_note yet");
  auto const breached = Record(kComplaint, "outreach_note_missing", T("2026-03-03T16:00:00Z"));
  EXPECT_EQ(breached.status, "breached");
  EXPECT_EQ(Text(breached), "none: no outreach_note");
  ASSERT_TRUE(breached.late_minutes.has_value());
  // Due 2026-03-02T18:05Z (4 business hours); the clock's end is now.
  EXPECT_EQ(*breached.late_minutes,
            (T("2026-03-03T16:00:00Z") - T("2026-03-02T18:05:00Z")).count() / 60);
}

TEST_F(CaseFlagsTest, RelationsMetByDataAndClockMetByClosingAreDescribed) {
  auto const relations = Record(kComplaint, "relations_missing", T("2026-03-03T12:00:00Z"));
  EXPECT_EQ(relations.status, "met");
  EXPECT_FALSE(relations.met_at.has_value());
  EXPECT_EQ(Text(relations), "met by data: installer_id and homeowner_id set");

  std::string closed = kComplaint;
  closed.replace(closed.find(R"("tier":2,)"), 9, R"("tier":2,"closed_at":"2026-03-02T16:00:00Z",)");
  auto const note = Record(closed, "outreach_note_missing", T("2026-03-10T12:00:00Z"));
  EXPECT_EQ(note.status, "met");
  EXPECT_EQ(Text(note), "met by closing the case at 2026-03-02T16:00:00Z");
}

TEST_F(CaseFlagsTest, AnUnmetClockSaysWhetherItRunsOnOrStoppedAtTheClose) {
  auto const open = Record(kComplaint, "outreach_note_missing", T("2026-03-03T16:00:00Z"));
  EXPECT_EQ(nlohmann::json::parse(open.evidence).at("clock"), "running");
  EXPECT_TRUE(ClockRunning(open));

  std::string closed = kComplaint;
  closed.replace(closed.find(R"("tier":2,)"), 9, R"("tier":2,"closed_at":"2026-03-03T12:00:00Z",)");
  auto const stopped = Record(closed, "outreach_note_missing", T("2026-03-10T12:00:00Z"));
  EXPECT_EQ(stopped.status, "breached");
  auto const j = nlohmann::json::parse(stopped.evidence);
  EXPECT_EQ(j.at("clock"), "stopped");
  EXPECT_EQ(j.at("closed_at"), "2026-03-03T12:00:00Z");
  EXPECT_EQ(Text(stopped), "none: no outreach_note before the case closed at 2026-03-03T12:00:00Z");
  EXPECT_FALSE(ClockRunning(stopped));

  // A closing later than now has not happened: the clock still runs.
  auto const not_yet = Record(closed, "outreach_note_missing", T("2026-03-03T11:00:00Z"));
  EXPECT_EQ(nlohmann::json::parse(not_yet.evidence).at("clock"), "running");
}

TEST_F(CaseFlagsTest, RestatingAStoredFlagGivesWhatEvaluatingAtTheLaterInstantGives) {
  // Due 2026-03-02T18:05Z. Stored at 16:00 (pending) and at 03-03 16:00 (breached); stated as
  // of later instants, each is the flag the engine gives at that instant.
  for (char const* stored_at : {"2026-03-02T16:00:00Z", "2026-03-03T16:00:00Z"}) {
    for (char const* as_of : {"2026-03-02T17:00:00Z", "2026-03-02T18:05:00Z",
                              "2026-03-02T18:05:59Z", "2026-03-05T09:30:00Z"}) {
      store::FlagRecord r = Record(kComplaint, "outreach_note_missing", T(stored_at));
      r.updated_at = T(stored_at);
      EXPECT_TRUE(RestateAsOf(r, T(as_of)));
      auto const fresh = Record(kComplaint, "outreach_note_missing", T(as_of));
      EXPECT_EQ(r.status, fresh.status) << stored_at << " as of " << as_of;
      EXPECT_EQ(r.late_minutes, fresh.late_minutes) << stored_at << " as of " << as_of;
    }
  }
}

TEST_F(CaseFlagsTest, FinalFlagsAreNotRestated) {
  std::string closed = kComplaint;
  closed.replace(closed.find(R"("tier":2,)"), 9, R"("tier":2,"closed_at":"2026-03-03T12:00:00Z",)");
  for (auto rule : {"response_4bh", "relations_missing", "outreach_note_missing"}) {
    for (auto const& line : {std::string(kComplaint), closed}) {
      store::FlagRecord r = Record(line, rule, T("2026-03-04T12:00:00Z"));
      if (r.status == "pending" || (r.status == "breached" && !r.met_at && line == kComplaint)) {
        continue;  // running clocks
      }
      store::FlagRecord const before = r;
      EXPECT_FALSE(RestateAsOf(r, T("2026-04-01T00:00:00Z"))) << rule << " " << r.evidence;
      EXPECT_EQ(r.status, before.status);
      EXPECT_EQ(r.late_minutes, before.late_minutes);
    }
  }
}

TEST(RestateAsOf, RowsWrittenBeforeTheClockMemberAreJudgedByTheirMinutesLate) {
  store::FlagRecord r;
  r.rule_id = "response_4bh";
  r.started = *ParseInstant("2026-03-02T14:05:00Z");
  r.due = *ParseInstant("2026-03-02T18:05:00Z");
  r.status = "breached";
  r.evidence = R"({"met_by":null,"awaiting":"homeowner_contacted"})";
  r.updated_at = *ParseInstant("2026-03-03T18:05:30Z");  // evaluated a day after due
  r.late_minutes = 1440;                                 // counted to that instant: running
  EXPECT_TRUE(ClockRunning(r));
  EXPECT_TRUE(RestateAsOf(r, *ParseInstant("2026-03-04T18:05:00Z")));
  EXPECT_EQ(r.late_minutes, 2880);

  r.late_minutes = 60;  // counted to an earlier end: the case closed at 19:05
  r.updated_at = *ParseInstant("2026-03-03T18:05:30Z");
  EXPECT_FALSE(ClockRunning(r));
  EXPECT_FALSE(RestateAsOf(r, *ParseInstant("2026-03-04T18:05:00Z")));
  EXPECT_EQ(r.late_minutes, 60);

  r.status = "pending";  // only an open case has a pending flag
  r.late_minutes.reset();
  EXPECT_TRUE(RestateAsOf(r, *ParseInstant("2026-03-02T19:05:00Z")));
  EXPECT_EQ(r.status, "breached");
  EXPECT_EQ(r.late_minutes, 60);
}

TEST_F(CaseFlagsTest, PreM3InfoFlagIsANote) {
  std::string line = kComplaint;
  line.replace(line.find(R"("tier":2,)"), 9, R"("tier":null,"pre_m3_pto":true,)");
  auto const r = Record(line, "case_not_required", T("2026-03-03T12:00:00Z"));
  EXPECT_EQ(r.status, "info");
  EXPECT_FALSE(r.due.has_value());
  EXPECT_FALSE(r.tier.has_value());
  EXPECT_EQ(Text(r), "pre-M3 PTO complaint: no case required");
}

TEST_F(CaseFlagsTest, CaseFactsAreCopiedAndTheQueueComesFromTheLastHandoff) {
  CaseFacts facts;
  facts.subject = "No call back";
  facts.owner_name = "Dana";
  facts.installer_name = "Sunny Installs";
  facts.record_url = "https://x.example/500A";
  auto const r = Record(kComplaint, "response_4bh", T("2026-03-03T12:00:00Z"), facts);
  EXPECT_EQ(r.subject, "No call back");
  EXPECT_EQ(r.owner_name, "Dana");
  EXPECT_EQ(r.installer_name, "Sunny Installs");
  EXPECT_EQ(r.record_url, "https://x.example/500A");
  EXPECT_EQ(r.queue, "back_office");  // owned by a user who self-assigned from the queue
}

TEST_F(CaseFlagsTest, QueueIsTheFactThenTheOwnerQueueThenTheLastQueueHandoff) {
  engine::Snapshot s = Parse(kComplaint);
  EXPECT_EQ(QueueOf(s, "escalations"), "escalations");
  EXPECT_EQ(QueueOf(s, ""), "back_office");
  s.owner = "queue:customer_support";
  EXPECT_EQ(QueueOf(s, ""), "customer_support");
  s.owner = "user:1";
  s.events.clear();
  EXPECT_EQ(QueueOf(s, ""), "");
}

TEST(CaseFactsReader, ReadsTheOptionalReportMembers) {
  CaseFactsReader reader;
  CaseFacts facts;
  Status s = reader.Parse(
      R"({"id":"1","subject":"Leak \"again\"","owner_name":"Zo\u00eb","installer_name":null,)"
      R"("queue":"back_office","record_url":"https://r/1","events":[{"subject":"nested"}]})",
      facts);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(facts.subject, "Leak \"again\"");
  EXPECT_EQ(facts.owner_name, "Zo\xC3\xAB");
  EXPECT_EQ(facts.installer_name, "");
  EXPECT_EQ(facts.queue, "back_office");
  EXPECT_EQ(facts.record_url, "https://r/1");

  ASSERT_TRUE(reader.Parse(R"({"id":"2"})", facts).ok());
  EXPECT_EQ(facts.subject, "");  // cleared between lines
}

TEST(CaseFactsReader, AMemberOfTheWrongTypeIsAnErrorNamingIt) {
  CaseFactsReader reader;
  CaseFacts facts;
  Status s = reader.Parse(R"({"id":"1","owner_name":42})", facts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.info().field, "owner_name");
  EXPECT_THAT(s.message(), HasSubstr("string or null"));
}

TEST(EvidenceText, RecordIdsFreeTextAndUnknownShapesAreShown) {
  std::string out;
  AppendEvidenceText(
      out, "met",
      R"({"met_by":"event","event":"am_responded","at":"2026-03-09T15:00:00Z","record":"00T1"})");
  EXPECT_EQ(out, "met by am_responded at 2026-03-09T15:00:00Z (record 00T1)");
  out.clear();
  AppendEvidenceText(out, "breached", R"({"text":"AM on leave"})");
  EXPECT_EQ(out, "AM on leave");
  out.clear();
  AppendEvidenceText(out, "breached", R"({"x":1})");
  EXPECT_EQ(out, R"({"x":1})");
  out.clear();
  AppendEvidenceText(out, "breached", "not json");
  EXPECT_EQ(out, "not json");
  out.clear();
  AppendEvidenceText(out, "pending", "{}");
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace casebridge::report
