#include "coordinator/url_queue.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

namespace crawler {
namespace {

TEST(UrlQueue, PopsInPushOrderWithDepthAndRobotsFlag) {
  UrlQueue q;
  q.push("http://a/1", 0, false);
  q.push("http://a/2", 7, true);
  q.push("", 4'000'000'000u, true);  // a depth past 2^31 and an empty URL survive the packing
  EXPECT_EQ(q.size(), 3u);
  auto e = q.pop();
  EXPECT_EQ(e.url, "http://a/1");
  EXPECT_EQ(e.depth, 0u);
  EXPECT_FALSE(e.check_robots);
  e = q.pop();
  EXPECT_EQ(e.url, "http://a/2");
  EXPECT_EQ(e.depth, 7u);
  EXPECT_TRUE(e.check_robots);
  e = q.pop();
  EXPECT_EQ(e.url, "");
  EXPECT_EQ(e.depth, 4'000'000'000u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.capacity_bytes(), std::string().capacity());  // an emptied queue gives its buffer back
}

// std::deque is the oracle: interleaved pushes and pops, URLs of 0 to 3000 bytes (lengths past
// one varint byte), enough traffic to trigger the compaction many times.
TEST(UrlQueue, MatchesADequeUnderRandomPushesAndPops) {
  std::mt19937 rng(42);
  UrlQueue q;
  std::deque<QueuedUrl> oracle;
  for (int step = 0; step < 200'000; ++step) {
    if (oracle.empty() || rng() % 100 < 55) {
      QueuedUrl e{std::string(rng() % 3000 == 0 ? 3000 : rng() % 200, static_cast<char>('a' + step % 26)),
                  static_cast<std::uint32_t>(rng() % 1000), rng() % 2 == 0};
      e.url += std::to_string(step);
      q.push(e.url, e.depth, e.check_robots);
      oracle.push_back(e);
    } else {
      const auto got = q.pop();
      ASSERT_EQ(got.url, oracle.front().url) << "step " << step;
      ASSERT_EQ(got.depth, oracle.front().depth);
      ASSERT_EQ(got.check_robots, oracle.front().check_robots);
      oracle.pop_front();
    }
    ASSERT_EQ(q.size(), oracle.size());
  }
  // Memory stays near the bytes still queued, not the bytes ever pushed.
  std::size_t queued_bytes = 0;
  for (const auto& e : oracle) queued_bytes += e.url.size() + 6;
  EXPECT_LE(q.capacity_bytes(), 3 * queued_bytes + 8192);
}

// keep_first() and append_packed() move entries without unpacking them: cut a queue at every
// point, append the rest to another queue, and the two pop the original order.
TEST(UrlQueue, KeepFirstAndAppendPackedPreserveOrder) {
  std::vector<QueuedUrl> all;
  for (int i = 0; i < 40; ++i) all.push_back({"http://a/" + std::string(i * 7, 'x'), static_cast<std::uint32_t>(i), i % 2 == 0});
  for (std::size_t keep = 0; keep <= all.size() + 1; ++keep) {
    UrlQueue q;
    for (const auto& e : all) q.push(e.url, e.depth, e.check_robots);
    q.pop();  // a consumed head is not part of what is kept or cut
    const std::string rest = q.keep_first(keep);
    const std::size_t kept = std::min(keep, all.size() - 1);
    ASSERT_EQ(q.size(), kept);
    ASSERT_EQ(UrlQueue::count_packed(rest), all.size() - 1 - kept);
    UrlQueue back;
    back.append_packed(rest, UrlQueue::count_packed(rest));
    for (std::size_t i = 1; i < all.size(); ++i) {
      const QueuedUrl got = i <= kept ? q.pop() : back.pop();
      ASSERT_EQ(got.url, all[i].url) << "keep " << keep << " entry " << i;
      ASSERT_EQ(got.depth, all[i].depth);
      ASSERT_EQ(got.check_robots, all[i].check_robots);
    }
    EXPECT_TRUE(q.empty());
    EXPECT_TRUE(back.empty());
  }
  UrlQueue q;
  q.push("a", 1, false);
  q.push("bb", 2, true);
  const std::string packed = q.keep_first(0);
  EXPECT_EQ(UrlQueue::skip_packed(packed, 1), 3u);  // varint tag, varint length, "a"
  EXPECT_EQ(UrlQueue::skip_packed(packed, 5), packed.size());
}

}  // namespace
}  // namespace crawler
