#include "connector/common/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace casebridge {
namespace {

using std::chrono::milliseconds;

struct Recording {
  std::vector<milliseconds> delays;
  Sleeper sleeper() {
    return [this](milliseconds d) { delays.push_back(d); };
  }
};

TEST(RetryLoop, RetriesUnavailableThenSucceeds) {
  Recording rec;
  int calls = 0;
  RetryOptions opts;
  auto result = RetryLoop(RetryPolicy(opts), BackoffPolicy(opts, 1), Idempotency::kIdempotent,
                          rec.sleeper(), [&]() -> StatusOr<int> {
                            if (++calls < 3) return UnavailableError("503");
                            return 7;
                          });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 7);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(rec.delays.size(), 2U);
}

TEST(RetryLoop, NeverRepeatsNonIdempotentOperation) {
  Recording rec;
  int calls = 0;
  RetryOptions opts;
  Status s = RetryLoop(RetryPolicy(opts), BackoffPolicy(opts, 1), Idempotency::kNonIdempotent,
                       rec.sleeper(), [&]() {
                         ++calls;
                         return UnavailableError("503");
                       });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(rec.delays.empty());
}

TEST(RetryLoop, DoesNotRetryBudgetExhaustion) {
  Recording rec;
  int calls = 0;
  RetryOptions opts;
  Status s = RetryLoop(RetryPolicy(opts), BackoffPolicy(opts, 1), Idempotency::kIdempotent,
                       rec.sleeper(), [&]() {
                         ++calls;
                         return ResourceExhaustedError("REQUEST_LIMIT_EXCEEDED");
                       });
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(calls, 1);
}

TEST(RetryLoop, StopsAfterMaxAttempts) {
  Recording rec;
  int calls = 0;
  RetryOptions opts;
  opts.max_attempts = 4;
  Status s = RetryLoop(RetryPolicy(opts), BackoffPolicy(opts, 1), Idempotency::kIdempotent,
                       rec.sleeper(), [&]() {
                         ++calls;
                         return Status(StatusCode::kDeadlineExceeded, "timeout");
                       });
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(rec.delays.size(), 3U);
}

TEST(RetryLoop, HonoursServerRetryAfterAsFloor) {
  Recording rec;
  int calls = 0;
  RetryOptions opts;
  opts.initial_delay = milliseconds(10);
  ErrorInfo info;
  info.retry_after = milliseconds(5000);
  (void)RetryLoop(RetryPolicy(opts), BackoffPolicy(opts, 1), Idempotency::kIdempotent,
                  rec.sleeper(), [&]() -> Status {
                    if (++calls == 1) return UnavailableError("429", info);
                    return OkStatus();
                  });
  ASSERT_EQ(rec.delays.size(), 1U);
  EXPECT_EQ(rec.delays[0], milliseconds(5000));
}

TEST(BackoffPolicy, GrowsExponentiallyWithJitterUpToTheCap) {
  RetryOptions opts;
  opts.initial_delay = milliseconds(100);
  opts.max_delay = milliseconds(1000);
  BackoffPolicy b(opts, 42);
  std::vector<std::pair<int, int>> const bounds = {{50, 100},  {100, 200},  {200, 400},
                                                   {400, 800}, {500, 1000}, {500, 1000}};
  for (auto [lo, hi] : bounds) {
    auto d = b.NextDelay().count();
    EXPECT_GE(d, lo);
    EXPECT_LE(d, hi);
  }
}

}  // namespace
}  // namespace casebridge
