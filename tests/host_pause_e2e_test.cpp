// End to end, per-host pauses: a host whose page answers 503 waits out --host-pause-ms before
// its next page while other hosts go on; with 0 it does not wait.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

struct Timed {
  ChildResult result;
  double seconds;
};

Timed crawl_with_pause(const SimwebFixture& web, const std::string& seeds, const std::string& out,
                       const std::string& pause_ms) {
  const auto start = std::chrono::steady_clock::now();
  auto r = run_child({bin_path("crawl"), "--workers", "0", "--seeds", seeds, "--out", out, "--resolve",
                      web.resolve(), "--progress", "never", "--retries", "0", "--concurrency", "1",
                      "--per-host", "1", "--host-pause-ms", pause_ms},
                     120s);
  return {std::move(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

TEST(HostPauseE2E, AHostAnswering503WaitsOutItsPauseAndTheCrawlFinishes) {
  SimwebFixture web({"--pages", "40", "--hosts", "2"});
  TempDir tmp;
  // h1's 503 first, then ten of its pages: the first few are sent with it (4 x --concurrency),
  // the rest wait in the frontier for the pause to end.
  const std::string seeds = tmp.file("seeds.txt");
  {
    std::ofstream out(seeds);
    out << web.origin(1) << "/fault/status/503\n";
    std::ifstream all(web.file("seeds.txt"));
    int n = 0;
    for (std::string line; std::getline(all, line) && n < 10;) {
      if (line.find("//h1.sim:") != std::string::npos) {
        out << line << "\n";
        ++n;
      }
    }
    ASSERT_EQ(n, 10);
  }
  const auto paused = crawl_with_pause(web, seeds, tmp.file("paused.txt"), "1500");
  ASSERT_EQ(paused.result.exit_code, 0) << paused.result.err;
  EXPECT_TRUE(contains(paused.result.err, "host pauses 1 ")) << paused.result.err;
  EXPECT_GE(paused.seconds, 1.35) << "the pause (1500 ms - 10%) was not waited out";
  const auto none = crawl_with_pause(web, seeds, tmp.file("none.txt"), "0");
  ASSERT_EQ(none.result.exit_code, 0) << none.result.err;
  EXPECT_FALSE(contains(none.result.err, "host pauses")) << none.result.err;
  // Every page was fetched either way: the pause delays, it drops nothing.
  EXPECT_EQ(sorted_lines(tmp.file("paused.txt")), sorted_lines(tmp.file("none.txt")));
  EXPECT_TRUE(contains(paused.result.err, "pages       10 ok, 1 failed")) << paused.result.err;
}

}  // namespace
}  // namespace crawler::test
