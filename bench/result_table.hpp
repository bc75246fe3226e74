#pragma once
/// Every run of a benchmark, its medians per configuration, and the CSV files.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_run.hpp"

namespace crawler::bench {

/// The medians of one configuration's successful runs.
struct ConfigSummary {
  RunSpec spec;            ///< of the first run (pages may differ between latencies, not repeats)
  int runs = 0;            ///< successful runs
  int failed = 0;          ///< runs with an error
  double pages_per_s = 0;  ///< median
  double cpu_ms_per_page = 0;
  double peak_rss_mb = 0;
  double lag_p50_ms = 0;   ///< median of the engines' p50 (see CrawlReport::engine_lag)
  double lag_p99_ms = 0;   ///< median of the engines' worst p99
  double bound = 0;        ///< pages/s: min(in flight / latency, the CPU-bound rate); 0 unknown
  double efficiency = 0;   ///< pages_per_s / bound; 0 when the bound is unknown
  std::string bound_note;  ///< how the bound was found
};

/// Rows in the order they ran; summaries keyed by RunSpec::key(), in first-run order.
class ResultTable {
 public:
  void add(RunRow row);
  const std::vector<RunRow>& rows() const { return rows_; }

  /// Medians per configuration. The bound of a configuration at latency L > 0 is
  /// min(in_flight / L, R0) where R0 is the median pages/s of the same configuration at
  /// latency 0; at latency 0 the bound is R0 itself (efficiency 1 by definition, up to noise);
  /// without a latency-0 run the bound is in_flight / L alone. With --think-ms T the CPU per
  /// page is known instead: sync engines in_flight / (L + T), async min(in_flight / L, engines / T).
  std::vector<ConfigSummary> summaries() const;

  /// Every run, one line each (header first). Throws std::runtime_error when it cannot write.
  void write_runs_csv(const std::filesystem::path& file) const;
  /// One line per configuration (medians, bound, efficiency).
  void write_summary_csv(const std::filesystem::path& file) const;

 private:
  std::vector<RunRow> rows_;
};

/// The median of `values` (0 when empty).
double median(std::vector<double> values);

}  // namespace crawler::bench
