#pragma once
/// Measures how late the event loop runs a timer: the time a ready handler waits because the
/// loop thread is busy (parsing on the loop, a long callback, a blocking call).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "common/lag_quantiles.hpp"
#include "common/metrics.hpp"

namespace crawler {

/// The interval crawl and crawl-worker measure at: fine enough that a run of a few seconds
/// yields hundreds of samples for its p50/p99, at 100 wake-ups a second.
inline constexpr std::chrono::milliseconds kLagProbeInterval{10};

/// Every `interval`, a steady_timer fires and records how long after its due time it ran, as
/// crawler_event_loop_lag_seconds (histogram) and crawler_event_loop_lag_last_seconds (gauge),
/// and keeps the samples for exact quantiles (quantiles(): the crawl's summary prints p50/p99).
/// Loop thread only; costs one timer wake-up per interval.
class LoopLagProbe {
 public:
  /// Registers the metrics in `metrics`, which must outlive the probe.
  LoopLagProbe(boost::asio::io_context& io, MetricsRegistry& metrics,
               std::chrono::milliseconds interval = std::chrono::milliseconds(100));

  /// Starts measuring (again after stop()).
  void start();
  /// Cancels the timer: afterwards the probe holds no work on the io_context.
  void stop();

  /// Every lag measured so far (read on the loop thread, or after it stopped).
  const LagQuantiles& quantiles() const { return quantiles_; }

 private:
  void arm();
  void on_timer(boost::system::error_code ec);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point due_;
  Histogram& lag_;
  Gauge& last_;
  LagQuantiles quantiles_;
  bool running_ = false;
};

}  // namespace crawler
