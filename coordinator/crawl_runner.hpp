#pragma once
/// Runs a whole crawl in this process: seeds, frontier, a TaskSink, the results file, signals,
/// the progress line and the summary. `crawl --workers 0` is this with the in-process engine.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/metrics.hpp"
#include "common/task_sink.hpp"
#include "coordinator/crawl_options.hpp"

namespace crawler {

/// Makes the sink that fetches (the in-process engine, or the worker pool) on `io`.
using SinkFactory = std::function<std::unique_ptr<TaskSink>(boost::asio::io_context& io)>;

/// Optional extras for a crawl whose fetchers live elsewhere (the worker pool). All run on the
/// loop thread; the sink outlives every call.
struct CrawlHooks {
  /// Once, when the crawl is done (e.g. to shut the workers down). The loop goes on until the
  /// work this starts (and the sink's) is finished.
  std::function<void()> on_finished;
  /// On each SIGINT/SIGTERM (`count` 1, 2, ...), after the crawl's own handling of it.
  std::function<void(int signo, int count)> on_signal;
  /// Extra summary lines, each ending with a newline; asked once, after the loop ended.
  std::function<std::string()> summary_lines;
  /// Tasks handed to the sink at most; 0: concurrency x 4 (x 1 in sync mode).
  std::size_t max_outstanding = 0;
  /// Once, before the crawl starts: register extra metrics (e.g. the worker pool's) in the
  /// crawl's registry. Their read functions run on the loop thread, until the crawl finishes.
  std::function<void(MetricsRegistry& metrics)> add_metrics;
};

/// Runs the crawl to completion and returns the exit status: 0 done (also after a graceful
/// SIGINT/SIGTERM), 2 bad input or configuration (a one-line message on stderr), 1 I/O failure.
/// The first SIGINT/SIGTERM stops dispatching and lets in-flight fetches finish (up to 10 s);
/// a second one cancels them at once. Whole lines only reach the results file either way.
int run_crawl(const CrawlOptions& options, const SinkFactory& make_sink, const CrawlHooks& hooks = {});

}  // namespace crawler
