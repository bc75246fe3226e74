#pragma once
/// Measures how late the event loop runs a timer: the time a ready handler waits because the
/// loop thread is busy (parsing on the loop, a long callback, a blocking call).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "common/metrics.hpp"

namespace crawler {

/// Every `interval`, a steady_timer fires and records how long after its due time it ran, as
/// crawler_event_loop_lag_seconds (histogram) and crawler_event_loop_lag_last_seconds (gauge).
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

 private:
  void arm();
  void on_timer(boost::system::error_code ec);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point due_;
  Histogram& lag_;
  Gauge& last_;
  bool running_ = false;
};

}  // namespace crawler
