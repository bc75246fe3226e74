#include "worker/async_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <utility>

#include "common/address_class.hpp"
#include "common/busy_cpu.hpp"
#include "common/link_extractor.hpp"
#include "common/metrics.hpp"
#include "common/url.hpp"

namespace crawler {

namespace {

/// Failures worth a warning: the others are the ordinary weather of a crawl.
bool unusual(FetchError e) {
  return e == FetchError::kTls || e == FetchError::kProtocol || e == FetchError::kOther ||
         e == FetchError::kForbiddenAddress;  // a page pointed at the inside of the network
}

}  // namespace

AsyncEngine::AsyncEngine(boost::asio::io_context& io, const FetchOptions& options)
    : io_(io),
      options_(options),
      resolve_(options.resolve),
      connect_to_(options.connect_to),
      guard_(options),
      retry_(options),
      pool_(static_cast<std::size_t>(std::clamp(options.concurrency, 1, 256))),
      multi_(io, CurlMulti::Limits{.max_cached_connections = options.concurrency,
                                   .max_host_connections = options.per_host}),
      hosts_(io, HostQueue::Limits{options.concurrency, options.per_host},
             [this](HostQueue::Token id) { start(id); }),
      max_cached_connections_(CurlMulti::connection_ceiling(options.concurrency)),
      parse_pool_(static_cast<std::size_t>(std::max(1, options.parse_threads))) {
  // Behind a proxy the proxy resolves (an http proxy gets the name; socks5h too).
  if (!options.system_resolver && AddressGuard::proxies(options).empty()) {
    resolver_ = std::make_unique<DnsResolver>(
        io, DnsResolver::Options{.servers = options.dns_servers,
                                 .timeout_ms = std::clamp(options.connect_timeout_ms / 5, 100, 2'000)});
  }
}

AsyncEngine::~AsyncEngine() {
  if (resolver_ && resolver_->stats().lookups > 0) {
    const DnsResolver::Stats& dns = resolver_->stats();
    spdlog::info("DNS: {} names looked up ({} failed), {} answers from the cache", dns.lookups,
                 dns.failures, dns.cache_hits);
  }
  life_.reset();  // parse results and timers that still arrive do nothing
  parse_pool_.stop();
  parse_pool_.join();
}

void AsyncEngine::submit(FetchTask task, Callback done) {
  const JobId id = next_id_++;
  Job& job = jobs_.emplace(id, Job{}).first->second;
  job.task = std::move(task);
  job.done = std::move(done);
  ++pages_;
  const auto normal = normalize_url(job.task.url);
  const auto parts = normal ? parse_url(*normal) : std::nullopt;
  if (!parts || host_key(*normal).empty()) {
    fail(id, FetchError::kBadUrl, "not an absolute http(s) URL");
    return;
  }
  job.url = *normal;
  job.host = host_key(job.url);
  job.origin = parts->scheme + "://" + job.host;
  job.path = parts->path.empty() ? "/" : parts->path;
  if (!parts->query.empty()) job.path += "?" + parts->query;

  if (!job.task.check_robots || !options_.obey_robots) {
    enqueue(id, job);
    return;
  }
  if (const RobotsCache::Entry* entry = robots_.find(job.origin)) {
    apply_robots(id, *entry);
    return;
  }
  job.stage = Stage::kWaitingRobots;
  std::vector<JobId>& parked = parked_[job.origin];
  parked.push_back(id);
  if (parked.size() == 1) start_robots(job.origin, job.host, job.task.host_named_by_user);
}

void AsyncEngine::start_robots(const std::string& origin, const std::string& host,
                               bool host_named_by_user) {
  const JobId id = next_id_++;
  Job& job = jobs_.emplace(id, Job{}).first->second;
  job.kind = Kind::kRobots;
  job.url = origin + "/robots.txt";
  job.task.url = job.url;
  job.task.host_named_by_user = host_named_by_user;  // same host as the page that asked for it
  job.host = host;
  job.origin = origin;
  enqueue(id, job, /*front=*/true);
}

void AsyncEngine::apply_robots(JobId id, const RobotsCache::Entry& entry) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  if (entry.unreachable != FetchError::kNone) {
    // The host did not answer for robots.txt; the page would fail the same way.
    fail(id, entry.unreachable, "robots.txt unreachable: " + entry.detail);
  } else if (!entry.rules.allowed(job.path)) {
    fail(id, FetchError::kRobots, entry.detail.empty() ? "disallowed by robots.txt" : entry.detail);
  } else {
    enqueue(id, job);
  }
}

void AsyncEngine::enqueue(JobId id, Job& job, bool front) {
  job.stage = Stage::kQueued;
  const std::string host = job.host;  // push may start and finish the job before returning
  hosts_.push(host, id, host_delay_ms(job.origin), front);
}

int AsyncEngine::host_delay_ms(const std::string& origin) {
  int delay = std::max(0, options_.delay_ms);
  if (!options_.obey_robots) return delay;
  if (const RobotsCache::Entry* entry = robots_.find(origin)) {
    if (auto crawl_delay = entry->rules.crawl_delay_ms()) {
      delay = std::max(delay, std::min(*crawl_delay, RobotsCache::kMaxCrawlDelayMs));
    }
  }
  return delay;
}

void AsyncEngine::start(JobId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;  // unreachable: cancel_all() empties the HostQueue too
  Job& job = it->second;
  job.stage = Stage::kInFlight;
  ++job.attempts;
  // Size the connection cache for the hosts in rotation before a transfer ends and curl prunes.
  const auto now = std::chrono::steady_clock::now();
  recent_hosts_.touch(job.host, now);
  const long wanted = static_cast<long>(recent_hosts_.count(now)) * options_.per_host;
  multi_.set_max_cached_connections(
      std::clamp<long>(wanted, options_.concurrency, max_cached_connections_));
  if (resolver_) {
    auto target = Transfer::host_and_port(job.url.c_str());
    if (target && !classify_address(target->first) && !guard_.mapped(target->first, target->second)) {
      const std::string& name = target->first;
      const int port = target->second;
      std::weak_ptr<int> life = life_;
      const DnsAnswer* cached = resolver_->cached(name);
      if (cached != nullptr && cached->error.empty()) {
        on_resolved(id, name, port, *cached);
      } else if (cached != nullptr) {
        // Not from in here: a host's queued pages would fail one inside the other's finished().
        boost::asio::post(io_, [this, life, id, name, port, answer = *cached] {
          if (!life.expired()) on_resolved(id, name, port, answer);
        });
      } else {
        resolver_->lookup(name, [this, life, id, name, port](const DnsAnswer& answer) {
          if (!life.expired()) on_resolved(id, name, port, answer);
        });
      }
      return;
    }
  }
  launch(id, job, {});
}

void AsyncEngine::on_resolved(JobId id, const std::string& name, int port,
                              const DnsAnswer& answer) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.stage != Stage::kInFlight || it->second.transfer) return;
  Job& job = it->second;
  if (!answer.error.empty()) {
    PageRecord record = new_record(job);
    record.error = FetchError::kDns;
    record.error_detail = "could not resolve host " + name + ": " + answer.error;
    hosts_.finished(job.host);
    conclude(id, job, std::move(record), {}, 0);
    return;
  }
  // "+": an entry curl may forget; it is handed again, fresh, with each transfer to the host.
  std::string entry = "+" + name + ":" + std::to_string(port) + ":";
  for (std::size_t i = 0; i < answer.addresses.size(); ++i) {
    const std::string& address = answer.addresses[i];
    if (i > 0) entry += ',';
    entry += address.find(':') != std::string::npos ? "[" + address + "]" : address;
  }
  launch(id, job, std::move(entry));
}

void AsyncEngine::launch(JobId id, Job& job, std::string resolved) {
  const std::string host = job.host;
  Transfer::Network network{resolve_.get(), connect_to_.get(), &guard_, std::move(resolved)};
  // curl prunes its DNS cache at the end of every transfer, walking all of it: let one transfer
  // a second do it.
  const auto now = std::chrono::steady_clock::now();
  network.dns_cache_timeout_s = -1;
  if (now - last_curl_dns_prune_ >= kCurlDnsPruneInterval) {
    network.dns_cache_timeout_s = kCurlDnsCacheTimeoutS;
    last_curl_dns_prune_ = now;
  }
  try {
    job.transfer = pool_.acquire();
    job.transfer->configure(
        job.url, options_, network,
        job.kind == Kind::kRobots ? Transfer::Purpose::kRobots : Transfer::Purpose::kPage,
        job.task.host_named_by_user);
    if (multi_.add(job.transfer->easy(),
                   [this, id](CURLcode code) { on_transfer_done(id, code); })) {
      return;
    }
  } catch (const std::exception& e) {
    spdlog::warn("cannot start {}: {}", job.url, e.what());
  }
  if (job.transfer) pool_.release(std::move(job.transfer));
  PageRecord record = new_record(job);
  record.error = FetchError::kOther;
  record.error_detail = "could not start the transfer";
  hosts_.finished(host);
  conclude(id, job, std::move(record), {}, 0);
}

void AsyncEngine::on_transfer_done(JobId id, CURLcode code) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  PageRecord record = new_record(job);
  job.transfer->finish(code, record);
  const std::int64_t retry_after = job.transfer->retry_after_s();
  std::string body = job.transfer->take_body();
  pool_.release(std::move(job.transfer));
  spdlog::debug("fetch {} -> {} {} {} B {:.1f} ms attempt {}", job.url, record.status,
                to_string(record.error), record.bytes, record.fetch_ms, record.attempts);
  hosts_.finished(job.host);  // may start other jobs; `job` stays valid (node-based map)
  conclude(id, job, std::move(record), std::move(body), retry_after);
}

void AsyncEngine::conclude(JobId id, Job& job, PageRecord record, std::string body,
                           std::int64_t retry_after_s) {
  RetryPolicy::Decision decision = retry_.decide(record, retry_after_s);
  if (decision.retry) {
    pool_.recycle(std::move(body));
    if (decision.server_asked) hosts_.pause(job.host, static_cast<int>(decision.delay.count()));
    spdlog::debug("retry {} in {} ms after {}", job.url, decision.delay.count(),
                  record.error_detail);
    job.stage = Stage::kRetryWait;
    job.wait = std::make_unique<boost::asio::steady_timer>(io_, decision.delay);
    std::weak_ptr<int> life = life_;
    job.wait->async_wait([this, life, id](const boost::system::error_code& ec) {
      if (ec || life.expired()) return;
      on_retry_timer(id);
    });
    return;
  }
  if (!decision.why_not.empty()) record.error_detail += " (" + decision.why_not + ")";
  if (job.kind == Kind::kRobots) {
    on_robots_done(id, record, std::move(body));
    return;
  }
  if (record.ok() && LinkExtractor::is_html(record.content_type)) {
    parse(id, job, std::move(record), std::move(body));
    return;
  }
  pool_.recycle(std::move(body));
  report(id, std::move(record));
}

void AsyncEngine::on_retry_timer(JobId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.stage != Stage::kRetryWait) return;
  it->second.wait.reset();  // safe: this handler no longer belongs to the timer
  enqueue(id, it->second);
}

void AsyncEngine::on_robots_done(JobId id, const PageRecord& record, std::string body) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  const std::string origin = it->second.origin;
  const RobotsCache::Entry entry = RobotsCache::verdict(record, body, options_.user_agent);
  pool_.recycle(std::move(body));
  spdlog::debug("robots {} -> {} {}", origin, record.status, to_string(record.error));
  jobs_.erase(it);
  robots_.put(origin, entry);
  auto parked = parked_.extract(origin);
  if (parked.empty()) return;
  for (JobId page : parked.mapped()) apply_robots(page, entry);
}

void AsyncEngine::parse(JobId id, Job& job, PageRecord record, std::string body) {
  job.stage = Stage::kParsing;
  job.record = std::move(record);
  std::weak_ptr<int> life = life_;
  // Only values travel to the pool thread; `this` is touched back on the io thread, if alive.
  // The work guard keeps io_.run() from returning while a page is on the pool.
  boost::asio::post(parse_pool_, [this, life, id, work = boost::asio::make_work_guard(io_),
                                  body = std::move(body), content_type = job.record.content_type,
                                  base = job.record.final_url,
                                  think = std::chrono::milliseconds(options_.think_ms),
                                  max_url_length = options_.max_url_length,
                                  max_links = options_.max_links_per_page]() mutable {
    std::vector<std::string> links;
    LinkDrops drops;
    burn_cpu(think);  // --think-ms: serialised on the pool like the parsing it stands beside
    try {
      links = LinkExtractor::extract(body, content_type, base).links;
      drops = limit_links(links, max_url_length, max_links);
    } catch (const std::exception& e) {
      spdlog::warn("link extraction failed for {}: {}", base, e.what());
    }
    boost::asio::post(work.get_executor(), [this, life, id, links = std::move(links), drops,
                                            body = std::move(body)]() mutable {
      if (life.expired()) return;
      on_parsed(id, std::move(links), drops, std::move(body));
    });
    work.reset();
  });
}

void AsyncEngine::on_parsed(JobId id, std::vector<std::string> links, LinkDrops drops,
                            std::string body) {
  pool_.recycle(std::move(body));
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.stage != Stage::kParsing) return;  // cancelled meanwhile
  PageRecord record = std::move(it->second.record);
  record.links = std::move(links);
  record.links_too_long = drops.too_long;
  record.links_over_cap = drops.over_cap;
  report(id, std::move(record));
}

PageRecord AsyncEngine::new_record(const Job& job) const {
  PageRecord record;
  record.task_id = job.task.id;
  record.url = job.task.url;
  record.depth = job.task.depth;
  record.attempts = job.attempts;
  return record;
}

void AsyncEngine::fail(JobId id, FetchError error, std::string detail) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  PageRecord record = new_record(it->second);
  record.error = error;
  record.error_detail = std::move(detail);
  report(id, std::move(record));
}

void AsyncEngine::report(JobId id, PageRecord record) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;  // already reported: each task is reported exactly once
  Callback done = std::move(it->second.done);
  const Kind kind = it->second.kind;
  jobs_.erase(it);
  if (kind != Kind::kPage) return;
  --pages_;
  if (unusual(record.error)) {
    spdlog::warn("{}: {} ({})", record.url, to_string(record.error), record.error_detail);
  }
  reports_.post(std::move(done), std::move(record));
}

void AsyncEngine::register_metrics(MetricsRegistry& metrics) {
  if (!resolver_) return;
  auto stats = resolver_->shared_stats();
  metrics.counter_fn("crawler_dns_lookups_total",
                     "Host names looked up (/etc/hosts, then the DNS servers: an A and an AAAA query each)",
                     [stats] { return static_cast<double>(stats->lookups); });
  metrics.counter_fn("crawler_dns_failures_total",
                     "Of those, names that did not resolve (no such name, timeout, server failure)",
                     [stats] { return static_cast<double>(stats->failures); });
  metrics.counter_fn("crawler_dns_cache_hits_total",
                     "Transfers whose host's addresses came from the DNS cache (within its TTL)",
                     [stats] { return static_cast<double>(stats->cache_hits); });
}

void AsyncEngine::cancel_waiting() {
  hosts_.take_waiting();  // their jobs are reported or dropped below
  parked_.clear();
  std::vector<JobId> waiting;
  for (const auto& [id, job] : jobs_) {
    if (job.stage == Stage::kWaitingRobots || job.stage == Stage::kQueued ||
        job.stage == Stage::kRetryWait) {
      waiting.push_back(id);
    }
  }
  std::sort(waiting.begin(), waiting.end());
  for (const JobId id : waiting) {
    Job& job = jobs_.at(id);
    if (job.wait) job.wait->cancel();
    if (job.kind != Kind::kPage) {
      jobs_.erase(id);  // a robots.txt fetch not started: its pages are cancelled here too
      continue;
    }
    fail(id, FetchError::kCancelled, "crawl stopped before this fetch started");
  }
}

void AsyncEngine::cancel_all() {
  std::vector<std::pair<JobId, Job>> jobs;
  jobs.reserve(jobs_.size());
  for (auto& [id, job] : jobs_) jobs.emplace_back(id, std::move(job));
  jobs_.clear();
  parked_.clear();
  hosts_.clear();
  pages_ = 0;
  std::sort(jobs.begin(), jobs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, job] : jobs) {
    if (job.transfer) {
      multi_.remove(job.transfer->easy());
      pool_.release(std::move(job.transfer));
    }
    if (job.wait) job.wait->cancel();
    if (job.kind != Kind::kPage) continue;
    PageRecord record = new_record(job);
    record.error = FetchError::kCancelled;
    record.error_detail = "crawl cancelled";
    reports_.post(std::move(job.done), std::move(record));
  }
}

}  // namespace crawler
