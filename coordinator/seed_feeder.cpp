#include "coordinator/seed_feeder.hpp"

#include <boost/asio/post.hpp>

namespace crawler {
namespace {
/// Seeds per turn of the loop: a few milliseconds of normalising and queueing.
constexpr int kSeedsPerTurn = 2048;
}  // namespace

SeedFeeder::SeedFeeder(boost::asio::io_context& io, Frontier& frontier, Crawl& crawl, Journal* journal,
                       Source source, std::uint64_t queued_through)
    : io_(io), frontier_(frontier), crawl_(crawl), journal_(journal), source_(std::move(source)),
      queued_through_(queued_through) {}

void SeedFeeder::start() {
  if (queued_through_ == Journal::kAllSeeds) {
    done_ = true;
    return;
  }
  crawl_.expect_input();
  // With strict levels, links wait until every seed is in: a seed (depth 0) queued behind a
  // link (depth 1) of its host would hold back level 0 forever.
  frontier_.hold(Frontier::Holder::kSeeds, 0);
  feed();
}

void SeedFeeder::feed() {
  // Stopped (a signal, a failure) or nothing more will be fetched: leave the rest unread. With
  // a journal, --resume reads it.
  if (crawl_.stopping() || frontier_.limit_reached()) return finish();
  std::uint64_t line = 0;
  try {
    for (int i = 0; i < kSeedsPerTurn; ++i) {
      auto seed = source_();
      if (!seed) {
        if (journal_) journal_->seeds_queued_through(Journal::kAllSeeds);
        return finish();
      }
      line = seed->line;
      if (line <= queued_through_) continue;
      if (frontier_.add_seed(seed->url, seed->normalized)) {
        ++added_;
      } else {
        ++duplicates_;
      }
    }
  } catch (const std::exception& e) {  // a read error, or the frontier's store failed
    crawl_.fail(e.what());
    return finish();
  }
  if (journal_ && line > queued_through_) journal_->seeds_queued_through(line);
  crawl_.input_arrived();
  boost::asio::post(io_, [this] { feed(); });
}

void SeedFeeder::finish() {
  if (done_) return;
  done_ = true;
  try {
    frontier_.release(Frontier::Holder::kSeeds);
  } catch (const std::exception& e) {  // the links that waited could not be read back
    crawl_.fail(e.what());
  }
  crawl_.end_of_input();
}

}  // namespace crawler
