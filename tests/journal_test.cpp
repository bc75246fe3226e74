#include "coordinator/journal.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

// What one run commits, the next (--resume) finds: URLs, pauses, how far the seeds were queued.
// What was not committed is not found.
TEST(Journal, ACommittedGroupIsFoundOnResumeAndAPendingOneIsNot) {
  test::TempDir tmp;
  const std::string dir = tmp.file("state");
  {
    Journal j(dir, false, "id");
    EXPECT_EQ(j.seeds_queued(), 0u);
    j.add("http://a.test/", "HTTP://a.test", 0, false);
    j.pause("a.test", 5000, 1000, 2);
    j.seeds_queued_through(7);
    j.commit(123);
    j.done("http://a.test/", "HTTP://a.test", 0, false);
    j.pause("b.test", 1, 1, 1);
    j.seeds_queued_through(9);
    // killed here: no commit
  }
  Journal j(dir, true, "id");
  EXPECT_EQ(j.committed_results_bytes(), 123u);
  EXPECT_EQ(j.seeds_queued(), 7u);
  std::map<std::string, JournalEntry> urls;
  j.for_each([&](const JournalEntry& e) { urls[e.key] = e; });
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls["http://a.test/"].url, "HTTP://a.test");
  EXPECT_FALSE(urls["http://a.test/"].done);
  std::map<std::string, std::tuple<std::int64_t, std::int64_t, std::uint32_t>> pauses;
  j.for_each_pause([&](std::string_view host, std::int64_t until, std::int64_t last, std::uint32_t n) {
    pauses[std::string(host)] = {until, last, n};
  });
  ASSERT_EQ(pauses.size(), 1u);
  EXPECT_EQ(pauses["a.test"], std::make_tuple(std::int64_t{5000}, std::int64_t{1000}, 2u));
}

// The queue comes back shallowest first, without the URLs done, and the count of those done
// and the seeds' hosts are kept: what a streaming resume needs, none of it read whole.
TEST(Journal, KeepsTheQueueInDepthOrderForAStreamingResume) {
  test::TempDir tmp;
  const std::string dir = tmp.file("state");
  {
    Journal j(dir, false, "id");
    EXPECT_TRUE(j.streams());
    j.add("http://b.test/", "HTTP://b.test", 0, false);
    j.seed_host("b.test");
    j.add("http://a.test/deep", "http://a.test/deep", 2, true);
    j.add("http://z.test/", "http://z.test/", 1, true);
    j.add("http://a.test/x", "http://a.test/x", 1, true);
    j.commit(10);
    j.done("http://a.test/x", "http://a.test/x", 1, true);
    j.commit(20);
    j.done("http://z.test/", "http://z.test/", 1, true);
    // killed here: no commit
  }
  Journal j(dir, true, "id");
  EXPECT_TRUE(j.streams());
  EXPECT_EQ(j.done_count(), 1u);
  std::vector<std::string> queue;
  auto cursor = j.queued();
  JournalEntry e;
  while (cursor->next(e)) {
    queue.push_back(std::to_string(e.depth) + " " + e.key + " " + e.url + (e.check_robots ? " robots" : ""));
  }
  EXPECT_EQ(queue, (std::vector<std::string>{"0 http://b.test/ HTTP://b.test", "1 http://z.test/ http://z.test/ robots",
                                             "2 http://a.test/deep http://a.test/deep robots"}));
  std::map<std::string, bool> known;
  auto all = j.known();
  while (all->next(e)) known[e.key] = e.done;
  EXPECT_EQ(known, (std::map<std::string, bool>{{"http://a.test/deep", false}, {"http://a.test/x", true},
                                                {"http://b.test/", false}, {"http://z.test/", false}}));
  EXPECT_TRUE(j.contains("http://a.test/x"));
  EXPECT_FALSE(j.contains("http://a.test/y"));
  std::vector<std::string> hosts;
  j.for_each_seed_host([&](std::string_view h) { hosts.emplace_back(h); });
  EXPECT_EQ(hosts, std::vector<std::string>{"b.test"});
  // for_each still gives every URL with its form as written.
  std::map<std::string, std::string> urls;
  j.for_each([&](const JournalEntry& u) { urls[u.key] = u.url; });
  EXPECT_EQ(urls["http://b.test/"], "HTTP://b.test");
}

// A journal of an earlier version (no q/ keys) still resumes, through for_each.
TEST(Journal, AFormatOneJournalResumesByReadingItAll) {
  test::TempDir tmp;
  const std::string dir = tmp.file("state");
  {
    Journal j(dir, false, "id", /*format=*/1);
    j.add("http://a.test/", "HTTP://a.test", 0, false);
    j.add("http://a.test/x", "http://a.test/x", 1, true);
    j.done("http://a.test/x", "http://a.test/x", 1, true);
    j.commit(5);
  }
  Journal j(dir, true, "id");
  EXPECT_FALSE(j.streams());
  std::map<std::string, std::string> urls;
  j.for_each([&](const JournalEntry& e) { urls[e.key] = e.url + (e.done ? " done" : ""); });
  EXPECT_EQ(urls, (std::map<std::string, std::string>{{"http://a.test/", "HTTP://a.test"},
                                                      {"http://a.test/x", "http://a.test/x done"}}));
}

TEST(Journal, RefusesAnotherCrawlsJournalAndAMissingOne) {
  test::TempDir tmp;
  const std::string dir = tmp.file("state");
  EXPECT_THROW(Journal(dir, true, "id"), std::runtime_error);
  { Journal j(dir, false, "id"); }
  EXPECT_THROW(Journal(dir, false, "id"), std::runtime_error);
  EXPECT_THROW(Journal(dir, true, "other"), std::runtime_error);
  Journal j(dir, true, "id");
  // A second crawl on the same directory is refused while this one holds it.
  EXPECT_THROW(Journal(dir, true, "id"), std::runtime_error);
}

}  // namespace
}  // namespace crawler
