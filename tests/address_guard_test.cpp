// The SSRF guard: AddressGuard's rules, --connect-to parsing, and both engines against an
// in-process simweb bound to 127.0.0.2, the test's stand-in for "an address inside the network".

#include "worker/address_guard.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/connect_to.hpp"
#include "simweb/server.hpp"
#include "tests/support/engine_run.hpp"

namespace crawler {
namespace {

using ::testing::HasSubstr;
using test::make_task;
using test::run_engine;

sockaddr_in ipv4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, text, &a.sin_addr);
  return a;
}

std::string refusal(const AddressGuard& guard, const char* host, int port, const char* address,
                    int address_port = 0) {
  sockaddr_in a = ipv4(address);
  a.sin_port = htons(static_cast<std::uint16_t>(address_port));
  return guard.refusal(host, port, reinterpret_cast<const sockaddr*>(&a));
}

TEST(AddressGuard, RefusesInternalAddressesForHostsNobodyNamed) {
  const AddressGuard guard{FetchOptions{}};
  EXPECT_TRUE(guard.enabled());
  EXPECT_EQ(refusal(guard, "example.com", 80, "93.184.216.34"), "");
  EXPECT_THAT(refusal(guard, "evil.example", 80, "127.0.0.2"),
              HasSubstr("127.0.0.2 is loopback; evil.example:80 is not named by the user"));
  EXPECT_THAT(refusal(guard, "evil.example", 80, "169.254.169.254"), HasSubstr("is metadata"));
  EXPECT_THAT(refusal(guard, "evil.example", 443, "10.0.0.7"), HasSubstr("10.0.0.7 is private"));
  EXPECT_THAT(refusal(guard, "evil.example", 80, "100.64.0.1"), HasSubstr("is cgnat"));
}

TEST(AddressGuard, HostsMappedOrAllowedByTheUserMayBeAnywhere) {
  FetchOptions o;
  o.resolve = {"seed.test:8080:127.0.0.2", "+[::1]:81:::1"};
  o.connect_to = {"virt.test:80:simweb:8080", ":8443::9443", "ANY-PORT.test::x:1"};
  o.allow_hosts = {"Intranet.Example.", "[fd00::5]"};
  const AddressGuard guard(o);
  EXPECT_TRUE(guard.named("seed.test", 8080));
  EXPECT_FALSE(guard.named("seed.test", 8081));  // --resolve maps one port
  EXPECT_TRUE(guard.named("::1", 81));
  EXPECT_TRUE(guard.named("virt.test", 80));
  EXPECT_TRUE(guard.named("whatever.test", 8443));  // empty HOST1: every host on that port
  EXPECT_TRUE(guard.named("any-port.test", 12345));  // empty PORT1: every port
  EXPECT_TRUE(guard.named("intranet.example", 1));  // --allow-host: any port, any case
  EXPECT_TRUE(guard.named("fd00::5", 80));
  EXPECT_FALSE(guard.named("other.test", 80));
  EXPECT_EQ(refusal(guard, "seed.test", 8080, "127.0.0.2"), "");
  EXPECT_NE(refusal(guard, "seed.test", 9999, "127.0.0.2"), "");
}

TEST(AddressGuard, AllowHostTakesAnInternationalisedNameAsPunycode) {
  FetchOptions o;
  o.allow_hosts = {"Bücher.Example."};
  const AddressGuard guard(o);
  EXPECT_TRUE(guard.named("xn--bcher-kva.example", 80));  // what a URL's host is
  EXPECT_FALSE(guard.named("bucher.example", 80));
  EXPECT_EQ(refusal(guard, "xn--bcher-kva.example", 80, "127.0.0.1"), "");
}

TEST(AddressGuard, AnAllowHostIdnaCannotConvertThrowsNamingIt) {
  FetchOptions o;
  o.allow_hosts = {"xn--a.example"};
  try {
    AddressGuard guard(o);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad --allow-host 'xn--a.example'"));
  }
}

TEST(AddressGuard, TheProxysOwnAddressAndPortMayBeAnything) {
  FetchOptions o;
  o.proxy = "http://127.0.0.1:3128";
  const AddressGuard guard(o);
  EXPECT_TRUE(guard.is_proxy("127.0.0.1", 3128));
  EXPECT_FALSE(guard.is_proxy("127.0.0.1", 80));
  EXPECT_EQ(refusal(guard, "h1.example", 80, "127.0.0.1", 3128), "");
  EXPECT_EQ(guard.refusal("h1.example", 80, "127.0.0.1", 3128), "");  // a reused connection
  // Another loopback port is no proxy: a direct connection, and the message says so.
  EXPECT_THAT(refusal(guard, "h1.example", 80, "127.0.0.1", 80),
              HasSubstr("127.0.0.1 is loopback (not an address of the proxy http://127.0.0.1:3128, "
                        "so judged as the destination's); h1.example:80 is not named"));
  // The proxy resolves names; a destination written as an IP literal is still judged.
  EXPECT_THAT(refusal(guard, "10.0.0.7", 80, "127.0.0.1", 3128),
              HasSubstr("destination 10.0.0.7 is private (an IP literal, sent to the proxy at "
                        "127.0.0.1:3128); 10.0.0.7:80 is not named by the user"));
  EXPECT_EQ(refusal(guard, "93.184.216.34", 80, "127.0.0.1", 3128), "");
}

TEST(AddressGuard, AProxyWithoutPortOrSchemeIsReadAsLibcurlReadsIt) {
  FetchOptions o;
  o.proxy = "127.0.0.1";  // http://, port 1080
  EXPECT_TRUE(AddressGuard(o).is_proxy("127.0.0.1", 1080));
  o.proxy = "https://[::1]";
  EXPECT_TRUE(AddressGuard(o).is_proxy("::1", 443));
  o.proxy = "socks5h://localhost:9050";  // a name: its addresses at start
  EXPECT_TRUE(AddressGuard(o).is_proxy("127.0.0.1", 9050));
}

TEST(AddressGuard, WithoutProxyFlagTheVariablesLibcurlReadsNameTheProxy) {
  ::setenv("http_proxy", "http://127.0.0.1:3128", 1);
  ::setenv("HTTPS_PROXY", "127.0.0.1:3129", 1);
  const AddressGuard from_environment{FetchOptions{}};
  FetchOptions o;
  o.proxy = "http://127.0.0.1:8888";  // --proxy wins, as in libcurl
  const AddressGuard from_flag(o);
  ::unsetenv("http_proxy");
  ::unsetenv("HTTPS_PROXY");
  EXPECT_TRUE(from_environment.is_proxy("127.0.0.1", 3128));
  EXPECT_TRUE(from_environment.is_proxy("127.0.0.1", 3129));
  EXPECT_FALSE(from_flag.is_proxy("127.0.0.1", 3128));
  EXPECT_TRUE(from_flag.is_proxy("127.0.0.1", 8888));
}

TEST(AddressGuard, WildcardResolveNamesEveryHostOnItsPort) {
  FetchOptions o;
  o.resolve = {"*:8080:127.0.0.1"};
  const AddressGuard guard(o);
  EXPECT_TRUE(guard.named("h7.sim", 8080));
  EXPECT_FALSE(guard.named("h7.sim", 80));
}

TEST(AddressGuard, AllowPrivateTurnsItOff) {
  FetchOptions o;
  o.allow_private = true;
  const AddressGuard guard(o);
  EXPECT_FALSE(guard.enabled());
  EXPECT_EQ(refusal(guard, "evil.example", 80, "169.254.169.254"), "");
}

TEST(AddressGuard, MalformedAllowHostThrowsNamingIt) {
  FetchOptions o;
  o.allow_hosts = {"http://x/"};
  try {
    AddressGuard guard(o);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("http://x/"));
  }
}

TEST(ConnectTo, ParsesCurlSyntax) {
  std::string why;
  ConnectToEntry e = parse_connect_to("H0.Sim:80:crawl-simweb:8080", why);
  EXPECT_EQ(why, "");
  EXPECT_EQ(e.host, "h0.sim");
  EXPECT_EQ(e.port, 80);
  e = parse_connect_to("::other:", why);
  EXPECT_EQ(why, "");
  EXPECT_EQ(e.host, "");
  EXPECT_EQ(e.port, 0);
  e = parse_connect_to("[::1]:443:[fd00::1]:8443", why);
  EXPECT_EQ(why, "");
  EXPECT_EQ(e.host, "::1");
  for (const char* bad : {"", "a:80", "a:80:b", "a:0:b:80", "a:80:b:70000", "a b:80:c:80", "[zz]:80:c:80",
                          "a:x:b:80"}) {
    parse_connect_to(bad, why);
    EXPECT_NE(why, "") << bad;
  }
}

/// Engines against simweb on 127.0.0.2 (loopback: nothing leaves the machine). Seeds reach it
/// through --resolve, --connect-to or as a named IP literal; links and redirects must not.
class GuardedEngineTest : public ::testing::TestWithParam<FetchOptions::Mode> {
 protected:
  void SetUp() override {
    simweb::ServerConfig config;
    config.bind = "127.0.0.2";
    simweb::SiteConfig site;
    site.pages = 10;
    site.hosts = 1;
    server_ = std::make_unique<simweb::Server>(config, site);
    port_ = server_->start();
  }
  void TearDown() override { server_->stop(); }

  FetchOptions options() const {
    FetchOptions o;
    o.mode = GetParam();
    o.resolve = {"seed.test:" + port() + ":127.0.0.2"};  // the seed host only
    o.retries = 0;
    o.timeout_ms = 5'000;
    return o;
  }
  std::string port() const { return std::to_string(port_); }
  std::string seed(const std::string& path) const { return "http://seed.test:" + port() + path; }
  std::string inside(const std::string& path) const { return "http://127.0.0.2:" + port() + path; }
  std::uint64_t requests() const { return server_->stats().requests; }

  std::unique_ptr<simweb::Server> server_;
  std::uint16_t port_ = 0;
};

TEST_P(GuardedEngineTest, SeedsOnLoopbackWorkButLinksAndRedirectsThereAreRefused) {
  const auto records = run_engine(
      options(), {
                     make_task(1, seed("/fault/redirect/0"), /*host_named_by_user=*/true),  // via --resolve
                     make_task(2, inside("/fault/redirect/0"), /*host_named_by_user=*/true),  // an IP-literal seed
                     make_task(3, inside("/fault/redirect/0")),                       // a discovered link
                     make_task(4, seed("/fault/redirect-to/127.0.0.2/" + port()), true),  // seed -> inside
                     make_task(5, inside("/fault/redirect/0"), false, /*check_robots=*/true),
                     make_task(6, "http://localhost:" + port() + "/"),  // a name that resolves inside
                 });
  ASSERT_EQ(records.size(), 6u);
  EXPECT_TRUE(records.at(1).ok()) << records.at(1).error_detail;
  EXPECT_FALSE(records.at(1).links.empty());
  EXPECT_TRUE(records.at(2).ok()) << records.at(2).error_detail;
  for (std::uint64_t id : {3, 4, 5, 6}) {
    const PageRecord& r = records.at(id);
    EXPECT_EQ(r.error, FetchError::kForbiddenAddress) << id << ": " << to_string(r.error) << " " << r.error_detail;
    EXPECT_THAT(r.error_detail, HasSubstr("is loopback")) << id;
    EXPECT_LE(r.attempts, 1u) << id;  // never retried (5 never started: its robots.txt was refused)
  }
  EXPECT_THAT(records.at(3).error_detail, HasSubstr("refused 127.0.0.2 is loopback; 127.0.0.2:" + port()));
  EXPECT_THAT(records.at(4).error_detail, HasSubstr("redirect to http://127.0.0.2:" + port()));
  EXPECT_THAT(records.at(5).error_detail, HasSubstr("robots.txt unreachable"));  // robots.txt is refused too
  EXPECT_THAT(records.at(6).error_detail, HasSubstr("localhost:" + port() + " is not named"));
  // Only the two seeds and the redirecting seed's first hop reached the server, although task 3
  // may have found task 2's connection to the same address open: the check is per request.
  EXPECT_EQ(requests(), 3u);
}

TEST_P(GuardedEngineTest, AllowPrivateLetsLinksAndRedirectsThrough) {
  FetchOptions o = options();
  o.allow_private = true;
  const auto records = run_engine(o, {make_task(3, inside("/fault/redirect/0")),
                                      make_task(4, seed("/fault/redirect-to/127.0.0.2/" + port()), true)});
  for (std::uint64_t id : {3, 4}) {
    EXPECT_TRUE(records.at(id).ok()) << id << ": " << records.at(id).error_detail;
    EXPECT_FALSE(records.at(id).links.empty()) << id;
  }
}

TEST_P(GuardedEngineTest, AllowHostAndConnectToNameHostsToo) {
  FetchOptions o = options();
  o.allow_hosts = {"127.0.0.2"};
  o.connect_to = {"virt.test:80:127.0.0.2:" + port()};
  const auto records = run_engine(o, {make_task(3, inside("/fault/redirect/0")),
                                      make_task(4, seed("/fault/redirect-to/127.0.0.2/" + port()), true),
                                      make_task(7, "http://virt.test/fault/redirect/0")});
  for (std::uint64_t id : {3, 4, 7}) {
    EXPECT_TRUE(records.at(id).ok()) << id << ": " << records.at(id).error_detail;
  }
}

INSTANTIATE_TEST_SUITE_P(BothModes, GuardedEngineTest, test::kBothModes, test::mode_name);

}  // namespace
}  // namespace crawler
