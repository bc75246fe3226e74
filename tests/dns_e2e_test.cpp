// End to end: names resolved for real. The crawl asks a DNS server of the test's own on 127.0.0.1
// (tests/support/dns_server, through --dns-servers) instead of being handed addresses with
// --resolve: one lookup per host while its TTL lasts, a TTL of 0 honoured, NXDOMAIN and a
// silent server each a counted `dns` failure with its reason, and the SSRF guard judging the
// address DNS gave.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/simweb_process.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

constexpr int kHosts = 4;
constexpr int kPages = 40;  // 10 a host

class DnsE2E : public ::testing::Test {
 protected:
  DnsE2E()
      : web_({"--hosts", std::to_string(kHosts), "--pages", std::to_string(kPages), "--links", "3"}) {
    for (int h = 0; h < kHosts; ++h) {
      // The last host's answers may not be kept (TTL 0): it is asked again for every transfer.
      dns_.add("h" + std::to_string(h) + ".sim", "127.0.0.1", h == kHosts - 1 ? 0 : 300);
    }
  }

  std::string origin(const std::string& host) const {
    return "http://" + host + ":" + std::to_string(web_.port());
  }

  /// Runs crawl over `seeds` with the test's DNS server and `more` flags, jsonl output.
  ChildResult crawl(const std::string& seeds, const std::vector<std::string>& more) {
    std::vector<std::string> args = {bin_path("crawl"), "--seeds", seeds, "--out",
                                     tmp_.file("out.jsonl"), "--format", "jsonl",
                                     "--dns-servers", dns_.servers(), "--progress", "never",
                                     "--retries", "0"};
    args.insert(args.end(), more.begin(), more.end());
    return run_child(args, 120s);
  }

  /// The output line of the page whose source URL is `url`; empty when there is none.
  std::string line_for(const std::string& url) const {
    return jsonl_line_for(tmp_.file("out.jsonl"), url);
  }

  /// Every simweb page as a seed (depth 0): all fetched, each cached host looked up once.
  void expect_one_lookup_per_host(const std::vector<std::string>& more) {
    const ChildResult r = crawl((web_.out_dir() / "seeds.txt").string(), more);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(std::to_string(kPages) + " ok, 0 failed"), std::string::npos) << r.err;
    for (int h = 0; h + 1 < kHosts; ++h) {
      const std::string name = "h" + std::to_string(h) + ".sim";
      EXPECT_EQ(dns_.queries(name, TestDnsServer::kA), 1) << name;
      EXPECT_EQ(dns_.queries(name, TestDnsServer::kAaaa), 1) << name;
    }
    // TTL 0: asked again (lookups of transfers that start together share one query).
    const std::string uncached = "h" + std::to_string(kHosts - 1) + ".sim";
    EXPECT_GT(dns_.queries(uncached), 1);
    EXPECT_LE(dns_.queries(uncached), kPages / kHosts);
  }

  SimwebProcess web_;
  TestDnsServer dns_;
  TempDir tmp_;
};

TEST_F(DnsE2E, OneProcessLooksEachHostUpOnceWhileItsTtlLasts) {
  expect_one_lookup_per_host({"--workers", "0"});
}

TEST_F(DnsE2E, WorkerProcessesLookEachHostUpOnceToo) {
  expect_one_lookup_per_host({"--workers", "2"});
}

TEST_F(DnsE2E, NxdomainAndASilentServerFailWithTheirReasonsAndTheGuardJudgesWhatDnsGave) {
  dns_.silence("slow.sim");
  dns_.add("inside.sim", "127.0.0.2", 300);  // a page's link to an address inside the network
  const std::string seeds = tmp_.file("seeds.txt");
  const std::string linking = origin("h0.sim") + "/fault/link-to/inside.sim/" +
                              std::to_string(web_.port());
  std::ofstream(seeds) << origin("missing.sim") << "/\n" << origin("slow.sim") << "/\n"
                       << linking << "\n";
  for (const char* workers : {"0", "2"}) {
    const ChildResult r = crawl(seeds, {"--workers", workers, "--depth", "1", "--scope", "any",
                                        "--ignore-robots", "--connect-timeout-ms", "400"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string missing = line_for(origin("missing.sim") + "/");
    EXPECT_NE(missing.find("\"error\":\"dns\""), std::string::npos) << missing;
    EXPECT_NE(missing.find("could not resolve host missing.sim: no such host"), std::string::npos)
        << missing;
    const std::string slow = line_for(origin("slow.sim") + "/");
    EXPECT_NE(slow.find("\"error\":\"dns\""), std::string::npos) << slow;
    EXPECT_NE(slow.find("timed out"), std::string::npos) << slow;
    EXPECT_NE(line_for(linking).find("\"error\":null"), std::string::npos) << line_for(linking);
    const std::string inside = line_for(origin("inside.sim") + "/fault/redirect/0");
    EXPECT_NE(inside.find("\"error\":\"forbidden_address\""), std::string::npos) << inside;
    EXPECT_NE(inside.find("refused 127.0.0.2 is loopback"), std::string::npos) << inside;
    EXPECT_NE(r.err.find("1 ok, 3 failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("dns                  2"), std::string::npos) << r.err;
  }
  EXPECT_GE(dns_.queries("inside.sim"), 1);  // resolved, then refused before connecting
}

TEST_F(DnsE2E, AMalformedDnsServersListIsRefusedBeforeTheCrawlStarts) {
  const ChildResult r = run_child({bin_path("crawl"), "--seeds", (web_.out_dir() / "seeds.txt").string(),
                                   "--out", tmp_.file("out.txt"), "--dns-servers", "dns.example"},
                                  30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad --dns-servers 'dns.example'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace crawler::test
