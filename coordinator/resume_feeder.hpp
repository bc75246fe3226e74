#pragma once
/// A resume reads the journal back while the crawl runs, a slice per turn of the loop.

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "coordinator/crawl.hpp"
#include "coordinator/frontier.hpp"
#include "coordinator/journal.hpp"

namespace crawler {

/// Streams a journal that keeps its queue in order (Journal::streams()) into the frontier: each
/// turn of the loop adds a slice of the URLs known to the seen-set and a slice of the queue,
/// shallowest first, from its own handler. So the first fetch of a resumed crawl starts at once
/// whatever the journal's size, the loop goes on answering workers and signals, and the queue
/// costs no more RAM than the frontier's budget (the rest waits in its store). Meanwhile a link
/// not yet in the seen-set is looked up in the journal, and with strict levels links deeper
/// than the queue read so far wait (Frontier::hold), so the order of dispatch is that of a
/// resume that read everything first.
class ResumeFeeder {
 public:
  ResumeFeeder(boost::asio::io_context& io, Frontier& frontier, Crawl& crawl, Journal& journal);

  /// Puts the journal's counts, seed hosts and seen-set lookup in place, tells the crawl to wait
  /// for the rest, and starts reading it (before Crawl::start()).
  void start();
  /// URLs put back in the queue / in the seen-set so far.
  std::uint64_t queued() const { return queued_count_; }
  std::uint64_t known() const { return known_count_; }
  bool done() const { return !queued_ && !known_; }

 private:
  void feed();
  void finish();

  boost::asio::io_context& io_;
  Frontier& frontier_;
  Crawl& crawl_;
  Journal& journal_;
  std::unique_ptr<JournalCursor> known_;   ///< null once read to the end
  std::unique_ptr<JournalCursor> queued_;  ///< null once read to the end
  std::uint64_t known_count_ = 0;
  std::uint64_t queued_count_ = 0;
  bool finished_ = false;
};

}  // namespace crawler
