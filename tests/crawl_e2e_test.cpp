// End to end: the real `crawl` binary against the real `simweb` binary, output compared with
// the manifest simweb writes (the generator knows every link it wrote: it is the oracle).
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

using Simweb = SimwebFixture;

std::vector<std::string> crawl_args(const Simweb& web, const std::string& seeds, const std::string& out) {
  return {bin_path("crawl"), "--workers", "0", "--seeds", seeds, "--out", out, "--resolve", web.resolve(),
          "--progress", "never"};
}

ChildResult run(std::vector<std::string> args, std::vector<std::string> more = {}) {
  args.insert(args.end(), more.begin(), more.end());
  return run_child(args, 180s);
}

TEST(CrawlE2E, DepthZeroOutputEqualsManifest) {
  Simweb web({"--pages", "400", "--hosts", "8", "--links", "20"});
  TempDir tmp;
  const auto r = run(crawl_args(web, web.file("seeds.txt"), tmp.file("results.txt")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("400 ok, 0 failed"), std::string::npos) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

// A seed file read twice (judged, then fed) must not be a FIFO or a pipe: their seeds would be
// gone by the second read. Such a file is read once and kept, as stdin is.
TEST(CrawlE2E, SeedsFromAFifoAreReadOnceAndAllFetched) {
  Simweb web({"--pages", "200", "--hosts", "4"});
  TempDir tmp;
  const std::string fifo = tmp.file("seeds.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(fifo);  // blocks until the crawl opens it
    std::ifstream in(web.file("seeds.txt"));
    out << in.rdbuf();
  });
  const auto r = run(crawl_args(web, fifo, tmp.file("results.txt")));
  // Had the crawl never opened the FIFO, this open lets the writer go.
  const int unblock = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  writer.join();
  if (unblock >= 0) ::close(unblock);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("200 ok, 0 failed"), std::string::npos) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

TEST(CrawlE2E, SyncModeGivesTheSameLines) {
  Simweb web({"--pages", "120", "--hosts", "4"});
  TempDir tmp;
  const auto r = run(crawl_args(web, web.file("seeds.txt"), tmp.file("results.txt")), {"--mode", "sync"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

TEST(CrawlE2E, FullCrawlFromRootsEqualsManifestAndObeysRobots) {
  Simweb web({"--pages", "300", "--hosts", "5"});
  TempDir tmp;
  const auto r = run(crawl_args(web, web.file("seeds-roots.txt"), tmp.file("results.txt")), {"--depth", "100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-full.tsv"));
  EXPECT_NE(r.err.find("skipped (disallowed by robots.txt)"), std::string::npos) << r.err;
}

TEST(CrawlE2E, FailuresAreCountedAndTheCrawlGoesOn) {
  Simweb web({"--pages", "20", "--hosts", "1"});
  TempDir tmp;
  const std::string base = "http://h0.sim:" + std::to_string(web.port());
  {
    std::ofstream seeds(tmp.file("seeds.txt"));
    seeds << base << "/\n"
          << base << "/fault/status/404\n"
          << base << "/fault/loop\n"
          << base << "/fault/type/image/png\n"
          << base << "/fault/redirect/2\n";
  }
  const auto r = run(crawl_args(web, tmp.file("seeds.txt"), tmp.file("results.jsonl")),
                     {"--format", "jsonl", "--retries", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = sorted_lines(tmp.file("results.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("\"error\":\"http_status\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"error\":\"too_many_redirects\""), std::string::npos) << all;
  // Relative links resolve against the URL after redirects, not the seed.
  EXPECT_NE(all.find(base + "/fault/redirect/target-a.html\""), std::string::npos) << all;
  EXPECT_NE(all.find(base + "/fault/up.html\""), std::string::npos) << all;
  EXPECT_NE(r.err.find("3 ok, 2 failed"), std::string::npos) << r.err;
}

TEST(CrawlE2E, BadSeedLineStopsBeforeAnyFetchWithFileAndLine) {
  TempDir tmp;
  {
    std::ofstream seeds(tmp.file("seeds.txt"));
    seeds << "http://127.0.0.1:9/\n# comment\nnot-a-url\n";
  }
  const auto r = run_child({bin_path("crawl"), "--seeds", tmp.file("seeds.txt"), "--out", tmp.file("r.txt")}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(tmp.file("seeds.txt") + ":3: "), std::string::npos) << r.err;
}

TEST(CrawlE2E, UnknownFlagIsRefusedWithExitTwo) {
  const auto r = run_child({bin_path("crawl"), "--seeds", "x", "--no-such-flag"}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST(CrawlE2E, SigtermFinishesInFlightAndLeavesOnlyWholeLines) {
  Simweb web({"--pages", "2000", "--hosts", "10", "--latency-ms", "50"});
  TempDir tmp;
  std::vector<std::string> args = crawl_args(web, web.file("seeds.txt"), tmp.file("results.txt"));
  args.insert(args.end(), {"--concurrency", "20"});
  ChildProcess crawl(args);
  // Wait until results are flowing: the file has grown past its first buffer.
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(tmp.file("results.txt"), std::ios::ate);
    if (in && in.tellg() > 64 * 1024) break;
    crawl.wait_for_output("never printed", 100ms);
  }
  crawl.signal(SIGTERM);
  const auto r = crawl.wait(60s);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("stopped early"), std::string::npos) << r.err;
  const auto lines = sorted_lines(tmp.file("results.txt"));
  const auto expected = sorted_lines(web.file("expected-depth0.tsv"));
  ASSERT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), expected.size());
  for (const auto& line : lines) {
    ASSERT_TRUE(std::binary_search(expected.begin(), expected.end(), line)) << "torn or wrong line: " << line;
  }
}

// crawl --workers 0 used to end one politeness delay after its last page (the idle host's delay
// timer kept the loop alive): 20 pages on 20 hosts with a 20 s delay took 20 s.
TEST(CrawlE2E, EndsWhenTheLastPageIsInNotOneHostDelayLater) {
  Simweb web({"--pages", "20", "--hosts", "20"});
  TempDir tmp;
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      run(crawl_args(web, web.file("seeds.txt"), tmp.file("results.txt")), {"--delay-ms", "20000"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("20 ok, 0 failed"), std::string::npos) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  // One page per host: no fetch waits for a delay, so the crawl has no reason to last 20 s.
  EXPECT_LT(took, 10s) << "the crawl waited for a host's delay after its last page";
}

// Three pages on one host with a 60 s delay: after the first, nothing is in flight and two tasks
// wait for the delay. One SIGTERM cancels those and ends the crawl at once, with its summary,
// instead of waiting out the 10 s grace.
TEST(CrawlE2E, OneSigtermWithNothingInFlightEndsAtOnceWithTheSummary) {
  Simweb web({"--pages", "3", "--hosts", "1"});
  TempDir tmp;
  std::vector<std::string> args = crawl_args(web, web.file("seeds.txt"), tmp.file("results.txt"));
  args.insert(args.end(), {"--delay-ms", "60000", "--log-level", "debug"});
  ChildProcess crawl(args);
  const std::string first_fetch = "fetch http://h0.sim:" + std::to_string(web.port()) + "/ -> 200";
  ASSERT_TRUE(
      crawl.wait_until([&] { return crawl.err().find(first_fetch) != std::string::npos; }, 60s))
      << crawl.err();
  const auto signalled = std::chrono::steady_clock::now();
  crawl.signal(SIGTERM);
  const auto r = crawl.wait(60s);
  const auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(took, 5s) << "it waited for the grace period with nothing in flight";
  EXPECT_NE(r.err.find("1 ok, 0 failed, 2 not fetched (the crawl stopped first)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stopped early"), std::string::npos) << r.err;
  const auto lines = sorted_lines(tmp.file("results.txt"));
  const auto expected = sorted_lines(web.file("expected-depth0.tsv"));
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_TRUE(std::binary_search(expected.begin(), expected.end(), line)) << line;
    EXPECT_EQ(line.rfind("http://h0.sim:" + std::to_string(web.port()) + "/\t", 0), 0u)
        << "not the first page's: " << line;
  }
}

}  // namespace
}  // namespace crawler::test
