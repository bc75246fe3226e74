#include "common/loop_lag_probe.hpp"

namespace crawler {

LoopLagProbe::LoopLagProbe(boost::asio::io_context& io, MetricsRegistry& metrics,
                           std::chrono::milliseconds interval)
    : timer_(io),
      interval_(interval),
      lag_(metrics.histogram(
          "crawler_event_loop_lag_seconds",
          "How late the event loop ran a periodic timer (time its handler waited)", kLagBuckets)),
      last_(metrics.gauge("crawler_event_loop_lag_last_seconds",
                          "The event loop's most recent lag measurement")) {}

void LoopLagProbe::start() {
  if (running_) return;
  running_ = true;
  arm();
}

void LoopLagProbe::stop() {
  running_ = false;
  timer_.cancel();
}

void LoopLagProbe::arm() {
  due_ = std::chrono::steady_clock::now() + interval_;
  timer_.expires_at(due_);
  timer_.async_wait([this](boost::system::error_code ec) { on_timer(ec); });
}

void LoopLagProbe::on_timer(boost::system::error_code ec) {
  if (ec || !running_) return;
  const double lag = std::chrono::duration<double>(std::chrono::steady_clock::now() - due_).count();
  lag_.observe(lag < 0 ? 0 : lag);
  last_.set(lag < 0 ? 0 : lag);
  quantiles_.observe(lag);
  arm();
}

}  // namespace crawler
