#include "coordinator/resume_feeder.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace crawler {
namespace {
/// Per turn of the loop, a few milliseconds each: seen-set entries are cheap (one fingerprint),
/// queued ones are queued (and may go on to the store).
constexpr int kKnownPerTurn = 16384;
constexpr int kQueuedPerTurn = 4096;
}  // namespace

ResumeFeeder::ResumeFeeder(boost::asio::io_context& io, Frontier& frontier, Crawl& crawl, Journal& journal)
    : io_(io), frontier_(frontier), crawl_(crawl), journal_(journal) {}

void ResumeFeeder::start() {
  frontier_.begin_resume(journal_.done_count(), [this](const std::string& key) { return journal_.contains(key); });
  crawl_.expect_input();
  try {
    journal_.for_each_seed_host([this](std::string_view host) { frontier_.restore_seed_host(host); });
  } catch (const std::exception& e) {  // a journal read error
    crawl_.fail(e.what());
    return finish();
  }
  known_ = journal_.known();
  queued_ = journal_.queued();
  feed();
}

void ResumeFeeder::feed() {
  // Stopped (a signal, a failure) or nothing more will be fetched: the rest stays in the
  // journal, not done, for the next --resume.
  if (crawl_.stopping() || frontier_.limit_reached()) return finish();
  JournalEntry e;
  try {
    for (int i = 0; known_ && i < kKnownPerTurn; ++i) {
      if (!known_->next(e)) {
        known_.reset();
        frontier_.end_known();
        spdlog::info("resume: {} known URLs read back from the journal", known_count_);
        break;
      }
      frontier_.restore_known(e.key);
      ++known_count_;
    }
    for (int i = 0; queued_ && i < kQueuedPerTurn; ++i) {
      if (!queued_->next(e)) {
        queued_.reset();
        break;
      }
      frontier_.restore_queued(e.key, e.url, e.depth, e.check_robots);
      ++queued_count_;
    }
  } catch (const std::exception& e) {  // a journal read error, or the frontier's store failed
    crawl_.fail(e.what());
    return finish();
  }
  crawl_.input_arrived();
  if (done()) return finish();
  boost::asio::post(io_, [this] { feed(); });
}

void ResumeFeeder::finish() {
  if (finished_) return;
  finished_ = true;
  known_.reset();
  queued_.reset();
  frontier_.end_known();
  try {
    frontier_.end_resume();
  } catch (const std::exception& e) {  // the links that waited could not be read back
    crawl_.fail(e.what());
  }
  crawl_.end_of_input();
}

}  // namespace crawler
