// The synthetic web of `crawl-worker --synthetic-web` (the coordinator's benchmark): what it
// answers, and a coordinator crawling it end to end.
#include "worker/synthetic_web.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;

TEST(SyntheticWeb, ParsesItsSpecAndRefusesWhatIsNotOne) {
  const auto web = SyntheticWeb::parse("1000:10");
  ASSERT_TRUE(web);
  EXPECT_EQ(web->pages, 1000u);
  EXPECT_EQ(web->hosts, 10u);
  EXPECT_EQ(web->links, 50u);
  EXPECT_EQ(SyntheticWeb::parse("1000:10:7")->links, 7u);
  for (const char* bad : {"", "1000", "1000:", ":10", "0:0", "10:1000", "1000:10:x", "1000:10:99999", "-5:1"}) {
    EXPECT_FALSE(SyntheticWeb::parse(bad)) << bad;
  }
}

TEST(SyntheticWeb, PagesHaveStableLinksSpreadOverItsHosts) {
  const SyntheticWeb web = *SyntheticWeb::parse("100000:100");
  EXPECT_EQ(web.url(1234), "http://h34.syn/p1234");
  EXPECT_EQ(web.page_of("http://h34.syn/p1234"), 1234u);
  for (const char* other : {"http://h35.syn/p1234", "http://h34.syn/p100000", "http://x.test/p1", "http://h1.syn/"}) {
    EXPECT_FALSE(web.page_of(other)) << other;
  }
  const auto links = web.links_of(7);
  EXPECT_EQ(links.size(), 50u);
  EXPECT_EQ(links, web.links_of(7)) << "not deterministic";
  EXPECT_NE(links, web.links_of(8));
  std::set<std::string> hosts;
  for (std::uint64_t page = 0; page < 100; ++page) {
    for (const auto& link : web.links_of(page)) {
      ASSERT_TRUE(web.page_of(link)) << link;
      hosts.insert(link.substr(0, link.find(".syn")));
    }
  }
  EXPECT_EQ(hosts.size(), 100u) << "5,000 links missed some of the 100 hosts";
}

// A coordinator and a synthetic worker: every page answered at once, 50 lines each.
TEST(SyntheticWeb, ACoordinatorCrawlsItWithASyntheticWorker) {
  test::TempDir tmp;
  std::ofstream(tmp.file("seeds.txt")) << "http://h0.syn/p0\nhttp://h1.syn/p1\n";
  test::ChildProcess coordinator({test::bin_path("crawl-coordinator"), "--listen", "tcp://127.0.0.1:*", "--seeds",
                                  tmp.file("seeds.txt"), "--out", tmp.file("results.txt"), "--scope", "any",
                                  "--depth", "10", "--max-pages", "2000", "--progress", "never"});
  ASSERT_TRUE(coordinator.wait_for_output("\n", 60s)) << coordinator.err();
  const std::string out = coordinator.out();
  const auto at = out.find("listening tcp://");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string endpoint = out.substr(at + 10, out.find('\n', at) - at - 10);
  test::ChildProcess worker(
      {test::bin_path("crawl-worker"), "--connect", endpoint, "--synthetic-web", "1000000:1000", "--worker-id", "syn"});
  const auto r = coordinator.wait(120s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "2000 ok, 0 failed")) << r.err;
  std::ifstream results(tmp.file("results.txt"));
  std::size_t lines = 0;
  for (std::string line; std::getline(results, line);) ++lines;
  EXPECT_EQ(lines, 2000u * 50);
  const auto w = worker.wait(60s);
  EXPECT_FALSE(w.timed_out) << w.err;
  EXPECT_EQ(w.exit_code, 0) << w.err;
}

}  // namespace
}  // namespace crawler
