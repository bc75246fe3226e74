// The wire codec: conversions round-trip, and bad frames are refused with a counted reason.
#include "proto/wire_codec.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crawler {
namespace {

PageRecord sample_record() {
  PageRecord r;
  r.task_id = 42;
  r.url = "http://h1.sim:8080/a/page-1.html?x=1";
  r.final_url = "http://h1.sim:8080/a/page-1b.html?x=1";
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.bytes = 12345;
  r.fetch_ms = 17.25;
  r.depth = 3;
  r.attempts = 2;
  r.error = FetchError::kNone;
  r.error_detail = "ok\twith tab";
  r.links = {"http://h1.sim:8080/b", "http://h2.sim:8080/\xc3\xa9", "http://h1.sim:8080/c?q=1"};
  r.links_too_long = 4;
  r.links_over_cap = 5;
  return r;
}

void expect_same(const PageRecord& a, const PageRecord& b) {
  EXPECT_EQ(a.task_id, b.task_id);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.final_url, b.final_url);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_DOUBLE_EQ(a.fetch_ms, b.fetch_ms);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.error_detail, b.error_detail);
  EXPECT_EQ(a.links, b.links);
  EXPECT_EQ(a.links_too_long, b.links_too_long);
  EXPECT_EQ(a.links_over_cap, b.links_over_cap);
}

/// A PageResult through a whole frame: encode, decode, convert back.
PageRecord through_frame(const PageRecord& in) {
  wire::Envelope envelope;
  to_wire(in, *envelope.mutable_result());
  const std::string frame = encode_frame(envelope);
  wire::Envelope out;
  EXPECT_EQ(decode_frame(frame, kDefaultMaxFrameBytes, out), FrameError::kNone);
  EXPECT_EQ(out.body_case(), wire::Envelope::kResult);
  return from_wire(out.result());
}

TEST(WireCodec, PageRecordRoundTripsThroughAFrame) {
  expect_same(through_frame(sample_record()), sample_record());
}

TEST(WireCodec, EveryFetchErrorRoundTrips) {
  for (int e = 0; e < static_cast<int>(kFetchErrorCount); ++e) {
    PageRecord r = sample_record();
    r.error = static_cast<FetchError>(e);
    r.links.clear();
    EXPECT_EQ(through_frame(r).error, r.error) << to_string(r.error);
  }
}

TEST(WireCodec, UnknownErrorValueReadsAsOther) {
  wire::PageResult result;
  result.set_error(static_cast<wire::FetchError>(77));
  EXPECT_EQ(from_wire(result).error, FetchError::kOther);
}

TEST(WireCodec, FetchTaskRoundTrips) {
  FetchTask t;
  t.id = 1ull << 40;
  t.url = "https://xn--bcher-kva.example/p?q=%20";
  t.depth = 7;
  t.check_robots = true;
  t.host_named_by_user = true;
  wire::Task w;
  to_wire(t, w);
  const FetchTask back = from_wire(w);
  EXPECT_EQ(back.id, t.id);
  EXPECT_EQ(back.url, t.url);
  EXPECT_EQ(back.depth, t.depth);
  EXPECT_EQ(back.check_robots, t.check_robots);
  EXPECT_EQ(back.host_named_by_user, t.host_named_by_user);
}

TEST(WireCodec, WelcomeCarriesCrawlWideSettingsAndLeavesLocalOnes) {
  FetchOptions crawl;
  crawl.user_agent = "test-agent/1";
  crawl.obey_robots = false;
  crawl.connect_timeout_ms = 1234;
  crawl.timeout_ms = 5678;
  crawl.low_speed_limit = 99;
  crawl.low_speed_time_s = 7;
  crawl.max_body = 4096;
  crawl.max_redirects = 3;
  crawl.retries = 5;
  crawl.retry_base_ms = 11;
  crawl.retry_after_max_ms = 22;
  crawl.delay_ms = 33;
  crawl.resolve = {"*:8080:127.0.0.1", "a.sim:80:127.0.0.2"};
  crawl.connect_to = {"a.sim:80:simweb:8080", "::web:80"};
  crawl.max_header_bytes = 5000;
  crawl.max_links_per_page = 77;
  crawl.max_url_length = 300;
  crawl.allow_hosts = {"coordinator.example"};  // the coordinator's guard flags do not travel
  crawl.allow_private = true;
  crawl.concurrency = 999;
  crawl.per_host = 9;
  crawl.parse_threads = 8;
  crawl.mode = FetchOptions::Mode::kSync;
  wire::Welcome welcome;
  to_wire(crawl, welcome);

  FetchOptions worker;
  worker.concurrency = 3;
  worker.per_host = 1;
  worker.parse_threads = 2;
  worker.mode = FetchOptions::Mode::kAsync;
  ASSERT_FALSE(apply_welcome(welcome, worker).has_value());
  EXPECT_EQ(worker.user_agent, crawl.user_agent);
  EXPECT_EQ(worker.obey_robots, crawl.obey_robots);
  EXPECT_EQ(worker.connect_timeout_ms, crawl.connect_timeout_ms);
  EXPECT_EQ(worker.timeout_ms, crawl.timeout_ms);
  EXPECT_EQ(worker.low_speed_limit, crawl.low_speed_limit);
  EXPECT_EQ(worker.low_speed_time_s, crawl.low_speed_time_s);
  EXPECT_EQ(worker.max_body, crawl.max_body);
  EXPECT_EQ(worker.max_redirects, crawl.max_redirects);
  EXPECT_EQ(worker.retries, crawl.retries);
  EXPECT_EQ(worker.retry_base_ms, crawl.retry_base_ms);
  EXPECT_EQ(worker.retry_after_max_ms, crawl.retry_after_max_ms);
  EXPECT_EQ(worker.delay_ms, crawl.delay_ms);
  EXPECT_EQ(worker.resolve, crawl.resolve);
  EXPECT_EQ(worker.connect_to, crawl.connect_to);
  EXPECT_EQ(worker.max_header_bytes, crawl.max_header_bytes);
  EXPECT_EQ(worker.max_links_per_page, crawl.max_links_per_page);
  EXPECT_EQ(worker.max_url_length, crawl.max_url_length);
  // The worker's own flags stay, the SSRF guard's among them.
  EXPECT_TRUE(worker.allow_hosts.empty());
  EXPECT_FALSE(worker.allow_private);
  EXPECT_EQ(worker.concurrency, 3);
  EXPECT_EQ(worker.per_host, 1);
  EXPECT_EQ(worker.parse_threads, 2);
  EXPECT_EQ(worker.mode, FetchOptions::Mode::kAsync);
}

TEST(WireCodec, WelcomeWithAnOutOfRangeValueIsRefusedAndChangesNothing) {
  wire::Welcome welcome;
  to_wire(FetchOptions{}, welcome);
  welcome.set_timeout_ms(0);
  FetchOptions worker;
  worker.user_agent = "mine";
  const auto problem = apply_welcome(welcome, worker);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("timeout_ms"), std::string::npos) << *problem;
  EXPECT_EQ(worker.user_agent, "mine");
}

TEST(WireCodec, WelcomeWithoutTheLimitsKeepsTheWorkersDefaults) {
  wire::Welcome welcome;
  to_wire(FetchOptions{}, welcome);
  welcome.clear_max_header_bytes();  // as from a coordinator that predates the fields
  welcome.clear_max_links_per_page();
  welcome.clear_max_url_length();
  FetchOptions worker;
  ASSERT_FALSE(apply_welcome(welcome, worker).has_value());
  EXPECT_EQ(worker.max_header_bytes, FetchOptions{}.max_header_bytes);
  EXPECT_EQ(worker.max_links_per_page, FetchOptions{}.max_links_per_page);
  EXPECT_EQ(worker.max_url_length, FetchOptions{}.max_url_length);
  welcome.set_max_url_length(10);  // below the command line's 64
  EXPECT_EQ(apply_welcome(welcome, worker).value_or(""), "max_url_length out of range");
}

TEST(WireCodec, OversizedFrameIsRefusedUnparsed) {
  wire::Envelope envelope;
  envelope.mutable_result()->set_url(std::string(5000, 'a'));
  const std::string frame = encode_frame(envelope);
  wire::Envelope out;
  EXPECT_EQ(decode_frame(frame, 4096, out), FrameError::kTooLarge);
  EXPECT_EQ(decode_frame(frame, frame.size(), out), FrameError::kNone);
}

TEST(WireCodec, GarbageIsRefusedAsUnparsable) {
  wire::Envelope out;
  EXPECT_EQ(decode_frame("\xff\xfe garbage frame", kDefaultMaxFrameBytes, out),
            FrameError::kUnparsable);
  EXPECT_EQ(decode_frame(std::string("\x0a\x05hi", 4), kDefaultMaxFrameBytes, out),
            FrameError::kUnparsable);
}

TEST(WireCodec, OtherProtocolVersionIsRefused) {
  wire::Envelope envelope;
  envelope.mutable_hello()->set_worker_id("w0");
  envelope.set_version(99);
  wire::Envelope out;
  EXPECT_EQ(decode_frame(envelope.SerializeAsString(), kDefaultMaxFrameBytes, out),
            FrameError::kBadVersion);
  // A missing version (0, e.g. an empty frame) is refused the same way.
  EXPECT_EQ(decode_frame("", kDefaultMaxFrameBytes, out), FrameError::kBadVersion);
}

TEST(WireCodec, EnvelopeWithoutABodyIsRefused) {
  wire::Envelope envelope;
  const std::string frame = encode_frame(envelope);
  wire::Envelope out;
  EXPECT_EQ(decode_frame(frame, kDefaultMaxFrameBytes, out), FrameError::kNoBody);
}

TEST(WireCodec, RefusedFramesAreCountedByReason) {
  RefusedFrames refused;
  EXPECT_EQ(refused.summary(), "0");
  refused.count(FrameError::kNone);
  refused.count(FrameError::kUnparsable);
  refused.count(FrameError::kTooLarge);
  refused.count(FrameError::kBadVersion);
  refused.count(FrameError::kBadVersion);
  EXPECT_EQ(refused.total(), 4u);
  EXPECT_EQ(refused.of(FrameError::kBadVersion), 2u);
  EXPECT_EQ(refused.summary(), "4 (1 too_large, 1 unparsable, 2 bad_version)");
}

TEST(WireCodec, FitLinksCutsLinksUntilTheResultFits) {
  PageRecord r = sample_record();
  r.links.clear();
  for (int i = 0; i < 1000; ++i)
    r.links.push_back("http://h1.sim/page-" + std::to_string(i) + ".html");
  wire::Envelope envelope;
  auto* result = envelope.mutable_result();
  to_wire(r, *result);
  const std::size_t cap = 8 * 1024;
  const std::size_t dropped = fit_links(*result, cap);
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(result->links_size() + dropped, 1000u);
  EXPECT_EQ(result->links_over_cap(), r.links_over_cap + dropped);  // counted in the summary
  EXPECT_LE(encode_frame(envelope).size(), cap);
  // The links kept are the first ones, in order.
  EXPECT_EQ(result->links(0), r.links[0]);
  // A result that fits is left alone.
  EXPECT_EQ(fit_links(*result, cap), 0u);
}

}  // namespace
}  // namespace crawler
