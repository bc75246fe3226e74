#pragma once
/// The blocking fetch engine: one transfer at a time, the contrast row of the benchmark.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "worker/address_guard.hpp"
#include "worker/connect_to_list.hpp"
#include "worker/crawl_engine.hpp"
#include "worker/recent_hosts.hpp"
#include "worker/report_poster.hpp"
#include "worker/resolve_list.hpp"
#include "worker/retry_policy.hpp"
#include "worker/robots_cache.hpp"
#include "worker/transfer.hpp"

namespace crawler {

/// CrawlEngine for FetchOptions::Mode::kSync: each task runs in its own handler posted to the
/// io_context, as one blocking curl_easy_perform per attempt, with the async engine's options,
/// robots.txt handling, retries and result mapping (Transfer, RobotsCache, RetryPolicy), so it
/// yields the same PageRecords. Waits (politeness delay, retry backoff) block the loop: that is
/// the point of this model. Parsing runs inline. Reports are posted like the async engine's.
/// Connections: one easy handle, whose cache keeps one connection for each host fetched from
/// in the last 120 s (at most CurlMulti::connection_ceiling). Bounds: the queue holds what the
/// caller submitted (outstanding() is the back-pressure signal); robots cache
/// RobotsCache::kDefaultCapacity origins; host delay table kMaxHosts.
/// Destroying the engine drops unreported tasks silently: call cancel_all() first.
class SyncEngine final : public CrawlEngine {
 public:
  /// Hosts whose next allowed start is remembered; past this, expired entries are dropped.
  static constexpr std::size_t kMaxHosts = 10'000;

  /// Throws std::runtime_error on a malformed options.resolve entry.
  SyncEngine(boost::asio::io_context& io, const FetchOptions& options);
  ~SyncEngine() override;

  void submit(FetchTask task, Callback done) override;
  std::size_t outstanding() const override {
    return queue_.size() + (running_ ? 1 : 0) + reports_.pending();
  }
  std::size_t in_flight() const override { return running_ ? 1 : 0; }
  void cancel_all() override;
  /// The queued tasks (all but the one running, which blocks the loop anyway): as cancel_all().
  void cancel_waiting() override { cancel_all(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Item {
    FetchTask task;
    Callback done;
  };

  void schedule();
  void run_next();
  PageRecord fetch(const FetchTask& task);
  const RobotsCache::Entry& robots_entry(const std::string& origin, const std::string& host,
                                         bool host_named_by_user);
  PageRecord fetch_with_retries(const std::string& url, const std::string& host,
                                Transfer::Purpose purpose, bool host_named_by_user,
                                PageRecord record, std::string& body);
  void wait_for_host(const std::string& host, int delay_ms);
  int host_delay_ms(const std::string& origin);

  boost::asio::io_context& io_;
  FetchOptions options_;
  ResolveList resolve_;       ///< before transfer_: curl points into it
  ConnectToList connect_to_;  ///< likewise
  AddressGuard guard_;        ///< likewise
  RetryPolicy retry_;
  RobotsCache robots_;
  std::unique_ptr<Transfer> transfer_;
  std::deque<Item> queue_;
  std::unordered_map<std::string, Clock::time_point> next_start_;  ///< per host
  RecentHosts recent_hosts_{std::chrono::seconds(120)};            ///< sizes the connection cache
  long max_cached_connections_;
  bool scheduled_ = false;
  bool running_ = false;
  ReportPoster reports_{io_};
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace crawler
