#include "connector/engine/snapshot_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "connector/common/time.h"

namespace casebridge::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Instant At(std::string_view iso) {
  auto t = ParseInstant(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(Instant{});
}

// A line with every field of SPEC 2 set, one event of every type.
constexpr std::string_view kFullLine =
    R"({"id":"500Dn00000AbCdE","source":"salesforce","number":"00012345",)"
    R"("created_at":"2026-03-02T14:05:00Z","closed_at":"2026-03-20T10:00:00-04:00",)"
    R"("primary_reason":"Installer Complaints","secondary_reason":"Unresponsive Installer",)"
    R"("tier":2,"owner":"queue:back_office","financing":"beam","pre_m3_pto":true,)"
    R"("homeowner_id":"003Dn00000XyZ","installer_id":"001Dn00000Abc","events":[)"
    R"({"type":"customer_message","at":"2026-03-02T14:00:00Z"},)"
    R"({"type":"homeowner_contacted","at":"2026-03-02T15:00:00Z"},)"
    R"({"type":"installer_emailed","at":"2026-03-02T15:01:00Z"},)"
    R"({"type":"outreach_note","at":"2026-03-02T15:02:00Z"},)"
    R"({"type":"reassigned","at":"2026-03-02T15:03:00Z","to":"queue:back_office"},)"
    R"({"type":"installer_contacted_homeowner","at":"2026-03-03T15:00:00Z"},)"
    R"({"type":"homeowner_satisfied","at":"2026-03-03T16:00:00Z"},)"
    R"({"type":"installer_called","at":"2026-03-04T15:00:00Z","outcome":"voicemail"},)"
    R"({"type":"sales_referral","at":"2026-03-06T15:00:00Z"},)"
    R"({"type":"am_responded","at":"2026-03-07T15:00:00Z"},)"
    R"({"type":"homeowner_requested_followup","at":"2026-03-08T15:00:00Z"},)"
    R"({"type":"homeowner_unresponsive","at":"2026-03-09T15:00:00Z"},)"
    R"({"type":"manager_notified","at":"2026-03-10T15:00:00Z"},)"
    R"({"action":"call_installer","at":"2026-03-11T15:00:00Z","type":"task_created",)"
    R"("key":"500Dn00000AbCdE:call_installer:1"}]})";

constexpr std::string_view kMinimalLine = R"({"id":"C2","created_at":"2026-03-02T14:05:00Z"})";

// Parses a line expected to be bad and returns its status.
Status ParseBad(std::string_view line) {
  Snapshot s;
  SnapshotReader reader;
  Status st = reader.Parse(line, s);
  EXPECT_FALSE(st.ok()) << line;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << line;
  return st;
}

std::string WithCreated(std::string_view rest) {
  return std::string(R"({"id":"C1","created_at":"2026-03-02T14:05:00Z",)") + std::string(rest) +
         "}";
}

TEST(SnapshotCodec, ReadsEveryFieldOfTheSpecShape) {
  Snapshot s;
  SnapshotReader reader;
  ASSERT_TRUE(reader.Parse(kFullLine, s).ok()) << reader.Parse(kFullLine, s);
  EXPECT_EQ(s.id, "500Dn00000AbCdE");
  EXPECT_EQ(s.source, "salesforce");
  EXPECT_EQ(s.number, "00012345");
  EXPECT_EQ(s.created_at, At("2026-03-02T14:05:00Z"));
  ASSERT_TRUE(s.closed_at.has_value());
  EXPECT_EQ(*s.closed_at, At("2026-03-20T14:00:00Z"));  // -04:00 converted to UTC
  EXPECT_EQ(s.primary_reason, "Installer Complaints");
  EXPECT_EQ(s.secondary_reason, "Unresponsive Installer");
  EXPECT_EQ(s.tier, 2);
  EXPECT_EQ(s.owner, "queue:back_office");
  EXPECT_EQ(s.financing, Financing::kBeam);
  EXPECT_TRUE(s.pre_m3_pto);
  EXPECT_EQ(s.homeowner_id, "003Dn00000XyZ");
  EXPECT_EQ(s.installer_id, "001Dn00000Abc");

  ASSERT_EQ(s.events.size(), 14U);
  std::vector<EventType> const expected = {
      EventType::kCustomerMessage,
      EventType::kHomeownerContacted,
      EventType::kInstallerEmailed,
      EventType::kOutreachNote,
      EventType::kReassigned,
      EventType::kInstallerContactedHomeowner,
      EventType::kHomeownerSatisfied,
      EventType::kInstallerCalled,
      EventType::kSalesReferral,
      EventType::kAmResponded,
      EventType::kHomeownerRequestedFollowup,
      EventType::kHomeownerUnresponsive,
      EventType::kManagerNotified,
      EventType::kTaskCreated,
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(s.events[i].type, expected[i]) << i;
  }
  EXPECT_EQ(s.events[0].at, At("2026-03-02T14:00:00Z"));
  EXPECT_EQ(s.events[4].to, "queue:back_office");
  EXPECT_EQ(s.events[7].outcome, CallOutcome::kVoicemail);
  EXPECT_EQ(s.events[13].action, "call_installer");
  EXPECT_EQ(s.events[13].key, "500Dn00000AbCdE:call_installer:1");
  EXPECT_EQ(s.events[13].at, At("2026-03-11T15:00:00Z"));
}

TEST(SnapshotCodec, AbsentOptionalFieldsTakeTheirDefaults) {
  Snapshot s;
  ASSERT_TRUE(ParseSnapshotLine(kMinimalLine, s).ok());
  EXPECT_EQ(s.id, "C2");
  EXPECT_EQ(s.created_at, At("2026-03-02T14:05:00Z"));
  EXPECT_FALSE(s.closed_at.has_value());
  EXPECT_EQ(s.tier, 0);
  EXPECT_EQ(s.financing, Financing::kNone);
  EXPECT_FALSE(s.pre_m3_pto);
  EXPECT_TRUE(s.source.empty());
  EXPECT_TRUE(s.owner.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST(SnapshotCodec, NullOptionalFieldsReadAsAbsent) {
  Snapshot s;
  auto const line = WithCreated(
      R"("closed_at":null,"tier":null,"financing":null,"pre_m3_pto":null,"source":null,)"
      R"("number":null,"primary_reason":null,"secondary_reason":null,"owner":null,)"
      R"("homeowner_id":null,"installer_id":null,"events":null)");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok()) << ParseSnapshotLine(line, s);
  EXPECT_FALSE(s.closed_at.has_value());
  EXPECT_EQ(s.tier, 0);
  EXPECT_EQ(s.financing, Financing::kNone);
  EXPECT_FALSE(s.pre_m3_pto);
  EXPECT_TRUE(s.number.empty());
  EXPECT_TRUE(s.primary_reason.empty());
  EXPECT_TRUE(s.homeowner_id.empty());
  EXPECT_TRUE(s.installer_id.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST(SnapshotCodec, InstallerCalledOutcomeIsOptional) {
  Snapshot s;
  auto const line =
      WithCreated(R"("events":[{"type":"installer_called","at":"2026-03-04T15:00:00Z"},)"
                  R"({"type":"installer_called","at":"2026-03-05T15:00:00Z","outcome":"reached"},)"
                  R"({"type":"installer_called","at":"2026-03-06T15:00:00Z","outcome":null}])");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok());
  ASSERT_EQ(s.events.size(), 3U);
  EXPECT_EQ(s.events[0].outcome, CallOutcome::kNone);
  EXPECT_EQ(s.events[1].outcome, CallOutcome::kReached);
  EXPECT_EQ(s.events[2].outcome, CallOutcome::kNone);
}

TEST(SnapshotCodec, FinancingIsCaseInsensitive) {
  Snapshot s;
  ASSERT_TRUE(ParseSnapshotLine(WithCreated(R"("financing":"Beam")"), s).ok());
  EXPECT_EQ(s.financing, Financing::kBeam);
  ASSERT_TRUE(ParseSnapshotLine(WithCreated(R"("financing":"CONCERT")"), s).ok());
  EXPECT_EQ(s.financing, Financing::kConcert);
}

TEST(SnapshotCodec, UnknownFieldsAreIgnoredAtEveryLevel) {
  Snapshot s;
  auto const line = WithCreated(
      R"("x_custom":{"nested":[1,{"a":"b"}],"n":null},"tags":["a","b"],"score":1.5e3,)"
      R"("events":[{"type":"outreach_note","at":"2026-03-02T15:00:00Z","by":{"user":"005X"},)"
      R"("extra":[true,false]}],"zzz":"last")");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok()) << ParseSnapshotLine(line, s);
  ASSERT_EQ(s.events.size(), 1U);
  EXPECT_EQ(s.events[0].type, EventType::kOutreachNote);
}

TEST(SnapshotCodec, UnknownEventTypesAreDroppedWhole) {
  Snapshot s;
  // The unknown event has no `at` and odd fields: it is not looked at beyond its type.
  auto const line = WithCreated(R"("events":[{"type":"sms_sent","to":42},)"
                                R"({"type":"homeowner_contacted","at":"2026-03-02T15:00:00Z"},)"
                                R"({"type":"future_thing","at":"not a date"}])");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok()) << ParseSnapshotLine(line, s);
  ASSERT_EQ(s.events.size(), 1U);
  EXPECT_EQ(s.events[0].type, EventType::kHomeownerContacted);
}

TEST(SnapshotCodec, EventsKeepInputOrder) {
  Snapshot s;
  auto const line =
      WithCreated(R"("events":[{"type":"homeowner_contacted","at":"2026-03-05T15:00:00Z"},)"
                  R"({"type":"customer_message","at":"2026-03-02T15:00:00Z"}])");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok());
  ASSERT_EQ(s.events.size(), 2U);
  EXPECT_EQ(s.events[0].type, EventType::kHomeownerContacted);
  EXPECT_EQ(s.events[1].type, EventType::kCustomerMessage);
}

TEST(SnapshotCodec, EscapedStringsAreUnescaped) {
  Snapshot s;
  auto const line = R"({"id":"a\"b\\c\u00e9","created_at":"2026-03-02T14:05:00Z","number":"x\ny"})";
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok());
  EXPECT_EQ(s.id, "a\"b\\c\xC3\xA9");
  EXPECT_EQ(s.number, "x\ny");
}

TEST(SnapshotCodec, FieldsMayComeInAnyOrder) {
  Snapshot s;
  auto const line =
      R"({"events":[{"at":"2026-03-02T15:00:00Z","to":"user:005A","type":"reassigned"}],)"
      R"("tier":4,"created_at":"2026-03-02T14:05:00+01:00","id":"Z"})";
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok()) << ParseSnapshotLine(line, s);
  EXPECT_EQ(s.id, "Z");
  EXPECT_EQ(s.tier, 4);
  EXPECT_EQ(s.created_at, At("2026-03-02T13:05:00Z"));
  ASSERT_EQ(s.events.size(), 1U);
  EXPECT_EQ(s.events[0].to, "user:005A");
}

TEST(SnapshotCodec, ReusingTheSnapshotLeavesNoResidueFromThePreviousCase) {
  Snapshot s;
  SnapshotReader reader;
  ASSERT_TRUE(reader.Parse(kFullLine, s).ok());
  ASSERT_TRUE(reader.Parse(kMinimalLine, s).ok());
  EXPECT_EQ(s.id, "C2");
  EXPECT_TRUE(s.source.empty());
  EXPECT_TRUE(s.number.empty());
  EXPECT_FALSE(s.closed_at.has_value());
  EXPECT_TRUE(s.primary_reason.empty());
  EXPECT_TRUE(s.secondary_reason.empty());
  EXPECT_EQ(s.tier, 0);
  EXPECT_TRUE(s.owner.empty());
  EXPECT_EQ(s.financing, Financing::kNone);
  EXPECT_FALSE(s.pre_m3_pto);
  EXPECT_TRUE(s.homeowner_id.empty());
  EXPECT_TRUE(s.installer_id.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST(SnapshotCodec, ABadLineDoesNotSpoilTheNextOne) {
  Snapshot s;
  SnapshotReader reader;
  ASSERT_FALSE(
      reader.Parse(R"({"id":"bad","created_at":"2026-03-02T14:05:00Z","tier":9})", s).ok());
  ASSERT_FALSE(reader.Parse(R"({"id":"bad2",)", s).ok());
  ASSERT_TRUE(reader.Parse(kMinimalLine, s).ok());
  EXPECT_EQ(s.id, "C2");
  EXPECT_EQ(s.tier, 0);
}

TEST(SnapshotCodec, ALongerLineThanAnyBeforeIsRead) {
  Snapshot s;
  SnapshotReader reader;
  ASSERT_TRUE(reader.Parse(kMinimalLine, s).ok());
  std::string events;
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) events += ",";
    events += R"({"type":"customer_message","at":"2026-03-02T15:00:00Z"})";
  }
  ASSERT_TRUE(reader.Parse(WithCreated(R"("events":[)" + events + "]"), s).ok());
  EXPECT_EQ(s.events.size(), 2000U);
}

TEST(SnapshotCodec, ARepeatedEventsKeyReplacesTheEarlierOne) {
  Snapshot s;
  auto const line =
      WithCreated(R"("events":[{"type":"outreach_note","at":"2026-03-02T15:00:00Z"}],)"
                  R"("events":[{"type":"sales_referral","at":"2026-03-02T16:00:00Z"}])");
  ASSERT_TRUE(ParseSnapshotLine(line, s).ok());
  ASSERT_EQ(s.events.size(), 1U);
  EXPECT_EQ(s.events[0].type, EventType::kSalesReferral);
}

// --- errors -----------------------------------------------------------------------------------

TEST(SnapshotCodec, MissingIdIsNamed) {
  auto st = ParseBad(R"({"created_at":"2026-03-02T14:05:00Z"})");
  EXPECT_EQ(st.info().field, "id");
  EXPECT_THAT(st.message(), HasSubstr("missing"));
}

TEST(SnapshotCodec, EmptyOrNullOrNumericIdIsRejected) {
  EXPECT_EQ(ParseBad(R"({"id":"","created_at":"2026-03-02T14:05:00Z"})").info().field, "id");
  EXPECT_EQ(ParseBad(R"({"id":null,"created_at":"2026-03-02T14:05:00Z"})").info().field, "id");
  auto st = ParseBad(R"({"id":12345,"created_at":"2026-03-02T14:05:00Z"})");
  EXPECT_EQ(st.info().field, "id");
  EXPECT_THAT(st.message(), HasSubstr("12345"));
}

TEST(SnapshotCodec, MissingOrNullCreatedAtIsNamed) {
  auto st = ParseBad(R"({"id":"C1"})");
  EXPECT_EQ(st.info().field, "created_at");
  EXPECT_THAT(st.message(), HasSubstr("missing"));
  EXPECT_EQ(ParseBad(R"({"id":"C1","created_at":null})").info().field, "created_at");
}

TEST(SnapshotCodec, BadCreatedAtIsNamedAndQuoted) {
  auto st = ParseBad(R"({"id":"C1","created_at":"March 2nd"})");
  EXPECT_EQ(st.info().field, "created_at");
  EXPECT_THAT(st.message(), HasSubstr("\"March 2nd\""));
}

TEST(SnapshotCodec, CreatedAtWithoutOffsetIsRejected) {
  auto st = ParseBad(R"({"id":"C1","created_at":"2026-03-02T14:05:00"})");
  EXPECT_EQ(st.info().field, "created_at");
  EXPECT_THAT(st.message(), HasSubstr("offset"));
}

TEST(SnapshotCodec, BadClosedAtIsNamed) {
  EXPECT_EQ(ParseBad(WithCreated(R"("closed_at":"2026-02-30T10:00:00Z")")).info().field,
            "closed_at");
  EXPECT_EQ(ParseBad(WithCreated(R"("closed_at":17)")).info().field, "closed_at");
}

TEST(SnapshotCodec, BadEventTimestampNamesTheEventIndex) {
  auto st =
      ParseBad(WithCreated(R"("events":[{"type":"customer_message","at":"2026-03-02T15:00:00Z"},)"
                           R"({"type":"sms","at":"x"},)"
                           R"({"type":"outreach_note","at":"2026-03-02T15:00:00Z"},)"
                           R"({"type":"homeowner_contacted","at":"yesterday"}])"));
  EXPECT_EQ(st.info().field, "events[3].at");
  EXPECT_THAT(st.message(), HasSubstr("\"yesterday\""));
}

TEST(SnapshotCodec, EventWithoutAtOrTypeIsNamed) {
  EXPECT_EQ(ParseBad(WithCreated(R"("events":[{"type":"outreach_note"}])")).info().field,
            "events[0].at");
  EXPECT_EQ(ParseBad(WithCreated(R"("events":[{"at":"2026-03-02T15:00:00Z"}])")).info().field,
            "events[0].type");
  EXPECT_EQ(
      ParseBad(WithCreated(R"("events":[{"type":7,"at":"2026-03-02T15:00:00Z"}])")).info().field,
      "events[0].type");
}

TEST(SnapshotCodec, WronglyTypedFieldOfAKnownEventIsNamed) {
  auto st = ParseBad(
      WithCreated(R"("events":[{"to":42,"type":"reassigned","at":"2026-03-02T15:00:00Z"}])"));
  EXPECT_EQ(st.info().field, "events[0].to");
  EXPECT_THAT(st.message(), HasSubstr("42"));
  EXPECT_EQ(
      ParseBad(WithCreated(R"("events":[{"type":null,"at":"2026-03-02T15:00:00Z"}])")).info().field,
      "events[0].type");
}

TEST(SnapshotCodec, EventThatIsNotAnObjectIsNamed) {
  auto st = ParseBad(WithCreated(R"("events":["outreach_note"])"));
  EXPECT_EQ(st.info().field, "events[0]");
  EXPECT_EQ(ParseBad(WithCreated(R"("events":{"type":"x"})")).info().field, "events");
}

TEST(SnapshotCodec, EventSpecificFieldsAreRequired) {
  EXPECT_EQ(ParseBad(WithCreated(R"("events":[{"type":"reassigned","at":"2026-03-02T15:00:00Z"}])"))
                .info()
                .field,
            "events[0].to");
  EXPECT_EQ(ParseBad(WithCreated(R"("events":[{"type":"task_created","at":"2026-03-02T15:00:00Z",)"
                                 R"("action":"call_installer"}])"))
                .info()
                .field,
            "events[0].key");
  EXPECT_EQ(ParseBad(WithCreated(R"("events":[{"type":"task_created","at":"2026-03-02T15:00:00Z",)"
                                 R"("key":"C1:call_installer:1"}])"))
                .info()
                .field,
            "events[0].action");
  auto st = ParseBad(WithCreated(
      R"("events":[{"type":"installer_called","at":"2026-03-02T15:00:00Z","outcome":"busy"}])"));
  EXPECT_EQ(st.info().field, "events[0].outcome");
  EXPECT_THAT(st.message(), HasSubstr("\"busy\""));
}

TEST(SnapshotCodec, TierMustBeAnIntegerFromOneToFour) {
  for (std::string_view bad :
       {"0", "5", "-1", "2.5", "\"2\"", "true", "[2]", "99999999999999999999"}) {
    auto st = ParseBad(WithCreated(std::string(R"("tier":)") + std::string(bad)));
    EXPECT_EQ(st.info().field, "tier") << bad;
    EXPECT_THAT(st.message(), HasSubstr("1-4")) << bad;
  }
  Snapshot s;
  for (int tier = 1; tier <= 4; ++tier) {
    ASSERT_TRUE(ParseSnapshotLine(WithCreated(R"("tier":)" + std::to_string(tier)), s).ok());
    EXPECT_EQ(s.tier, tier);
  }
}

TEST(SnapshotCodec, UnknownFinancingIsNamed) {
  auto st = ParseBad(WithCreated(R"("financing":"sunrun")"));
  EXPECT_EQ(st.info().field, "financing");
  EXPECT_THAT(st.message(), HasSubstr("\"sunrun\""));
  EXPECT_EQ(ParseBad(WithCreated(R"("financing":true)")).info().field, "financing");
}

TEST(SnapshotCodec, PreM3PtoMustBeBoolean) {
  auto st = ParseBad(WithCreated(R"("pre_m3_pto":"yes")"));
  EXPECT_EQ(st.info().field, "pre_m3_pto");
  EXPECT_THAT(st.message(), HasSubstr("\"yes\""));
  Snapshot s;
  ASSERT_TRUE(ParseSnapshotLine(WithCreated(R"("pre_m3_pto":false)"), s).ok());
  EXPECT_FALSE(s.pre_m3_pto);
}

TEST(SnapshotCodec, OptionalStringOfAnotherTypeIsNamed) {
  auto st = ParseBad(WithCreated(R"("number":12345)"));
  EXPECT_EQ(st.info().field, "number");
  EXPECT_THAT(st.message(), HasSubstr("string"));
  EXPECT_EQ(ParseBad(WithCreated(R"("owner":{"queue":"x"})")).info().field, "owner");
}

TEST(SnapshotCodec, LongOffendingValuesAreCutInTheMessage) {
  std::string const long_value(300, 'x');
  auto st = ParseBad(R"({"id":"C1","created_at":")" + long_value + R"("})");
  EXPECT_EQ(st.info().field, "created_at");
  EXPECT_THAT(st.message(), HasSubstr("\"" + std::string(40, 'x') + "\"\xE2\x80\xA6"));
  EXPECT_THAT(st.message(), Not(HasSubstr(std::string(41, 'x'))));
  EXPECT_LT(st.message().size(), 150U);

  // A cut never splits a multi-byte UTF-8 character: 39 ASCII bytes then "é" (2 bytes).
  std::string const utf8 = std::string(39, 'a') + "\xC3\xA9" + std::string(20, 'b');
  auto st2 = ParseBad(WithCreated(R"("financing":")" + utf8 + "\""));
  EXPECT_THAT(st2.message(), HasSubstr("\"" + std::string(39, 'a') + "\"\xE2\x80\xA6"));

  // Non-string values are cut the same way.
  auto st3 = ParseBad(WithCreated(R"("tier":)" + std::string(80, '7')));
  EXPECT_THAT(st3.message(), Not(HasSubstr(std::string(41, '7'))));
}

TEST(SnapshotCodec, ControlCharactersInQuotedValuesAreEscaped) {
  auto st = ParseBad(R"({"id":"C1","created_at":"2026\n03"})");
  EXPECT_THAT(st.message(), HasSubstr(R"("2026\u000a03")"));
}

TEST(SnapshotCodec, MalformedJsonIsReportedWithoutAField) {
  for (std::string_view bad : {
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z")",     // unterminated
           R"({"id":"C1",,"created_at":"2026-03-02T14:05:00Z"})",   // double comma
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z"} x)",  // trailing text
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z"}{})",  // two objects
           R"({"id":"C1" "created_at":"2026-03-02T14:05:00Z"})",    // missing comma
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","x":tru})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","tier":nul})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","x":{"a":[1,{"b":fals}]}})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","x":01})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","x":1.})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","x":"\q"})",
           R"({"id":"C1","created_at":"2026-03-02T14:05:00Z","events":[{"type":"sms","n":-})"
           R"(}]})",
           R"(not json at all)",
           R"([{"id":"C1"}])",
           R"("just a string")",
           "",
       }) {
    auto st = ParseBad(bad);
    EXPECT_TRUE(st.info().field.empty()) << bad << " -> " << st.info().field;
    EXPECT_THAT(st.message(), StartsWith("not valid JSON")) << bad << " -> " << st.message();
  }
}

TEST(SnapshotCodec, InvalidUtf8IsNotValidJson) {
  auto st = ParseBad("{\"id\":\"C\xFF\",\"created_at\":\"2026-03-02T14:05:00Z\"}");
  EXPECT_THAT(st.message(), StartsWith("not valid JSON"));
}

TEST(SnapshotCodec, AnUnknownFieldNestedTooDeepIsABadLineNotACrash) {
  // 50,000 levels used to recurse once per level and overflow the stack (SIGSEGV).
  std::string const deep = std::string(50'000, '[') + std::string(50'000, ']');
  Snapshot s;
  Status const st = ParseSnapshotLine(WithCreated(R"("x_custom":)" + deep), s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.info().field, "x_custom");
  EXPECT_THAT(st.message(), HasSubstr("nested more than 512 levels deep"));
  auto const in_event = WithCreated(R"("events":[{"type":"outreach_note","at":)"
                                    R"("2026-03-02T15:00:00Z","by":)" +
                                    deep + "}]");
  Status const ev = ParseSnapshotLine(in_event, s);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.info().field, "events[0].by");
}

TEST(SnapshotCodec, NestingUpToTheLimitIsAccepted) {
  // The line object is level 1 and an unknown root field's value level 2: 511 arrays fit.
  std::string const ok = std::string(511, '[') + std::string(511, ']');
  Snapshot s;
  Status const st = ParseSnapshotLine(WithCreated(R"("x_custom":)" + ok), s);
  EXPECT_TRUE(st.ok()) << st;
  std::string const over = std::string(512, '[') + std::string(512, ']');
  EXPECT_FALSE(ParseSnapshotLine(WithCreated(R"("x_custom":)" + over), s).ok());
}

// --- AppendSnapshotJson (what the state store keeps per case) ----------------------------------

bool SameEvent(Event const& a, Event const& b) {
  return a.type == b.type && a.at == b.at && a.to == b.to && a.outcome == b.outcome &&
         a.action == b.action && a.key == b.key && a.record == b.record;
}

bool SameSnapshot(Snapshot const& a, Snapshot const& b) {
  if (a.events.size() != b.events.size()) return false;
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    if (!SameEvent(a.events[i], b.events[i])) return false;
  }
  return a.id == b.id && a.source == b.source && a.number == b.number &&
         a.created_at == b.created_at && a.closed_at == b.closed_at &&
         a.primary_reason == b.primary_reason && a.secondary_reason == b.secondary_reason &&
         a.tier == b.tier && a.owner == b.owner && a.financing == b.financing &&
         a.pre_m3_pto == b.pre_m3_pto && a.homeowner_id == b.homeowner_id &&
         a.installer_id == b.installer_id;
}

TEST(SnapshotWriter, EverySampleReadsBackEqual) {
  std::ifstream in(CASEBRIDGE_SOURCE_DIR "/tests/data/samples.jsonl");
  ASSERT_TRUE(in) << "samples.jsonl";
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    Snapshot original;
    ASSERT_TRUE(ParseSnapshotLine(line, original).ok()) << line;
    std::string written;
    AppendSnapshotJson(written, original);
    Snapshot again;
    Status const st = ParseSnapshotLine(written, again);
    ASSERT_TRUE(st.ok()) << st << "\n" << written;
    EXPECT_TRUE(SameSnapshot(original, again)) << written;
    EXPECT_LE(written.size(), line.size()) << "compact: never longer than the sample line";
    ++n;
  }
  EXPECT_EQ(n, 27);
}

TEST(SnapshotWriter, KeepsEventRecordIdsAndEscapesText) {
  Snapshot s;
  s.id = "500S\"x";
  s.created_at = At("2026-03-02T14:05:00Z");
  s.closed_at = At("2026-03-03T14:05:00Z");
  s.primary_reason = "Installer Complaints\n<b>";
  s.tier = 3;
  s.financing = Financing::kConcert;
  s.pre_m3_pto = true;
  Event& e = s.events.emplace_back();
  e.type = EventType::kInstallerCalled;
  e.at = At("2026-03-02T15:00:00Z");
  e.outcome = CallOutcome::kVoicemail;
  e.record = "00TS0000000001";
  std::string out;
  AppendSnapshotJson(out, s);
  EXPECT_THAT(out, ::testing::HasSubstr(R"("record":"00TS0000000001")"));
  Snapshot again;
  ASSERT_TRUE(ParseSnapshotLine(out, again).ok()) << out;
  EXPECT_TRUE(SameSnapshot(s, again)) << out;
}

}  // namespace
}  // namespace casebridge::engine
