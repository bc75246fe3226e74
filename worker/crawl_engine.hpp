#pragma once
/// The fetch engine every worker runs: libcurl multi_socket inside one Boost.Asio io_context,
/// per-host politeness, retries, robots.txt, and HTML parsing on a thread pool.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"
#include "common/task_sink.hpp"

namespace crawler {

/// Fetches tasks and reports one PageRecord per task, exactly once, on the io_context's thread,
/// links already extracted for 2xx HTML pages. submit() never blocks (the sync engine runs each
/// task later from the loop). Not thread-safe: call only from the io_context's thread.
class CrawlEngine : public TaskSink {
 public:
  /// Creates the async engine (FetchOptions::Mode::kAsync) or the blocking one (kSync).
  /// Throws std::runtime_error on a bad option (e.g. a malformed --resolve entry).
  static std::unique_ptr<CrawlEngine> create(boost::asio::io_context& io, const FetchOptions& options);

  virtual ~CrawlEngine() = default;
};

}  // namespace crawler
