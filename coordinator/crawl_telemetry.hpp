#pragma once
/// The crawl's metrics and, with --metrics-listen, its /metrics, /healthz and /readyz server.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "common/crawl_stats.hpp"
#include "common/loop_lag_probe.hpp"
#include "common/metrics.hpp"
#include "common/status_server.hpp"
#include "common/task_sink.hpp"
#include "coordinator/frontier.hpp"

namespace crawler {

/// Owns the registry of one crawl, the event-loop lag probe and the status server. Loop
/// thread only. Everything passed in by reference must outlive the last render, which happens
/// only between start() and stop().
class CrawlTelemetry {
 public:
  /// `listen` empty: metrics are kept but not served. Otherwise binds it at once (throws
  /// std::runtime_error naming it, e.g. address in use).
  CrawlTelemetry(boost::asio::io_context& io, const std::string& listen);

  MetricsRegistry& metrics() { return metrics_; }
  /// Wraps the crawl's sink in a MeteredSink (pages by outcome, bytes, latency, in flight).
  std::unique_ptr<TaskSink> meter(std::unique_ptr<TaskSink> sink);
  /// Adds the frontier's sizes and the crawl's result counts, read when rendered.
  void watch(Frontier& frontier, const CrawlStats& stats);

  /// Starts the event-loop lag probe, and serving when `listen` was given; /readyz asks `ready`.
  void start(StatusServer::ReadyCheck ready);
  /// Stops serving: afterwards nothing of this holds work on the io_context. Idempotent.
  void stop();

  /// The loop's lag over the crawl: "p50 0.06 ms, p99 1.20 ms, max ... (N samples)".
  std::string lag_summary() const { return lag_.quantiles().summary(); }

 private:
  MetricsRegistry metrics_;
  LoopLagProbe lag_;
  StatusServer::ReadyCheck ready_;
  std::unique_ptr<StatusServer> server_;
};

}  // namespace crawler
