// The fetch engine against an in-process simweb server on 127.0.0.1:0, plus its pure parts
// (HostQueue, RetryPolicy, ResolveList, Transfer::map_error).

#include "worker/crawl_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "simweb/server.hpp"
#include "worker/host_queue.hpp"
#include "worker/resolve_list.hpp"
#include "worker/retry_policy.hpp"
#include "worker/transfer.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

/// What one engine run produced.
struct RunResult {
  std::map<std::uint64_t, PageRecord> records;  ///< by task id
  int duplicates = 0;                           ///< reports of a task already reported
  bool timed_out = false;
  std::size_t max_in_flight = 0;  ///< engine.in_flight(), sampled at callbacks and every 1 ms
  std::chrono::milliseconds elapsed{0};
  const PageRecord& at(std::uint64_t id) const { return records.at(id); }
};

/// Called once the engine exists and every task was submitted (e.g. to schedule a cancel).
/// Handlers it leaves behind may run until run_tasks() returns, never after.
using Hook = std::function<void(boost::asio::io_context&, CrawlEngine&)>;

/// Submits `tasks`, runs the loop until every task was reported (or `deadline` passed, which
/// fails the test), then drains what is still queued so a late duplicate report would be seen.
RunResult run_tasks(const FetchOptions& options, const std::vector<FetchTask>& tasks,
                    std::chrono::milliseconds deadline = 10s, const Hook& hook = {}) {
  boost::asio::io_context io;
  auto engine = CrawlEngine::create(io, options);
  RunResult run;
  bool finished = false;
  boost::asio::steady_timer limit(io, deadline);
  limit.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    run.timed_out = true;
    io.stop();
  });
  boost::asio::steady_timer sampler(io);
  std::function<void()> sample = [&] {
    run.max_in_flight = std::max(run.max_in_flight, engine->in_flight());
    if (finished) return;
    sampler.expires_after(1ms);
    sampler.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) sample();
    });
  };
  const auto start = Clock::now();
  for (const FetchTask& task : tasks) {
    engine->submit(task, [&](PageRecord record) {
      run.max_in_flight = std::max(run.max_in_flight, engine->in_flight());
      const std::uint64_t id = record.task_id;
      if (!run.records.emplace(id, std::move(record)).second) ++run.duplicates;
      if (run.records.size() == tasks.size() && !finished) {
        finished = true;
        run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        limit.cancel();
        sampler.cancel();
        io.stop();
      }
    });
  }
  sample();
  if (hook) hook(io, *engine);
  io.run();
  EXPECT_FALSE(run.timed_out) << "deadline passed with " << run.records.size() << " of "
                              << tasks.size() << " tasks reported";
  if (!run.timed_out) {
    EXPECT_EQ(engine->outstanding(), 0u);
  }
  finished = true;
  io.restart();
  io.poll();  // a second report of any task would be delivered here
  EXPECT_EQ(run.duplicates, 0);
  return run;  // the engine goes first, then the loop with whatever is still queued
}

class CrawlEngineTest : public ::testing::Test {
 protected:
  void start_server(simweb::ServerConfig config = {}) {
    simweb::SiteConfig site;
    site.pages = 200;
    site.hosts = 20;
    site.links = 10;
    server_ = std::make_unique<simweb::Server>(config, site);
    port_ = server_->start();
  }
  void SetUp() override { start_server(); }
  void TearDown() override {
    if (server_) server_->stop();
  }

  /// Every simweb host name resolves to the server; small waits so retries stay fast.
  FetchOptions options() const {
    FetchOptions o;
    o.resolve = {"*:" + std::to_string(port_) + ":127.0.0.1"};
    o.retry_base_ms = 10;
    o.connect_timeout_ms = 2'000;
    o.timeout_ms = 5'000;
    return o;
  }
  std::string origin(int host) const {
    return "http://h" + std::to_string(host) + ".sim:" + std::to_string(port_);
  }
  std::string url(int host, const std::string& path) const { return origin(host) + path; }
  static FetchTask task(std::uint64_t id, std::string url, bool check_robots = false) {
    FetchTask t;
    t.id = id;
    t.url = std::move(url);
    t.check_robots = check_robots;
    return t;
  }
  /// The canonical link targets simweb's oracle says `page` contains.
  std::vector<std::string> oracle_links(int page) const {
    std::vector<std::string> out;
    for (const simweb::LinkTarget& t : server_->site().links(page)) {
      out.push_back(server_->site().target_url(page, t));
    }
    return out;
  }
  PageRecord fetch_one(const FetchOptions& o, const std::string& u,
                       std::chrono::milliseconds deadline = 10s) {
    RunResult run = run_tasks(o, {task(1, u)}, deadline);
    return run.records.count(1) != 0 ? run.at(1) : PageRecord{};
  }

  std::unique_ptr<simweb::Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(CrawlEngineTest, NormalPageGivesStatus200AndItsLinks) {
  const int page = 3;
  const PageRecord r = fetch_one(options(), server_->site().page_url(page));
  EXPECT_TRUE(r.ok()) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(r.task_id, 1u);
  EXPECT_EQ(r.final_url, server_->site().page_url(page));
  EXPECT_THAT(r.content_type, HasSubstr("text/html"));
  EXPECT_GT(r.bytes, 0u);
  ASSERT_FALSE(oracle_links(page).empty());
  EXPECT_THAT(r.links, UnorderedElementsAreArray(oracle_links(page)));
}

TEST_F(CrawlEngineTest, DecodesGzipPages) {
  // The server gzips pages for clients that accept it; links found means the body was decoded.
  simweb::ServerConfig config;
  config.gzip = true;
  server_->stop();
  start_server(config);
  const PageRecord r = fetch_one(options(), server_->site().page_url(7));
  ASSERT_TRUE(r.ok()) << r.error_detail;
  EXPECT_THAT(r.links, UnorderedElementsAreArray(oracle_links(7)));
}

TEST_F(CrawlEngineTest, NotFoundIsHttpStatusWithoutLinksAndNoRetry) {
  const PageRecord r = fetch_one(options(), url(0, "/fault/status/404"));
  EXPECT_EQ(r.error, FetchError::kHttpStatus);
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.links.empty());
  EXPECT_EQ(r.attempts, 1u);
}

TEST_F(CrawlEngineTest, RetriesFlaky503UntilItSucceeds) {
  FetchOptions o = options();
  o.retries = 2;
  const PageRecord r = fetch_one(o, url(0, "/fault/flaky/engine-ok/2/503"));
  EXPECT_TRUE(r.ok()) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_THAT(r.links, ElementsAre(url(0, "/flaky-ok")));
}

TEST_F(CrawlEngineTest, GivesUpOnFlaky503AfterTheAllowedRetries) {
  FetchOptions o = options();
  o.retries = 2;
  const PageRecord r = fetch_one(o, url(0, "/fault/flaky/engine-fail/5/503"));
  EXPECT_EQ(r.error, FetchError::kHttpStatus);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_TRUE(r.links.empty());
}

TEST_F(CrawlEngineTest, HonoursRetryAfterSeconds) {
  FetchOptions o = options();
  o.retries = 1;
  o.retry_base_ms = 1;  // were Retry-After ignored, the retry would come after ~1 ms
  RunResult run = run_tasks(o, {task(1, url(0, "/fault/retry-after/1"))});
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.at(1).error, FetchError::kHttpStatus);
  EXPECT_EQ(run.at(1).status, 429);
  EXPECT_EQ(run.at(1).attempts, 2u);
  EXPECT_GE(run.elapsed, 950ms);
}

TEST_F(CrawlEngineTest, RetryAfterOverTheLimitIsNotWaitedFor) {
  FetchOptions o = options();
  o.retries = 3;
  o.retry_after_max_ms = 5'000;
  const PageRecord r = fetch_one(o, url(0, "/fault/retry-after/3600"));
  EXPECT_EQ(r.error, FetchError::kHttpStatus);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_THAT(r.error_detail, HasSubstr("Retry-After"));
}

TEST_F(CrawlEngineTest, ResetIsRetriedThenReportedAsReset) {
  FetchOptions o = options();
  o.retries = 2;
  const PageRecord r = fetch_one(o, url(0, "/fault/reset"));
  EXPECT_EQ(r.error, FetchError::kReset) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.attempts, 3u);
}

TEST_F(CrawlEngineTest, StalledBodyTimesOut) {
  FetchOptions o = options();
  o.retries = 0;
  o.timeout_ms = 300;
  const PageRecord r = fetch_one(o, url(0, "/fault/stall"));
  EXPECT_EQ(r.error, FetchError::kTimeout) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.attempts, 1u);
}

TEST_F(CrawlEngineTest, SlowBodyHitsTheLowSpeedLimit) {
  FetchOptions o = options();
  o.retries = 0;
  o.low_speed_limit = 100;
  o.low_speed_time_s = 1;
  const PageRecord r = fetch_one(o, url(0, "/fault/slow/10"));
  EXPECT_EQ(r.error, FetchError::kTimeout) << to_string(r.error) << " " << r.error_detail;
}

TEST_F(CrawlEngineTest, FollowsRedirectsAndResolvesAgainstFinalUrl) {
  const PageRecord r = fetch_one(options(), url(2, "/fault/redirect/3"));
  ASSERT_TRUE(r.ok()) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.url, url(2, "/fault/redirect/3"));
  EXPECT_THAT(r.final_url, EndsWith("/fault/redirect/0"));
  EXPECT_THAT(r.links, ElementsAre(url(2, "/fault/redirect/target-a.html"),
                                   url(2, "/fault/up.html"), url(2, "/root.html")));
}

TEST_F(CrawlEngineTest, RedirectLoopIsTooManyRedirects) {
  FetchOptions o = options();
  o.max_redirects = 5;
  const PageRecord r = fetch_one(o, url(0, "/fault/loop"));
  EXPECT_EQ(r.error, FetchError::kTooManyRedirects) << r.error_detail;
  EXPECT_TRUE(r.links.empty());
}

TEST_F(CrawlEngineTest, RedirectToAnotherSchemeIsBadRedirectAndNotFollowed) {
  RunResult run = run_tasks(options(), {task(1, url(0, "/fault/to-scheme/ftp")),
                                        task(2, url(0, "/fault/to-scheme/file"))});
  for (std::uint64_t id : {1u, 2u}) {
    ASSERT_EQ(run.records.count(id), 1u);
    EXPECT_EQ(run.at(id).error, FetchError::kBadRedirect) << run.at(id).error_detail;
    EXPECT_TRUE(run.at(id).links.empty());
  }
}

TEST_F(CrawlEngineTest, NonHtmlTypesAreOkWithoutLinks) {
  RunResult run = run_tasks(options(), {task(1, url(0, "/fault/type/text/plain")),
                                        task(2, url(0, "/fault/type/image/png"))});
  for (std::uint64_t id : {1u, 2u}) {
    ASSERT_EQ(run.records.count(id), 1u);
    EXPECT_TRUE(run.at(id).ok()) << run.at(id).error_detail;
    EXPECT_EQ(run.at(id).status, 200);
    EXPECT_GT(run.at(id).bytes, 0u);
    EXPECT_TRUE(run.at(id).links.empty());  // the body does hold an <a href>
  }
  EXPECT_EQ(run.at(2).content_type, "image/png");
}

TEST_F(CrawlEngineTest, ChunkedBodyOverTheCapIsBodyTooLarge) {
  FetchOptions o = options();
  o.max_body = 1 << 20;
  const PageRecord r = fetch_one(o, url(0, "/fault/big/20000000"));
  EXPECT_EQ(r.error, FetchError::kBodyTooLarge) << to_string(r.error) << " " << r.error_detail;
  EXPECT_LE(r.bytes, o.max_body);
}

TEST_F(CrawlEngineTest, CompressionBombStopsAtTheCap) {
  FetchOptions o = options();
  o.max_body = 8 << 20;
  const PageRecord r = fetch_one(o, url(0, "/fault/bomb/1000000000"));
  EXPECT_EQ(r.error, FetchError::kBodyTooLarge) << to_string(r.error) << " " << r.error_detail;
  EXPECT_LE(r.bytes, o.max_body);
}

TEST_F(CrawlEngineTest, RobotsDisallowedPathIsRefusedAndNeverRequested) {
  RunResult run =
      run_tasks(options(), {task(1, url(5, "/private/x"), /*check_robots=*/true),
                            task(2, url(5, "/private/y"), /*check_robots=*/true),
                            task(3, server_->site().page_url(6), /*check_robots=*/true)});
  ASSERT_EQ(run.records.size(), 3u);
  EXPECT_EQ(run.at(1).error, FetchError::kRobots);
  EXPECT_EQ(run.at(2).error, FetchError::kRobots);
  EXPECT_EQ(run.at(1).attempts, 0u);
  EXPECT_TRUE(run.at(3).ok()) << run.at(3).error_detail;
  const simweb::ServerStats stats = server_->stats();
  // h5.sim saw robots.txt, once for both tasks, and nothing else.
  EXPECT_EQ(stats.requests_by_host.at("h5.sim"), 1u);
  EXPECT_EQ(stats.requests_by_host.at("h6.sim"), 2u);  // robots.txt and the page
}

// A robots.txt that does not answer in time refuses the host's pages as robots.txt does, with
// the reason; the page itself was never asked for, so it is no `timeout` of its own.
TEST_F(CrawlEngineTest, RobotsTxtTimeoutRefusesThePageAsRobotsInBothModes) {
  simweb::ServerConfig slow;
  slow.latency_ms = 2'000;  // every answer, robots.txt included
  server_->stop();
  start_server(slow);
  for (const auto mode : {FetchOptions::Mode::kAsync, FetchOptions::Mode::kSync}) {
    FetchOptions o = options();
    o.mode = mode;
    o.timeout_ms = 200;
    o.retries = 0;
    const int host = mode == FetchOptions::Mode::kAsync ? 3 : 4;
    RunResult run = run_tasks(o, {task(1, server_->site().page_url(host), /*check_robots=*/true),
                                  task(2, url(host, "/fault/status/200"), /*check_robots=*/true)});
    ASSERT_EQ(run.records.size(), 2u);
    for (std::uint64_t id : {1, 2}) {
      const PageRecord& r = run.at(id);
      EXPECT_EQ(r.error, FetchError::kRobots)
          << id << ": " << to_string(r.error) << " " << r.error_detail;
      EXPECT_THAT(r.error_detail, HasSubstr("robots.txt timed out")) << id;
      EXPECT_EQ(r.attempts, 0u) << id;
    }
    // robots.txt once, for both pages, and neither page.
    EXPECT_EQ(server_->stats().requests_by_host.at("h" + std::to_string(host) + ".sim"), 1u);
  }
}

TEST_F(CrawlEngineTest, RobotsAreNotConsultedWhenTheTaskDoesNotAsk) {
  RunResult run = run_tasks(options(), {task(1, url(5, "/fault/status/200"))});
  EXPECT_TRUE(run.at(1).ok());
  EXPECT_EQ(server_->stats().requests_by_host.at("h5.sim"), 1u);
}

TEST_F(CrawlEngineTest, PerHostLimitKeepsConnectionsToOneHostAtTwo) {
  simweb::ServerConfig config;
  config.latency_ms = 20;  // responses overlap, so a missing limit would show
  server_->stop();
  start_server(config);
  FetchOptions o = options();
  o.per_host = 2;
  o.concurrency = 16;
  std::vector<FetchTask> tasks;
  for (int i = 0; i < 50; ++i) {
    tasks.push_back(task(static_cast<std::uint64_t>(i + 1),
                         url(1, "/fault/status/200?n=" + std::to_string(i))));
  }
  RunResult run = run_tasks(o, tasks);
  EXPECT_EQ(run.records.size(), 50u);
  for (const auto& [id, r] : run.records) EXPECT_TRUE(r.ok()) << r.error_detail;
  const simweb::ServerStats stats = server_->stats();
  EXPECT_EQ(stats.requests_by_host.at("h1.sim"), 50u);
  EXPECT_LE(stats.max_concurrent_conns_by_host.at("h1.sim"), 2u);
  EXPECT_GE(stats.max_concurrent_conns_by_host.at("h1.sim"), 1u);
  EXPECT_LE(run.max_in_flight, 2u);
}

TEST_F(CrawlEngineTest, GlobalConcurrencyNeverExceedsTheCap) {
  simweb::ServerConfig config;
  config.latency_ms = 5;
  server_->stop();
  start_server(config);
  FetchOptions o = options();
  o.concurrency = 8;
  o.per_host = 2;
  std::vector<FetchTask> tasks;
  for (int i = 0; i < 200; ++i) {
    tasks.push_back(task(static_cast<std::uint64_t>(i + 1), server_->site().page_url(i % 200)));
  }
  RunResult run = run_tasks(o, tasks, 20s);
  EXPECT_EQ(run.records.size(), 200u);
  for (const auto& [id, r] : run.records) EXPECT_TRUE(r.ok()) << r.url << " " << r.error_detail;
  EXPECT_LE(run.max_in_flight, 8u);
  EXPECT_GE(run.max_in_flight, 2u);  // it did run transfers side by side
  EXPECT_EQ(server_->stats().requests, 200u);
}

TEST_F(CrawlEngineTest, DelayBetweenStartsOnOneHost) {
  FetchOptions o = options();
  o.delay_ms = 100;
  o.per_host = 2;
  std::vector<FetchTask> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(task(static_cast<std::uint64_t>(i + 1),
                         url(3, "/fault/status/200?d=" + std::to_string(i))));
  }
  RunResult run = run_tasks(o, tasks);
  EXPECT_EQ(run.records.size(), 5u);
  EXPECT_GE(run.elapsed, 400ms);
}

TEST_F(CrawlEngineTest, CancelAllReportsEveryTaskOnceAsCancelled) {
  FetchOptions o = options();
  o.concurrency = 8;
  o.per_host = 2;
  o.retries = 3;
  std::vector<FetchTask> tasks;
  std::uint64_t id = 1;
  for (int i = 0; i < 6; ++i) tasks.push_back(task(id++, url(i % 3, "/fault/stall")));  // in flight
  for (int i = 0; i < 4; ++i)
    tasks.push_back(task(id++, url(4, "/fault/retry-after/10")));               // retry wait
  for (int i = 0; i < 4; ++i) tasks.push_back(task(id++, url(7, "/x"), true));  // robots
  for (int i = 0; i < 20; ++i) tasks.push_back(task(id++, url(8, "/fault/status/200")));  // queued
  // Cancel once the stalls are on the wire and the 429s were answered: poll, no sleeping.
  bool cancelled_once = false;
  Hook hook = [&](boost::asio::io_context& io, CrawlEngine& engine) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io);
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, &engine, &cancelled_once, timer,
             weak = std::weak_ptr<std::function<void()>>(poll)] {
      const auto stats = server_->stats();
      const bool answered =
          stats.requests_by_host.count("h4.sim") != 0 && stats.requests_by_host.at("h4.sim") >= 2;
      if (engine.in_flight() >= 6 && answered) {
        engine.cancel_all();
        cancelled_once = true;
        EXPECT_EQ(engine.in_flight(), 0u);
        EXPECT_GE(engine.outstanding(), 10u);  // reported, not yet delivered: still counted
        return;
      }
      timer->expires_after(2ms);
      timer->async_wait([self = weak.lock()](const boost::system::error_code& ec) {
        if (!ec) (*self)();
      });
    };
    (*poll)();
  };
  RunResult run = run_tasks(o, tasks, 10s, hook);
  EXPECT_TRUE(cancelled_once);
  ASSERT_EQ(run.records.size(), tasks.size());
  // Stalled transfers and 10 s Retry-After waits cannot have finished on their own.
  for (std::uint64_t t = 1; t <= 10; ++t) {
    EXPECT_EQ(run.at(t).error, FetchError::kCancelled) << t;
  }
  std::size_t cancelled = 0;
  for (const auto& [tid, r] : run.records) cancelled += r.error == FetchError::kCancelled ? 1 : 0;
  EXPECT_GE(cancelled, 10u);
}

// The first SIGINT of `crawl --workers 0`: what waits (for a host's delay or a retry) is
// cancelled at once, what is on the wire finishes.
TEST_F(CrawlEngineTest, CancelWaitingCancelsWhatHasNotStartedAndLetsTransfersFinish) {
  FetchOptions o = options();
  o.concurrency = 8;
  o.per_host = 1;
  o.delay_ms = 60'000;
  o.retries = 3;
  const std::vector<FetchTask> tasks = {
      task(1, url(1, "/fault/slow/200000")),  // in flight for a while
      task(2, url(1, "/fault/status/200")),   // behind task 1 and the 60 s delay
      task(3, url(1, "/fault/status/200")),
      task(4, url(4, "/fault/retry-after/10")),  // waits 10 s to retry
  };
  bool cancelled = false;
  Hook hook = [&](boost::asio::io_context& io, CrawlEngine& engine) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io);
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, &engine, &cancelled, timer, weak = std::weak_ptr<std::function<void()>>(poll)] {
      const auto stats = server_->stats();
      const bool answered = stats.requests_by_host.count("h4.sim") != 0;
      if (engine.in_flight() == 1 && answered) {
        engine.cancel_waiting();
        cancelled = true;
        EXPECT_EQ(engine.in_flight(), 1u);
        return;
      }
      timer->expires_after(2ms);
      timer->async_wait([self = weak.lock()](const boost::system::error_code& ec) {
        if (!ec) (*self)();
      });
    };
    (*poll)();
  };
  RunResult run = run_tasks(o, tasks, 20s, hook);
  EXPECT_TRUE(cancelled);
  ASSERT_EQ(run.records.size(), tasks.size());
  EXPECT_TRUE(run.at(1).ok()) << to_string(run.at(1).error) << " " << run.at(1).error_detail;
  for (std::uint64_t id : {2, 3, 4}) {
    EXPECT_EQ(run.at(id).error, FetchError::kCancelled) << id << ": " << run.at(id).error_detail;
  }
  EXPECT_LT(run.elapsed, 10s) << "something waited for the delay or the retry";
  EXPECT_EQ(server_->stats().requests_by_host.at("h1.sim"), 1u);
}

TEST_F(CrawlEngineTest, EngineCanBeDestroyedRightAfterCancelAll) {
  boost::asio::io_context io;
  auto engine = CrawlEngine::create(io, options());
  int reports = 0;
  for (std::uint64_t i = 1; i <= 5; ++i) {
    engine->submit(task(i, url(static_cast<int>(i), "/fault/stall")), [&](PageRecord r) {
      EXPECT_EQ(r.error, FetchError::kCancelled);
      ++reports;
    });
  }
  boost::asio::steady_timer limit(io, 5s);
  limit.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) ADD_FAILURE() << "transfers never started";
    io.stop();
  });
  boost::asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    if (engine->in_flight() == 5) {
      engine->cancel_all();
      engine.reset();
      limit.cancel();
      return;
    }
    poll.expires_after(2ms);
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) check();
    });
  };
  check();
  io.run();
  EXPECT_EQ(reports, 5);
}

TEST_F(CrawlEngineTest, SyncModeGivesTheSameRecordsAsAsync) {
  std::vector<FetchTask> tasks;
  for (int i = 0; i < 100; ++i) {
    tasks.push_back(task(static_cast<std::uint64_t>(i + 1), server_->site().page_url(i), true));
  }
  tasks.push_back(task(101, url(4, "/private/p-1.html"), true));
  tasks.push_back(task(102, url(4, "/fault/redirect/2")));
  FetchOptions async_options = options();
  FetchOptions sync_options = options();
  sync_options.mode = FetchOptions::Mode::kSync;
  RunResult a = run_tasks(async_options, tasks, 20s);
  RunResult s = run_tasks(sync_options, tasks, 30s);
  ASSERT_EQ(a.records.size(), tasks.size());
  ASSERT_EQ(s.records.size(), tasks.size());
  for (const FetchTask& t : tasks) {
    const PageRecord& x = a.at(t.id);
    const PageRecord& y = s.at(t.id);
    EXPECT_EQ(x.url, y.url);
    EXPECT_EQ(x.final_url, y.final_url) << t.url;
    EXPECT_EQ(x.error, y.error) << t.url;
    EXPECT_EQ(x.status, y.status) << t.url;
    EXPECT_EQ(x.links, y.links) << t.url;
  }
  EXPECT_EQ(a.at(101).error, FetchError::kRobots);
  EXPECT_THAT(a.at(1).links, UnorderedElementsAreArray(oracle_links(0)));
}

TEST_F(CrawlEngineTest, SyncModeRetriesAndTimesOutLikeAsync) {
  FetchOptions o = options();
  o.mode = FetchOptions::Mode::kSync;
  o.retries = 2;
  o.timeout_ms = 300;
  RunResult run =
      run_tasks(o, {task(1, url(0, "/fault/flaky/sync-ok/2/500")), task(2, url(0, "/fault/stall")),
                    task(3, url(0, "/fault/status/404"))});
  EXPECT_TRUE(run.at(1).ok());
  EXPECT_EQ(run.at(1).attempts, 3u);
  EXPECT_EQ(run.at(2).error, FetchError::kTimeout);
  EXPECT_EQ(run.at(2).attempts, 3u);
  EXPECT_EQ(run.at(3).error, FetchError::kHttpStatus);
  EXPECT_EQ(run.at(3).attempts, 1u);
}

TEST_F(CrawlEngineTest, UnknownHostIsDns) {
  FetchOptions o = options();
  o.resolve.clear();
  o.retries = 0;
  const PageRecord r = fetch_one(o, "http://no-such-host.invalid:" + std::to_string(port_) + "/");
  EXPECT_EQ(r.error, FetchError::kDns) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.final_url.empty());
}

TEST_F(CrawlEngineTest, RefusedPortIsConnectAndRetried) {
  std::uint16_t closed_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  FetchOptions o = options();
  o.retries = 1;
  // A seed's host (the user named it): the SSRF guard lets it reach loopback.
  FetchTask seed = task(1, "http://127.0.0.1:" + std::to_string(closed_port) + "/");
  seed.host_named_by_user = true;
  RunResult run = run_tasks(o, {seed});
  ASSERT_EQ(run.records.count(1), 1u);
  const PageRecord& r = run.at(1);
  EXPECT_EQ(r.error, FetchError::kConnect) << to_string(r.error) << " " << r.error_detail;
  EXPECT_EQ(r.attempts, 2u);
}

TEST_F(CrawlEngineTest, UnparsableUrlIsBadUrl) {
  RunResult run = run_tasks(options(), {task(1, "ftp://h0.sim/x"), task(2, "not a url")});
  EXPECT_EQ(run.at(1).error, FetchError::kBadUrl);
  EXPECT_EQ(run.at(2).error, FetchError::kBadUrl);
  EXPECT_EQ(run.at(1).attempts, 0u);
}

TEST(CrawlEngineOptions, MalformedResolveEntryThrowsNamingIt) {
  boost::asio::io_context io;
  FetchOptions o;
  o.resolve = {"*:80:127.0.0.1", "h0.sim:http:127.0.0.1"};
  try {
    CrawlEngine::create(io, o);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("h0.sim:http:127.0.0.1"));
    EXPECT_THAT(e.what(), HasSubstr("PORT"));
  }
  o.mode = FetchOptions::Mode::kSync;
  EXPECT_THROW(CrawlEngine::create(io, o), std::runtime_error);
}

TEST(CrawlEngineOptions, NonsenseLimitsThrow) {
  boost::asio::io_context io;
  FetchOptions o;
  o.concurrency = 0;
  EXPECT_THROW(CrawlEngine::create(io, o), std::runtime_error);
}

TEST(ResolveList, AcceptsCurlSyntaxIncludingWildcardAndIpv6) {
  EXPECT_EQ(ResolveList::check("*:8080:127.0.0.1"), "");
  EXPECT_EQ(ResolveList::check("h0.sim:80:127.0.0.1,127.0.0.2"), "");
  EXPECT_EQ(ResolveList::check("+h0.sim:443:[::1]"), "");
  EXPECT_EQ(ResolveList::check("[::1]:80:::1"), "");
  ResolveList list({"*:1:127.0.0.1", "a.b:2:10.0.0.1"});
  ASSERT_NE(list.get(), nullptr);
  EXPECT_STREQ(list.get()->data, "*:1:127.0.0.1");
  EXPECT_EQ(ResolveList({}).get(), nullptr);
}

TEST(ResolveList, RejectsMalformedEntries) {
  for (const char* bad :
       {"h0.sim", "h0.sim:80", "h0.sim:80:", "h0.sim:0:127.0.0.1", "h0.sim:65536:127.0.0.1",
        "h0.sim:8x:127.0.0.1", "h0.sim:80:localhost", "h0.sim:80:127.0.0.1,", "h 0:80:127.0.0.1",
        ":80:127.0.0.1", "[zz]:80:127.0.0.1"}) {
    EXPECT_NE(ResolveList::check(bad), "") << bad;
  }
}

TEST(RetryPolicy, BacksOffExponentiallyWithJitter) {
  FetchOptions o;
  o.retries = 3;
  o.retry_base_ms = 100;
  RetryPolicy policy(o);
  PageRecord r;
  r.error = FetchError::kTimeout;
  for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
    r.attempts = attempt;
    for (int i = 0; i < 50; ++i) {
      const auto d = policy.decide(r, 0);
      ASSERT_TRUE(d.retry);
      const auto nominal = 100 << (attempt - 1);
      EXPECT_GE(d.delay.count(), nominal / 2);
      EXPECT_LE(d.delay.count(), nominal * 3 / 2);
    }
  }
  r.attempts = 4;
  EXPECT_FALSE(policy.decide(r, 0).retry);
}

TEST(RetryPolicy, RetriesOnlyTransientFailures) {
  FetchOptions o;
  RetryPolicy policy(o);
  PageRecord r;
  r.attempts = 1;
  r.error = FetchError::kHttpStatus;
  for (int status : {429, 500, 502, 503}) {
    r.status = status;
    EXPECT_TRUE(policy.decide(r, 0).retry) << status;
  }
  for (int status : {400, 403, 404, 410}) {
    r.status = status;
    EXPECT_FALSE(policy.decide(r, 0).retry) << status;
  }
  r.status = 0;
  for (FetchError e : {FetchError::kDns, FetchError::kTls, FetchError::kRobots,
                       FetchError::kBodyTooLarge, FetchError::kBadRedirect, FetchError::kNone}) {
    r.error = e;
    EXPECT_FALSE(policy.decide(r, 0).retry) << to_string(e);
  }
}

TEST(RetryPolicy, UsesRetryAfterFor429And503UpToTheLimit) {
  FetchOptions o;
  o.retry_after_max_ms = 10'000;
  RetryPolicy policy(o);
  PageRecord r;
  r.attempts = 1;
  r.error = FetchError::kHttpStatus;
  r.status = 503;
  auto d = policy.decide(r, 7);
  EXPECT_TRUE(d.retry);
  EXPECT_TRUE(d.server_asked);
  EXPECT_EQ(d.delay, 7000ms);
  d = policy.decide(r, 11);
  EXPECT_FALSE(d.retry);
  EXPECT_THAT(d.why_not, HasSubstr("Retry-After"));
  r.status = 500;  // Retry-After only counts for 429 and 503
  d = policy.decide(r, 11);
  EXPECT_TRUE(d.retry);
  EXPECT_FALSE(d.server_asked);
}

TEST(TransferErrors, MapCurlCodesToFetchErrors) {
  EXPECT_EQ(Transfer::map_error(CURLE_COULDNT_RESOLVE_HOST, false, false), FetchError::kDns);
  EXPECT_EQ(Transfer::map_error(CURLE_COULDNT_CONNECT, false, false), FetchError::kConnect);
  EXPECT_EQ(Transfer::map_error(CURLE_OPERATION_TIMEDOUT, false, false), FetchError::kTimeout);
  EXPECT_EQ(Transfer::map_error(CURLE_PEER_FAILED_VERIFICATION, false, false), FetchError::kTls);
  EXPECT_EQ(Transfer::map_error(CURLE_GOT_NOTHING, false, false), FetchError::kReset);
  EXPECT_EQ(Transfer::map_error(CURLE_PARTIAL_FILE, false, false), FetchError::kReset);
  EXPECT_EQ(Transfer::map_error(CURLE_TOO_MANY_REDIRECTS, true, false),
            FetchError::kTooManyRedirects);
  EXPECT_EQ(Transfer::map_error(CURLE_UNSUPPORTED_PROTOCOL, true, false), FetchError::kBadRedirect);
  EXPECT_EQ(Transfer::map_error(CURLE_UNSUPPORTED_PROTOCOL, false, false), FetchError::kBadUrl);
  EXPECT_EQ(Transfer::map_error(CURLE_FILESIZE_EXCEEDED, false, false), FetchError::kBodyTooLarge);
  EXPECT_EQ(Transfer::map_error(CURLE_WRITE_ERROR, false, true), FetchError::kBodyTooLarge);
  EXPECT_EQ(Transfer::map_error(CURLE_WRITE_ERROR, false, false), FetchError::kOther);
  EXPECT_EQ(Transfer::map_error(CURLE_WRITE_ERROR, false, false, /*header_over_cap=*/true),
            FetchError::kHeaderTooLarge);
  EXPECT_EQ(Transfer::map_error(CURLE_COULDNT_CONNECT, true, false, false, /*refused=*/true),
            FetchError::kForbiddenAddress);
  EXPECT_EQ(Transfer::map_error(CURLE_ABORTED_BY_CALLBACK, false, false, false, true),
            FetchError::kForbiddenAddress);
  // A refused candidate address, then a good one, then a timeout: a timeout.
  EXPECT_EQ(Transfer::map_error(CURLE_OPERATION_TIMEDOUT, false, false, false, true), FetchError::kTimeout);
  EXPECT_EQ(Transfer::map_error(CURLE_BAD_CONTENT_ENCODING, false, false), FetchError::kProtocol);
}

/// Records the order in which a HostQueue starts tokens.
struct QueueProbe {
  boost::asio::io_context io;
  std::vector<HostQueue::Token> started;
  std::vector<Clock::time_point> started_at;
  std::function<void(HostQueue::Token)> also;  ///< extra work on each start
  HostQueue queue;
  explicit QueueProbe(HostQueue::Limits limits)
      : queue(io, limits, [this](HostQueue::Token t) {
          started.push_back(t);
          started_at.push_back(Clock::now());
          if (also) also(t);
        }) {}
};

TEST(HostQueue, RoundRobinsSoOneHostCannotTakeEverySlot) {
  QueueProbe p({/*concurrency=*/3, /*per_host=*/2});
  for (HostQueue::Token t = 1; t <= 5; ++t) p.queue.push("slow", t, 0);
  p.queue.push("fast", 10, 0);
  p.queue.push("fast", 11, 0);
  // "slow" may hold 2 slots; the third goes to "fast" although "slow" queued first.
  EXPECT_THAT(p.started, ElementsAre(1, 2, 10));
  p.queue.finished("fast");
  EXPECT_THAT(p.started, ElementsAre(1, 2, 10, 11));
  p.queue.finished("fast");  // "fast" is empty, "slow" is at its per-host limit
  EXPECT_THAT(p.started, ElementsAre(1, 2, 10, 11));
  EXPECT_EQ(p.queue.started(), 2u);
  p.queue.finished("slow");
  EXPECT_THAT(p.started, ElementsAre(1, 2, 10, 11, 3));
  EXPECT_EQ(p.queue.waiting(), 2u);
  EXPECT_EQ(p.queue.started(), 2u);
}

TEST(HostQueue, FrontPushGoesFirst) {
  QueueProbe p({1, 1});
  p.queue.push("a", 1, 0);
  p.queue.push("a", 2, 0);
  p.queue.push("a", 3, 0, /*front=*/true);
  p.queue.finished("a");
  p.queue.finished("a");
  EXPECT_THAT(p.started, ElementsAre(1, 3, 2));
}

TEST(HostQueue, DelaySpacesStartsAndIdleHostsAreForgotten) {
  QueueProbe p({4, 4});
  p.also = [&p](HostQueue::Token t) {
    boost::asio::post(p.io, [&p, t] { p.queue.finished(t == 9 ? "b" : "a"); });
  };
  const auto start = Clock::now();
  for (HostQueue::Token t = 1; t <= 3; ++t) p.queue.push("a", t, 50);
  p.queue.push("b", 9, 0);
  EXPECT_THAT(p.started, ElementsAre(1, 9));
  p.io.run_for(5s);  // returns once no timer is left
  ASSERT_THAT(p.started, ElementsAre(1, 9, 2, 3));
  EXPECT_GE(p.started_at[2] - start, 50ms);
  EXPECT_GE(p.started_at[3] - start, 100ms);
  EXPECT_EQ(p.queue.started(), 0u);
  // "a" is idle but its delay may not have run out: no timer waits for that (see below), so it
  // is forgotten by the first push once it has.
  boost::asio::steady_timer rested(p.io, p.started_at[3] + 50ms);
  rested.wait();
  p.queue.push("c", 10, 0);
  EXPECT_EQ(p.queue.hosts(), 1u);  // "c" only
}

// crawl --workers 0 ended one --delay-ms after its last fetch: the idle host's delay timer was
// the last work on the loop.
TEST(HostQueue, AnIdleHostKeepsItsDelayWithoutHoldingTheLoop) {
  QueueProbe p({2, 2});
  p.also = [&p](HostQueue::Token) { boost::asio::post(p.io, [&p] { p.queue.finished("a"); }); };
  const auto start = Clock::now();
  p.queue.push("a", 1, 10'000);
  p.io.run_for(20s);  // returns when no work is left
  ASSERT_THAT(p.started, ElementsAre(1));
  EXPECT_LT(Clock::now() - start, 5s) << "the loop waited for the idle host's delay";
  EXPECT_EQ(p.queue.hosts(), 1u);  // still remembered: its delay has not run out
  p.queue.push("a", 2, 10'000);
  EXPECT_THAT(p.started, ElementsAre(1)) << "politeness: the next fetch still waits 10 s";
  EXPECT_EQ(p.queue.waiting(), 1u);
  p.queue.clear();
}

// What AsyncEngine::cancel_waiting stands on: the tokens not started come out, the started ones
// keep their slots, and nothing is left for the timer to wait for.
TEST(HostQueue, TakeWaitingReturnsWhatHasNotStartedAndKeepsTheRest) {
  QueueProbe p({/*concurrency=*/2, /*per_host=*/1});
  p.queue.push("a", 1, 0);
  p.queue.push("a", 2, 0);  // behind 1: per_host
  p.queue.push("d", 7, 10'000);
  p.queue.push("d", 8, 10'000);  // behind 7 and its 10 s delay: armed on the timer
  p.queue.push("b", 3, 0);       // behind the concurrency limit
  ASSERT_THAT(p.started, ElementsAre(1, 7));
  EXPECT_THAT(p.queue.take_waiting(), UnorderedElementsAre(2, 3, 8));
  EXPECT_EQ(p.queue.waiting(), 0u);
  EXPECT_EQ(p.queue.started(), 2u);
  const auto start = Clock::now();
  p.io.run_for(20s);  // returns at once: no timer is left for a token
  EXPECT_LT(Clock::now() - start, 5s) << "a timer still waited for a taken token";
  p.queue.finished("a");
  p.queue.finished("d");
  EXPECT_THAT(p.started, ElementsAre(1, 7)) << "nothing left to start";
  p.queue.push("a", 4, 0);
  p.queue.push("d", 9, 10'000);
  EXPECT_THAT(p.started, ElementsAre(1, 7, 4)) << "d keeps its delay";
  p.queue.clear();
}

TEST(HostQueue, PauseHoldsAHostBack) {
  QueueProbe p({2, 2});
  const auto start = Clock::now();
  p.queue.pause("a", 60);
  p.queue.push("a", 1, 0);
  p.queue.push("b", 2, 0);
  EXPECT_THAT(p.started, ElementsAre(2));
  p.io.run_for(5s);
  ASSERT_THAT(p.started, ElementsAre(2, 1));
  EXPECT_GE(p.started_at[1] - start, 60ms);
}

TEST(HostQueue, ClearForgetsEverything) {
  QueueProbe p({1, 1});
  p.queue.push("a", 1, 0);
  p.queue.push("a", 2, 0);
  p.queue.push("b", 3, 1000);
  p.queue.clear();
  EXPECT_EQ(p.queue.waiting(), 0u);
  EXPECT_EQ(p.queue.started(), 0u);
  EXPECT_EQ(p.queue.hosts(), 0u);
  p.queue.finished("a");  // a stale finish is ignored
  p.queue.push("c", 4, 0);
  EXPECT_THAT(p.started, ElementsAre(1, 4));
}

}  // namespace
}  // namespace crawler
