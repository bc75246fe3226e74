#include "coordinator/crawl.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace crawler {

Crawl::Crawl(boost::asio::io_context& io, Frontier& frontier, TaskSink& sink, ResultWriter& writer,
             CrawlStats& stats, std::size_t max_outstanding)
    : io_(io), frontier_(frontier), sink_(sink), writer_(writer), stats_(stats),
      max_outstanding_(max_outstanding) {}

void Crawl::start(std::function<void()> on_finished) {
  on_finished_ = std::move(on_finished);
  pump();
  finish_if_idle();
}

void Crawl::stop() {
  stopping_ = true;
  finish_if_idle();
}

void Crawl::abort() {
  stopping_ = true;
  sink_.cancel_all();
  finish_if_idle();
}

void Crawl::pump() {
  // A sync sink may report a result from inside submit(); do not re-enter the loop below.
  if (pumping_) return;
  pumping_ = true;
  while (!stopping_ && sink_.outstanding() < max_outstanding_) {
    auto task = frontier_.next();
    if (!task) break;
    sink_.submit(std::move(*task), [this](PageRecord record) { on_result(std::move(record)); });
  }
  pumping_ = false;
}

void Crawl::on_result(PageRecord record) {
  if (record.error == FetchError::kCancelled) {
    stats_.count(record, 0);
  } else {
    if (!record.ok()) {
      spdlog::info("failed {}: {} {}", record.url, to_string(record.error), record.error_detail);
    }
    const std::size_t lines = writer_.write(record);
    stats_.count(record, lines);
    if (!stopping_) frontier_.add_links(record);
  }
  // Dispatch from a fresh handler, so the sink's completion path is never re-entered.
  boost::asio::post(io_, [this] {
    pump();
    finish_if_idle();
  });
}

void Crawl::finish_if_idle() {
  if (finished_ || pumping_) return;
  const bool nothing_left = stopping_ || frontier_.exhausted();
  if (nothing_left && sink_.outstanding() == 0) {
    finished_ = true;
    if (on_finished_) on_finished_();
  }
}

}  // namespace crawler
