// The Salesforce calls the adapters save (issue 13): the queue directory kept in the state store
// and read from the org only when it is unknown or a day old, feed-post marker lookups only for
// posts whose earlier send may have reached the server, and a reassignment applied in memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce/action_sink.h"
#include "connector/adapters/salesforce/case_source.h"
#include "connector/store/state_store.h"
#include "mappings/loader.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::adapters {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBackOffice[] = "00GDn0QU0000001MGA";
constexpr char kBackOfficeNew[] = "00GDn0QU0000007MGA";
constexpr char kOtherQueue[] = "00GDn0QU0000009MGA";  // a queue queues.json does not name
constexpr char kCaseA[] = "500Dn0CA0000001IGA";
constexpr char kCaseB[] = "500Dn0CA0000002IGA";

Instant T(std::string_view text) { return ParseInstant(text).value_or(Instant{}); }

std::string Decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

json Page(json records) {
  return json{{"totalSize", records.size()}, {"done", true}, {"records", std::move(records)}};
}

// An org answering queries and collection creates, recording every SOQL it was asked.
struct FakeOrg {
  std::string back_office_id = kBackOffice;
  json cases = json::array();
  json feed_changes = json::array();  // the answer to a related-changes query on FeedItem
  std::vector<std::string> soql;

  StatusOr<http::HttpResponse> Handle(http::HttpRequest const& r) {
    auto const q = r.url.find("?q=");
    if (q != std::string::npos) {
      soql.push_back(Decode(std::string_view(r.url).substr(q + 3)));
      std::string const& s = soql.back();
      json records = json::array();
      if (s.find("FROM Group") != std::string::npos) {
        records.push_back({{"Id", back_office_id}, {"DeveloperName", "Back_Office"}});
      } else if (s.starts_with("SELECT ParentId, SystemModstamp, Body FROM FeedItem")) {
        records = feed_changes;
      } else if (s.find("FROM Case") != std::string::npos) {
        records = cases;
      }
      return http::HttpResponse{200, {}, Page(records).dump()};
    }
    if (r.url.find("/composite/sobjects") != std::string::npos) {
      json results = json::array();
      auto const body = json::parse(r.body);
      for (std::size_t i = 0; i < body.at("records").size(); ++i) {
        results.push_back({{"id", "0D5Dn0FE000000" + std::to_string(1000 + i)},
                           {"success", true},
                           {"errors", json::array()}});
      }
      return http::HttpResponse{200, {}, results.dump()};
    }
    return http::HttpResponse{404, {}, "[]"};
  }
  [[nodiscard]] std::vector<std::string> Asked(std::string_view what) const {
    std::vector<std::string> out;
    std::copy_if(soql.begin(), soql.end(), std::back_inserter(out),
                 [&](std::string const& s) { return s.find(what) != std::string::npos; });
    return out;
  }
};

json CaseOwnedBy(std::string const& owner_id) {
  return json{{"attributes", {{"type", "Case"}}},
              {"Id", kCaseA},
              {"CaseNumber", "00001001"},
              {"CreatedDate", "2026-03-02T14:05:00.000+0000"},
              {"ClosedDate", nullptr},
              {"Reason", "Installer Complaints"},
              {"OwnerId", owner_id},
              {"Subject", "Installer silent"},
              {"SystemModstamp", "2026-03-03T10:00:00.000+0000"},
              {"EmailMessages", nullptr},
              {"Tasks", nullptr},
              {"Feeds", nullptr},
              {"Histories", nullptr}};
}

class SalesforceCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto signals = mappings::LoadSignalsOrError("");
    ASSERT_TRUE(signals.ok()) << signals.status();
    signals_ = *signals;
    auto store = store::OpenStateStore("sqlite::memory:");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // One run's connection to the fake org, keeping its queue directory in the store.
  std::unique_ptr<SalesforceOrg> Run(std::string const& now) {
    auto t = salesforce::test::MakeTestClient();
    t.transport->SetHandler([this](http::HttpRequest const& r) { return org_.Handle(r); });
    auto org = std::make_unique<SalesforceOrg>(std::move(t.client), policy_, signals_, nullptr);
    org->KeepQueuesIn(*store_, T(now));
    return org;
  }

  // The owner of kCaseA as a read by id of `org` converts it.
  std::string OwnerRead(SalesforceOrg& org) {
    SalesforceCaseSource source(org);
    std::string owner;
    std::vector<std::string> const ids = {kCaseA};
    Status s = source.ReadByIds(ids, [&](CasePage& page) {
      for (auto const& c : page.cases) owner = c.snapshot.owner;
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return owner;
  }

  mappings::Policy policy_;
  mappings::SignalsMapping signals_;
  std::unique_ptr<store::StateStore> store_;
  FakeOrg org_;
};

TEST_F(SalesforceCallsTest, TheQueueDirectoryIsReadOnceAndAgainWhenADayOld) {
  auto first = Run("2026-03-02T15:00:00Z");
  ASSERT_TRUE(first->Connect().ok());
  EXPECT_EQ(first->adapter().queues().IdOf("back_office"), kBackOffice);
  EXPECT_EQ(org_.Asked("FROM Group").size(), 1U);

  auto second = Run("2026-03-02T16:00:00Z");  // the next run: from the store
  ASSERT_TRUE(second->Connect().ok());
  EXPECT_EQ(second->adapter().queues().IdOf("back_office"), kBackOffice);
  EXPECT_EQ(org_.Asked("FROM Group").size(), 1U);

  auto next_day = Run("2026-03-03T15:00:00Z");
  ASSERT_TRUE(next_day->Connect().ok());
  EXPECT_EQ(org_.Asked("FROM Group").size(), 2U);
}

TEST_F(SalesforceCallsTest, ACaseInAnUnknownQueueHasTheDirectoryReadAgainOnce) {
  ASSERT_TRUE(Run("2026-03-02T15:00:00Z")->Connect().ok());
  // The back-office queue was recreated with a new id, and a case already sits in it.
  org_.back_office_id = kBackOfficeNew;
  org_.cases = json::array({CaseOwnedBy(kBackOfficeNew)});
  auto run = Run("2026-03-02T16:00:00Z");
  ASSERT_TRUE(run->Connect().ok());
  EXPECT_EQ(org_.Asked("FROM Group").size(), 1U);
  EXPECT_EQ(OwnerRead(*run), "queue:back_office");
  EXPECT_EQ(org_.Asked("FROM Group").size(), 2U);
  EXPECT_EQ(run->adapter().queues().IdOf("back_office"), kBackOfficeNew);

  // A queue queues.json does not name: read once more in a run, then known as such.
  org_.cases = json::array({CaseOwnedBy(kOtherQueue)});
  EXPECT_EQ(OwnerRead(*run), std::string("queue:") + kOtherQueue);
  EXPECT_EQ(org_.Asked("FROM Group").size(), 2U);  // at most once per run
  auto later = Run("2026-03-02T17:00:00Z");
  ASSERT_TRUE(later->Connect().ok());
  EXPECT_EQ(OwnerRead(*later), std::string("queue:") + kOtherQueue);
  EXPECT_EQ(org_.Asked("FROM Group").size(), 3U);
  auto after = Run("2026-03-02T18:00:00Z");
  ASSERT_TRUE(after->Connect().ok());
  EXPECT_EQ(OwnerRead(*after), std::string("queue:") + kOtherQueue);
  EXPECT_EQ(org_.Asked("FROM Group").size(), 3U);  // remembered in the store
  EXPECT_EQ(after->adapter().queues().IdOf("back_office"), kBackOfficeNew);
}

TEST_F(SalesforceCallsTest, ADryRunReadsTheQueuesButStoresNothing) {
  auto t = salesforce::test::MakeTestClient();
  t.transport->SetHandler([this](http::HttpRequest const& r) { return org_.Handle(r); });
  SalesforceOrg dry(std::move(t.client), policy_, signals_, nullptr);
  dry.KeepQueuesIn(*store_, T("2026-03-02T15:00:00Z"), /*read_only=*/true);
  ASSERT_TRUE(dry.Connect().ok());
  auto stored = store_->GetQueueDirectory();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->empty());
}

// A feed post row for `case_id` in the ledger.
store::PlannedAction Post(std::string const& case_id) {
  store::PlannedAction a;
  a.key = case_id + ":notify_manager:1";
  a.case_id = case_id;
  a.action_id = "notify_manager";
  a.rule_id = "tier_4";
  a.kind = "feed_post";
  a.target_system = "salesforce";
  a.payload = json{{"op", "create"},
                   {"sobject", "FeedItem"},
                   {"fields",
                    {{"ParentId", case_id},
                     {"Body", "@manager tier 4 [casebridge:" + a.key + "]"},
                     {"Type", "TextPost"}}}}
                  .dump();
  a.evidence = "{}";
  return a;
}

TEST_F(SalesforceCallsTest, OnlyPostsWhoseSendMayHaveReachedTheServerAreLookedFor) {
  Instant const now = T("2026-03-02T15:00:00Z");
  std::vector<store::PlannedAction> const posts = {Post(kCaseA), Post(kCaseB)};
  ASSERT_TRUE(store_->PlanActions(posts, now - std::chrono::hours(1)).ok());
  // A: refused by the server in an earlier run. B: sent by a run that died before the answer.
  ASSERT_TRUE(store_->MarkFailed(posts[0].key, "INVALID_FIELD: refused", now).ok());
  std::vector<std::string> const sent = {posts[1].key};
  ASSERT_TRUE(store_->MarkSending(sent, "in flight since 2026-03-02T14:00:00Z", now).ok());
  store::ActionQuery q;
  q.states = {store::ActionState::kPlanned, store::ActionState::kFailed};
  auto rows = store_->ListActions(q);
  ASSERT_TRUE(rows.ok() && rows->size() == 2U);

  auto org = Run("2026-03-02T15:00:00Z");
  ASSERT_TRUE(org->Connect().ok());
  SalesforceActionSink sink(*org, *store_);
  WriteOptions wo;
  wo.now = now;
  wo.wall_now = now;
  WriteReport const report = sink.Write(*rows, wo);
  ASSERT_TRUE(report.status.ok()) << report.status;
  EXPECT_EQ(report.written, 2);
  auto const lookups = org_.Asked("FROM FeedItem");
  ASSERT_EQ(lookups.size(), 1U);
  EXPECT_THAT(lookups[0], HasSubstr(kCaseB));
  EXPECT_THAT(lookups[0], Not(HasSubstr(kCaseA)));
}

TEST_F(SalesforceCallsTest, AReassignmentAppliedInMemoryMakesTheQueueTheOwner) {
  auto org = Run("2026-03-02T15:00:00Z");
  ASSERT_TRUE(org->Connect().ok());
  SalesforceActionSink sink(*org, *store_);
  SourcedCase c;
  c.snapshot.id = kCaseA;
  c.snapshot.owner = "user:005Dn0US0000001IGA";
  c.owner_id = "005Dn0US0000001IGA";
  engine::PlannedAction a;
  a.action = mappings::ActionId::kReassignBackOffice;
  a.kind = mappings::ActionKind::kReassign;
  a.key = std::string(kCaseA) + ":reassign_back_office:1";
  ASSERT_TRUE(sink.ApplyReassignment(c, a, T("2026-03-02T15:00:00Z")));
  EXPECT_EQ(c.snapshot.owner, "queue:back_office");
  EXPECT_EQ(c.owner_id, kBackOffice);
  ASSERT_EQ(c.snapshot.events.size(), 1U);
  EXPECT_EQ(c.snapshot.events[0].type, engine::EventType::kReassigned);
  EXPECT_EQ(c.snapshot.events[0].to, "queue:back_office");
  EXPECT_EQ(c.snapshot.events[0].at, T("2026-03-02T15:00:00Z"));

  a.action = mappings::ActionId::kCallInstaller;  // not a reassignment: nothing to apply
  a.kind = mappings::ActionKind::kTask;
  SourcedCase unchanged = c;
  EXPECT_FALSE(sink.ApplyReassignment(unchanged, a, T("2026-03-02T15:00:00Z")));
  EXPECT_EQ(unchanged.snapshot.events.size(), 1U);
}

TEST_F(SalesforceCallsTest, AFirstRunAsksOnlyForRelatedRecordsOfCasesItDidNotRead) {
  auto org = Run("2026-03-02T15:00:00Z");
  ASSERT_TRUE(org->Connect().ok());
  auto const& child = signals_.salesforce.child_objects.front();
  Instant const since = T("2026-02-01T00:00:00Z");
  std::string const all = org->adapter().ChangedChildrenQuery(child, since);
  EXPECT_THAT(all, HasSubstr("IN (SELECT Id FROM Case)"));
  std::string const older = org->adapter().ChangedChildrenQuery(child, since, since);
  EXPECT_THAT(older, HasSubstr("IN (SELECT Id FROM Case WHERE (SystemModstamp < "
                               "2026-02-01T00:00:00Z))"));

  SalesforceCaseSource source(*org);
  auto changes = source.ReadRelatedChanged(source.RelatedKinds().front(), since, since);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_FALSE(org_.soql.empty());
  EXPECT_EQ(org_.soql.back(), older);
}

TEST_F(SalesforceCallsTest, CasebridgesOwnFeedPostsAreNoRelatedChange) {
  auto org = Run("2026-03-02T15:00:00Z");
  ASSERT_TRUE(org->Connect().ok());
  std::string const own = "@manager tier 4 " + org->adapter().FeedMarker("x:notify_manager:1");
  org_.feed_changes = json::array(
      {{{"ParentId", kCaseA}, {"SystemModstamp", "2026-03-02T14:10:00.000+0000"}, {"Body", own}},
       {{"ParentId", kCaseB},
        {"SystemModstamp", "2026-03-02T14:05:00.000+0000"},
        {"Body", "Outreach note: left a voicemail"}}});
  SalesforceCaseSource source(*org);
  auto changes = source.ReadRelatedChanged("Case.Feeds", T("2026-03-02T14:00:00Z"), std::nullopt);
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(changes->records, 2);
  ASSERT_EQ(changes->cases.size(), 1U);
  EXPECT_EQ(changes->cases[0].id, kCaseB);
  EXPECT_EQ(changes->last_version, "2026-03-02T14:10:00.000+0000");  // the watermark moves on
}

}  // namespace
}  // namespace casebridge::adapters
