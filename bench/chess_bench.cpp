#include "bench/chess_bench.hpp"

#include <cstdio>

#include "bench/machine.hpp"
#include "bench/model_runner.hpp"
#include "bench/result_table.hpp"
#include "bench/simweb_site.hpp"

namespace crawler::bench {

ChessBench::ChessBench(ChessOptions options) : options_(std::move(options)) {
  if (options_.workers <= 0) options_.workers = cores();
}

int ChessBench::run() {
  const auto& o = options_;
  const int pages = o.hosts * o.pages_per_host;
  SiteConfig config;
  config.pages = pages;  // page i lives on host i % hosts: pages_per_host each
  config.hosts = o.hosts;
  config.latency_ms = o.latency_ms;
  SimwebSite site(o.bin_dir / "simweb", o.work_dir, config);
  ModelRunner runner(o.bin_dir, o.work_dir);

  std::printf("chess: %d hosts x %d pages = %d pages (games x moves), %d ms server latency (the opponents' move),\n"
              "       %d ms of busy CPU per page in the parse pool (the master's thinking, --think-ms)\n",
              o.hosts, o.pages_per_host, pages, o.latency_ms, o.think_ms);
  std::printf("       %d cores, load average %s (above the core count, thinking takes longer than its CPU time)\n",
              cores(), load_average().c_str());
  std::fflush(stdout);

  std::vector<RunSpec> specs;
  for (Model model : {Model::kSync, Model::kAsync, Model::kProcessesAsync}) {
    RunSpec s;
    s.model = model;
    s.latency_ms = o.latency_ms;
    s.think_ms = o.think_ms;
    s.pages = static_cast<std::size_t>(pages);
    s.per_host = 1;  // one board per opponent
    s.concurrency = o.hosts;
    s.workers = model == Model::kProcessesAsync ? o.workers : 0;
    s.sweep = "chess";
    specs.push_back(s);
  }
  {
    // Untimed: simweb compresses each page once and caches it; no run should pay for that.
    RunSpec warm = specs[1];
    warm.think_ms = 0;
    warm.per_host = 4;
    warm.concurrency = 256;
    const RunRow row = runner.run(warm, site, 0);
    if (!row.error.empty()) std::fprintf(stderr, "warm-up failed: %s\n", row.error.c_str());
  }
  ResultTable table;
  bool failed = false;
  for (int repeat = 1; repeat <= o.repeat; ++repeat) {
    for (const RunSpec& spec : specs) {
      RunRow row = runner.run(spec, site, repeat);
      if (!row.error.empty()) {
        failed = true;
        std::fprintf(stderr, "%s failed: %s\n", spec.label().c_str(), row.error.c_str());
      } else {
        std::fprintf(stderr, "  run %d: %-26s %7.2f s\n", repeat, spec.label().c_str(), row.outcome.wall_s);
      }
      table.add(std::move(row));
    }
  }
  std::filesystem::create_directories(o.results_dir);
  table.write_runs_csv(o.results_dir / "chess.csv");

  std::vector<double> wall[3];
  for (const RunRow& row : table.rows()) {
    if (!row.error.empty()) continue;
    const int i = row.spec.model == Model::kSync ? 0 : row.spec.model == Model::kAsync ? 1 : 2;
    wall[i].push_back(row.outcome.wall_s);
  }
  const double sync_s = median(wall[0]);
  const double async_s = median(wall[1]);
  const double procs_s = median(wall[2]);
  const double predicted_sync = pages * (o.latency_ms + o.think_ms) / 1000.0;
  const double predicted_async = pages * o.think_ms / 1000.0;
  const double predicted_procs = predicted_async / o.workers;
  std::printf("sync             %7.2f s   prediction %d x (%d + %d) ms = %.1f s: one game at a time\n", sync_s,
              pages, o.latency_ms, o.think_ms, predicted_sync);
  std::printf("async            %7.2f s   prediction %d x %d ms = %.1f s: thinking serialised on one parse thread\n",
              async_s, pages, o.think_ms, predicted_async);
  std::printf("processes-async  %7.2f s   N=%d workers think in parallel: %.1f s if the cores are free\n", procs_s,
              o.workers, predicted_procs);
  const double ratio = async_s > 0 ? sync_s / async_s : 0;
  std::printf("load average now %s\n", load_average().c_str());
  const double predicted = static_cast<double>(o.latency_ms + o.think_ms) / o.think_ms;
  std::printf("ratio sync/async %.2f (medians of %d runs); prediction (%d + %d) / %d = %.1f, the seed's 12 h / 1 h\n",
              ratio, o.repeat, o.latency_ms, o.think_ms, o.think_ms, predicted);
  std::printf("rows: %s\n", (o.results_dir / "chess.csv").c_str());
  std::printf("chess_ratio=%.2f\n", ratio);
  return failed ? 1 : 0;
}

}  // namespace crawler::bench
