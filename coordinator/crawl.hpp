#pragma once
/// One crawl: feeds the frontier's tasks to a TaskSink within a bound, writes each result once,
/// offers each page's links back to the frontier, journals progress, and knows when it is done.

#include <cstdint>
#include <functional>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/crawl_stats.hpp"
#include "common/result_writer.hpp"
#include "common/task_sink.hpp"
#include "coordinator/frontier.hpp"
#include "coordinator/journal.hpp"

namespace crawler {

/// Drives a crawl on one io_context thread. Holds at most `max_outstanding` tasks in the sink:
/// that bound is the back-pressure between the frontier and the fetchers. With a journal, every
/// 200 ms (or 2,000 changes) it flushes the results file and commits, in one atomic group,
/// which URLs are done, which were discovered, and the file's length.
///
/// An I/O error of the results file or the journal (a full disk, a closed pipe) fails the crawl:
/// its message is printed once, the journal keeps its last commit (so --resume redoes every page
/// whose line may be lost), outstanding tasks are cancelled, and nothing more is written.
class Crawl {
 public:
  Crawl(boost::asio::io_context& io, Frontier& frontier, TaskSink& sink, ResultWriter& writer,
        CrawlStats& stats, std::size_t max_outstanding, Journal* journal = nullptr);

  /// Starts dispatching; `on_finished` runs once, on the loop, when nothing is queued or
  /// outstanding (or after stop() when the outstanding tasks have come back).
  void start(std::function<void()> on_finished);

  /// Stops dispatching new tasks and cancels those the sink has not started
  /// (TaskSink::cancel_waiting: counted, not written; with a journal they stay queued for
  /// --resume); those in flight still complete and are written. With nothing left in flight,
  /// on_finished runs as soon as the cancelled records are in, from a fresh handler, never
  /// inside stop().
  void stop();
  /// Stops and cancels outstanding tasks (their cancelled records are counted, not written;
  /// with a journal they stay queued for --resume).
  void abort();

  /// Before start(): more URLs will reach the frontier besides results' links (seeds being
  /// read, a resume reading the journal back). The crawl is not done, however empty the
  /// frontier, until each expect_input() has had its end_of_input().
  void expect_input() { ++inputs_open_; }
  /// URLs were added to the frontier: dispatch them (from a fresh handler).
  void input_arrived();
  void end_of_input();

  /// Fails the crawl on an I/O error (see the class comment); `message` names what and where.
  void fail(const std::string& message);

  bool stopping() const { return stopping_; }
  /// True when an I/O error failed the crawl; io_error() says what and where.
  bool failed() const { return !io_error_.empty(); }
  const std::string& io_error() const { return io_error_; }
  std::size_t outstanding() const { return sink_.outstanding(); }
  /// Flushes the results file and commits the journal's pending group (no-op without journal).
  /// An I/O error fails the crawl (see the class comment); nothing is thrown.
  void checkpoint();

 private:
  struct TaskMeta {
    std::string key;
    std::string url;
    std::uint32_t depth;
    bool check_robots;
  };

  void pump();
  void on_result(std::uint64_t id, PageRecord record);
  void finish_if_idle();
  void schedule_checkpoint();
  void arm_wake();

  boost::asio::io_context& io_;
  Frontier& frontier_;
  TaskSink& sink_;
  ResultWriter& writer_;
  CrawlStats& stats_;
  std::size_t max_outstanding_;
  Journal* journal_;
  boost::asio::steady_timer checkpoint_timer_;
  boost::asio::steady_timer wake_timer_;  ///< for the end of a host's pause (see Frontier::next_wake_ms)
  std::int64_t wake_armed_ms_ = 0;
  std::unordered_map<std::uint64_t, TaskMeta> meta_;  ///< journaled tasks in flight (<= max_outstanding)
  std::function<void()> on_finished_;
  bool stopping_ = false;
  bool finished_ = false;
  bool pumping_ = false;
  int inputs_open_ = 0;
  std::string io_error_;
};

}  // namespace crawler
