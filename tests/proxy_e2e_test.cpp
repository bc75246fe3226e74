// End to end: --proxy and --noproxy. simweb stands in for the forward proxy: it serves requests
// whose target is in absolute form ("GET http://h1.sim:PORT/x", what a client sends a proxy)
// and counts them. Without --resolve the .sim names resolve nowhere, so a page fetched at all
// went through the proxy; with --noproxy a host is reached directly, in origin form.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_process.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

class ProxyE2E : public ::testing::Test {
 protected:
  ProxyE2E() : web_({"--hosts", "4", "--pages", "40"}) {}

  std::string proxy() const { return "http://127.0.0.1:" + std::to_string(web_.port()); }

  ChildResult crawl(std::vector<std::string> args) {
    const std::vector<std::string> common = {bin_path("crawl"),
                                             "--seeds",
                                             (web_.out_dir() / "seeds.txt").string(),
                                             "--out",
                                             tmp_.file("out.txt"),
                                             "--progress",
                                             "never"};
    args.insert(args.begin(), common.begin(), common.end());
    return run_child(args, 120s);
  }

  SimwebProcess web_;
  TempDir tmp_;
};

TEST_F(ProxyE2E, EveryRequestGoesThroughTheProxy) {
  const auto r = crawl({"--workers", "0", "--proxy", proxy()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("40 ok, 0 failed"), std::string::npos) << r.err;
  expect_same_lines(tmp_.file("out.txt"), (web_.out_dir() / "expected-depth0.tsv").string());
  const std::string stats = web_.stats_json();
  EXPECT_EQ(stats_number(stats, "absolute_form_requests"), 40u) << stats;  // seeds: no robots.txt
  EXPECT_EQ(stats_number(stats, "requests"), 40u) << stats;
}

TEST_F(ProxyE2E, NoproxyHostsAreReachedDirectly) {
  // h0.sim directly (mapped by --resolve), the other three through the proxy.
  const auto r = crawl({"--workers", "0", "--proxy", proxy(), "--noproxy", "h0.sim", "--resolve",
                        "h0.sim:" + std::to_string(web_.port()) + ":127.0.0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("40 ok, 0 failed"), std::string::npos) << r.err;
  const std::string stats = web_.stats_json();
  EXPECT_EQ(stats_number(stats, "requests"), 40u) << stats;
  EXPECT_EQ(stats_number(stats, "absolute_form_requests"), 30u) << stats;  // 3 hosts x 10
}

TEST_F(ProxyE2E, WorkersAndTheEnvironmentVariableGetTheProxyToo) {
  // crawl --workers 2 hands --proxy to its workers; CRAWL_PROXY sets it like the flag.
  const auto r = run_child({"/usr/bin/env", "CRAWL_PROXY=" + proxy(), bin_path("crawl"), "--seeds",
                            (web_.out_dir() / "seeds.txt").string(), "--out", tmp_.file("out.txt"),
                            "--progress", "never", "--workers", "2"},
                           120s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("40 ok, 0 failed"), std::string::npos) << r.err;
  EXPECT_EQ(stats_number(web_.stats_json(), "absolute_form_requests"), 40u);
}

TEST_F(ProxyE2E, AnUnreachableProxyFailsEveryPageWithAConnectError) {
  const auto r = crawl(
      {"--workers", "0", "--proxy", "http://127.0.0.1:1", "--retries", "0", "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 ok, 40 failed"), std::string::npos) << r.err;
  EXPECT_EQ(stats_number(web_.stats_json(), "requests"), 0u);
  const auto lines = read_sorted_lines(tmp_.file("out.txt"));
  ASSERT_EQ(lines.size(), 40u);
  for (const auto& line : lines) {
    EXPECT_NE(line.find("\"error\":\"connect\""), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace crawler::test
