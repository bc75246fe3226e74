#include "coordinator/crawl_telemetry.hpp"

#include "common/metered_sink.hpp"

namespace crawler {

CrawlTelemetry::CrawlTelemetry(boost::asio::io_context& io, const std::string& listen)
    : lag_(io, metrics_, kLagProbeInterval) {
  // Not ready until start() gives the crawl's own check.
  if (!listen.empty()) {
    server_ =
        std::make_unique<StatusServer>(io, listen, metrics_, [this] { return ready_ && ready_(); });
  }
}

std::unique_ptr<TaskSink> CrawlTelemetry::meter(std::unique_ptr<TaskSink> sink) {
  return std::make_unique<MeteredSink>(std::move(sink), metrics_);
}

void CrawlTelemetry::watch(Frontier& frontier, const CrawlStats& stats) {
  metrics_.gauge_fn("crawler_frontier_queued", "URLs waiting in the frontier",
                    [&frontier] { return static_cast<double>(frontier.queued()); });
  metrics_.gauge_fn("crawler_frontier_queued_in_memory", "Queued URLs held in RAM (the rest are on disk)",
                    [&frontier] { return static_cast<double>(frontier.queued_in_memory()); });
  metrics_.gauge_fn("crawler_frontier_memory_bytes", "RAM held by queued URLs (bounded by --frontier-memory)",
                    [&frontier] { return static_cast<double>(frontier.queue_memory_bytes()); });
  metrics_.gauge_fn("crawler_frontier_disk_bytes", "Disk used by the frontier's store of queued URLs",
                    [&frontier] { return static_cast<double>(frontier.store_disk_bytes()); });
  metrics_.counter_fn("crawler_frontier_host_pauses_total",
                      "Pauses of hosts that answered 429 or 503 or timed out (--host-pause-ms)",
                      [&frontier] { return static_cast<double>(frontier.pauses()); });
  metrics_.gauge_fn("crawler_frontier_known", "URLs the crawl has seen (queued, in flight or done)",
                    [&frontier] { return static_cast<double>(frontier.known()); });
  metrics_.counter_fn("crawler_frontier_dropped_total", "Links not queued because the frontier's RAM and disk were full",
                      [&frontier] { return static_cast<double>(frontier.dropped()); });
  metrics_.counter_fn("crawler_links_total", "Links found on fetched pages",
                      [&stats] { return static_cast<double>(stats.links()); });
  metrics_.counter_fn("crawler_result_lines_total", "Lines written to the results file",
                      [&stats] { return static_cast<double>(stats.lines()); });
}

void CrawlTelemetry::start(StatusServer::ReadyCheck ready) {
  // Always: the final summary reports the loop's lag (one wake-up per interval).
  lag_.start();
  if (!server_) return;
  ready_ = std::move(ready);
  server_->start();
}

void CrawlTelemetry::stop() {
  lag_.stop();
  if (server_) server_->stop();
}

}  // namespace crawler
