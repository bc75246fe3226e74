// DnsCache (pure logic, clock passed in) and DnsResolver against a real DNS server of the test's
// own on 127.0.0.1 (tests/support/dns_server): answers, TTLs, shared lookups and each failure;
// and the engine's DNS counters in /metrics.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/dns_servers.hpp"
#include "common/metered_sink.hpp"
#include "common/metrics.hpp"
#include "tests/support/dns_server.hpp"
#include "worker/async_engine.hpp"
#include "worker/dns_cache.hpp"
#include "worker/dns_resolver.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;
using Clock = DnsCache::Clock;

DnsAnswer answer_of(const std::string& address) { return DnsAnswer{{address}, {}}; }

TEST(DnsCache, KeepsAnAnswerUntilItsTtlRunsOut) {
  DnsCache cache(10);
  const Clock::time_point t0{};
  cache.put("a.test", answer_of("192.0.2.1"), 30s, t0);
  ASSERT_NE(cache.find("a.test", t0 + 29s), nullptr);
  EXPECT_EQ(cache.find("a.test", t0 + 29s)->addresses.at(0), "192.0.2.1");
  EXPECT_EQ(cache.find("a.test", t0 + 30s), nullptr);
  EXPECT_EQ(cache.size(), 0u);  // the expired answer was forgotten when asked for
  EXPECT_EQ(cache.find("b.test", t0), nullptr);
}

TEST(DnsCache, ATtlOfZeroKeepsNothingAndForgetsTheOldAnswer) {
  DnsCache cache(10);
  const Clock::time_point t0{};
  cache.put("a.test", answer_of("192.0.2.1"), 60s, t0);
  cache.put("a.test", answer_of("192.0.2.2"), 0s, t0 + 1s);
  EXPECT_EQ(cache.find("a.test", t0 + 2s), nullptr);
}

TEST(DnsCache, ANewAnswerReplacesTheOldOneAndItsTtl) {
  DnsCache cache(10);
  const Clock::time_point t0{};
  cache.put("a.test", answer_of("192.0.2.1"), 10s, t0);
  cache.put("a.test", answer_of("192.0.2.2"), 100s, t0 + 5s);
  ASSERT_NE(cache.find("a.test", t0 + 50s), nullptr);
  EXPECT_EQ(cache.find("a.test", t0 + 50s)->addresses.at(0), "192.0.2.2");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(DnsCache, PastItsCapacityTheLeastRecentlyUsedNameGoes) {
  DnsCache cache(2);
  const Clock::time_point t0{};
  cache.put("a.test", answer_of("192.0.2.1"), 60s, t0);
  cache.put("b.test", answer_of("192.0.2.2"), 60s, t0);
  ASSERT_NE(cache.find("a.test", t0), nullptr);  // a is now more recent than b
  cache.put("c.test", answer_of("192.0.2.3"), 60s, t0);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.find("a.test", t0), nullptr);
  EXPECT_EQ(cache.find("b.test", t0), nullptr);
  EXPECT_NE(cache.find("c.test", t0), nullptr);
}

TEST(DnsServers, WellFormedListsPassAndEachMistakeIsNamed) {
  for (const char* good : {"127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:53", "10.0.0.1,[::1]:53"}) {
    EXPECT_EQ(dns_servers_error(good), "") << good;
  }
  EXPECT_NE(dns_servers_error("").find("empty"), std::string::npos);
  EXPECT_NE(dns_servers_error("dns.example").find("not an IP address"), std::string::npos);
  EXPECT_NE(dns_servers_error("127.0.0.1:0").find("port"), std::string::npos);
  EXPECT_NE(dns_servers_error("127.0.0.1:").find("port"), std::string::npos);
  EXPECT_NE(dns_servers_error("[::1").find("']'"), std::string::npos);
  EXPECT_NE(dns_servers_error("1.2.3.4,,5.6.7.8").find("''"), std::string::npos);
}

class DnsResolverTest : public ::testing::Test {
 protected:
  DnsResolver::Options options(int timeout_ms = 2'000) const {
    return DnsResolver::Options{.servers = server_.servers(), .timeout_ms = timeout_ms, .tries = 1};
  }

  /// Looks `name` up and runs the loop (at most 10 s) until the answer comes.
  std::optional<DnsAnswer> resolve(DnsResolver& resolver, const std::string& name) {
    std::optional<DnsAnswer> got;
    resolver.lookup(name, [&](const DnsAnswer& answer) { got = answer; });
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!got && std::chrono::steady_clock::now() < deadline) io_.run_one_for(100ms);
    return got;
  }

  test::TestDnsServer server_;
  boost::asio::io_context io_;
};

TEST_F(DnsResolverTest, ResolvesThroughTheServerAndKeepsTheAnswerForItsTtl) {
  server_.add("h1.test", "192.0.2.10", 300);
  DnsResolver resolver(io_, options());
  EXPECT_EQ(resolver.cached("h1.test"), nullptr);
  const auto got = resolve(resolver, "h1.test");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->error, "");
  ASSERT_EQ(got->addresses.size(), 1u);
  EXPECT_EQ(got->addresses[0], "192.0.2.10");
  EXPECT_EQ(server_.queries("h1.test", test::TestDnsServer::kA), 1);
  EXPECT_EQ(server_.queries("h1.test", test::TestDnsServer::kAaaa), 1);
  const DnsAnswer* again = resolver.cached("h1.test");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->addresses, got->addresses);
  EXPECT_EQ(resolver.stats().lookups, 1u);
  EXPECT_EQ(resolver.stats().cache_hits, 1u);
}

TEST_F(DnsResolverTest, AnAnswerWithATtlOfZeroIsUsedOnceAndAskedForAgain) {
  server_.add("zero.test", "192.0.2.11", 0);
  DnsResolver resolver(io_, options());
  ASSERT_TRUE(resolve(resolver, "zero.test"));
  EXPECT_EQ(resolver.cached("zero.test"), nullptr);
  const auto second = resolve(resolver, "zero.test");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->addresses.at(0), "192.0.2.11");
  EXPECT_EQ(server_.queries("zero.test"), 2);
}

TEST_F(DnsResolverTest, LookupsOfANameInFlightShareOneQuery) {
  server_.add("shared.test", "192.0.2.12", 300);
  DnsResolver resolver(io_, options());
  int answered = 0;
  for (int i = 0; i < 5; ++i) {
    resolver.lookup("shared.test", [&](const DnsAnswer& answer) {
      EXPECT_EQ(answer.addresses.at(0), "192.0.2.12");
      ++answered;
    });
  }
  EXPECT_EQ(answered, 0);  // never inside lookup()
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (answered < 5 && std::chrono::steady_clock::now() < deadline) io_.run_one_for(100ms);
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(server_.queries("shared.test"), 1);
  EXPECT_EQ(resolver.stats().lookups, 1u);
}

TEST_F(DnsResolverTest, ANameThatDoesNotExistIsAnErrorKeptForTheFailureTtl) {
  DnsResolver resolver(io_, options());
  const auto got = resolve(resolver, "missing.test");
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->addresses.empty());
  EXPECT_NE(got->error.find("no such host"), std::string::npos) << got->error;
  const DnsAnswer* kept = resolver.cached("missing.test");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->error, got->error);
  EXPECT_EQ(resolver.stats().failures, 1u);
}

TEST_F(DnsResolverTest, AServerThatNeverAnswersTimesOutWithThatReason) {
  server_.silence("slow.test");
  DnsResolver resolver(io_, options(/*timeout_ms=*/100));
  const auto started = std::chrono::steady_clock::now();
  const auto got = resolve(resolver, "slow.test");
  ASSERT_TRUE(got);
  EXPECT_NE(got->error.find("timed out"), std::string::npos) << got->error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // bounded by the timeout, not hung
  EXPECT_GE(server_.queries("slow.test"), 1);
}

TEST_F(DnsResolverTest, LocalhostIsLoopbackWithoutAQuery) {
  DnsResolver resolver(io_, options());
  for (const char* name : {"localhost", "h1.localhost"}) {
    const DnsAnswer* got = resolver.cached(name);
    ASSERT_NE(got, nullptr) << name;
    EXPECT_EQ(got->addresses.at(0), "127.0.0.1");
    EXPECT_EQ(server_.queries(name), 0);
  }
  EXPECT_EQ(resolver.cached("notlocalhost"), nullptr);
}

TEST_F(DnsResolverTest, MalformedServersAreRefusedAtConstruction) {
  EXPECT_THROW(DnsResolver(io_, DnsResolver::Options{.servers = "dns.example"}), std::runtime_error);
}

TEST_F(DnsResolverTest, DestroyingTheResolverWithALookupInFlightCallsNoHandler) {
  server_.silence("slow.test");
  bool called = false;
  {
    DnsResolver resolver(io_, options());
    resolver.lookup("slow.test", [&](const DnsAnswer&) { called = true; });
    io_.run_for(50ms);
  }
  io_.restart();
  io_.run_for(50ms);
  EXPECT_FALSE(called);
}

TEST_F(DnsResolverTest, TheEnginesLookupsFailuresAndCacheHitsAreInItsMetrics) {
  FetchOptions fetch;
  fetch.dns_servers = server_.servers();
  fetch.retries = 0;
  MetricsRegistry metrics;
  MeteredSink sink(std::make_unique<AsyncEngine>(io_, fetch), metrics);
  std::vector<PageRecord> records;
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the cache (failures: 30 s)
    FetchTask task;
    task.id = static_cast<std::uint64_t>(i + 1);
    task.url = "http://missing.test/page" + std::to_string(i);
    sink.submit(task, [&](PageRecord record) { records.push_back(std::move(record)); });
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (records.size() < static_cast<std::size_t>(i + 1) &&
           std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(100ms);
    }
  }
  ASSERT_EQ(records.size(), 2u);
  for (const PageRecord& r : records) {
    EXPECT_EQ(r.error, FetchError::kDns) << r.error_detail;
    EXPECT_NE(r.error_detail.find("could not resolve host missing.test: no such host"),
              std::string::npos)
        << r.error_detail;
  }
  EXPECT_EQ(server_.queries("missing.test"), 1);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("crawler_dns_lookups_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_dns_failures_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_dns_cache_hits_total 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace crawler
