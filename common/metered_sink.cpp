#include "common/metered_sink.hpp"

#include <string>

namespace crawler {

MeteredSink::MeteredSink(std::unique_ptr<TaskSink> inner, MetricsRegistry& metrics)
    : inner_(std::move(inner)),
      bytes_(metrics.counter("crawler_bytes_total", "Body bytes received (after decompression)")),
      retries_(metrics.counter("crawler_fetch_retries_total",
                               "Extra attempts made for transient failures")),
      latency_(metrics.histogram("crawler_fetch_duration_seconds",
                                 "Wall time of a page's last fetch attempt", kLatencyBuckets)) {
  for (std::size_t i = 0; i < kOutcomes; ++i) {
    const auto e = static_cast<FetchError>(i);
    const std::string outcome = e == FetchError::kNone ? "ok" : std::string(to_string(e));
    pages_[i] =
        &metrics.counter("crawler_pages_total", "Pages finished, by outcome (ok or the error kind)",
                         {{"outcome", outcome}});
  }
  inner_->register_metrics(metrics);
  view_ = std::make_shared<const TaskSink*>(inner_.get());
  metrics.gauge_fn(
      "crawler_tasks_outstanding", "Tasks handed to the fetchers and not yet answered",
      [view = view_] { return *view ? static_cast<double>((*view)->outstanding()) : 0.0; });
  metrics.gauge_fn("crawler_tasks_in_flight", "Transfers on the wire right now", [view = view_] {
    return *view ? static_cast<double>((*view)->in_flight()) : 0.0;
  });
}

MeteredSink::~MeteredSink() { *view_ = nullptr; }

void MeteredSink::submit(FetchTask task, Callback done) {
  inner_->submit(std::move(task), [this, done = std::move(done)](PageRecord record) {
    count(record);
    done(std::move(record));
  });
}

void MeteredSink::count(const PageRecord& record) {
  const auto i = static_cast<std::size_t>(record.error);
  pages_[i < kOutcomes ? i : static_cast<std::size_t>(FetchError::kOther)]->inc();
  bytes_.inc(record.bytes);
  if (record.attempts > 0) {
    latency_.observe(record.fetch_ms / 1000.0);
    retries_.inc(record.attempts - 1);
  }
}

}  // namespace crawler
