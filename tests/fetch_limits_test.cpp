// Limits on what one response may cost: header bytes, links per page, URL length (and the
// defaults of every limit). Both engines, against an in-process simweb on 127.0.0.1.
// Body size, compression bombs, timeouts, slow bodies and redirect loops: crawl_engine_test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/link_limits.hpp"
#include "simweb/server.hpp"
#include "tests/support/engine_run.hpp"

namespace crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::make_task;
using test::run_engine;

TEST(FetchLimits, DefaultsAreTheDocumentedOnes) {
  const FetchOptions o;
  EXPECT_EQ(o.max_body, 8u << 20);
  EXPECT_EQ(o.max_header_bytes, 256u * 1024);
  EXPECT_EQ(o.max_redirects, 10);
  EXPECT_EQ(o.timeout_ms, 30'000);
  EXPECT_EQ(o.low_speed_limit, 512);
  EXPECT_EQ(o.low_speed_time_s, 15);
  EXPECT_EQ(o.max_links_per_page, 10'000u);
  EXPECT_EQ(o.max_url_length, 2048u);
  EXPECT_FALSE(o.allow_private);
}

TEST(LinkLimits, DropsTooLongLinksThenKeepsTheFirstOnesUpToTheCap) {
  std::vector<std::string> links = {"http://a/1", "http://a/very-long", "http://a/2", "http://a/3",
                                    "http://a/also-long", "http://a/4"};
  const LinkDrops drops = limit_links(links, 10, 3);
  EXPECT_THAT(links, ElementsAre("http://a/1", "http://a/2", "http://a/3"));
  EXPECT_EQ(drops.too_long, 2u);
  EXPECT_EQ(drops.over_cap, 1u);
  std::vector<std::string> few = {"http://a/1"};
  const LinkDrops none = limit_links(few, 10, 3);
  EXPECT_EQ(none.too_long + none.over_cap, 0u);
  EXPECT_EQ(few.size(), 1u);
}

class FetchLimitsTest : public ::testing::TestWithParam<FetchOptions::Mode> {
 protected:
  void SetUp() override {
    simweb::SiteConfig site;
    site.pages = 10;
    site.hosts = 1;
    server_ = std::make_unique<simweb::Server>(simweb::ServerConfig{}, site);
    port_ = server_->start();
  }
  void TearDown() override { server_->stop(); }
  FetchOptions options() const {
    FetchOptions o;
    o.mode = GetParam();
    o.resolve = {"*:" + std::to_string(port_) + ":127.0.0.1"};
    o.retries = 0;
    return o;
  }
  std::string origin() const { return "http://h0.sim:" + std::to_string(port_); }

  std::unique_ptr<simweb::Server> server_;
  std::uint16_t port_ = 0;
};

TEST_P(FetchLimitsTest, HeadersPastTheCapFailWithHeaderTooLarge) {
  FetchOptions o = options();
  o.max_header_bytes = 16 * 1024;
  const auto records = run_engine(o, {make_task(1, origin() + "/fault/headers/65536", true),
                                      make_task(2, origin() + "/fault/headers/8000", true)});
  EXPECT_EQ(records.at(1).error, FetchError::kHeaderTooLarge) << records.at(1).error_detail;
  EXPECT_EQ(records.at(1).error_detail, "response headers over 16384 bytes");
  EXPECT_TRUE(records.at(2).ok()) << records.at(2).error_detail;
}

TEST_P(FetchLimitsTest, DefaultHeaderCapStopsAMegabyteOfHeaders) {
  const auto records = run_engine(options(), {make_task(1, origin() + "/fault/headers/1048576", true)});
  EXPECT_EQ(records.at(1).error, FetchError::kHeaderTooLarge) << records.at(1).error_detail;
}

TEST_P(FetchLimitsTest, LinksPastThePageCapAreDroppedAndCounted) {
  FetchOptions o = options();
  o.max_links_per_page = 5;
  const auto records = run_engine(o, {make_task(1, origin() + "/fault/links/20/16", true)});
  const PageRecord& r = records.at(1);
  ASSERT_TRUE(r.ok()) << r.error_detail;
  ASSERT_EQ(r.links.size(), 5u);
  EXPECT_EQ(r.links.front(), origin() + "/l0-aaaaaaaaaaaa");  // document order: the first five
  EXPECT_EQ(r.links.back(), origin() + "/l4-aaaaaaaaaaaa");
  EXPECT_EQ(r.links_over_cap, 15u);
  EXPECT_EQ(r.links_too_long, 0u);
}

TEST_P(FetchLimitsTest, LinksLongerThanTheUrlLimitAreDroppedAndCounted) {
  FetchOptions o = options();
  o.max_url_length = static_cast<std::uint32_t>(origin().size() + 100);
  const auto records = run_engine(o, {make_task(1, origin() + "/fault/links/3/100", true),
                                      make_task(2, origin() + "/fault/links/3/101", true)});
  EXPECT_EQ(records.at(1).links.size(), 3u);  // exactly at the limit: kept
  EXPECT_EQ(records.at(1).links_too_long, 0u);
  EXPECT_TRUE(records.at(2).links.empty());
  EXPECT_EQ(records.at(2).links_too_long, 3u);
}

TEST_P(FetchLimitsTest, DefaultUrlLimitDropsLinksOver2048Bytes) {
  const auto records = run_engine(options(), {make_task(1, origin() + "/fault/links/2/2040", true),
                                              make_task(2, origin() + "/fault/links/2/1000", true)});
  EXPECT_EQ(records.at(1).links_too_long, 2u);
  EXPECT_EQ(records.at(2).links.size(), 2u);
}

TEST_P(FetchLimitsTest, RedirectsStopAtTheDefaultTen) {
  const auto records = run_engine(options(), {make_task(1, origin() + "/fault/redirect/10", true),
                                              make_task(2, origin() + "/fault/redirect/11", true)});
  EXPECT_TRUE(records.at(1).ok()) << records.at(1).error_detail;
  EXPECT_EQ(records.at(2).error, FetchError::kTooManyRedirects) << records.at(2).error_detail;
}

INSTANTIATE_TEST_SUITE_P(BothModes, FetchLimitsTest, test::kBothModes, test::mode_name);

}  // namespace
}  // namespace crawler
