// crawl-bench's own logic: lag quantiles, the crawl summary parser, bounds and efficiency,
// the process-tree RSS sampler, and the busy CPU of --think-ms. The benchmark itself runs as
// the ctest entry crawl_bench.models_quick (bench/CMakeLists.txt).
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>

#include "bench/bench_process.hpp"
#include "bench/crawl_report.hpp"
#include "bench/process_tree_rss.hpp"
#include "bench/result_table.hpp"
#include "common/busy_cpu.hpp"
#include "common/lag_quantiles.hpp"

namespace crawler {
namespace {

TEST(LagQuantiles, AnswersNearestRankQuantilesOverEverySample) {
  LagQuantiles q;
  for (int i = 1; i <= 100; ++i) q.observe(i / 1000.0);  // 1 .. 100 ms
  EXPECT_DOUBLE_EQ(q.quantile(0.50), 0.050);
  EXPECT_DOUBLE_EQ(q.quantile(0.99), 0.099);
  EXPECT_DOUBLE_EQ(q.quantile(1.0), 0.100);
  EXPECT_DOUBLE_EQ(q.max(), 0.100);
  EXPECT_EQ(q.count(), 100u);
  EXPECT_EQ(q.summary(), "p50 50.00 ms, p99 99.00 ms, max 100.00 ms (100 samples)");
}

TEST(LagQuantiles, StaysBoundedAndKeepsTheExactMaximum) {
  LagQuantiles q(64);
  for (int i = 0; i < 100000; ++i) q.observe((i % 10) / 1000.0);
  q.observe(5.0);
  q.observe(-1.0);  // counts as 0
  EXPECT_EQ(q.count(), 100002u);
  EXPECT_DOUBLE_EQ(q.max(), 5.0);
  EXPECT_LE(q.quantile(0.5), 0.009);
  EXPECT_EQ(LagQuantiles().summary(), "no samples");
}

TEST(CrawlReport, ReadsTheSummaryAndEveryWorkersLagLine) {
  const std::string text =
      "worker w0 loop lag p50 0.10 ms, p99 2.50 ms, max 9.00 ms (300 samples)\n"
      "worker w1 loop lag p50 0.30 ms, p99 1.50 ms, max 4.00 ms (280 samples)\n"
      "worker w2 loop lag p50 0.20 ms, p99 7.50 ms, max 8.00 ms (290 samples)\n"
      "pages       718 ok, 2 failed\n"
      "  failed    timeout              2\n"
      "loop lag    p50 0.05 ms, p99 0.90 ms, max 1.20 ms (410 samples)\n";
  const bench::CrawlReport r = bench::CrawlReport::parse(text);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.pages_ok, 718u);
  EXPECT_EQ(r.pages_failed, 2u);
  EXPECT_DOUBLE_EQ(r.crawl_lag.p99_ms, 0.90);
  ASSERT_EQ(r.workers.size(), 3u);
  EXPECT_EQ(r.workers[1].who, "w1");
  const bench::LoopLag engines = r.engine_lag();  // median p50, worst p99
  EXPECT_DOUBLE_EQ(engines.p50_ms, 0.20);
  EXPECT_DOUBLE_EQ(engines.p99_ms, 7.50);
  EXPECT_EQ(engines.samples, 870u);
}

TEST(CrawlReport, WithoutWorkersTheEngineIsTheCrawlItselfAndNoPagesLineIsIncomplete) {
  const auto r = bench::CrawlReport::parse("loop lag    p50 1.00 ms, p99 60.00 ms, max 61.00 ms (9 samples)\n");
  EXPECT_FALSE(r.complete);
  EXPECT_DOUBLE_EQ(r.engine_lag().p99_ms, 60.0);
}

bench::RunRow row(bench::Model model, int latency, int c, double wall_s, std::uint64_t pages) {
  bench::RunRow r;
  r.spec.model = model;
  r.spec.latency_ms = latency;
  r.spec.concurrency = c;
  r.spec.pages = pages;
  r.pages_ok = pages;
  r.outcome.wall_s = wall_s;
  return r;
}

TEST(ResultTable, TheBoundIsTheSmallerOfInFlightOverLatencyAndTheRateAtLatencyZero) {
  bench::ResultTable table;
  table.add(row(bench::Model::kAsync, 0, 64, 1.0, 1000));   // 1000 pages/s at 0 ms
  table.add(row(bench::Model::kAsync, 0, 64, 2.0, 1000));   // 500: median of 1000/500/800 is 800
  table.add(row(bench::Model::kAsync, 0, 64, 1.25, 1000));  // 800
  table.add(row(bench::Model::kAsync, 50, 64, 1.0, 1000));  // 64 / 50 ms = 1280 > 800: CPU-bound
  table.add(row(bench::Model::kAsync, 200, 64, 4.0, 1000)); // 64 / 200 ms = 320 < 800
  auto failed = row(bench::Model::kAsync, 200, 64, 1.0, 1000);
  failed.error = "exit status 1";
  table.add(failed);
  const auto s = table.summaries();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].pages_per_s, 800);
  EXPECT_DOUBLE_EQ(s[0].bound, 800);
  EXPECT_DOUBLE_EQ(s[1].bound, 800);
  EXPECT_DOUBLE_EQ(s[1].efficiency, 1.25);
  EXPECT_DOUBLE_EQ(s[2].bound, 320);
  EXPECT_DOUBLE_EQ(s[2].efficiency, 250.0 / 320.0);
  EXPECT_EQ(s[2].runs, 1);
  EXPECT_EQ(s[2].failed, 1);
}

TEST(ProcessTreeRss, SumsTheChildAndItsChildren) {
  // A shell with two children that run until the group is stopped (no timing involved).
  bench::BenchProcess shell({"sh", "-c", "sleep 600 & sleep 600 & wait"}, "", "");
  bench::ProcessTreeRss tree(shell.pid());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (tree.processes() < 3 && std::chrono::steady_clock::now() < until) tree.sample();
  EXPECT_EQ(tree.processes(), 3);
  EXPECT_GT(tree.peak_kb(), 0u);
  const bench::ProcessOutcome o = shell.stop();  // SIGTERM to the whole group
  EXPECT_NE(o.exit_code, -1);
}

TEST(BenchProcess, AMissingProgramIsAClearError) {
  try {
    bench::BenchProcess p({"/nonexistent/crawl"}, "", "");
    FAIL() << "started a missing program";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot run /nonexistent/crawl"), std::string::npos) << e.what();
  }
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

TEST(BurnCpu, UsesAtLeastTheCpuTimeAskedFor) {
  const double before = thread_cpu_seconds();
  burn_cpu(std::chrono::milliseconds(20));
  EXPECT_GE(thread_cpu_seconds() - before, 0.020);
  burn_cpu(std::chrono::microseconds(0));  // returns at once
}

}  // namespace
}  // namespace crawler
