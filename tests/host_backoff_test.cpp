#include "coordinator/host_backoff.hpp"

#include <gtest/gtest.h>

#include "coordinator/frontier.hpp"

namespace crawler {
namespace {

constexpr std::int64_t kMinute = 60'000;

TEST(HostBackoff, PausesDoubleUpToADayWithinTheJitter) {
  HostBackoff b({}, 1);
  std::int64_t now = 1'000'000;
  std::int64_t expected = kMinute;
  for (int i = 0; i < 14; ++i) {
    const auto& s = b.trouble("a.test", now);
    const std::int64_t pause = s.until_ms - now;
    EXPECT_GE(pause, expected * 9 / 10) << "incident " << i + 1;
    EXPECT_LE(pause, expected * 11 / 10) << "incident " << i + 1;
    EXPECT_EQ(b.paused_until("a.test", now), s.until_ms);
    EXPECT_EQ(b.paused_until("b.test", now), 0);
    now += 60'000;  // incidents a minute apart: never forgiven
    expected = std::min<std::int64_t>(expected * 2, 24 * 60 * kMinute);
  }
  EXPECT_EQ(b.pauses(), 14u);
}

TEST(HostBackoff, AHostQuietForHalfAnHourStartsAgainFromTheBase) {
  HostBackoff b({}, 2);
  b.trouble("a.test", 0);
  b.trouble("a.test", kMinute);  // second incident: ~2 minutes
  const auto& s = b.trouble("a.test", kMinute + 30 * kMinute);
  EXPECT_EQ(s.incidents, 1u);
  EXPECT_LE(s.until_ms - s.last_ms, kMinute * 11 / 10);
  EXPECT_EQ(b.paused_until("a.test", s.until_ms), 0);  // over at its end
}

TEST(HostBackoff, ForgottenHostsArePrunedAndRestoredOnesKept) {
  HostBackoff b({}, 3);
  for (int i = 0; i < 1024; ++i) b.trouble("h" + std::to_string(i) + ".test", 0);
  EXPECT_EQ(b.size(), 1024u);
  b.trouble("late.test", 31 * kMinute);  // past the prune mark: the quiet ones go
  EXPECT_EQ(b.size(), 1u);
  b.restore("r.test", {5 * kMinute, 0, 3});
  EXPECT_EQ(b.paused_until("r.test", kMinute), 5 * kMinute);
}

PageRecord page(const std::string& url, std::vector<std::string> links) {
  PageRecord p;
  p.url = p.final_url = url;
  p.status = 200;
  p.links = std::move(links);
  return p;
}

// The frontier skips a paused host's URLs, serves the others, and gives them back at the end
// of the pause, in their order; next_wake_ms() says when.
TEST(HostBackoff, TheFrontierWaitsOutAPauseWhileOtherHostsGoOn) {
  std::int64_t now = 10 * kMinute;
  FrontierOptions o;
  o.max_depth = 1;
  o.scope = Scope::kAny;
  o.now_ms = [&now] { return now; };
  Frontier f(o);
  f.add_links(page("http://s.test/", {"http://a.test/1", "http://b.test/1", "http://a.test/2", "http://b.test/2"}));
  int paused = 0;
  f.on_paused([&](std::string_view host, const HostBackoff::State& s) {
    EXPECT_EQ(host, "a.test");
    EXPECT_EQ(s.incidents, 1u);
    ++paused;
  });
  EXPECT_EQ(f.next()->url, "http://a.test/1");
  f.host_trouble("a.test");  // its result was a 503
  EXPECT_EQ(paused, 1);
  EXPECT_EQ(f.next()->url, "http://b.test/1");
  EXPECT_EQ(f.next()->url, "http://b.test/2");
  EXPECT_FALSE(f.next());
  EXPECT_FALSE(f.exhausted());
  const std::int64_t wake = f.next_wake_ms();
  EXPECT_GE(wake, now + kMinute * 9 / 10);
  EXPECT_LE(wake, now + kMinute * 11 / 10);
  now = wake - 1;
  EXPECT_FALSE(f.next());
  now = wake;
  EXPECT_EQ(f.next()->url, "http://a.test/2");
  EXPECT_EQ(f.next_wake_ms(), 0);
  EXPECT_TRUE(f.exhausted());
  EXPECT_EQ(f.pauses(), 1u);
}

TEST(HostBackoff, APauseRestoredFromTheJournalHoldsAfterAResume) {
  std::int64_t now = 0;
  FrontierOptions o;
  o.now_ms = [&now] { return now; };
  Frontier f(o);
  f.restore_pause("a.test", {5000, 0, 1});
  f.add_seed("http://a.test/", "http://a.test/");
  EXPECT_FALSE(f.next());
  EXPECT_EQ(f.next_wake_ms(), 5000);
  now = 5000;
  EXPECT_TRUE(f.next());
}

TEST(HostBackoff, ZeroBaseNeverPauses) {
  FrontierOptions o;
  o.backoff.base_ms = 0;
  Frontier f(o);
  f.add_seed("http://a.test/1", "http://a.test/1");
  f.add_seed("http://a.test/2", "http://a.test/2");
  EXPECT_TRUE(f.next());
  f.host_trouble("a.test");
  EXPECT_TRUE(f.next());
  EXPECT_EQ(f.pauses(), 0u);
}

}  // namespace
}  // namespace crawler
