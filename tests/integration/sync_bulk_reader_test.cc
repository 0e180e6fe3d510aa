// ReadCasesInBulk against the Salesforce emulator: the Bulk API 2.0 read of a backfill chunk
// (one Case job + one semi-join job per related object) yields, case for case, the records and
// the SalesforceCase of the REST subquery read (adapter.BuildQuery()); plus the record assembly
// from CSV rows on its own (types, nesting, nulls, order, paging, malformed results).
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "auth/salesforce_token_sources.h"
#include "connector/adapters/salesforce/bulk_case_reader.h"
#include "connector/adapters/salesforce/case_adapter.h"
#include "connector/http/cpprest_transport.h"
#include "connector/salesforce/client.h"
#include "connector/salesforce/soql.h"
#include "connector/sandbox/demo_org.h"
#include "mappings/loader.h"
#include "mappings/signals.h"
#include "tests/integration/sync_support.h"

namespace casebridge::adapters {
namespace {

using nlohmann::json;

constexpr char const* kNow = "2026-03-09T15:00:00Z";

// A record without `attributes` and without null members (a parent object left empty
// by that is dropped too): REST renders an empty lookup as null and a set lookup with a null
// field as {"Name": null}; Bulk CSV cannot tell these apart, and FlattenRecord/Convert treat
// absent and null alike.
json Canonical(json v) {
  if (v.is_array()) {
    for (auto& e : v) e = Canonical(std::move(e));
    return v;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (auto const& [key, child] : v.items()) {
    if (key == "attributes") continue;
    json c = Canonical(child);
    if (c.is_null() || (c.is_object() && c.empty())) continue;
    out[key] = std::move(c);
  }
  return out;
}

// Everything of a SalesforceCase, one fact per line (readable diffs).
std::string Describe(SalesforceCase const& c) {
  std::ostringstream o;
  auto const& s = c.snapshot;
  o << "id=" << s.id << "\nsource=" << s.source << "\nnumber=" << s.number
    << "\ncreated=" << FormatInstant(s.created_at)
    << "\nclosed=" << (s.closed_at ? FormatInstant(*s.closed_at) : "-")
    << "\nreasons=" << s.primary_reason << "|" << s.secondary_reason << "\ntier=" << s.tier
    << "\nowner=" << s.owner << "\nfinancing=" << static_cast<int>(s.financing)
    << "\npre_m3_pto=" << s.pre_m3_pto << "\nhomeowner=" << s.homeowner_id
    << "\ninstaller=" << s.installer_id << "\nmodstamp=" << c.modstamp << "\nsubject=" << c.subject
    << "\nowner_id=" << c.owner_id << "\nowner_name=" << c.owner_name
    << "\ninstaller_name=" << c.installer_name << "\ninstaller_phone=" << c.installer_phone << "\n";
  for (auto const& e : s.events) {
    o << "event " << engine::EventTypeName(e.type) << " at=" << FormatInstant(e.at)
      << " to=" << e.to << " outcome=" << static_cast<int>(e.outcome) << " action=" << e.action
      << " key=" << e.key << "\n";
  }
  for (auto const& [key, id] : c.tasks_by_key) o << "task " << key << "=" << id << "\n";
  for (auto const& [key, id] : c.feed_posts_by_key) o << "feed " << key << "=" << id << "\n";
  return o.str();
}

struct Read {
  std::vector<std::string> records;          // raw JSON, in order
  std::vector<salesforce::QueryPage> pages;  // metadata only (records cleared)
};

class SyncBulkReader : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<testing_util::SettableClock>(*ParseInstant(kNow));
    sandbox::DemoOrgOptions demo;
    demo.cases = 150;
    demo.now = *ParseInstant(kNow);
    emulator_ = sync_test::StartEmulator(sandbox::GenerateSalesforceDemoOrg(demo), clock_);
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto signals = mappings::LoadSignalsOrError("");
    ASSERT_TRUE(signals.ok()) << signals.status();
    signals_ = *signals;
    client_ = std::make_unique<salesforce::Client>(MakeClient());
    // The queues of queues.json, as the sync resolves them.
    auto s = client_->Query(adapters::QueueQuery(policy_), [&](salesforce::QueryPage const& p) {
      for (auto r : p.records) {
        auto flat = salesforce::FlattenRecord(r);
        if (!flat.ok()) return flat.status();
        std::string const name = salesforce::FindField(*flat, "DeveloperName").value_or("");
        for (auto const& [key, developer_name] : policy_.queues.developer_names) {
          if (developer_name == name) {
            queues_.Add(salesforce::FindField(*flat, "Id").value_or(""), key);
          }
        }
      }
      return OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_GE(queues_.size(), 2U);
  }

  void TearDown() override {
    if (emulator_) emulator_->Stop();
  }

  salesforce::Client MakeClient() {
    mappings::SalesforceConfig config;
    config.login_url = emulator_->base_url();
    config.api_version = "62.0";
    config.auth_flow = mappings::SalesforceAuthFlow::kClientCredentials;
    config.client_id = sync_test::kAppId;
    config.client_secret.env = sync_test::kSecretEnv;
    salesforce::ClientOptions options;
    options.connection.request_timeout = std::chrono::seconds(20);
    auto clock = clock_;
    auto client = salesforce::Client::Create(
        std::make_shared<http::CpprestTransport>(http::CpprestTransportOptions{}),
        [config, clock](std::shared_ptr<http::HttpTransport> t) {
          return auth::MakeSalesforceTokenSource(config, std::move(t), clock);
        },
        options, sleeper_);
    EXPECT_TRUE(client.ok()) << client.status();
    return std::move(client).value();
  }

  SalesforceCaseAdapter Adapter() const { return {signals_, policy_, queues_}; }

  static std::string CreatedBetween(std::string_view from, std::string_view to) {
    return "CreatedDate >= " + salesforce::Soql::DateTime(*ParseInstant(from)) +
           " AND CreatedDate < " + salesforce::Soql::DateTime(*ParseInstant(to));
  }

  static salesforce::PageCallback Collect(Read& out) {
    return [&out](salesforce::QueryPage const& page) {
      for (auto r : page.records) out.records.emplace_back(r);
      salesforce::QueryPage meta = page;
      meta.records.clear();
      out.pages.push_back(meta);
      return OkStatus();
    };
  }

  Read RestRead(SalesforceCaseAdapter const& adapter, std::string const& condition) {
    Read out;
    auto s = client_->Query(adapter.BuildQuery(condition), Collect(out));
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  Read BulkRead(SalesforceCaseAdapter const& adapter, std::string const& condition,
                std::size_t per_page) {
    Read out;
    auto s = ReadCasesInBulk(*client_, adapter, condition, per_page, Collect(out));
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  struct Compared {
    std::size_t cases = 0;
    std::size_t events = 0;
    std::size_t own_records = 0;  // casebridge's Tasks and feed posts found by key
  };

  // Both reads give the same cases in the same order, the same records (up to nulls and
  // attributes) and the same SalesforceCase, warnings included.
  Compared ExpectSameCases(SalesforceCaseAdapter const& adapter, std::string const& condition) {
    Read const rest = RestRead(adapter, condition);
    Read const bulk = BulkRead(adapter, condition, 40);
    EXPECT_EQ(bulk.records.size(), rest.records.size());
    Compared compared;
    for (std::size_t i = 0; i < std::min(rest.records.size(), bulk.records.size()); ++i) {
      json const r = json::parse(rest.records[i]);
      json const b = json::parse(bulk.records[i]);
      EXPECT_EQ(Canonical(b), Canonical(r)) << "record " << i << " (" << r.value("Id", "") << ")";
      std::vector<std::string> rest_warnings;
      std::vector<std::string> bulk_warnings;
      auto rc = adapter.Convert(rest.records[i], &rest_warnings);
      auto bc = adapter.Convert(bulk.records[i], &bulk_warnings);
      EXPECT_EQ(rc.ok(), bc.ok()) << rc.status() << " / " << bc.status();
      if (rc.ok() && bc.ok()) {
        EXPECT_EQ(Describe(*bc), Describe(*rc));
        compared.events += rc->snapshot.events.size();
        compared.own_records += rc->tasks_by_key.size() + rc->feed_posts_by_key.size();
      }
      EXPECT_EQ(bulk_warnings, rest_warnings);
    }
    compared.cases = rest.records.size();
    return compared;
  }

  std::shared_ptr<testing_util::SettableClock> clock_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  testing_util::RecordingSleeper sleeper_;
  mappings::Policy policy_;
  mappings::SignalsMapping signals_;
  adapters::QueueDirectory queues_;
  std::unique_ptr<salesforce::Client> client_;
};

TEST_F(SyncBulkReader, WholeHistoryConvertsToTheSameCasesAsTheRestQuery) {
  Compared const c =
      ExpectSameCases(Adapter(), CreatedBetween("2025-01-01T00:00:00Z", "2026-04-01T00:00:00Z"));
  EXPECT_EQ(c.cases, 150U);
  EXPECT_GT(c.events, 300U);     // the comparison covers the events ...
  EXPECT_GE(c.own_records, 5U);  // ... and casebridge's own Tasks / feed posts
}

TEST_F(SyncBulkReader, OneWeekChunkReadsOnlyThatWeeksCasesAndTheirRelatedRecords) {
  auto const adapter = Adapter();
  std::string const week = CreatedBetween("2026-02-23T00:00:00Z", "2026-03-02T00:00:00Z");
  std::size_t const n = ExpectSameCases(adapter, week).cases;
  EXPECT_GT(n, 10U);
  EXPECT_LT(n, 150U);
  // Related records are there (the semi-join picked the week's children, not none).
  Read const bulk = BulkRead(adapter, week, 1000);
  int with_children = 0;
  for (auto const& r : bulk.records) {
    json const j = json::parse(r);
    for (char const* rel : {"EmailMessages", "Tasks", "Feeds", "Histories"}) {
      if (!j.at(rel).is_null()) {
        ++with_children;
        EXPECT_EQ(j.at(rel).at("totalSize"), j.at(rel).at("records").size());
        EXPECT_TRUE(j.at(rel).at("done").get<bool>());
      }
    }
  }
  EXPECT_GT(with_children, static_cast<int>(n));
}

TEST_F(SyncBulkReader, CaseWhereOfSignalsIsAppliedToCasesAndChildren) {
  signals_.salesforce.case_fields.where = "Escalation_Tier__c = 3";
  std::size_t const n =
      ExpectSameCases(Adapter(), CreatedBetween("2025-01-01T00:00:00Z", "2026-04-01T00:00:00Z"))
          .cases;
  EXPECT_GT(n, 0U);
  EXPECT_LT(n, 150U);
}

TEST_F(SyncBulkReader, PagesHoldRecordsPerPageAndCountTheCases) {
  auto const adapter = Adapter();
  Read const bulk =
      BulkRead(adapter, CreatedBetween("2025-01-01T00:00:00Z", "2026-04-01T00:00:00Z"), 40);
  ASSERT_EQ(bulk.pages.size(), 4U);  // 40 + 40 + 40 + 30
  for (std::size_t i = 0; i < bulk.pages.size(); ++i) {
    EXPECT_EQ(bulk.pages[i].page_number, static_cast<int>(i) + 1);
    EXPECT_EQ(bulk.pages[i].total_size, 150);
    EXPECT_EQ(bulk.pages[i].done, i + 1 == bulk.pages.size());
  }
  EXPECT_EQ(bulk.records.size(), 150U);
}

TEST_F(SyncBulkReader, RunsOneJobForTheCasesAndOnePerRelatedObjectAndNoRestQuery) {
  auto const adapter = Adapter();
  // What one job costs here (create, polls, one results page).
  auto const before_probe = client_->calls();
  auto probe = client_->BulkQuery("SELECT Id FROM Case",
                                  [](salesforce::BulkPage const&) { return OkStatus(); });
  ASSERT_TRUE(probe.ok()) << probe;
  std::int64_t const per_job = client_->calls().bulk - before_probe.bulk;
  ASSERT_GE(per_job, 2);

  auto const before = client_->calls();
  Read const bulk =
      BulkRead(adapter, CreatedBetween("2025-01-01T00:00:00Z", "2026-04-01T00:00:00Z"), 1000);
  EXPECT_EQ(bulk.records.size(), 150U);
  auto const after = client_->calls();
  std::int64_t const jobs = 1 + static_cast<std::int64_t>(signals_.salesforce.related.size());
  EXPECT_EQ(jobs, 5);
  EXPECT_EQ(after.bulk - before.bulk, jobs * per_job);
  EXPECT_EQ(after.query, before.query);
}

TEST_F(SyncBulkReader, NoMatchingCaseGivesOneEmptyPageAfterTheCaseJobOnly) {
  auto const adapter = Adapter();
  auto const before = client_->calls();
  Read const bulk =
      BulkRead(adapter, CreatedBetween("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"), 10);
  ASSERT_EQ(bulk.pages.size(), 1U);
  EXPECT_EQ(bulk.pages[0].page_number, 1);
  EXPECT_EQ(bulk.pages[0].total_size, 0);
  EXPECT_TRUE(bulk.pages[0].done);
  EXPECT_TRUE(bulk.records.empty());
  Read const rest =
      RestRead(adapter, CreatedBetween("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"));
  ASSERT_EQ(rest.pages.size(), 1U);
  EXPECT_EQ(rest.pages[0].total_size, 0);
  // One job: the child jobs are skipped (compare with a lone job's cost).
  std::int64_t const used = client_->calls().bulk - before.bulk;
  auto const probe_before = client_->calls().bulk;
  ASSERT_TRUE(client_
                  ->BulkQuery("SELECT Id FROM Case WHERE CreatedDate < 2020-01-01T00:00:00Z",
                              [](salesforce::BulkPage const&) { return OkStatus(); })
                  .ok());
  EXPECT_EQ(used, client_->calls().bulk - probe_before);
}

TEST_F(SyncBulkReader, AFailedChildJobIsAnErrorAndNoPageIsHandedOut) {
  for (auto& [relationship, extra] : signals_.salesforce.related) {
    if (relationship == "Tasks") extra.push_back("No_Such_Field__c");
  }
  auto const adapter = Adapter();
  int pages = 0;
  auto s = ReadCasesInBulk(*client_, adapter,
                           CreatedBetween("2025-01-01T00:00:00Z", "2026-04-01T00:00:00Z"), 10,
                           [&](salesforce::QueryPage const&) {
                             ++pages;
                             return OkStatus();
                           });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("No_Such_Field__c"), std::string::npos) << s;
  EXPECT_EQ(pages, 0);
}

TEST_F(SyncBulkReader, AJobTheServerCannotRunIsAnError) {
  sandbox::FaultSpec fault;
  fault.endpoint = sandbox::EndpointKind::kBulk;
  fault.kind = sandbox::FaultKind::kHttp500;
  fault.count = 0;  // every bulk request
  emulator_->InjectFault(fault);
  int pages = 0;
  auto s = ReadCasesInBulk(*client_, Adapter(), "", 10, [&](salesforce::QueryPage const&) {
    ++pages;
    return OkStatus();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(pages, 0);
}

TEST_F(SyncBulkReader, RelationshipWithoutAKnownObjectIsRefusedBeforeAnyJob) {
  signals_.salesforce.related.emplace_back("Solar_Inspections__r", std::vector<std::string>{});
  auto const before = client_->calls();
  auto s = ReadCasesInBulk(*client_, Adapter(), "", 10,
                           [](salesforce::QueryPage const&) { return OkStatus(); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Solar_Inspections__r"), std::string::npos) << s;
  EXPECT_EQ(client_->calls().bulk, before.bulk);
  // With its object named, it is read.
  auto children = adapters::StandardCaseChildObjects();
  children.push_back({"Solar_Inspections__r", "Task", "WhatId"});
  auto queries = Adapter().BulkQueries("", children);
  ASSERT_TRUE(queries.ok()) << queries.status();
  EXPECT_EQ(queries->children.back().query.soql,
            "SELECT Id, WhatId FROM Task WHERE WhatId IN (SELECT Id FROM Case)");
}

TEST_F(SyncBulkReader, OnPageErrorStopsTheRead) {
  int pages = 0;
  auto s = ReadCasesInBulk(*client_, Adapter(), "", 20, [&](salesforce::QueryPage const&) {
    ++pages;
    return Status(StatusCode::kAborted, "enough");
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(pages, 1);
}

// --- Record assembly from CSV rows -----------------------------------------------------------

using bulk_case_reader_internal::AssembleCasePages;
using bulk_case_reader_internal::BulkRows;

adapters::BulkCaseQueries Queries() {
  adapters::BulkCaseQueries q;
  q.cases.column_types = {{"CreatedDate", adapters::BulkColumnType::kDateTime},
                          {"SystemModstamp", adapters::BulkColumnType::kDateTime},
                          {"Pre_M3_PTO__c", adapters::BulkColumnType::kBoolean},
                          {"Escalation_Tier__c", adapters::BulkColumnType::kNumber}};
  q.order_by = {"SystemModstamp", "Id"};
  adapters::BulkChildQuery mail;
  mail.child = {"EmailMessages", "EmailMessage", "ParentId"};
  mail.query.column_types = {{"MessageDate", adapters::BulkColumnType::kDateTime}};
  q.children.push_back(mail);
  adapters::BulkChildQuery tasks;
  tasks.child = {"Tasks", "Task", "WhatId"};
  tasks.parent_field_selected = true;
  q.children.push_back(tasks);
  return q;
}

BulkRows Cases() {
  BulkRows b;
  b.header = {"Id",
              "SystemModstamp",
              "Owner.Name",
              "Installer__r.Name",
              "Installer__r.Owner.Name",
              "Pre_M3_PTO__c",
              "Escalation_Tier__c",
              "Subject"};
  b.rows = {
      {"500000000000002AAA", "2026-03-02T10:00:00.000Z", "Dana", "", "", "true", "2", ""},
      {"500000000000001AAA", "2026-03-02T10:00:00.000Z", "", "SunPeak", "", "false", "2.5",
       "a \"quoted\", subject"},
      {"500000000000003AAA", "2026-03-01T09:00:00.000Z", "Back Office", "", "", "", "", "x"},
  };
  return b;
}

std::vector<BulkRows> Children() {
  BulkRows mail;
  mail.header = {"Id", "MessageDate", "Incoming", "ParentId"};
  mail.rows = {{"02s000000000001AAA", "2026-03-01T10:00:00.000Z", "true", "500000000000001"},
               {"02s000000000002AAA", "", "false", "500000000000001AAA"},
               {"02s000000000003AAA", "2026-03-01T10:00:00.000Z", "true", "500000000000099AAA"}};
  BulkRows tasks;  // an empty result without a header
  return {mail, tasks};
}

std::vector<json> Assemble(std::size_t per_page, std::vector<salesforce::QueryPage>* pages,
                           BulkRows const& cases = Cases()) {
  std::vector<json> out;
  auto s = AssembleCasePages(Queries(), cases, Children(), per_page,
                             [&](salesforce::QueryPage const& page) {
                               for (auto r : page.records) out.push_back(json::parse(r));
                               salesforce::QueryPage meta = page;
                               meta.records.clear();
                               if (pages != nullptr) pages->push_back(meta);
                               return OkStatus();
                             });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(BulkCaseAssembly, OrdersByModstampThenIdAndPages) {
  std::vector<salesforce::QueryPage> pages;
  auto const records = Assemble(2, &pages);
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0]["Id"], "500000000000003AAA");
  EXPECT_EQ(records[1]["Id"], "500000000000001AAA");
  EXPECT_EQ(records[2]["Id"], "500000000000002AAA");
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0].page_number, 1);
  EXPECT_FALSE(pages[0].done);
  EXPECT_EQ(pages[1].page_number, 2);
  EXPECT_TRUE(pages[1].done);
  EXPECT_EQ(pages[0].total_size, 3);
  EXPECT_EQ(pages[1].total_size, 3);
}

TEST(BulkCaseAssembly, RendersTheRestShape) {
  auto const records = Assemble(10, nullptr);
  ASSERT_EQ(records.size(), 3U);
  json const& one = records[1];
  EXPECT_EQ(one["attributes"]["type"], "Case");
  EXPECT_EQ(one["SystemModstamp"], "2026-03-02T10:00:00.000+0000");
  EXPECT_TRUE(one["Owner"].is_null());  // every column of the parent empty
  EXPECT_EQ(one["Installer__r"]["Name"], "SunPeak");
  EXPECT_TRUE(one["Installer__r"]["Owner"].is_null());
  EXPECT_EQ(one["Pre_M3_PTO__c"], false);
  EXPECT_TRUE(one["Escalation_Tier__c"].is_number_float());
  EXPECT_EQ(one["Escalation_Tier__c"], 2.5);
  EXPECT_EQ(one["Subject"], "a \"quoted\", subject");
  json const& two = records[2];
  EXPECT_EQ(two["Owner"]["Name"], "Dana");
  EXPECT_TRUE(two["Installer__r"].is_null());
  EXPECT_EQ(two["Pre_M3_PTO__c"], true);
  EXPECT_TRUE(two["Escalation_Tier__c"].is_number_integer());
  EXPECT_TRUE(two["Subject"].is_null());  // empty cell
  EXPECT_TRUE(records[0]["Pre_M3_PTO__c"].is_null());
}

TEST(BulkCaseAssembly, ChildrenGroupUnderTheirCaseByFifteenCharacterId) {
  auto const records = Assemble(10, nullptr);
  ASSERT_EQ(records.size(), 3U);
  json const& mail = records[1]["EmailMessages"];
  ASSERT_TRUE(mail.is_object());
  EXPECT_EQ(mail["totalSize"], 2);
  EXPECT_EQ(mail["done"], true);
  ASSERT_EQ(mail["records"].size(), 2U);
  json const& first = mail["records"][0];
  EXPECT_EQ(first["attributes"]["type"], "EmailMessage");
  EXPECT_EQ(first["Id"], "02s000000000001AAA");
  EXPECT_EQ(first["MessageDate"], "2026-03-01T10:00:00.000+0000");
  EXPECT_EQ(first["Incoming"], "true");      // untyped column: text, as FlattenRecord reads a bool
  EXPECT_FALSE(first.contains("ParentId"));  // added only to link the row
  EXPECT_TRUE(mail["records"][1]["MessageDate"].is_null());
  EXPECT_TRUE(records[0]["EmailMessages"].is_null());
  EXPECT_TRUE(records[2]["EmailMessages"].is_null());
  for (auto const& r : records) EXPECT_TRUE(r["Tasks"].is_null());
}

TEST(BulkCaseAssembly, NoCaseGivesOneEmptyDonePage) {
  std::vector<salesforce::QueryPage> pages;
  auto const records = Assemble(10, &pages, BulkRows{});
  EXPECT_TRUE(records.empty());
  ASSERT_EQ(pages.size(), 1U);
  EXPECT_TRUE(pages[0].done);
  EXPECT_EQ(pages[0].page_number, 1);
  EXPECT_EQ(pages[0].total_size, 0);
}

TEST(BulkCaseAssembly, MalformedResultsAreInternalErrors) {
  auto ok = [](salesforce::QueryPage const&) { return OkStatus(); };
  BulkRows short_row = Cases();
  short_row.rows[1].pop_back();
  auto s = AssembleCasePages(Queries(), short_row, Children(), 10, ok);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("row 2 has 7 columns"), std::string::npos) << s;

  auto children = Children();
  children[0].header[3] = "WhoId";
  s = AssembleCasePages(Queries(), Cases(), children, 10, ok);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("EmailMessage have no ParentId column"), std::string::npos) << s;

  BulkRows no_modstamp = Cases();
  no_modstamp.header[1] = "LastModifiedDate";
  s = AssembleCasePages(Queries(), no_modstamp, Children(), 10, ok);
  EXPECT_EQ(s.code(), StatusCode::kInternal);

  EXPECT_EQ(AssembleCasePages(Queries(), Cases(), Children(), 0, ok).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace casebridge::adapters
