#pragma once
/// Exact-then-sampled quantiles of event-loop lag, for a crawl's final summary.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crawler {

/// Keeps lag observations (seconds) and answers quantiles over all of them. Memory is bounded:
/// the first `capacity` observations are kept as they are; after that each new one replaces a
/// kept one with probability capacity/seen (reservoir sampling, a fixed-seed generator), so the
/// quantiles stay an unbiased estimate. The maximum is always exact. Not thread-safe: one
/// thread (the loop's) observes; read after it has stopped, or from the same thread.
class LagQuantiles {
 public:
  /// `capacity` 0 is treated as 1.
  explicit LagQuantiles(std::size_t capacity = 65536);

  /// Records one lag; negative values count as 0, NaN is ignored.
  void observe(double seconds);

  /// The q-quantile (0 <= q <= 1, clamped) by the nearest-rank method; 0 with no samples.
  double quantile(double q) const;
  double max() const { return max_; }
  /// Observations seen (not only those kept).
  std::uint64_t count() const { return seen_; }

  /// "p50 0.06 ms, p99 1.20 ms, max 3.10 ms (310 samples)", or "no samples".
  std::string summary() const;

 private:
  std::size_t capacity_;
  std::vector<double> samples_;
  std::uint64_t seen_ = 0;
  std::uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
  double max_ = 0;
};

}  // namespace crawler
