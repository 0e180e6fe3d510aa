// The shared work items of StateStore (work_items.h, migration 007): joining a run, claiming
// under a lease, taking over an expired lease, the checkpoint advancing only over a done prefix,
// and the shared run lock; against SQLite and a real PostgreSQL server. Lease times are injected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "connector/store/state_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace casebridge::store {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Instant T(std::string_view text) { return ParseInstant(text).value_or(Instant{}); }

struct SqliteWork {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& dir) {
    return "sqlite:" + dir.path() + "/state.db";
  }
};
struct PostgresWork {
  static StatusOr<std::string> NewUrl(testing_util::TempDir const& /*dir*/) {
    auto server = testing_util::SharedPostgresServer();
    if (!server.ok()) return server.status();
    return (*server)->CreateDatabase();
  }
};
class WorkNames {
 public:
  template <typename T>
  static std::string GetName(int /*index*/) {
    return std::is_same_v<T, SqliteWork> ? "Sqlite" : "Postgres";
  }
};

template <typename Backend>
class WorkItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = Backend::NewUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<StateStore> Open() {
    auto store = OpenStateStore(url_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  WorkRunSpec Spec(int items, std::string const& params = "from=a to=b") const {
    WorkRunSpec spec;
    spec.name = "backfill test";
    spec.kind = "backfill";
    spec.params = params;
    for (int i = 0; i < items; ++i) {
      spec.items.push_back(
          {t0_ + std::chrono::hours(24 * i), t0_ + std::chrono::hours(24 * i + 24)});
    }
    spec.worker = "w1";
    spec.now = t0_;
    return spec;
  }
  std::int64_t Claim(StateStore& store, std::string const& worker, Instant now) {
    auto c = store.ClaimWorkItem("backfill test", worker, now, 30s);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() && c->item ? c->item->item : -1;
  }

  testing_util::TempDir dir_;
  std::string url_;
  std::unique_ptr<StateStore> store_;
  Instant const t0_ = T("2026-03-02T15:00:00Z");
};

using WorkBackends = ::testing::Types<SqliteWork, PostgresWork>;
TYPED_TEST_SUITE(WorkItemsTest, WorkBackends, WorkNames);

TYPED_TEST(WorkItemsTest, TheFirstWorkerCreatesTheRunAndTheOthersJoinIt) {
  auto first = this->store_->JoinWorkRun(this->Spec(3));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->items, 3);
  EXPECT_EQ(first->done_prefix, 0);
  EXPECT_EQ(first->created_by, "w1");
  auto other = this->Open();
  auto spec = this->Spec(3);
  spec.worker = "w2";
  auto joined = other->JoinWorkRun(spec);
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->created_by, "w1");  // joined, not created again

  auto mismatch = other->JoinWorkRun(this->Spec(3, "from=a to=c"));
  EXPECT_EQ(mismatch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(mismatch.status().message(), HasSubstr("other parameters"));
}

TYPED_TEST(WorkItemsTest, ClaimsHandOutEachItemOnceInOrderUntilNoneIsLeft) {
  ASSERT_TRUE(this->store_->JoinWorkRun(this->Spec(3)).ok());
  auto other = this->Open();
  EXPECT_EQ(this->Claim(*this->store_, "w1", this->t0_), 0);
  EXPECT_EQ(this->Claim(*other, "w2", this->t0_), 1);
  auto c = this->store_->ClaimWorkItem("backfill test", "w1", this->t0_, 30s);
  ASSERT_TRUE(c.ok() && c->item);
  EXPECT_EQ(c->item->item, 2);
  EXPECT_EQ(c->item->range.from, this->t0_ + 48h);
  EXPECT_EQ(c->open, 3);
  auto none = other->ClaimWorkItem("backfill test", "w2", this->t0_ + 10s, 30s);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->item.has_value());
  EXPECT_EQ(none->open, 3);
  EXPECT_EQ(none->next_expiry, this->t0_ + 30s);  // when a dead worker's item comes back
  EXPECT_EQ(this->store_->ClaimWorkItem("no such run", "w1", this->t0_, 30s).status().code(),
            StatusCode::kNotFound);
}

TYPED_TEST(WorkItemsTest, AnExpiredLeaseIsTakenOverAndItsFormerHolderCannotRenewIt) {
  ASSERT_TRUE(this->store_->JoinWorkRun(this->Spec(1)).ok());
  EXPECT_EQ(this->Claim(*this->store_, "dead", this->t0_), 0);
  // Renewed in time, the lease holds; a claim before it ends gets nothing.
  ASSERT_TRUE(this->store_->RenewWorkLease("backfill test", 0, "dead", this->t0_ + 20s, 30s).ok());
  EXPECT_EQ(this->Claim(*this->store_, "w2", this->t0_ + 49s), -1);
  auto c = this->store_->ClaimWorkItem("backfill test", "w2", this->t0_ + 50s, 30s);
  ASSERT_TRUE(c.ok() && c->item) << c.status();
  EXPECT_EQ(c->item->previous_owner, "dead");
  EXPECT_EQ(c->item->claims, 2);
  Status lost = this->store_->RenewWorkLease("backfill test", 0, "dead", this->t0_ + 51s, 30s);
  EXPECT_EQ(lost.code(), StatusCode::kAborted);
  EXPECT_EQ(lost.info().vendor_code, "LEASE_LOST");
  EXPECT_TRUE(this->store_->RenewWorkLease("backfill test", 0, "w2", this->t0_ + 51s, 30s).ok());
}

TYPED_TEST(WorkItemsTest, TheCheckpointAdvancesOnlyOverItemsThatAreAllDone) {
  ASSERT_TRUE(this->store_->JoinWorkRun(this->Spec(3)).ok());
  for (int i = 0; i < 3; ++i) this->Claim(*this->store_, "w" + std::to_string(i), this->t0_);
  auto p = this->store_->CompleteWorkItem("backfill test", 1, "w1", this->t0_);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->done_prefix, 0);  // item 0 is still open
  EXPECT_FALSE(p->lease_was_lost);
  p = this->store_->CompleteWorkItem("backfill test", 0, "w0", this->t0_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->done_prefix, 2);
  auto run = this->store_->GetWorkRun("backfill test");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_FALSE((*run)->completed_at.has_value());
  p = this->store_->CompleteWorkItem("backfill test", 2, "late", this->t0_ + 1h);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->done_prefix, 3);
  EXPECT_TRUE(p->lease_was_lost);  // "late" did not hold it: still done
  run = this->store_->GetWorkRun("backfill test");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->done_prefix, 3);
  EXPECT_EQ((*run)->completed_at, this->t0_ + 1h);
  auto c = this->store_->ClaimWorkItem("backfill test", "w9", this->t0_ + 2h, 30s);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->item.has_value());
  EXPECT_EQ(c->open, 0);
  EXPECT_EQ(this->store_->CompleteWorkItem("backfill test", 7, "w1", this->t0_).status().code(),
            StatusCode::kNotFound);
}

TYPED_TEST(WorkItemsTest, WorkersStartingTogetherCreateTheRunOnceAndClaimDisjointItems) {
  constexpr int kWorkers = 4;
  constexpr int kItems = 40;
  std::vector<pid_t> children;
  std::string const out_dir = this->dir_.path();
  for (int w = 0; w < kWorkers; ++w) {
    pid_t const pid = fork();
    if (pid == 0) {
      auto store = OpenStateStore(this->url_);
      if (!store.ok()) _exit(1);
      auto spec = this->Spec(kItems);
      spec.worker = "w" + std::to_string(w);
      if (!(*store)->JoinWorkRun(spec).ok()) _exit(2);
      FILE* f = fopen((out_dir + "/claims" + std::to_string(w)).c_str(), "w");
      for (;;) {
        auto c = (*store)->ClaimWorkItem("backfill test", spec.worker, this->t0_, 30s);
        if (!c.ok()) _exit(3);
        if (!c->item) break;
        fprintf(f, "%lld\n", static_cast<long long>(c->item->item));
        if (!(*store)
                 ->CompleteWorkItem("backfill test", c->item->item, spec.worker, this->t0_)
                 .ok()) {
          _exit(4);
        }
      }
      fclose(f);
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << WEXITSTATUS(status);
  }
  std::multiset<long long> claimed;
  for (int w = 0; w < kWorkers; ++w) {
    FILE* f = fopen((out_dir + "/claims" + std::to_string(w)).c_str(), "r");
    ASSERT_NE(f, nullptr);
    long long item = 0;
    while (fscanf(f, "%lld", &item) == 1) claimed.insert(item);
    fclose(f);
  }
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(claimed.count(i), 1U) << i;
  auto run = this->store_->GetWorkRun("backfill test");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->done_prefix, kItems);
}

TEST(WorkRunLock, SharedHoldersExcludeTheExclusiveRunLockOnPostgres) {
  auto server = testing_util::SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.status();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok());
  auto a = OpenStateStore(*url);
  auto b = OpenStateStore(*url);
  auto c = OpenStateStore(*url);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  Instant const now = T("2026-03-02T15:00:00Z");
  auto la = (*a)->TryLock({now, "worker-a", true});
  auto lb = (*b)->TryLock({now, "worker-b", true});
  ASSERT_TRUE(la.ok()) << la.status();
  ASSERT_TRUE(lb.ok()) << lb.status();  // workers share it
  auto sync = (*c)->TryLock({now, "sync", false});
  EXPECT_EQ(sync.status().code(), StatusCode::kAborted);  // a sync waits for the workers
  ASSERT_TRUE(la->Release().ok());
  ASSERT_TRUE(lb->Release().ok());
  sync = (*c)->TryLock({now, "sync", false});
  ASSERT_TRUE(sync.ok()) << sync.status();
  EXPECT_EQ((*a)->TryLock({now, "worker-a", true}).status().code(), StatusCode::kAborted);
}

TEST(WorkRunLock, SqliteRefusesASharedRunLock) {
  testing_util::TempDir dir;
  auto store = OpenStateStore("sqlite:" + dir.path() + "/state.db");
  ASSERT_TRUE(store.ok());
  auto lock = (*store)->TryLock({T("2026-03-02T15:00:00Z"), "w", true});
  EXPECT_EQ(lock.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(lock.status().message(), HasSubstr("SQLite is single-process"));
}

}  // namespace
}  // namespace casebridge::store
