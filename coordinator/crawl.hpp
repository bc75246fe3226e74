#pragma once
/// One crawl: feeds the frontier's tasks to a TaskSink within a bound, writes each result once,
/// offers each page's links back to the frontier, and knows when it is finished.

#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>

#include "common/crawl_stats.hpp"
#include "common/result_writer.hpp"
#include "common/task_sink.hpp"
#include "coordinator/frontier.hpp"

namespace crawler {

/// Drives a crawl on one io_context thread. Holds at most `max_outstanding` tasks in the sink:
/// that bound is the back-pressure between the frontier and the fetchers.
class Crawl {
 public:
  Crawl(boost::asio::io_context& io, Frontier& frontier, TaskSink& sink, ResultWriter& writer,
        CrawlStats& stats, std::size_t max_outstanding);

  /// Starts dispatching; `on_finished` runs once, on the loop, when nothing is queued or
  /// outstanding (or after stop() when the outstanding tasks have come back).
  void start(std::function<void()> on_finished);

  /// Stops dispatching new tasks; outstanding ones still complete and are written.
  void stop();
  /// Stops and cancels outstanding tasks (their cancelled records are counted, not written).
  void abort();

  bool stopping() const { return stopping_; }
  std::size_t outstanding() const { return sink_.outstanding(); }

 private:
  void pump();
  void on_result(PageRecord record);
  void finish_if_idle();

  boost::asio::io_context& io_;
  Frontier& frontier_;
  TaskSink& sink_;
  ResultWriter& writer_;
  CrawlStats& stats_;
  std::size_t max_outstanding_;
  std::function<void()> on_finished_;
  bool stopping_ = false;
  bool finished_ = false;
  bool pumping_ = false;
};

}  // namespace crawler
