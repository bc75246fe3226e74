#include "coordinator/url_queue.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>

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

}  // namespace
}  // namespace crawler
