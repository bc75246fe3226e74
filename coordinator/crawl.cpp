#include "coordinator/crawl.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace crawler {
namespace {
constexpr auto kCheckpointEvery = std::chrono::milliseconds(200);
constexpr std::size_t kCheckpointAtChanges = 2000;
}  // namespace

Crawl::Crawl(boost::asio::io_context& io, Frontier& frontier, TaskSink& sink, ResultWriter& writer,
             CrawlStats& stats, std::size_t max_outstanding, Journal* journal)
    : io_(io), frontier_(frontier), sink_(sink), writer_(writer), stats_(stats),
      max_outstanding_(max_outstanding), journal_(journal), checkpoint_timer_(io), wake_timer_(io) {}

void Crawl::start(std::function<void()> on_finished) {
  on_finished_ = std::move(on_finished);
  if (journal_) schedule_checkpoint();
  pump();
  finish_if_idle();
}

void Crawl::stop() {
  stopping_ = true;
  sink_.cancel_waiting();  // with a journal they stay queued for --resume
  // From a fresh handler: the caller may start a grace timer after stop() returns, which
  // on_finished cancels; finishing in here would leave that timer holding the loop.
  boost::asio::post(io_, [this] { finish_if_idle(); });
}

void Crawl::abort() {
  stopping_ = true;
  sink_.cancel_all();
  finish_if_idle();
}

void Crawl::input_arrived() {
  boost::asio::post(io_, [this] { pump(); });
}

void Crawl::end_of_input() {
  if (inputs_open_ > 0) --inputs_open_;
  boost::asio::post(io_, [this] {
    pump();
    finish_if_idle();
  });
}

void Crawl::checkpoint() {
  if (failed()) return;
  try {
    writer_.flush();
    if (journal_ && journal_->pending() > 0) journal_->commit(writer_.flushed_bytes());
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void Crawl::fail(const std::string& message) {
  if (failed()) return;
  io_error_ = message;
  std::fprintf(stderr, "\nerror: %s: stopping the crawl%s\n", message.c_str(),
               journal_ ? " (--resume continues it once the cause is gone)" : "");
  // Done marks waiting for a commit may name pages whose lines were lost with the buffer.
  if (journal_) journal_->discard_pending();
  meta_.clear();
  stopping_ = true;
  // Not from here: this may run inside the sink's completion path, which abort() re-enters.
  boost::asio::post(io_, [this] { abort(); });
}

void Crawl::schedule_checkpoint() {
  checkpoint_timer_.expires_after(kCheckpointEvery);
  checkpoint_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || finished_) return;
    checkpoint();
    schedule_checkpoint();
  });
}

void Crawl::pump() {
  // A sync sink may report a result from inside submit(); do not re-enter the loop below.
  if (pumping_) return;
  pumping_ = true;
  while (!stopping_ && sink_.outstanding() < max_outstanding_) {
    std::optional<FetchTask> task;
    try {
      task = frontier_.next();
    } catch (const std::exception& e) {  // the frontier's store failed (a full disk)
      fail(e.what());
      break;
    }
    if (!task) break;
    const std::uint64_t id = task->id;
    const std::uint32_t depth = task->depth;
    if (journal_) meta_.emplace(id, TaskMeta{frontier_.key_of(*task), task->url, task->depth, task->check_robots});
    sink_.submit(std::move(*task), [this, id, depth](PageRecord record) {
      frontier_.done(depth);
      on_result(id, std::move(record));
    });
  }
  pumping_ = false;
  arm_wake();
}

void Crawl::arm_wake() {
  const std::int64_t wake = frontier_.next_wake_ms();
  if (wake == 0 || stopping_ || finished_ || (wake_armed_ms_ != 0 && wake_armed_ms_ <= wake)) return;
  wake_armed_ms_ = wake;
  wake_timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(1, wake - frontier_.now_ms())));
  wake_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    wake_armed_ms_ = 0;
    pump();
    finish_if_idle();
  });
}

void Crawl::on_result(std::uint64_t id, PageRecord record) {
  record.task_id = id;
  if (record.error == FetchError::kCancelled) {
    // Not done: a resumed crawl fetches it again.
    stats_.count(record, 0);
    meta_.erase(id);
  } else if (failed()) {
    // The results file failed: nothing more is written, and the journal is not told it is done.
    meta_.erase(id);
  } else {
    if (!record.ok()) {
      spdlog::info("failed {}: {} {}", record.url, to_string(record.error), record.error_detail);
    }
    std::size_t lines = 0;
    try {
      lines = writer_.write(record);
    } catch (const std::exception& e) {
      fail(e.what());
      meta_.erase(id);
      return;
    }
    stats_.count(record, lines);
    // A host that says it is overloaded, or does not answer, is paused (Frontier::host_trouble).
    if (record.status == 429 || record.status == 503 || record.error == FetchError::kTimeout) {
      frontier_.host_trouble(url_host(record.url));
    }
    // Links are queued even while stopping: the journal must know them for --resume.
    try {
      frontier_.add_links(record);
    } catch (const std::exception& e) {  // the frontier's store failed (a full disk)
      fail(e.what());
      meta_.erase(id);
      return;
    }
    if (journal_) {
      const auto it = meta_.find(id);
      if (it != meta_.end()) {
        journal_->done(it->second.key, it->second.url, it->second.depth, it->second.check_robots);
        meta_.erase(it);
      }
      if (journal_->pending() >= kCheckpointAtChanges) checkpoint();
    }
  }
  // Dispatch from a fresh handler, so the sink's completion path is never re-entered.
  boost::asio::post(io_, [this] {
    pump();
    finish_if_idle();
  });
}

void Crawl::finish_if_idle() {
  if (finished_ || pumping_) return;
  const bool nothing_left = stopping_ || (frontier_.exhausted() && (inputs_open_ == 0 || frontier_.limit_reached()));
  if (nothing_left && sink_.outstanding() == 0) {
    finished_ = true;
    checkpoint_timer_.cancel();
    wake_timer_.cancel();
    checkpoint();
    if (on_finished_) on_finished_();
  }
}

}  // namespace crawler
