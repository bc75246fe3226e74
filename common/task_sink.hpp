#pragma once
/// Where the crawl sends URLs to be fetched: the in-process engine (`crawl --workers 0`) or the
/// pool of worker processes behind ZeroMQ. The coordinator's crawl logic sees only this.

#include <cstdint>
#include <functional>
#include <string>

#include "common/page_record.hpp"

namespace crawler {

class MetricsRegistry;

/// One URL to fetch.
struct FetchTask {
  std::uint64_t id = 0;
  std::string url;            ///< absolute URL, as given (seed text or discovered link)
  std::uint32_t depth = 0;
  bool check_robots = false;  ///< obey robots.txt for this URL (discovered links; seeds are not checked)
  /// The URL's host is named in the seed file: the SSRF guard lets connections to this host
  /// reach any address (a redirect elsewhere is judged on its own host).
  bool host_named_by_user = false;
};

/// Accepts tasks and reports one PageRecord per task, exactly once, on the caller's io_context
/// thread. Not thread-safe: call only from that thread.
class TaskSink {
 public:
  using Callback = std::function<void(PageRecord)>;
  virtual ~TaskSink() = default;

  /// Queues a task; never blocks. `done` is called exactly once with the task's record.
  virtual void submit(FetchTask task, Callback done) = 0;
  /// Tasks submitted and not yet reported. The caller keeps this bounded (back-pressure).
  virtual std::size_t outstanding() const = 0;
  /// Tasks being worked on right now: the engine's transfers on the wire; the worker pool's
  /// tasks sent to workers and not yet answered (waiting in a worker's queues included).
  virtual std::size_t in_flight() const = 0;
  /// Aborts everything: each outstanding task is reported with FetchError::kCancelled.
  virtual void cancel_all() = 0;
  /// For a graceful stop: each task not on the wire yet (queued, or waiting for robots.txt, a
  /// host's delay or a retry) is reported with FetchError::kCancelled, from a fresh handler;
  /// tasks in flight go on. Crawl::stop calls it on the first signal. The default does nothing:
  /// such a sink lets its waiting tasks run. The worker pool cancels what no worker was sent.
  virtual void cancel_waiting() {}
  /// Adds the sink's own series to `metrics` (MeteredSink calls it once, at construction); what
  /// a series reads must stay valid after the sink is gone. The default adds none.
  virtual void register_metrics(MetricsRegistry& /*metrics*/) {}
};

}  // namespace crawler
