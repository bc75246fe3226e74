#pragma once
/// `crawl-bench models`: the same crawl under sync, async, processes and processes x async.

#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_run.hpp"
#include "bench/result_table.hpp"

namespace crawler::bench {

/// What `crawl-bench models` runs (see --help for the defaults).
struct ModelsOptions {
  std::filesystem::path bin_dir;      ///< crawl, crawl-worker, simweb
  std::filesystem::path results_dir;  ///< CSV and PNG files go here
  std::filesystem::path work_dir;     ///< scratch (sites, results files); removed by the caller
  std::vector<int> latencies{0, 10, 50, 200};  ///< every model's base configuration at each
  std::vector<int> concurrency{1, 4, 16, 64, 256};  ///< C sweep (async, processes-async)
  std::vector<int> workers;           ///< N sweep (processes, processes-async); default 1..2*cores
  int sweep_latency = 50;             ///< sweeps run at 0 ms and at this latency
  int base_concurrency = 64;
  int base_workers = 0;               ///< 0: the number of cores
  int pages = 2000;
  int hosts = 100;
  int repeat = 3;
  double seconds = 2.0;  ///< latency-bound runs crawl about bound x this many seconds of pages
  bool tools = true;     ///< curl --parallel and wget2 beside the crawl
  bool plots = true;
  bool quick = false;    ///< the CI smoke: one small site, latency 0, each model once

  /// Applies --quick and fills the defaults that depend on the machine (cores).
  void finish_defaults();
};

/// Plans the runs, starts one simweb per latency and warms it with one untimed crawl (simweb
/// caches each page's gzip body), runs every configuration `repeat` times
/// (all configurations in turn, then again: noise from the machine spreads over all of them),
/// checks every crawl's lines against simweb's manifest, prints a table of medians with the
/// bound and efficiency of each model, writes models-runs.csv and models-summary.csv (and
/// PNG plots with gnuplot) in results_dir.
class ModelsBench {
 public:
  explicit ModelsBench(ModelsOptions options);

  /// The configurations, in the order they run in each round.
  std::vector<RunSpec> plan() const;
  /// Runs everything. Returns 0 when every crawl ran and wrote exactly the manifest's lines,
  /// 1 otherwise (the CSV is written either way). Throws std::runtime_error (exit 2) when
  /// simweb or a program cannot start.
  int run();

 private:
  std::size_t pages_for(const RunSpec& spec) const;
  void print_table(const ResultTable& table) const;

  ModelsOptions options_;
};

}  // namespace crawler::bench
