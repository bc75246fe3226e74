#pragma once
/// A TaskSink that counts what passes through another one, for /metrics: pages by outcome,
/// body bytes, fetch latency, retries, and the tasks outstanding and in flight.

#include <array>
#include <memory>

#include "common/metrics.hpp"
#include "common/task_sink.hpp"

namespace crawler {

/// Forwards every call to `inner` and counts each record on its way back, in
/// crawler_pages_total{outcome="ok"|<FetchError name>} (every outcome registered up front, so
/// each series exists from the start at 0), crawler_bytes_total, crawler_fetch_duration_seconds
/// (records that made at least one attempt), crawler_fetch_retries_total, and, read when
/// rendered, crawler_tasks_outstanding and crawler_tasks_in_flight.
/// Single-threaded like any TaskSink; `metrics` must outlive it. Another MeteredSink made on the
/// same registry later (a worker's engine after a reconnect) takes the same series over; once
/// destroyed, its gauges read 0 until then.
class MeteredSink : public TaskSink {
 public:
  MeteredSink(std::unique_ptr<TaskSink> inner, MetricsRegistry& metrics);
  ~MeteredSink() override;

  void submit(FetchTask task, Callback done) override;
  std::size_t outstanding() const override { return inner_->outstanding(); }
  std::size_t in_flight() const override { return inner_->in_flight(); }
  void cancel_all() override { inner_->cancel_all(); }
  void cancel_waiting() override { inner_->cancel_waiting(); }

  /// Counts one record (what submit's callback does); public for callers without a sink.
  void count(const PageRecord& record);

 private:
  static constexpr std::size_t kOutcomes = kFetchErrorCount;

  std::unique_ptr<TaskSink> inner_;
  std::shared_ptr<const TaskSink*> view_;    ///< what the gauges read; null once this is gone
  std::array<Counter*, kOutcomes> pages_{};  ///< index: FetchError (kNone is "ok")
  Counter& bytes_;
  Counter& retries_;
  Histogram& latency_;
};

}  // namespace crawler
