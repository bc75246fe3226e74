// End to end: the SSRF guard in the real `crawl` binary, in one process and with worker
// processes. Seeds live on simweb at 127.0.0.1; their link and redirect lead to a second simweb
// at 127.0.0.2, the stand-in for an address inside the network (loopback: nothing leaves the
// machine, and only the seed's host is named by the user).

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

class SsrfE2E : public ::testing::Test {
 protected:
  SsrfE2E()
      : seeds_web_({"--pages", "10", "--hosts", "1"}),
        inside_web_({"--pages", "10", "--hosts", "1", "--bind", "127.0.0.2"}) {
    std::ofstream seeds(tmp_.file("seeds.txt"));
    seeds << link_seed() << "\n" << redirect_seed() << "\n";
  }

  std::string seed_base() const { return "http://127.0.0.1:" + std::to_string(seeds_web_.port()); }
  std::string inside_host() const { return "127.0.0.2/" + std::to_string(inside_web_.port()); }
  std::string link_seed() const { return seed_base() + "/fault/link-to/" + inside_host(); }
  std::string redirect_seed() const { return seed_base() + "/fault/redirect-to/" + inside_host(); }
  std::string inside_page() const {
    return "http://127.0.0.2:" + std::to_string(inside_web_.port()) + "/fault/redirect/0";
  }

  /// Runs crawl over both seeds at depth 1, any scope, jsonl; returns the child's result.
  ChildResult crawl(const std::vector<std::string>& more) {
    std::vector<std::string> args = {bin_path("crawl"), "--seeds", tmp_.file("seeds.txt"), "--out",
                                     tmp_.file("out.jsonl"), "--format", "jsonl", "--depth", "1",
                                     "--scope", "any", "--ignore-robots", "--retries", "0",
                                     "--progress", "never"};
    args.insert(args.end(), more.begin(), more.end());
    return run_child(args, 120s);
  }

  /// The output line of the page whose source URL is `url`; empty when there is none.
  std::string line_for(const std::string& url) const {
    return jsonl_line_for(tmp_.file("out.jsonl"), url);
  }

  /// The seed works; its page's link and the other seed's redirect are refused and counted.
  void expect_guarded(const ChildResult& r) const {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string seed_page = line_for(link_seed());
    EXPECT_NE(seed_page.find("\"error\":null"), std::string::npos) << seed_page;
    EXPECT_NE(seed_page.find(inside_page()), std::string::npos) << seed_page;
    for (const std::string& line : {line_for(redirect_seed()), line_for(inside_page())}) {
      EXPECT_NE(line.find("\"error\":\"forbidden_address\""), std::string::npos) << line;
      EXPECT_NE(line.find("refused 127.0.0.2 is loopback"), std::string::npos) << line;
    }
    EXPECT_NE(line_for(redirect_seed()).find("redirect to " + inside_page()), std::string::npos);
    EXPECT_NE(r.err.find("1 ok, 2 failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("failed    forbidden_address    2"), std::string::npos) << r.err;
  }

  SimwebFixture seeds_web_;
  SimwebFixture inside_web_;
  TempDir tmp_;
};

TEST_F(SsrfE2E, LinkAndRedirectToAPrivateAddressAreRefusedAndCountedWhileTheSeedWorks) {
  expect_guarded(crawl({"--workers", "0"}));
}

TEST_F(SsrfE2E, WorkerProcessesRefuseThemTooWithTheSeedHostFromTheCoordinator) {
  expect_guarded(crawl({"--workers", "2"}));
}

TEST_F(SsrfE2E, AllowPrivateLetsThemThroughInOneProcessAndInWorkers) {
  for (const char* workers : {"0", "2"}) {
    const auto r = crawl({"--workers", workers, "--allow-private"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("forbidden_address"), std::string::npos) << workers << "\n" << r.err;
    const std::string redirected = line_for(redirect_seed());
    EXPECT_NE(redirected.find("\"final_url\":\"" + inside_page() + "\""), std::string::npos) << redirected;
    EXPECT_NE(redirected.find("\"error\":null"), std::string::npos) << redirected;
    EXPECT_NE(line_for(inside_page()).find("\"error\":null"), std::string::npos) << line_for(inside_page());
  }
}

TEST_F(SsrfE2E, AllowHostReachesWorkersThroughTheirOwnFlags) {
  const auto r = crawl({"--workers", "2", "--allow-host", "127.0.0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("forbidden_address"), std::string::npos) << r.err;
  EXPECT_NE(line_for(inside_page()).find("\"error\":null"), std::string::npos) << line_for(inside_page());
}

// Names under .localhost are loopback to libcurl itself (no DNS, no --resolve, which would name
// them): a discovered link to one is the guard's to judge.
TEST_F(SsrfE2E, AllowHostTakesAnInternationalisedNameAndMatchesItsPunycode) {
  const std::string port = std::to_string(seeds_web_.port());
  {
    std::ofstream seeds(tmp_.file("seeds.txt"));
    seeds << seed_base() << "/fault/link-to/xn--bcher-kva.localhost/" << port << "\n";
  }
  const std::string idn_page = "http://xn--bcher-kva.localhost:" + port + "/fault/redirect/0";
  const auto refused = crawl({"--workers", "0"});
  ASSERT_EQ(refused.exit_code, 0) << refused.err;
  EXPECT_NE(line_for(idn_page).find("\"error\":\"forbidden_address\""), std::string::npos)
      << line_for(idn_page);
  for (const char* workers : {"0", "2"}) {
    const auto r = crawl({"--workers", workers, "--allow-host", "BÜCHER.localhost"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("2 ok, 0 failed"), std::string::npos) << workers << "\n" << r.err;
    EXPECT_NE(line_for(idn_page).find("\"error\":null"), std::string::npos) << line_for(idn_page);
  }
}

TEST_F(SsrfE2E, AnAllowHostIdnaCannotConvertStopsTheCrawlNamingIt) {
  const auto r = crawl({"--workers", "0", "--allow-host", "xn--a.example"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad --allow-host 'xn--a.example'"), std::string::npos) << r.err;
}

// The seeds' simweb is the proxy too (it serves absolute-form requests). Its address is
// loopback, which the guard refuses for a discovered host unless the user chose it as the proxy.
TEST_F(SsrfE2E, ThroughAProxyTheUserChoseDiscoveredHostsAreFetchedAndIpLiteralsStillJudged) {
  const std::string port = std::to_string(seeds_web_.port());
  const std::string named_seed = seed_base() + "/fault/link-to/h1.localhost/" + port;
  {
    std::ofstream seeds(tmp_.file("seeds.txt"));
    seeds << named_seed << "\n" << link_seed() << "\n";
  }
  const std::string name_page = "http://h1.localhost:" + port + "/fault/redirect/0";
  // Without a proxy, h1.localhost is loopback and refused, as is the IP literal 127.0.0.2.
  const auto direct = crawl({"--workers", "0"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_NE(line_for(name_page).find("is loopback; h1.localhost:" + port + " is not named"),
            std::string::npos)
      << line_for(name_page);
  EXPECT_NE(direct.err.find("2 ok, 2 failed"), std::string::npos) << direct.err;
  for (const char* workers : {"0", "2"}) {
    const auto r = crawl({"--workers", workers, "--proxy", "http://127.0.0.1:" + port});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(line_for(name_page).find("\"error\":null"), std::string::npos) << line_for(name_page);
    // The proxy would reach 127.0.0.2 for us: a destination written as an IP literal is refused.
    const std::string literal = line_for(inside_page());
    EXPECT_NE(literal.find("\"error\":\"forbidden_address\""), std::string::npos) << literal;
    EXPECT_NE(literal.find("refused destination 127.0.0.2 is loopback (an IP literal, sent to the "
                           "proxy at 127.0.0.1:" +
                           port + ")"),
              std::string::npos)
        << literal;
    EXPECT_NE(r.err.find("3 ok, 1 failed"), std::string::npos) << workers << "\n" << r.err;
  }
}

}  // namespace
}  // namespace crawler::test
