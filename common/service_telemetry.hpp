#pragma once
/// --metrics-listen and --check-config for a long-running program built on one io_context
/// (crawl-worker): its metrics registry, the event-loop lag probe and the status server.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/loop_lag_probe.hpp"
#include "common/metrics.hpp"
#include "common/status_server.hpp"
#include "common/task_sink.hpp"

namespace crawler {

/// Usage in a main() (declare it after the io_context: it must be destroyed first):
///   boost::asio::io_context io(1);
///   ServiceTelemetry telemetry(app);                       // before app.parse
///   if (auto code = telemetry.check_config(app)) return *code;  // after it
///   ... make_sink: telemetry.meter(CrawlEngine::create(io, fetch)) ...
///   telemetry.start(io, [&] { return ready; });            // throws when it cannot bind
/// Loop thread only, after start().
class ServiceTelemetry {
 public:
  /// Adds --metrics-listen (CRAWL_METRICS_LISTEN) and --check-config to `app`.
  explicit ServiceTelemetry(CLI::App& app);
  ~ServiceTelemetry();

  /// After parsing: with --check-config, the exit status of check_config(app, validate) (the
  /// settings are printed); otherwise nullopt, and the program goes on.
  std::optional<int> check_config(const CLI::App& app,
                                  const std::function<void()>& validate = {}) const;

  MetricsRegistry& metrics() { return metrics_; }
  /// Wraps a sink in a MeteredSink (pages by outcome, bytes, latency, in flight).
  std::unique_ptr<TaskSink> meter(std::unique_ptr<TaskSink> sink);

  /// Starts the event-loop lag probe on `io`. With --metrics-listen, also binds it and serves
  /// /metrics, /healthz, /readyz (asking `ready`); throws std::runtime_error naming the
  /// address when it cannot bind.
  void start(boost::asio::io_context& io, StatusServer::ReadyCheck ready);
  /// Stops serving; afterwards nothing of this holds work on the io_context. Idempotent.
  void stop();

  const std::string& listen() const { return listen_; }
  /// The loop's lag since start(): "p50 0.06 ms, p99 1.20 ms, max ... (N samples)".
  std::string lag_summary() const;

 private:
  std::string listen_;
  bool check_config_ = false;
  MetricsRegistry metrics_;
  std::unique_ptr<LoopLagProbe> lag_;
  std::unique_ptr<StatusServer> server_;
};

}  // namespace crawler
