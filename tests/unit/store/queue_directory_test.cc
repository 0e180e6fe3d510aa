// The queue directory of the state store (migration 008): replaced as a whole per org, read back
// ordered, refused entries leave it as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connector/store/state_store.h"

namespace casebridge::store {
namespace {

Instant T(std::string_view text) { return ParseInstant(text).value_or(Instant{}); }

TEST(QueueDirectoryTest, IsReplacedPerOrgAndReadBackOrdered) {
  auto store = OpenStateStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status();
  auto empty = (*store)->GetQueueDirectory("default");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());

  Instant const at = T("2026-03-02T15:00:00Z");
  std::vector<QueueEntry> const first = {{"Customer_Support", "", at},
                                         {"Back_Office", "00G000000000001AAA", at},
                                         {"", "00G000000000009AAA", at}};
  ASSERT_TRUE((*store)->ReplaceQueueDirectory("default", first).ok());
  std::vector<QueueEntry> const other = {{"Back_Office", "00G000000000002AAA", at}};
  ASSERT_TRUE((*store)->ReplaceQueueDirectory("emea", other).ok());

  auto rows = (*store)->GetQueueDirectory("default");
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
  ASSERT_TRUE((*store)->ReplaceQueueDirectory("default", second).ok());
  rows = (*store)->GetQueueDirectory("default");
  ASSERT_TRUE(rows.ok() && rows->size() == 1U);
  EXPECT_EQ((*rows)[0].queue_id, "00G000000000003AAA");
  EXPECT_EQ((*rows)[0].refreshed_at, later);
  auto emea = (*store)->GetQueueDirectory("emea");
  ASSERT_TRUE(emea.ok() && emea->size() == 1U);
  EXPECT_EQ((*emea)[0].queue_id, "00G000000000002AAA");

  std::vector<QueueEntry> const bad = {{"Back_Office", "00G000000000004AAA", later},
                                       {"", "", later}};
  EXPECT_EQ((*store)->ReplaceQueueDirectory("default", bad).code(), StatusCode::kInvalidArgument);
  rows = (*store)->GetQueueDirectory("default");
  ASSERT_TRUE(rows.ok() && rows->size() == 1U);
  EXPECT_EQ((*rows)[0].queue_id, "00G000000000003AAA");
}

}  // namespace
}  // namespace casebridge::store
