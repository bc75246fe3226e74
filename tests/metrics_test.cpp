// The metrics registry: exposition format, escaping, registration rules, thread safety; and
// the MeteredSink and LoopLagProbe that feed it.
#include "common/metrics.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "common/loop_lag_probe.hpp"
#include "common/metered_sink.hpp"
#include "common/service_telemetry.hpp"

namespace crawler {
namespace {

TEST(Metrics, RendersCountersAndGaugesWithHelpAndType) {
  MetricsRegistry m;
  m.counter("crawler_pages_total", "Pages finished", {{"outcome", "ok"}}).inc(3);
  m.counter("crawler_pages_total", "Pages finished", {{"outcome", "dns"}}).inc();
  m.gauge("crawler_frontier_queued", "URLs waiting").set(2.5);
  EXPECT_EQ(m.render(),
            "# HELP crawler_pages_total Pages finished\n"
            "# TYPE crawler_pages_total counter\n"
            "crawler_pages_total{outcome=\"ok\"} 3\n"
            "crawler_pages_total{outcome=\"dns\"} 1\n"
            "# HELP crawler_frontier_queued URLs waiting\n"
            "# TYPE crawler_frontier_queued gauge\n"
            "crawler_frontier_queued 2.5\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeAndEndWithInf) {
  MetricsRegistry m;
  auto& h = m.histogram("lat_seconds", "Latency", {0.5, 1}, {{"kind", "a"}});
  h.observe(0.25);
  h.observe(0.5);  // on the bound: counts in that bucket (le is "less or equal")
  h.observe(0.75);
  h.observe(7);
  h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  EXPECT_EQ(m.render(),
            "# HELP lat_seconds Latency\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{kind=\"a\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{kind=\"a\",le=\"1\"} 3\n"
            "lat_seconds_bucket{kind=\"a\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{kind=\"a\"} 8.5\n"
            "lat_seconds_count{kind=\"a\"} 4\n");
}

TEST(Metrics, EscapesLabelValuesAndHelpText) {
  MetricsRegistry m;
  m.counter("c_total", "line one\nback\\slash", {{"url", "a\"b\\c\nd"}}).inc();
  EXPECT_EQ(m.render(),
            "# HELP c_total line one\\nback\\\\slash\n"
            "# TYPE c_total counter\n"
            "c_total{url=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, FormatsValuesAsPrometheusReadsThem) {
  EXPECT_EQ(format_metric_value(3), "3");
  EXPECT_EQ(format_metric_value(0.1), "0.1");
  EXPECT_EQ(format_metric_value(-2.25), "-2.25");
  EXPECT_EQ(format_metric_value(1e21), "1e+21");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(Metrics, SameNameAndLabelsGiveTheSameSeries) {
  MetricsRegistry m;
  auto& a = m.counter("x_total", "X", {{"k", "v"}});
  auto& b = m.counter("x_total", "X", {{"k", "v"}});
  auto& c = m.counter("x_total", "X", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(Metrics, RefusesMalformedOrConflictingRegistrations) {
  MetricsRegistry m;
  m.counter("x_total", "X");
  EXPECT_THROW(m.gauge("x_total", "X"), std::invalid_argument);    // other type
  EXPECT_THROW(m.counter("x_total", "Y"), std::invalid_argument);  // other help
  EXPECT_THROW(m.counter("9lives", "X"), std::invalid_argument);   // bad name
  EXPECT_THROW(m.counter("has space", "X"), std::invalid_argument);
  EXPECT_THROW(m.counter("ok_total", "X", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok_total", "X", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(m.histogram("h", "H", {1, 1}), std::invalid_argument);  // not increasing
  EXPECT_THROW(m.histogram("h2", "H", {std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  EXPECT_THROW(m.histogram("h3", "H", {1}, {{"le", "x"}}), std::invalid_argument);
  m.histogram("h4", "H", {1, 2});
  EXPECT_THROW(m.histogram("h4", "H", {1, 3}), std::invalid_argument);  // other buckets
}

TEST(Metrics, GaugeFunctionsAreReadWhenRendered) {
  MetricsRegistry m;
  double queued = 1;
  m.gauge_fn("q", "Queued", [&] { return queued; });
  EXPECT_NE(m.render().find("\nq 1\n"), std::string::npos);
  queued = 42;
  EXPECT_NE(m.render().find("\nq 42\n"), std::string::npos);
}

TEST(Metrics, CountsExactlyUnderConcurrentUpdates) {
  MetricsRegistry m;
  auto& c = m.counter("n_total", "N");
  auto& g = m.gauge("g", "G");
  auto& h = m.histogram("h", "H", {0.5});
  constexpr int kThreads = 4;
  constexpr int kEach = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        c.inc();
        g.add(1);
        h.observe(i % 2 == 0 ? 0.25 : 1.0);
        if (i % 10'000 == 0) (void)m.render();  // rendering while others update is safe
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), std::uint64_t{kThreads} * kEach);
  EXPECT_EQ(g.value(), double{kThreads} * kEach);
  const auto snap = h.snapshot();
  EXPECT_EQ(snap.count, std::uint64_t{kThreads} * kEach);
  EXPECT_EQ(snap.cumulative[0], std::uint64_t{kThreads} * kEach / 2);
  EXPECT_DOUBLE_EQ(snap.sum, kThreads * kEach / 2 * 1.25);
}

/// A sink that answers each task at once with a record made by `make`.
class FakeSink : public TaskSink {
 public:
  std::function<PageRecord(const FetchTask&)> make;
  void submit(FetchTask task, Callback done) override { done(make(task)); }
  std::size_t outstanding() const override { return 7; }
  std::size_t in_flight() const override { return 3; }
  void cancel_all() override {}
};

TEST(MeteredSink, CountsPagesByOutcomeBytesLatencyAndRetries) {
  MetricsRegistry m;
  auto fake = std::make_unique<FakeSink>();
  fake->make = [](const FetchTask& t) {
    PageRecord r;
    r.task_id = t.id;
    r.bytes = 1000;
    r.fetch_ms = 20;
    r.attempts = t.id == 2 ? 3 : 1;
    if (t.id == 2) r.error = FetchError::kTimeout;
    if (t.id == 3) {
      r.error = FetchError::kRobots;  // nothing fetched: no latency sample
      r.attempts = 0;
      r.bytes = 0;
    }
    return r;
  };
  MeteredSink sink(std::move(fake), m);
  int answered = 0;
  for (std::uint64_t id = 1; id <= 3; ++id)
    sink.submit(FetchTask{id, "http://a/", 0, false}, [&](PageRecord) { ++answered; });
  EXPECT_EQ(answered, 3);
  const std::string text = m.render();
  EXPECT_NE(text.find("crawler_pages_total{outcome=\"ok\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_pages_total{outcome=\"timeout\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_pages_total{outcome=\"robots\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_pages_total{outcome=\"dns\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_bytes_total 2000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_fetch_retries_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_fetch_duration_seconds_bucket{le=\"0.025\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("crawler_fetch_duration_seconds_count 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_tasks_outstanding 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_tasks_in_flight 3\n"), std::string::npos) << text;
}

TEST(MeteredSink, GaugesReadZeroOnceTheSinkIsGoneAndANewOneTakesOver) {
  MetricsRegistry m;
  auto first = std::make_unique<MeteredSink>(std::make_unique<FakeSink>(), m);
  first.reset();  // e.g. a worker's engine after its coordinator went away
  EXPECT_NE(m.render().find("crawler_tasks_in_flight 0\n"), std::string::npos);
  MeteredSink second(std::make_unique<FakeSink>(), m);
  EXPECT_NE(m.render().find("crawler_tasks_in_flight 3\n"), std::string::npos);
}

TEST(LoopLagProbe, MeasuresHowLongABusyLoopDelaysItsTimer) {
  boost::asio::io_context io;
  MetricsRegistry m;
  LoopLagProbe probe(io, m, std::chrono::milliseconds(10));
  probe.start();
  // Holds the loop thread past the probe's due time, as a long CPU-bound handler would.
  boost::asio::post(io, [] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until) {
    }
  });
  auto& lag = m.histogram("crawler_event_loop_lag_seconds",
                          "How late the event loop ran a periodic timer (time its handler waited)",
                          kLagBuckets);
  boost::asio::steady_timer stop(io);
  stop.expires_after(std::chrono::milliseconds(400));
  stop.async_wait([&](boost::system::error_code) { probe.stop(); });
  io.run();  // returns only because stop() leaves the probe no pending work
  const auto snap = lag.snapshot();
  ASSERT_GT(snap.count, 0u);
  // At least one sample saw the 300 ms block: some count lies above the 0.1 s bound.
  const std::size_t le_100ms = 5;
  ASSERT_EQ(snap.bounds[le_100ms], 0.1);
  EXPECT_LT(snap.cumulative[le_100ms], snap.count);
  EXPECT_GE(snap.sum, 0.15);
}

TEST(ServiceTelemetry, AddsItsFlagsAndLeavesTheLoopFreeAfterStop) {
  boost::asio::io_context io(1);
  CLI::App app;
  ServiceTelemetry telemetry(app);
  const char* argv[] = {"prog", "--metrics-listen", "127.0.0.1:0"};
  app.parse(3, argv);
  EXPECT_EQ(telemetry.listen(), "127.0.0.1:0");
  EXPECT_FALSE(telemetry.check_config(app).has_value());  // no --check-config: the program goes on
  telemetry.start(io, [] { return true; });
  telemetry.stop();
  io.run();  // returns: neither the server nor the lag probe holds work any more
  EXPECT_NE(telemetry.metrics().render().find("crawler_event_loop_lag_seconds"), std::string::npos);
}

TEST(ServiceTelemetry, RefusesAMalformedListenAddress) {
  CLI::App app;
  ServiceTelemetry telemetry(app);
  const char* argv[] = {"prog", "--metrics-listen", "localhost:9090"};
  EXPECT_THROW(app.parse(3, argv), CLI::ValidationError);
}

}  // namespace
}  // namespace crawler
