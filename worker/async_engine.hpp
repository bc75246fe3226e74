#pragma once
/// The asynchronous fetch engine: many transfers at once on one io_context thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/link_limits.hpp"
#include "worker/address_guard.hpp"
#include "worker/connect_to_list.hpp"
#include "worker/crawl_engine.hpp"
#include "worker/curl_multi.hpp"
#include "worker/dns_resolver.hpp"
#include "worker/host_queue.hpp"
#include "worker/recent_hosts.hpp"
#include "worker/report_poster.hpp"
#include "worker/resolve_list.hpp"
#include "worker/retry_policy.hpp"
#include "worker/robots_cache.hpp"
#include "worker/transfer_pool.hpp"

namespace crawler {

/// CrawlEngine for FetchOptions::Mode::kAsync. A task goes: robots.txt check (fetched once per
/// origin through the same multi, tasks parked meanwhile) → HostQueue (per-host slots, delay,
/// round-robin, global cap) → CurlMulti transfer → retry wait (timer) and back to the HostQueue,
/// or → HTML parse on the thread pool → report. A transfer's host name is resolved first by the
/// engine's DnsResolver (cached for its TTL) and handed to curl with its addresses, unless the
/// user maps it (--resolve, --connect-to), it is an IP literal, a proxy is configured or
/// options.system_resolver asks for getaddrinfo (then curl resolves, as for redirect targets). Reports are posted to the io_context, so a
/// callback never runs inside submit() or cancel_all() and may call back into the engine.
/// Bounds: tasks are held until reported (the caller bounds them; outstanding() is the
/// back-pressure signal); robots cache RobotsCache::kDefaultCapacity origins; transfer pool
/// min(concurrency, 256) idle handles; host table as HostQueue says; DNS answers as DnsResolver
/// says, lookups at most one per started transfer. Connections: at most
/// per_host per host; the cache keeps, idle or busy, per_host connections for each host fetched
/// from in the last kConnectionMemory (libcurl closes a connection idle longer than 118 s
/// anyway), at least `concurrency` and at most 3/4 of the descriptor limit (RLIMIT_NOFILE), so
/// a host's next page reuses its connection however many hosts the crawl rotates over.
/// Destroying the engine drops unreported tasks silently: call cancel_all() first to have them
/// reported. Reports already posted are still delivered after destruction.
class AsyncEngine final : public CrawlEngine {
 public:
  /// Throws std::runtime_error on a malformed options.resolve, connect_to or allow_hosts entry.
  AsyncEngine(boost::asio::io_context& io, const FetchOptions& options);
  ~AsyncEngine() override;

  void submit(FetchTask task, Callback done) override;
  std::size_t outstanding() const override { return pages_ + reports_.pending(); }
  std::size_t in_flight() const override { return multi_.size(); }
  void cancel_all() override;
  /// Cancels the tasks waiting for robots.txt, in the HostQueue or for a retry; robots.txt
  /// fetches not started are dropped. Transfers in flight and pages being parsed go on.
  void cancel_waiting() override;
  /// crawler_dns_lookups_total, crawler_dns_failures_total, crawler_dns_cache_hits_total (when
  /// the engine resolves names itself).
  void register_metrics(MetricsRegistry& metrics) override;

  /// How long a host's connections are worth keeping after its last request.
  static constexpr std::chrono::seconds kConnectionMemory{120};
  /// How often one transfer lets curl prune its DNS cache (of the names it resolved itself:
  /// redirect targets, proxies); the others skip the prune, which walks the whole cache.
  static constexpr std::chrono::seconds kCurlDnsPruneInterval{1};
  /// What curl's own DNS answers are worth (CURLOPT_DNS_CACHE_TIMEOUT of the pruning transfer).
  static constexpr long kCurlDnsCacheTimeoutS = 60;

 private:
  using JobId = std::uint64_t;
  enum class Kind { kPage, kRobots };
  enum class Stage { kWaitingRobots, kQueued, kInFlight, kRetryWait, kParsing };

  /// One task (or one internal robots.txt fetch) from submit to report.
  struct Job {
    Kind kind = Kind::kPage;
    Stage stage = Stage::kQueued;
    FetchTask task;
    Callback done;
    std::string url;     ///< normalised URL actually fetched
    std::string host;    ///< host_key: the politeness key
    std::string origin;  ///< scheme://host_key: the robots.txt key
    std::string path;    ///< path and query, for robots rules
    std::uint32_t attempts = 0;
    std::unique_ptr<Transfer> transfer;               ///< while in flight
    std::unique_ptr<boost::asio::steady_timer> wait;  ///< while waiting to retry
    PageRecord record;                                ///< while parsing
  };

  void start_robots(const std::string& origin, const std::string& host, bool host_named_by_user);
  void apply_robots(JobId id, const RobotsCache::Entry& entry);
  void enqueue(JobId id, Job& job, bool front = false);
  int host_delay_ms(const std::string& origin);
  void start(JobId id);
  void on_resolved(JobId id, const std::string& name, int port, const DnsAnswer& answer);
  void launch(JobId id, Job& job, std::string resolved);
  void on_transfer_done(JobId id, CURLcode code);
  void conclude(JobId id, Job& job, PageRecord record, std::string body,
                std::int64_t retry_after_s);
  void on_robots_done(JobId id, const PageRecord& record, std::string body);
  void on_retry_timer(JobId id);
  void parse(JobId id, Job& job, PageRecord record, std::string body);
  void on_parsed(JobId id, std::vector<std::string> links, LinkDrops drops, std::string body);
  PageRecord new_record(const Job& job) const;
  void fail(JobId id, FetchError error, std::string detail);
  void report(JobId id, PageRecord record);

  boost::asio::io_context& io_;
  FetchOptions options_;
  ResolveList resolve_;        ///< before the transfers: curl points into it
  ConnectToList connect_to_;   ///< likewise
  AddressGuard guard_;         ///< likewise
  RetryPolicy retry_;
  RobotsCache robots_;
  TransferPool pool_;
  std::unordered_map<JobId, Job> jobs_;
  std::unordered_map<std::string, std::vector<JobId>> parked_;  ///< origin → tasks awaiting robots
  JobId next_id_ = 1;
  std::size_t pages_ = 0;           ///< page jobs in jobs_
  ReportPoster reports_{io_};
  CurlMulti multi_;                 ///< after jobs_: destroyed first, removing their easy handles
  HostQueue hosts_;
  /// Names to addresses, unless a proxy is configured (it resolves) or --system-resolver.
  std::unique_ptr<DnsResolver> resolver_;
  std::chrono::steady_clock::time_point last_curl_dns_prune_{};
  RecentHosts recent_hosts_{kConnectionMemory};
  long max_cached_connections_;  ///< the cache's ceiling: 3/4 of RLIMIT_NOFILE
  boost::asio::thread_pool parse_pool_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  ///< handlers hold a weak_ptr to this
};

}  // namespace crawler
