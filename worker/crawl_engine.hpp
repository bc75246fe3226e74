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

namespace crawler {

/// One URL to fetch.
struct FetchTask {
  std::uint64_t id = 0;
  std::string url;            ///< absolute URL, as given (seed text or discovered link)
  std::uint32_t depth = 0;
  bool check_robots = false;  ///< obey robots.txt for this URL (discovered links; seeds are not checked)
};

/// Fetches tasks and reports one PageRecord per task, exactly once, on the io_context's thread.
/// Not thread-safe: call only from the io_context's thread (or before it runs).
class CrawlEngine {
 public:
  using Callback = std::function<void(PageRecord)>;

  /// Creates the async engine (FetchOptions::Mode::kAsync) or the blocking one (kSync).
  /// Throws std::runtime_error on a bad option (e.g. a malformed --resolve entry).
  static std::unique_ptr<CrawlEngine> create(boost::asio::io_context& io, const FetchOptions& options);

  virtual ~CrawlEngine() = default;

  /// Queues a task. Never blocks (the sync engine runs it later on the loop). `done` is called
  /// exactly once with the task's record, links already extracted for 2xx HTML pages.
  virtual void submit(FetchTask task, Callback done) = 0;

  /// Tasks submitted and not yet reported (queued + transferring + parsing).
  virtual std::size_t outstanding() const = 0;
  /// Transfers on the wire right now.
  virtual std::size_t in_flight() const = 0;

  /// Aborts everything: each outstanding task is reported with FetchError::kCancelled.
  virtual void cancel_all() = 0;
};

}  // namespace crawler
