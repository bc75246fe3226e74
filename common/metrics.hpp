#pragma once
/// A small Prometheus metrics registry: counters, gauges and fixed-bucket histograms that any
/// thread may update (lock-free atomics), and render() in the text exposition format 0.0.4.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace crawler {

/// Label pairs of one series, rendered in the given order: {{"outcome", "ok"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

/// Upper bounds (seconds) for request latencies: 5 ms .. 60 s.
inline const std::vector<double> kLatencyBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                 1,     2.5,  5,     10,   30,  60};
/// Upper bounds (seconds) for event-loop lag: 1 ms .. 5 s.
inline const std::vector<double> kLagBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

/// A monotonically increasing count. Thread-safe.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Thread-safe.
class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) noexcept;
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Counts observations into fixed buckets. Thread-safe; observe() takes no lock.
class Histogram {
 public:
  /// `upper_bounds` must be finite and strictly increasing (may be empty: only +Inf);
  /// throws std::invalid_argument otherwise. The +Inf bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);

  /// Counts `v` in the first bucket whose bound is >= v (NaN is ignored).
  void observe(double v) noexcept;

  /// A copy of the state. `cumulative[i]` counts observations <= bounds[i]; the last entry
  /// (one more than bounds) is the +Inf bucket, and equals `count`.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  ///< bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

/// Owns the metrics of one process and renders them. Registration takes a lock and returns a
/// reference that stays valid as long as the registry; updates through it are lock-free.
/// Registering the same name and labels again returns the same series; the same name with
/// another type, help text or bucket layout, or a malformed name, throws std::invalid_argument.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(const std::string& name, const std::string& help,
                   const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& upper_bounds, const MetricLabels& labels = {});

  /// A gauge (or counter) whose value `read` returns when rendered. `read` runs on the thread
  /// that calls render(): the status server renders on its event loop, so `read` may look at
  /// state owned by that loop. It must outlive the registry's last render().
  void gauge_fn(const std::string& name, const std::string& help, std::function<double()> read,
                const MetricLabels& labels = {});
  void counter_fn(const std::string& name, const std::string& help, std::function<double()> read,
                  const MetricLabels& labels = {});

  /// Every family in registration order, each with its # HELP and # TYPE lines, in the
  /// Prometheus text format (version 0.0.4). Label values and help text are escaped.
  std::string render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series;
  struct Family;
  Series& series(const std::string& name, const std::string& help, Type type,
                 const MetricLabels& labels, const std::vector<double>* bounds);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

/// Formats a sample value as Prometheus expects: integers without a fraction, "+Inf", "NaN".
std::string format_metric_value(double v);

}  // namespace crawler
