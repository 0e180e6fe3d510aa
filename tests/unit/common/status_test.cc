#include "connector/common/status.h"

#include <gtest/gtest.h>

namespace casebridge {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, ToStringNamesFileLineAndVendorCode) {
  ErrorInfo info;
  info.file = "cases.jsonl";
  info.line = 7;
  info.http_status = 503;
  info.vendor_code = "SERVER_UNAVAILABLE";
  Status s = UnavailableError("busy", info);
  EXPECT_EQ(s.ToString(), "unavailable: cases.jsonl:7: busy [http 503] [SERVER_UNAVAILABLE]");
}

TEST(StatusOr, HoldsValueOrError) {
  StatusOr<int> v = 3;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  StatusOr<int> e = NotFoundError("nope");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
}

TEST(StatusOr, OkStatusWithoutValueBecomesInternalError) {
  StatusOr<int> e = OkStatus();
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace casebridge
