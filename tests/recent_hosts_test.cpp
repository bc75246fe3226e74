// RecentHosts: the hosts touched within a sliding window (what the connection cache is sized for).
#include "worker/recent_hosts.hpp"

#include <gtest/gtest.h>

namespace crawler {
namespace {

using namespace std::chrono_literals;
using Clock = RecentHosts::Clock;

TEST(RecentHosts, CountsEachHostOnceWithinTheWindow) {
  RecentHosts recent(10s);
  const Clock::time_point t0{};
  recent.touch("a", t0);
  recent.touch("b", t0 + 1s);
  recent.touch("a", t0 + 2s);
  EXPECT_EQ(recent.count(t0 + 2s), 2u);
}

TEST(RecentHosts, ForgetsAHostOnceItsLastTouchLeftTheWindow) {
  RecentHosts recent(10s);
  const Clock::time_point t0{};
  recent.touch("a", t0);
  recent.touch("b", t0 + 5s);
  recent.touch("a", t0 + 8s);             // a's last touch moves: it outlives b
  EXPECT_EQ(recent.count(t0 + 15s), 2u);  // the window holds its ends
  EXPECT_EQ(recent.count(t0 + 16s), 1u);
  EXPECT_EQ(recent.count(t0 + 18s), 1u);
  EXPECT_EQ(recent.count(t0 + 19s), 0u);
  recent.touch("b", t0 + 20s);  // a forgotten host comes back as new
  EXPECT_EQ(recent.count(t0 + 20s), 1u);
}

}  // namespace
}  // namespace crawler
