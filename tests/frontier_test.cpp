#include "coordinator/frontier.hpp"

#include <gtest/gtest.h>

#include <map>

#include <random>
#include <set>
#include <tuple>
#include <unordered_set>

#include "coordinator/fingerprint_set.hpp"
#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

// std::unordered_set is the oracle for the hand-written table.
TEST(FingerprintSet, AgreesWithUnorderedSet) {
  FingerprintSet set(4);
  std::unordered_set<std::uint64_t> oracle;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200'000; ++i) {
    // Small values force probe collisions and repeats. (0 is stored as 1 by design, so the
    // oracle comparison starts at 1.)
    const std::uint64_t v = (i % 3 == 0) ? 1 + rng() % 5000 : rng() | 1;
    EXPECT_EQ(set.insert(v), oracle.insert(v).second) << v;
  }
  EXPECT_EQ(set.size(), oracle.size());
  for (std::uint64_t v = 1; v <= 5000; ++v) EXPECT_EQ(set.contains(v), oracle.count(v) == 1) << v;
  EXPECT_LE(set.memory_bytes(), oracle.size() * 8 * 3);
}

PageRecord page(const std::string& url, std::uint32_t depth, std::vector<std::string> links) {
  PageRecord p;
  p.url = url;
  p.final_url = url;
  p.depth = depth;
  p.status = 200;
  p.links = std::move(links);
  return p;
}

TEST(Frontier, SeedsAreDedupedByNormalisedForm) {
  Frontier f({});
  EXPECT_TRUE(f.add_seed("HTTP://A.test/", "http://a.test/"));
  EXPECT_FALSE(f.add_seed("http://a.test/", "http://a.test/"));
  auto t = f.next();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "HTTP://A.test/");
  EXPECT_FALSE(t->check_robots);
  EXPECT_FALSE(f.next());
}

// One link fits in RAM, the next goes to the store, which is then full: the rest are dropped.
TEST(Frontier, LinksPastTheMemoryAndDiskBoundsAreDroppedAndCounted) {
  FrontierOptions o;
  o.max_depth = 1;
  o.memory_bytes = 1;
  o.store.disk_max = 1;
  Frontier f(o);
  f.add_seed("http://a.test/", "http://a.test/");
  f.next();
  EXPECT_EQ(f.add_links(page("http://a.test/", 0, {"http://a.test/1", "http://a.test/2", "http://a.test/3",
                                                   "http://a.test/4"})),
            2u);
  EXPECT_EQ(f.queued(), 2u);
  EXPECT_EQ(f.dropped(), 2u);
}

TEST(Frontier, DepthZeroFollowsNothing) {
  Frontier f({});
  f.add_seed("http://a.test/", "http://a.test/");
  f.next();
  EXPECT_EQ(f.add_links(page("http://a.test/", 0, {"http://a.test/x"})), 0u);
  EXPECT_TRUE(f.exhausted());
}

TEST(Frontier, FollowsWithinHostScopeToMaxDepthOnce) {
  FrontierOptions o;
  o.max_depth = 2;
  Frontier f(o);
  f.add_seed("http://a.test/", "http://a.test/");
  f.next();
  f.done(0);
  EXPECT_EQ(f.add_links(page("http://a.test/", 0,
                             {"http://a.test/x", "http://b.test/y", "http://sub.a.test/z", "http://a.test/"})),
            1u);
  auto t = f.next();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "http://a.test/x");
  EXPECT_EQ(t->depth, 1u);
  EXPECT_TRUE(t->check_robots);
  f.done(1);
  EXPECT_EQ(f.add_links(page("http://a.test/x", 1, {"http://a.test/x2", "http://a.test/x"})), 1u);
  auto t2 = f.next();
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->depth, 2u);
  EXPECT_EQ(f.add_links(page("http://a.test/x2", 2, {"http://a.test/x3"})), 0u);
}

TEST(Frontier, ScopeIsJudgedAgainstTheFinalUrl) {
  FrontierOptions o;
  o.max_depth = 1;
  Frontier f(o);
  auto p = page("http://a.test/", 0, {"http://www.a.test/in", "http://a.test/out"});
  p.final_url = "http://www.a.test/";
  EXPECT_EQ(f.add_links(p), 1u);
  EXPECT_EQ(f.next()->url, "http://www.a.test/in");
}

TEST(Frontier, DomainAndAnyScopes) {
  FrontierOptions o;
  o.max_depth = 1;
  o.scope = Scope::kDomain;
  Frontier domain(o);
  EXPECT_EQ(domain.add_links(page("http://www.example.com/", 0,
                                  {"http://img.example.com/a", "http://example.org/b", "http://example.com/c"})),
            2u);
  o.scope = Scope::kAny;
  Frontier any(o);
  EXPECT_EQ(any.add_links(page("http://www.example.com/", 0, {"http://img.example.com/a", "http://example.org/b"})), 2u);
}

TEST(Frontier, IncludeAndExcludeFilters) {
  FrontierOptions o;
  o.max_depth = 1;
  o.include.emplace_back("/docs/");
  o.exclude.emplace_back("\\.pdf$");
  Frontier f(o);
  EXPECT_EQ(f.add_links(page("http://a.test/", 0,
                             {"http://a.test/docs/a", "http://a.test/docs/b.pdf", "http://a.test/blog/c"})),
            1u);
  EXPECT_EQ(f.next()->url, "http://a.test/docs/a");
}

TEST(Frontier, RoundRobinAcrossHosts) {
  Frontier f({});
  for (int i = 0; i < 3; ++i) f.add_seed("http://a.test/" + std::to_string(i), "http://a.test/" + std::to_string(i));
  f.add_seed("http://b.test/0", "http://b.test/0");
  f.add_seed("http://c.test/0", "http://c.test/0");
  std::vector<std::string> order;
  while (auto t = f.next()) order.push_back(t->url);
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order[0], "http://a.test/0");
  EXPECT_EQ(order[1], "http://b.test/0");
  EXPECT_EQ(order[2], "http://c.test/0");
  EXPECT_EQ(order[3], "http://a.test/1");
}

// s1 -> p -> q and s2 -> q: q is 1 step from the seeds. If p were fetched before s2's result
// came in, q would be found first through p, at depth 2, and a --depth 1 crawl would miss it.
TEST(Frontier, WithStrictLevelsADeeperLevelWaitsSoEveryUrlKeepsItsShortestDepth) {
  FrontierOptions o;
  o.max_depth = 5;
  o.scope = Scope::kAny;
  o.strict_levels = true;
  Frontier f(o);
  f.add_seed("http://s1.test/", "http://s1.test/");
  f.add_seed("http://s2.test/", "http://s2.test/");
  ASSERT_TRUE(f.next());
  ASSERT_TRUE(f.next());
  f.done(0);  // s1's result: it links to p
  EXPECT_EQ(f.add_links(page("http://s1.test/", 0, {"http://p.test/"})), 1u);
  EXPECT_FALSE(f.next()) << "p (depth 1) went out while s2 (depth 0) was still running";
  EXPECT_FALSE(f.exhausted());
  f.done(0);  // s2's result: it links to q
  EXPECT_EQ(f.add_links(page("http://s2.test/", 0, {"http://q.test/"})), 1u);
  std::map<std::string, std::uint32_t> depth;
  while (auto t = f.next()) depth[t->url] = t->depth;
  EXPECT_EQ(depth, (std::map<std::string, std::uint32_t>{{"http://p.test/", 1}, {"http://q.test/", 1}}));
  f.done(1);  // p's result links to q again: already known, at depth 1
  EXPECT_EQ(f.add_links(page("http://p.test/", 1, {"http://q.test/"})), 0u);
}

// Seeds stream in while the first ones are fetched. A link of a seed's page to the host of a
// later seed must not go ahead of that seed in the host's queue: a depth-1 URL at its front
// would hold back level 0 (the later seed behind it) forever, and the crawl would hang.
TEST(Frontier, WithStrictLevelsLinksWaitForTheSeedsStillStreamingIn) {
  test::TempDir tmp;
  FrontierOptions o;
  o.max_depth = 5;
  o.scope = Scope::kAny;
  o.strict_levels = true;
  o.store.dir = tmp.file("store");
  Frontier f(o);
  f.hold(Frontier::Holder::kSeeds, 0);
  f.add_seed("http://a.test/", "http://a.test/");
  auto t = f.next();
  ASSERT_TRUE(t);
  f.done(0);
  EXPECT_EQ(f.add_links(page("http://a.test/", 0, {"http://b.test/x", "http://c.test/y"})), 2u);
  EXPECT_FALSE(f.next()) << "a link went out while seeds were still arriving";
  f.add_seed("http://b.test/", "http://b.test/");  // a later seed, on the host of a link
  std::vector<std::string> order;
  while (auto next = f.next()) order.push_back(next->url);
  EXPECT_EQ(order, (std::vector<std::string>{"http://b.test/"}));
  f.release(Frontier::Holder::kSeeds);
  EXPECT_FALSE(f.next()) << "a depth-1 link went out while the seed b.test/ was running";
  f.done(0);
  while (auto next = f.next()) {
    order.push_back(next->url);
    f.done(next->depth);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"http://b.test/", "http://b.test/x", "http://c.test/y"}));
  EXPECT_TRUE(f.exhausted());
  EXPECT_EQ(f.queued(), 0u);
}

// Without strict levels nothing waits for a hold: links go out at once.
TEST(Frontier, WithoutStrictLevelsAHoldDefersNothing) {
  FrontierOptions o;
  o.max_depth = 5;
  o.scope = Scope::kAny;
  Frontier f(o);
  f.hold(Frontier::Holder::kSeeds, 0);
  f.add_seed("http://a.test/", "http://a.test/");
  ASSERT_TRUE(f.next());
  f.done(0);
  EXPECT_EQ(f.add_links(page("http://a.test/", 0, {"http://b.test/x"})), 1u);
  auto t = f.next();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "http://b.test/x");
  f.release(Frontier::Holder::kSeeds);
  EXPECT_TRUE(f.exhausted());
}

// The journal replays URLs in key order, not depth order: a host's queue must still come out
// shallowest first, or a deep URL at its front would hold back the level forever.
TEST(Frontier, RestoredUrlsComeOutShallowestFirst) {
  FrontierOptions o;
  o.max_depth = 5;
  o.strict_levels = true;
  Frontier f(o);
  f.restore("http://a.test/deep", "http://a.test/deep", 3, true, false);
  f.restore("http://a.test/done", "http://a.test/done", 1, true, true);
  f.restore("http://a.test/near", "http://a.test/near", 2, true, false);
  f.end_restore();
  EXPECT_EQ(f.queued(), 2u);
  EXPECT_EQ(f.dispatched(), 1u);
  auto t = f.next();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "http://a.test/near");
  EXPECT_FALSE(f.next());
  f.done(2);
  t = f.next();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "http://a.test/deep");
}

// A journal larger than the budget is sorted in the store, not in RAM: the restored crawl
// dispatches exactly what the one restored in RAM does, in the same order.
TEST(Frontier, ARestoreLargerThanTheBudgetIsSortedOnDiskInTheSameOrder) {
  test::TempDir tmp;
  FrontierOptions o;
  o.max_depth = 5;
  o.strict_levels = true;
  Frontier model(o);
  o.memory_bytes = 4096;
  o.store.dir = tmp.file("store");
  Frontier spilled(o);
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    const std::string url = "http://h" + std::to_string(rng() % 20) + ".test/" + std::to_string(i);
    const auto depth = static_cast<std::uint32_t>(rng() % 5);
    const bool done = rng() % 4 == 0;
    model.restore(url, url, depth, depth != 0, done);
    spilled.restore(url, url, depth, depth != 0, done);
  }
  model.end_restore();
  spilled.end_restore();
  ASSERT_EQ(model.queued(), spilled.queued());
  EXPECT_FALSE(spilled.store_dir().empty()) << "the restore fitted the budget: the test tests nothing";
  std::vector<std::uint32_t> running;
  std::size_t dispatched = 0;
  while (!model.exhausted()) {
    auto a = model.next();
    auto b = spilled.next();
    ASSERT_EQ(a.has_value(), b.has_value());
    if (!a) {  // the level is held up by running tasks: their results come in
      ASSERT_FALSE(running.empty());
      for (const auto depth : running) {
        model.done(depth);
        spilled.done(depth);
      }
      running.clear();
      continue;
    }
    ASSERT_EQ(a->url, b->url);
    ASSERT_EQ(a->depth, b->depth);
    running.push_back(a->depth);
    ++dispatched;
  }
  EXPECT_TRUE(spilled.exhausted());
  EXPECT_GT(dispatched, 2000u);
}

// A resume that streams the journal in while pages are fetched and their links come in (in
// random interleavings, with a budget small enough to spill): every URL queued in the journal
// and every new link goes out exactly once, none that was done or known goes out again, and
// with strict levels the depths go out in order and the crawl never stalls, even for a journal
// whose queue spans many depths (one written without --strict-depth).
void expect_streaming_resume_dispatches_each_once(bool strict, unsigned seed) {
  test::TempDir tmp;
  FrontierOptions o;
  o.max_depth = 5;
  o.scope = Scope::kAny;
  o.strict_levels = strict;
  o.memory_bytes = 4096;
  o.store.dir = tmp.file("store");
  Frontier f(o);
  std::mt19937 rng(seed);
  auto url_of = [](unsigned n) { return "http://h" + std::to_string(n % 13) + ".test/" + std::to_string(n); };
  // Odd seeds: the crawl was killed before its seeds were all in, and they go on streaming in
  // (URLs 4000 on). A strict crawl is then still at level 0; else at level 1.
  const bool seeds_streaming = seed % 2 == 1;
  const std::uint32_t level = seeds_streaming ? 0 : 1;
  // The journal: URLs 0..1999, some done; the queue in (depth, key) order as Journal::queued().
  // A strict crawl's queue holds its level and the next (see Frontier::done()); another's, any.
  std::set<std::string> journal_known;
  std::vector<std::tuple<std::uint32_t, std::string>> journal_queue;
  std::uint64_t journal_done = 0;
  for (unsigned n = 0; n < 2000; ++n) {
    journal_known.insert(url_of(n));
    if (rng() % 4 == 0) {
      ++journal_done;
    } else {
      journal_queue.emplace_back(strict ? level + rng() % 2 : rng() % 4, url_of(n));
    }
  }
  unsigned next_seed = 4000;
  std::sort(journal_queue.begin(), journal_queue.end());
  f.begin_resume(journal_done, [&](const std::string& key) { return journal_known.count(key) != 0; });
  if (seeds_streaming) f.hold(Frontier::Holder::kSeeds, 0);
  std::vector<std::string> known_order(journal_known.begin(), journal_known.end());
  std::size_t next_known = 0, next_queued = 0;
  std::map<std::string, int> sent;
  std::set<std::string> expected;
  for (const auto& [depth, key] : journal_queue) expected.insert(key);
  std::vector<FetchTask> running;
  std::uint32_t last_depth = 0;
  bool resuming = true;
  for (int step = 0; step < 200000; ++step) {
    const unsigned what = rng() % 3;
    if (seeds_streaming && rng() % 8 == 0) {  // a turn of the seed feeder
      if (next_seed < 4100) {
        const std::string u = url_of(next_seed++);
        if (f.add_seed(u, u)) expected.insert(u);
      } else if (next_seed == 4100) {
        f.release(Frontier::Holder::kSeeds);
        ++next_seed;
      }
    }
    if (resuming && what == 0) {  // a turn of the feeder
      for (unsigned i = rng() % 40; i > 0 && next_known < known_order.size(); --i) {
        f.restore_known(known_order[next_known++]);
      }
      if (next_known == known_order.size()) f.end_known();
      for (unsigned i = rng() % 40; i > 0 && next_queued < journal_queue.size(); --i, ++next_queued) {
        const auto& [depth, key] = journal_queue[next_queued];
        f.restore_queued(key, key, depth, true);
      }
      if (next_known == known_order.size() && next_queued == journal_queue.size()) {
        f.end_resume();
        resuming = false;
      }
    } else if (what == 1) {
      if (auto t = f.next()) {
        ASSERT_EQ(++sent[t->url], 1) << t->url << " went out twice";
        if (strict) {
          ASSERT_GE(t->depth, last_depth) << t->url << " went out after a deeper URL";
          last_depth = t->depth;
        }
        running.push_back(std::move(*t));
      }
    } else if (!running.empty()) {  // a result: links to old and new URLs
      const std::size_t i = rng() % running.size();
      const FetchTask t = running[i];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      f.done(t.depth);
      std::vector<std::string> links;
      for (int k = 0; k < 3; ++k) links.push_back(url_of(rng() % 4000));
      if (t.depth < o.max_depth) {
        for (const auto& l : links) {
          if (journal_known.count(l) == 0) expected.insert(l);
        }
      }
      f.add_links(page(t.url, t.depth, links));
    }
    const bool input = resuming || (seeds_streaming && next_seed <= 4100);
    if (!input && running.empty() && f.exhausted()) break;
    if (!input && running.empty()) {
      auto t = f.next();
      ASSERT_TRUE(t) << "stalled with " << f.queued() << " queued and nothing running";
      ASSERT_EQ(++sent[t->url], 1) << t->url << " went out twice";
      if (strict) {
        ASSERT_GE(t->depth, last_depth);
        last_depth = t->depth;
      }
      running.push_back(std::move(*t));
    }
  }
  ASSERT_FALSE(resuming);
  EXPECT_TRUE(f.exhausted());
  std::set<std::string> got;
  for (const auto& [u, n] : sent) got.insert(u);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(f.dispatched(), journal_done + got.size());
  EXPECT_FALSE(f.store_dir().empty()) << "everything fitted the budget: the store was not exercised";
}

TEST(Frontier, AStreamingResumeDispatchesEachUrlOnceWithStrictLevels) {
  for (unsigned seed = 1; seed <= 4; ++seed) expect_streaming_resume_dispatches_each_once(true, seed);
}

TEST(Frontier, AStreamingResumeDispatchesEachUrlOnce) {
  for (unsigned seed = 1; seed <= 4; ++seed) expect_streaming_resume_dispatches_each_once(false, seed);
}

TEST(Frontier, WithoutStrictLevelsADeeperUrlNeedNotWait) {
  FrontierOptions o;
  o.max_depth = 5;
  o.scope = Scope::kAny;
  Frontier f(o);
  f.add_seed("http://s1.test/", "http://s1.test/");
  f.add_seed("http://s2.test/", "http://s2.test/");
  ASSERT_TRUE(f.next());
  ASSERT_TRUE(f.next());
  f.done(0);
  EXPECT_EQ(f.add_links(page("http://s1.test/", 0, {"http://p.test/"})), 1u);
  const auto t = f.next();  // s2 still running
  ASSERT_TRUE(t);
  EXPECT_EQ(t->url, "http://p.test/");
}

TEST(Frontier, MaxPagesStopsDispatchAndQueueing) {
  FrontierOptions o;
  o.max_depth = 5;
  o.max_pages = 3;
  Frontier f(o);
  f.add_seed("http://a.test/", "http://a.test/");
  f.next();
  f.done(0);
  EXPECT_EQ(f.add_links(page("http://a.test/", 0,
                             {"http://a.test/1", "http://a.test/2", "http://a.test/3", "http://a.test/4"})),
            2u);
  EXPECT_TRUE(f.next());
  EXPECT_TRUE(f.next());
  EXPECT_FALSE(f.next());
  EXPECT_TRUE(f.exhausted());
}

// The frontier with everything in RAM is the model of the one that spills: under random pages,
// dispatches and results, with and without strict levels, both hand out the same tasks in the
// same order, while the spilling one keeps its entries within a budget a few URLs large.
void expect_spilling_matches_ram(bool strict) {
  test::TempDir tmp;
  FrontierOptions o;
  o.max_depth = 6;
  o.scope = Scope::kAny;
  o.strict_levels = strict;
  Frontier model(o);
  o.memory_bytes = 2048;
  o.store.dir = tmp.file("store");
  Frontier spilled(o);
  std::mt19937 rng(strict ? 11 : 12);
  for (int i = 0; i < 4; ++i) {
    const std::string seed = "http://h" + std::to_string(i) + ".test/";
    model.add_seed(seed, seed);
    spilled.add_seed(seed, seed);
  }
  std::vector<FetchTask> running;
  std::size_t most_on_disk = 0;
  std::uint64_t dispatched = 0;
  for (int step = 0; step < 30'000; ++step) {
    const unsigned op = rng() % 100;
    if (op < 45) {
      auto a = model.next();
      auto b = spilled.next();
      ASSERT_EQ(a.has_value(), b.has_value()) << "step " << step;
      if (!a) continue;
      ASSERT_EQ(a->url, b->url) << "step " << step;
      ASSERT_EQ(a->depth, b->depth);
      ASSERT_EQ(a->check_robots, b->check_robots);
      ASSERT_EQ(a->host_named_by_user, b->host_named_by_user);
      running.push_back(std::move(*a));
      ++dispatched;
      ASSERT_LE(spilled.queue_memory_bytes(), o.memory_bytes) << "step " << step;
    } else if (!running.empty()) {
      // A result comes back, in any order, with up to 12 links (some seen, some new, varied
      // lengths) over 30 hosts.
      const std::size_t at = rng() % running.size();
      const FetchTask task = running[at];
      running.erase(running.begin() + static_cast<long>(at));
      model.done(task.depth);
      spilled.done(task.depth);
      std::vector<std::string> links;
      for (unsigned k = rng() % 13; k > 0; --k) {
        links.push_back("http://h" + std::to_string(rng() % 30) + ".test/" + std::to_string(rng() % 20000) +
                        std::string(rng() % 40, 'p'));
      }
      const auto p = page(task.url, task.depth, links);
      ASSERT_EQ(model.add_links(p), spilled.add_links(p)) << "step " << step;
      ASSERT_LE(spilled.queue_memory_bytes(), o.memory_bytes) << "step " << step;
    }
    ASSERT_EQ(model.queued(), spilled.queued());
    most_on_disk = std::max(most_on_disk, spilled.queued() - spilled.queued_in_memory());
  }
  EXPECT_GT(dispatched, 5'000u);
  EXPECT_GT(most_on_disk, 500u) << "the budget never pushed entries to disk: the test tests nothing";
  EXPECT_EQ(model.queued_in_memory(), model.queued());
  EXPECT_EQ(spilled.dropped(), 0u);
}

TEST(Frontier, SpillingToDiskKeepsTheOrderOfDispatch) { expect_spilling_matches_ram(false); }
TEST(Frontier, SpillingToDiskKeepsTheOrderOfDispatchWithStrictLevels) { expect_spilling_matches_ram(true); }

TEST(Frontier, UrlHostStripsPortAndUserInfo) {
  EXPECT_EQ(url_host("http://user:pw@a.test:8080/x?y"), "a.test");
  EXPECT_EQ(url_host("http://[::1]:80/"), "[::1]");
  EXPECT_EQ(url_host("http://a.test"), "a.test");
  EXPECT_EQ(url_host("nope"), "");
}

}  // namespace
}  // namespace crawler
