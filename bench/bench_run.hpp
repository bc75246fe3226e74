#pragma once
/// One configuration of the benchmark and what one run of it measured.

#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/bench_process.hpp"
#include "bench/crawl_report.hpp"

namespace crawler::bench {

/// The concurrency models of the seed, plus the fetch-only tools shown beside them.
enum class Model { kSync, kAsync, kProcesses, kProcessesAsync, kCurl, kWget2 };

/// "sync", "async", "processes", "processes-async", "curl-parallel", "wget2".
std::string to_string(Model model);
/// True for the crawl's own models (not curl or wget2).
bool is_crawl(Model model);

/// What to run: one model at one latency with its concurrency settings.
struct RunSpec {
  Model model = Model::kAsync;
  int latency_ms = 0;
  int concurrency = 1;  ///< transfers in flight per engine (async models, and the tools)
  int workers = 0;      ///< worker processes (0: the engine runs in crawl's own process)
  int per_host = 2;     ///< crawl --per-host
  int think_ms = 0;     ///< crawl --think-ms
  std::size_t pages = 0;  ///< the first `pages` seeds of the site, crawled at depth 0
  std::string sweep;    ///< which part of the plan asked for it: base, concurrency, workers, chess

  /// Transfers in flight at most over the whole run: the bound's numerator.
  int in_flight() const;
  /// A short label: "async C=64", "processes N=2", "processes-async N=2 C=64".
  std::string label() const;
  /// Same model, latency, concurrency and workers (repeats and page counts aside).
  std::string key() const;
};

/// What one run measured.
struct RunRow {
  RunSpec spec;
  int repeat = 1;
  ProcessOutcome outcome;
  CrawlReport report;          ///< crawls only
  std::uint64_t pages_ok = 0;  ///< pages the run fetched successfully
  std::size_t lines = 0;       ///< result lines written (crawls)
  /// "yes": the lines equal simweb's manifest for these seeds; "no"; "n/a" (tools).
  std::string lines_match = "n/a";
  std::string error;  ///< why the run failed; empty when it did not

  double pages_per_s() const { return outcome.wall_s > 0 ? static_cast<double>(pages_ok) / outcome.wall_s : 0; }
  double cpu_ms_per_page() const { return pages_ok > 0 ? 1000.0 * outcome.cpu_s / static_cast<double>(pages_ok) : 0; }
};

}  // namespace crawler::bench
