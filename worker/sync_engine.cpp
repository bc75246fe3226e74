#include "worker/sync_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <thread>
#include <utility>

#include "common/busy_cpu.hpp"
#include "common/link_extractor.hpp"
#include "common/link_limits.hpp"
#include "common/url.hpp"
#include "worker/curl_multi.hpp"

namespace crawler {

SyncEngine::SyncEngine(boost::asio::io_context& io, const FetchOptions& options)
    : io_(io),
      options_(options),
      resolve_(options.resolve),
      connect_to_(options.connect_to),
      guard_(options),
      retry_(options),
      transfer_(std::make_unique<Transfer>()),
      max_cached_connections_(CurlMulti::connection_ceiling(4)) {}

SyncEngine::~SyncEngine() { life_.reset(); }

void SyncEngine::submit(FetchTask task, Callback done) {
  queue_.push_back(Item{std::move(task), std::move(done)});
  schedule();
}

void SyncEngine::schedule() {
  if (scheduled_ || queue_.empty()) return;
  scheduled_ = true;
  std::weak_ptr<int> life = life_;
  boost::asio::post(io_, [this, life] {
    if (life.expired()) return;
    scheduled_ = false;
    run_next();
  });
}

void SyncEngine::run_next() {
  if (queue_.empty()) return;
  Item item = std::move(queue_.front());
  queue_.pop_front();
  running_ = true;
  PageRecord record = fetch(item.task);
  running_ = false;
  reports_.post(std::move(item.done), std::move(record));
  schedule();  // one task per handler: timers and other work get their turn in between
}

PageRecord SyncEngine::fetch(const FetchTask& task) {
  PageRecord record;
  record.task_id = task.id;
  record.url = task.url;
  record.depth = task.depth;
  const auto normal = normalize_url(task.url);
  const auto parts = normal ? parse_url(*normal) : std::nullopt;
  const std::string host = normal ? host_key(*normal) : std::string();
  if (!parts || host.empty()) {
    record.error = FetchError::kBadUrl;
    record.error_detail = "not an absolute http(s) URL";
    return record;
  }
  const std::string origin = parts->scheme + "://" + host;
  if (task.check_robots && options_.obey_robots) {
    std::string path = parts->path.empty() ? "/" : parts->path;
    if (!parts->query.empty()) path += "?" + parts->query;
    const RobotsCache::Entry& entry = robots_entry(origin, host, task.host_named_by_user);
    if (entry.unreachable != FetchError::kNone) {
      record.error = entry.unreachable;
      record.error_detail = "robots.txt unreachable: " + entry.detail;
      return record;
    }
    if (!entry.rules.allowed(path)) {
      record.error = FetchError::kRobots;
      record.error_detail = entry.detail.empty() ? "disallowed by robots.txt" : entry.detail;
      return record;
    }
  }
  std::string body;
  record = fetch_with_retries(*normal, host, Transfer::Purpose::kPage, task.host_named_by_user,
                              std::move(record), body);
  if (record.ok() && LinkExtractor::is_html(record.content_type)) {
    burn_cpu(std::chrono::milliseconds(options_.think_ms));  // --think-ms, inline like parsing
    try {
      record.links = LinkExtractor::extract(body, record.content_type, record.final_url).links;
      const LinkDrops drops = limit_links(record.links, options_.max_url_length, options_.max_links_per_page);
      record.links_too_long = drops.too_long;
      record.links_over_cap = drops.over_cap;
    } catch (const std::exception& e) {
      spdlog::warn("link extraction failed for {}: {}", record.final_url, e.what());
    }
  }
  transfer_->give_buffer(std::move(body));
  return record;
}

const RobotsCache::Entry& SyncEngine::robots_entry(const std::string& origin,
                                                   const std::string& host,
                                                   bool host_named_by_user) {
  if (const RobotsCache::Entry* entry = robots_.find(origin)) return *entry;
  std::string body;
  const std::string url = origin + "/robots.txt";
  PageRecord record;
  record.url = url;
  record = fetch_with_retries(url, host, Transfer::Purpose::kRobots, host_named_by_user,
                              std::move(record), body);
  robots_.put(origin, RobotsCache::verdict(record, body, options_.user_agent));
  return *robots_.find(origin);
}

PageRecord SyncEngine::fetch_with_retries(const std::string& url, const std::string& host,
                                          Transfer::Purpose purpose, bool host_named_by_user,
                                          PageRecord record,
                                          std::string& body) {
  const std::string origin = url.substr(0, url.find('/', url.find("//") + 2));
  while (true) {
    wait_for_host(host, host_delay_ms(origin));
    ++record.attempts;
    transfer_->configure(url, options_,
                         Transfer::Network{resolve_.get(), connect_to_.get(), &guard_, {}}, purpose,
                         host_named_by_user);
    const auto now = Clock::now();
    recent_hosts_.touch(host, now);
    curl_easy_setopt(
        transfer_->easy(), CURLOPT_MAXCONNECTS,
        std::clamp<long>(static_cast<long>(recent_hosts_.count(now)), 4, max_cached_connections_));
    const CURLcode code = curl_easy_perform(transfer_->easy());
    transfer_->finish(code, record);
    body = transfer_->take_body();
    spdlog::debug("fetch {} -> {} {} {} B {:.1f} ms attempt {}", url, record.status,
                  to_string(record.error), record.bytes, record.fetch_ms, record.attempts);
    RetryPolicy::Decision decision = retry_.decide(record, transfer_->retry_after_s());
    if (!decision.retry) {
      if (!decision.why_not.empty()) record.error_detail += " (" + decision.why_not + ")";
      return record;
    }
    transfer_->give_buffer(std::move(body));
    if (decision.server_asked) {
      auto& next = next_start_[host];
      next = std::max(next, Clock::now() + decision.delay);
    }
    std::this_thread::sleep_for(decision.delay);  // blocking on purpose: the sync model
  }
}

int SyncEngine::host_delay_ms(const std::string& origin) {
  int delay = std::max(0, options_.delay_ms);
  if (!options_.obey_robots) return delay;
  if (const RobotsCache::Entry* entry = robots_.find(origin)) {
    if (auto crawl_delay = entry->rules.crawl_delay_ms()) {
      delay = std::max(delay, std::min(*crawl_delay, RobotsCache::kMaxCrawlDelayMs));
    }
  }
  return delay;
}

void SyncEngine::wait_for_host(const std::string& host, int delay_ms) {
  const auto now = Clock::now();
  if (next_start_.size() >= kMaxHosts && next_start_.find(host) == next_start_.end()) {
    std::erase_if(next_start_, [&](const auto& kv) { return kv.second <= now; });
  }
  auto& next = next_start_[host];
  if (next > now) std::this_thread::sleep_until(next);
  next = Clock::now() + std::chrono::milliseconds(delay_ms);
}

void SyncEngine::cancel_all() {
  std::deque<Item> items = std::move(queue_);
  queue_.clear();
  for (Item& item : items) {
    PageRecord record;
    record.task_id = item.task.id;
    record.url = item.task.url;
    record.depth = item.task.depth;
    record.error = FetchError::kCancelled;
    record.error_detail = "crawl cancelled";
    reports_.post(std::move(item.done), std::move(record));
  }
}

}  // namespace crawler
