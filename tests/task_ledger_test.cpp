// The worker pool's bookkeeping, without sockets: sharding, queues, the per-host barrier.
#include "coordinator/task_ledger.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace crawler {
namespace {

using Clock = TaskLedger::Clock;

class TaskLedgerTest : public ::testing::Test {
 protected:
  /// Adds task `id` for `host` (unassigned).
  void add(std::uint64_t id, const std::string& host) {
    FetchTask t;
    t.id = id;
    t.url = "http://" + host + "/p-" + std::to_string(id);
    ASSERT_TRUE(ledger_.add(
        t, [](PageRecord) {}, host));
  }
  std::string worker_of(std::uint64_t id) const { return ledger_.find(id)->worker; }

  TaskLedger ledger_;
};

TEST_F(TaskLedgerTest, RefusesADuplicateId) {
  add(1, "a.test");
  FetchTask t;
  t.id = 1;
  EXPECT_FALSE(ledger_.add(
      t, [](PageRecord) {}, "b.test"));
  EXPECT_EQ(ledger_.size(), 1u);
}

TEST_F(TaskLedgerTest, TasksWaitUnassignedUntilAWorkerJoins) {
  for (std::uint64_t i = 1; i <= 10; ++i) add(i, "h" + std::to_string(i % 3) + ".test");
  std::vector<std::uint64_t> ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_TRUE(ledger_.assign(ids, false).empty());
  EXPECT_EQ(ledger_.unassigned(), 10u);
  ledger_.add_worker("id-a", "a");
  EXPECT_EQ(ledger_.reshard(), std::vector<std::string>{"id-a"});
  EXPECT_EQ(ledger_.unassigned(), 0u);
  EXPECT_EQ(ledger_.next_batch("id-a", 100, 1 << 20).size(), 10u);
}

TEST_F(TaskLedgerTest, EachHostGoesToOneWorkerAndAJoinMovesOnlyTheNewcomersHosts) {
  ledger_.add_worker("id-a", "a");
  ledger_.add_worker("id-b", "b");
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 1; i <= 400; ++i) {
    add(i, "h" + std::to_string(i % 40) + ".test");
    ids.push_back(i);
  }
  ledger_.assign(ids, false);
  std::map<std::string, std::set<std::string>> workers_by_host;
  for (const auto id : ids) workers_by_host[ledger_.find(id)->host].insert(worker_of(id));
  for (const auto& [host, workers] : workers_by_host) EXPECT_EQ(workers.size(), 1u) << host;

  std::map<std::uint64_t, std::string> before;
  for (const auto id : ids) before[id] = worker_of(id);
  ledger_.add_worker("id-c", "c");
  EXPECT_EQ(ledger_.reshard(), std::vector<std::string>{"id-c"});
  int moved = 0;
  for (const auto id : ids) {
    if (worker_of(id) == before[id]) continue;
    EXPECT_EQ(worker_of(id), "id-c");
    ++moved;
  }
  EXPECT_GT(moved, 0);
  EXPECT_LT(moved, 400);
}

TEST_F(TaskLedgerTest, AHostInFlightOnAnotherWorkerHoldsItsTasksBack) {
  ledger_.add_worker("id-a", "a");
  add(1, "shared.test");
  add(2, "shared.test");
  add(3, "other.test");
  ledger_.assign({1}, false);
  ASSERT_EQ(ledger_.next_batch("id-a", 10, 1 << 20), std::vector<std::uint64_t>{1});
  ledger_.mark_sent("id-a", {1}, Clock::now());
  EXPECT_FALSE(ledger_.host_idle("shared.test"));

  // a drains: shared.test moves to b, but its task 1 is still in flight on a.
  ledger_.add_worker("id-b", "b");
  EXPECT_TRUE(ledger_.drain_worker("id-a").empty());
  ledger_.assign({2, 3}, false);
  EXPECT_EQ(worker_of(2), "id-b");
  EXPECT_EQ(ledger_.next_batch("id-b", 10, 1 << 20), std::vector<std::uint64_t>{3});
  EXPECT_TRUE(ledger_.next_batch("id-b", 10, 1 << 20).empty()) << "task 2 must wait for task 1";

  ASSERT_TRUE(ledger_.take(1).has_value());  // its result arrived
  EXPECT_TRUE(ledger_.host_idle("shared.test"));
  EXPECT_EQ(ledger_.next_batch("id-b", 10, 1 << 20), std::vector<std::uint64_t>{2});
}

TEST_F(TaskLedgerTest, RemovingAWorkerHandsBackWhatItHeldUnassigned) {
  ledger_.add_worker("id-a", "a");
  for (std::uint64_t i = 1; i <= 5; ++i) add(i, "h.test");
  ledger_.assign({1, 2, 3, 4, 5}, false);
  const auto batch = ledger_.next_batch("id-a", 2, 1 << 20);
  ASSERT_EQ(batch, (std::vector<std::uint64_t>{1, 2}));
  ledger_.mark_sent("id-a", batch, Clock::now());
  EXPECT_EQ(ledger_.sent(), 2u);

  const auto removed = ledger_.remove_worker("id-a");
  EXPECT_EQ(removed.sent, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(removed.queued, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(ledger_.sent(), 0u);
  EXPECT_TRUE(ledger_.host_idle("h.test"));
  for (std::uint64_t i = 1; i <= 5; ++i) {
    EXPECT_FALSE(ledger_.find(i)->sent);
    EXPECT_TRUE(worker_of(i).empty());
  }
  EXPECT_EQ(ledger_.count_loss(1), 1);
  EXPECT_EQ(ledger_.count_loss(1), 2);
}

TEST_F(TaskLedgerTest, TakeReturnsTheTaskAsItWasAndForgetsIt) {
  ledger_.add_worker("id-a", "a");
  add(7, "h.test");
  ledger_.assign({7}, false);
  ledger_.mark_sent("id-a", ledger_.next_batch("id-a", 1, 1 << 20), Clock::now());
  const auto entry = ledger_.take(7);
  ASSERT_TRUE(entry.has_value());
  EXPECT_TRUE(entry->sent);
  EXPECT_EQ(entry->worker, "id-a");
  EXPECT_EQ(ledger_.sent(), 0u);
  EXPECT_EQ(ledger_.sent_to("id-a"), 0u);
  EXPECT_FALSE(ledger_.take(7).has_value());
}

TEST_F(TaskLedgerTest, PutBackKeepsTheQueueOrder) {
  ledger_.add_worker("id-a", "a");
  for (std::uint64_t i = 1; i <= 4; ++i) add(i, "h" + std::to_string(i) + ".test");
  ledger_.assign({1, 2, 3, 4}, false);
  const auto batch = ledger_.next_batch("id-a", 2, 1 << 20);
  ledger_.put_back("id-a", batch);
  EXPECT_EQ(ledger_.next_batch("id-a", 10, 1 << 20), (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST_F(TaskLedgerTest, SentBeforeFindsTasksPastTheirDeadline) {
  ledger_.add_worker("id-a", "a");
  add(1, "h.test");
  add(2, "g.test");
  ledger_.assign({1, 2}, false);
  const auto t0 = Clock::now();
  ledger_.mark_sent("id-a", {1}, t0);
  ledger_.mark_sent("id-a", {2}, t0 + std::chrono::seconds(10));
  EXPECT_EQ(ledger_.sent_before(t0 + std::chrono::seconds(5)), std::vector<std::uint64_t>{1});
  ledger_.unsend(1);
  EXPECT_FALSE(ledger_.find(1)->sent);
  EXPECT_TRUE(ledger_.host_idle("h.test"));
  EXPECT_TRUE(ledger_.sent_before(t0 + std::chrono::seconds(5)).empty());
}

TEST_F(TaskLedgerTest, TakeUnsentLeavesWhatIsInFlight) {
  ledger_.add_worker("id-a", "a");
  for (std::uint64_t i = 1; i <= 4; ++i) add(i, "h.test");
  ledger_.assign({1, 2, 3, 4}, false);
  ledger_.mark_sent("id-a", ledger_.next_batch("id-a", 1, 1 << 20), Clock::now());
  const auto unsent = ledger_.take_unsent();
  ASSERT_EQ(unsent.size(), 3u);
  EXPECT_EQ(unsent.front().task.id, 2u);
  EXPECT_EQ(ledger_.size(), 1u);
  EXPECT_TRUE(ledger_.next_batch("id-a", 10, 1 << 20).empty());
  EXPECT_EQ(ledger_.take_all().size(), 1u);
  EXPECT_EQ(ledger_.size(), 0u);
}

}  // namespace
}  // namespace crawler
