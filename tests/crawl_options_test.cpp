#include "coordinator/crawl_options.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "coordinator/fingerprint_set.hpp"

namespace crawler {
namespace {

// Journals written before the seeds were streamed hold this digest: the streamed form must give
// the same, or they could not be resumed.
TEST(CrawlOptions, TheCrawlIdDigestsTheLimitsAndSeedsAsItAlwaysDid) {
  CrawlOptions o;
  o.depth = 3;
  o.scope = "domain";
  o.max_pages = 7;
  o.include = {"/a/"};
  o.exclude = {"\\.pdf$"};
  const std::string all = "v1|3|domain|7|0|i:/a/|e:\\.pdf$|s:http://a.test/|s:http://b.test/x";
  char expected[32];
  std::snprintf(expected, sizeof expected, "%016llx",
                static_cast<unsigned long long>(FingerprintSet::fingerprint(all)));
  EXPECT_EQ(o.crawl_id({"http://a.test/", "http://b.test/x"}), expected);
  CrawlIdDigest digest(o);
  digest.add_seed("http://a.test/");
  digest.add_seed("http://b.test/x");
  EXPECT_EQ(digest.finish(), expected);
  // Any other seed or limit gives another id.
  EXPECT_NE(o.crawl_id({"http://a.test/"}), expected);
  o.depth = 4;
  EXPECT_NE(o.crawl_id({"http://a.test/", "http://b.test/x"}), expected);
}

}  // namespace
}  // namespace crawler
