#pragma once
/// Seeds reach the frontier while the crawl runs, a batch per turn of the loop.

#include <cstdint>
#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "common/seed_reader.hpp"
#include "coordinator/crawl.hpp"
#include "coordinator/frontier.hpp"
#include "coordinator/journal.hpp"

namespace crawler {

/// Adds seeds to the frontier a batch at a time, each batch from its own handler, so the first
/// fetch starts at once and the loop goes on answering workers, signals and /metrics while a
/// seed file of millions of lines is read. What does not fit the frontier's RAM budget waits in
/// its store, so the seeds cost no more RAM than the budget. With a journal, the line the seeds
/// are queued through is committed with them: --resume goes on from there (and a seed killed
/// before its commit is queued again, once: the restored seen-set drops what was queued).
class SeedFeeder {
 public:
  /// The next seed, or nullopt at the end; may throw SeedError (a read error).
  using Source = std::function<std::optional<Seed>()>;

  /// Seeds on lines up to `queued_through` are already queued (by the journal of the crawl
  /// being resumed) and are skipped.
  SeedFeeder(boost::asio::io_context& io, Frontier& frontier, Crawl& crawl, Journal* journal, Source source,
             std::uint64_t queued_through = 0);

  /// Tells the crawl to wait for the seeds, and starts reading them (before Crawl::start()).
  void start();
  /// Seeds added / dropped as duplicates so far.
  std::uint64_t added() const { return added_; }
  std::uint64_t duplicates() const { return duplicates_; }
  bool done() const { return done_; }

 private:
  void feed();
  void finish();

  boost::asio::io_context& io_;
  Frontier& frontier_;
  Crawl& crawl_;
  Journal* journal_;
  Source source_;
  std::uint64_t queued_through_;
  std::uint64_t added_ = 0;
  std::uint64_t duplicates_ = 0;
  bool done_ = false;
};

}  // namespace crawler
