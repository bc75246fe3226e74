#include "tests/support/engine_run.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "worker/crawl_engine.hpp"

namespace crawler::test {

std::map<std::uint64_t, PageRecord> run_engine(const FetchOptions& options, const std::vector<FetchTask>& tasks,
                                               std::chrono::milliseconds deadline) {
  boost::asio::io_context io;
  auto engine = CrawlEngine::create(io, options);
  std::map<std::uint64_t, PageRecord> records;
  int duplicates = 0;
  bool timed_out = false;
  boost::asio::steady_timer limit(io, deadline);
  limit.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    timed_out = true;
    io.stop();
  });
  for (const FetchTask& task : tasks) {
    engine->submit(task, [&](PageRecord record) {
      const std::uint64_t id = record.task_id;
      if (!records.emplace(id, std::move(record)).second) ++duplicates;
      if (records.size() == tasks.size()) {
        limit.cancel();
        io.stop();
      }
    });
  }
  io.run();
  io.restart();
  io.poll();  // a second report of any task would be delivered here
  EXPECT_FALSE(timed_out) << records.size() << " of " << tasks.size() << " tasks reported in time";
  EXPECT_EQ(duplicates, 0);
  return records;
}

FetchTask make_task(std::uint64_t id, std::string url, bool host_named_by_user, bool check_robots) {
  FetchTask t;
  t.id = id;
  t.url = std::move(url);
  t.host_named_by_user = host_named_by_user;
  t.check_robots = check_robots;
  return t;
}

std::string mode_name(const ::testing::TestParamInfo<FetchOptions::Mode>& info) {
  return info.param == FetchOptions::Mode::kAsync ? "Async" : "Sync";
}

}  // namespace crawler::test
