#pragma once
/// Runs a whole crawl in this process: seeds, frontier, a TaskSink, the results file, signals,
/// the progress line and the summary. `crawl --workers 0` is this with the in-process engine.

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "common/task_sink.hpp"
#include "coordinator/crawl_options.hpp"

namespace crawler {

/// Makes the sink that fetches (the in-process engine, or the worker pool) on `io`.
using SinkFactory = std::function<std::unique_ptr<TaskSink>(boost::asio::io_context& io)>;

/// Runs the crawl to completion and returns the exit status: 0 done (also after a graceful
/// SIGINT/SIGTERM), 2 bad input or configuration (a one-line message on stderr), 1 I/O failure.
/// The first SIGINT/SIGTERM stops dispatching and lets in-flight fetches finish (up to 10 s);
/// a second one cancels them at once. Whole lines only reach the results file either way.
int run_crawl(const CrawlOptions& options, const SinkFactory& make_sink);

}  // namespace crawler
