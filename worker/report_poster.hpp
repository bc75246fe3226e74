#pragma once
/// Hands a finished task's PageRecord to its callback from the io_context, never from inside
/// submit() or a curl callback, and counts the reports posted but not yet delivered (they are
/// part of an engine's outstanding()). Both engines report through one.

#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/page_record.hpp"
#include "common/task_sink.hpp"

namespace crawler {

class ReportPoster {
 public:
  explicit ReportPoster(boost::asio::io_context& io) : io_(io) {}
  ReportPoster(const ReportPoster&) = delete;
  ReportPoster& operator=(const ReportPoster&) = delete;

  /// Runs done(record) later on the io_context. The callback runs even when this poster is
  /// gone by then (a record is never dropped); only the count is no longer kept.
  void post(TaskSink::Callback done, PageRecord record) {
    ++pending_;
    std::weak_ptr<int> life = life_;
    boost::asio::post(io_, [this, life, done = std::move(done), record = std::move(record)]() mutable {
      if (!life.expired()) --pending_;
      if (done) done(std::move(record));
    });
  }

  /// Reports posted whose callback has not run yet.
  std::size_t pending() const { return pending_; }

 private:
  boost::asio::io_context& io_;
  std::size_t pending_ = 0;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace crawler
