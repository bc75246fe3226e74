// End to end: a broad crawl keeps each host's connections. simweb counts the TCP connections it
// accepts; a crawl over many more hosts than --concurrency must open at most hosts x --per-host
// of them (seeds in page order: page i is on host i % hosts, the worst order for a small
// connection cache, since each host comes back only after every other host had its turn).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/simweb_process.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

constexpr int kHosts = 100;
constexpr int kPagesPerHost = 5;

class ConnectionReuseE2E : public ::testing::Test {
 protected:
  ConnectionReuseE2E()
      : web_({"--hosts", std::to_string(kHosts), "--pages", std::to_string(kHosts * kPagesPerHost),
              "--links", "4"}) {}

  /// Crawls every page at depth 0 with `more` flags; returns the connections it opened.
  std::uint64_t crawl(const std::vector<std::string>& more) {
    std::vector<std::string> args = {bin_path("crawl"),
                                     "--seeds",
                                     (web_.out_dir() / "seeds.txt").string(),
                                     "--out",
                                     tmp_.file("out.txt"),
                                     "--resolve",
                                     web_.resolve_arg(),
                                     "--progress",
                                     "never",
                                     "--concurrency",
                                     "16"};
    args.insert(args.end(), more.begin(), more.end());
    const ChildResult r = run_child(args, 180s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(std::to_string(kHosts * kPagesPerHost) + " ok, 0 failed"),
              std::string::npos)
        << r.err;
    const std::string stats = web_.stats_json();
    // Every page (seeds are not checked against robots.txt): the counter saw the whole crawl.
    EXPECT_EQ(stats_number(stats, "requests"), kHosts * kPagesPerHost * 1u) << stats;
    // The connection that asked for /__stats is counted too.
    return stats_number(stats, "connections") - 1;
  }

  SimwebProcess web_;
  TempDir tmp_;
};

TEST_F(ConnectionReuseE2E, ManyHostsOpenAtMostPerHostConnectionsEach) {
  const std::uint64_t connections = crawl({"--workers", "0", "--per-host", "2"});
  EXPECT_LE(connections, kHosts * 2u);  // 500 (one per page) before the connection cache fix
  EXPECT_GE(connections, static_cast<std::uint64_t>(kHosts));
}

TEST_F(ConnectionReuseE2E, SyncModeKeepsOneConnectionPerHost) {
  const std::uint64_t connections = crawl({"--workers", "0", "--mode", "sync"});
  EXPECT_EQ(connections, static_cast<std::uint64_t>(kHosts));
}

TEST_F(ConnectionReuseE2E, WorkerProcessesKeepTheirHostsConnections) {
  // Hosts are sharded by worker: each host's connections belong to one worker.
  const std::uint64_t connections = crawl({"--workers", "2", "--per-host", "2"});
  EXPECT_LE(connections, kHosts * 2u);
}

}  // namespace
}  // namespace crawler::test
