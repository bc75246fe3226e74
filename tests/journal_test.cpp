#include "coordinator/journal.hpp"

#include <gtest/gtest.h>

#include <map>

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
