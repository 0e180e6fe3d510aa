// The queue directory of the state store (migration 008): replaced as a whole per org, read back
// ordered, refused entries leave it as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "connector/store/state_store.h"

namespace casebridge::store {
namespace {

Instant T(std::string_view text) { return ParseInstant(text).value_or(Instant{}); }

TEST(QueueDirectoryTest, IsReplacedPerOrgAndReadBackOrdered) {
  std::string const url = "sqlite:" + ::testing::TempDir() + "queue_directory_test.db";
  std::remove(url.substr(7).c_str());
  auto store = OpenStateStore(url);
  ASSERT_TRUE(store.ok()) << store.status();
  auto emea_store = OpenStateStore(url, "emea");
  ASSERT_TRUE(emea_store.ok()) << emea_store.status();
  auto empty = (*store)->GetQueueDirectory();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());

  Instant const at = T("2026-03-02T15:00:00Z");
  std::vector<QueueEntry> const first = {{"Customer_Support", "", at},
                                         {"Back_Office", "00G000000000001AAA", at},
                                         {"", "00G000000000009AAA", at}};
  ASSERT_TRUE((*store)->ReplaceQueueDirectory(first).ok());
  std::vector<QueueEntry> const other = {{"Back_Office", "00G000000000002AAA", at}};
  ASSERT_TRUE((*emea_store)->ReplaceQueueDirectory(other).ok());

  auto rows = (*store)->GetQueueDirectory();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3U);
  EXPECT_EQ((*rows)[0].name, "");
  EXPECT_EQ((*rows)[0].queue_id, "00G000000000009AAA");
  EXPECT_EQ((*rows)[1].name, "Back_Office");
  EXPECT_EQ((*rows)[1].queue_id, "00G000000000001AAA");
  EXPECT_EQ((*rows)[1].refreshed_at, at);
  EXPECT_EQ((*rows)[2].name, "Customer_Support");
  EXPECT_EQ((*rows)[2].queue_id, "");

  Instant const later = T("2026-03-03T15:00:00Z");
  std::vector<QueueEntry> const second = {{"Back_Office", "00G000000000003AAA", later}};
  ASSERT_TRUE((*store)->ReplaceQueueDirectory(second).ok());
  rows = (*store)->GetQueueDirectory();
  ASSERT_TRUE(rows.ok() && rows->size() == 1U);
  EXPECT_EQ((*rows)[0].queue_id, "00G000000000003AAA");
  EXPECT_EQ((*rows)[0].refreshed_at, later);
  auto emea = (*emea_store)->GetQueueDirectory();
  ASSERT_TRUE(emea.ok() && emea->size() == 1U);
  EXPECT_EQ((*emea)[0].queue_id, "00G000000000002AAA");

  std::vector<QueueEntry> const bad = {{"Back_Office", "00G000000000004AAA", later},
                                       {"", "", later}};
  EXPECT_EQ((*store)->ReplaceQueueDirectory(bad).code(), StatusCode::kInvalidArgument);
  rows = (*store)->GetQueueDirectory();
  ASSERT_TRUE(rows.ok() && rows->size() == 1U);
  EXPECT_EQ((*rows)[0].queue_id, "00G000000000003AAA");
}

}  // namespace
}  // namespace casebridge::store
