#include "coordinator/frontier.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

#include "common/url.hpp"

namespace crawler {
namespace {

/// Entries per chunk written to the store: a refill reads whole chunks.
constexpr std::size_t kChunkEntries = 64;

void put_chunks(QueueStore& store, std::uint64_t host, std::uint64_t first, std::string_view packed) {
  while (!packed.empty()) {
    const std::size_t end = UrlQueue::skip_packed(packed, kChunkEntries);
    store.put(host, first, packed.substr(0, end));
    first += kChunkEntries;
    packed.remove_prefix(end);
  }
}

}  // namespace

std::string_view url_host(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

Frontier::Frontier(FrontierOptions options)
    : options_(std::move(options)), backoff_(options_.backoff), store_(options_.store) {}

std::int64_t Frontier::now_ms() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Frontier::host_trouble(std::string_view host) {
  if (!backoff_.enabled()) return;
  const auto& state = backoff_.trouble(host, now_ms());
  spdlog::info("pausing {} until {} ms from now ({} incidents)", host, state.until_ms - state.last_ms,
               state.incidents);
  if (on_paused_) on_paused_(host, state);
}

bool Frontier::first_sight(const std::string& key) {
  if (!seen_.insert(FingerprintSet::fingerprint(key))) return false;
  return !known_elsewhere_ || !known_elsewhere_(key);
}

void Frontier::begin_resume(std::uint64_t done, std::function<bool(const std::string&)> known_elsewhere) {
  dispatched_ = done;
  known_elsewhere_ = std::move(known_elsewhere);
}

void Frontier::restore_queued(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots) {
  seen_.insert(FingerprintSet::fingerprint(key));
  hold(Holder::kResume, depth);
  const auto& seeds = holds_[static_cast<int>(Holder::kSeeds)];
  if (options_.strict_levels && seeds && depth > *seeds) {  // seeds still arrive: wait for them too
    defer(url, url_host(key), depth, check_robots);
    return;
  }
  enqueue(url, std::string(url_host(key)), depth, check_robots);
}

bool Frontier::add_seed(const std::string& url, const std::string& normalized) {
  if (!first_sight(normalized)) return false;
  if (on_queued_) on_queued_(normalized, url, 0, false);
  seed_hosts_.insert(FingerprintSet::fingerprint(url_host(normalized)));
  enqueue(url, std::string(url_host(normalized)), 0, /*check_robots=*/false);
  return true;
}

void Frontier::restore(const std::string& key, const std::string& url, std::uint32_t depth, bool check_robots,
                       bool done) {
  if (!seen_.insert(FingerprintSet::fingerprint(key))) return;
  if (depth == 0) seed_hosts_.insert(FingerprintSet::fingerprint(url_host(key)));  // only seeds have depth 0
  if (done) {
    ++dispatched_;
    return;
  }
  std::string host(url_host(key));
  if (stashed_ == 0 && restored_bytes_ <= options_.memory_bytes) {
    restored_bytes_ += sizeof(Restored) + url.size() + host.size();
    restored_.push_back(Restored{url, std::move(host), depth, check_robots});
    return;
  }
  // More than the budget holds: sort on disk instead (depth first, then the journal's order:
  // what end_restore()'s stable sort gives).
  if (stashed_ == 0) {
    for (auto& r : restored_) stash(stashed_++, r.url, r.host, r.depth, r.check_robots);
    std::vector<Restored>().swap(restored_);
  }
  stash(stashed_++, url, host, depth, check_robots);
}

void Frontier::stash(std::uint64_t seq, std::string_view url, std::string_view host, std::uint32_t depth,
                     bool check_robots) {
  UrlQueue one;
  one.push(url, depth, check_robots);
  std::string value(host);
  value += '\0';
  value += one.keep_first(0);
  store_.stash((static_cast<std::uint64_t>(depth) << 40) | seq, value);
}

void Frontier::unstash(bool counted, std::uint32_t below_depth) {
  const std::uint64_t below = below_depth == std::numeric_limits<std::uint32_t>::max()
                                  ? ~std::uint64_t{0}
                                  : static_cast<std::uint64_t>(below_depth) << 40;
  store_.drain_stash(
      [this, counted](std::string_view value) {
        const auto nul = value.find('\0');
        UrlQueue one;
        one.append_packed(value.substr(nul + 1), 1);
        const QueuedUrl e = one.pop();
        enqueue(e.url, std::string(value.substr(0, nul)), e.depth, e.check_robots, counted);
        if (counted) --deferred_;
      },
      below);
}

std::uint32_t Frontier::shallowest_hold() const {
  std::uint32_t held = std::numeric_limits<std::uint32_t>::max();
  for (const auto& h : holds_) {
    if (h) held = std::min(held, *h);
  }
  return held;
}

void Frontier::defer(std::string_view url, std::string_view host, std::uint32_t depth, bool check_robots) {
  stash(deferred_seq_++, url, host, depth, check_robots);
  ++deferred_;
  ++queued_;
  ++unfinished_[depth];
}

void Frontier::queue_deferred() {
  if (deferred_ == 0) return;
  const std::uint32_t held = shallowest_hold();
  // A host's queue stays in depth order: nothing shallower than these can arrive any more.
  unstash(/*counted=*/true, held == std::numeric_limits<std::uint32_t>::max() ? held : held + 1);
}

void Frontier::hold(Holder holder, std::uint32_t depth) {
  auto& held = holds_[static_cast<int>(holder)];
  if (held == depth) return;
  ++unfinished_[depth];  // before the old hold goes, so the level never passes both
  const auto old = held;
  held = depth;
  if (old) done(*old);
  queue_deferred();
}

void Frontier::release(Holder holder) {
  auto& held = holds_[static_cast<int>(holder)];
  if (!held) return;
  const std::uint32_t depth = *held;
  held.reset();
  queue_deferred();
  done(depth);
}

void Frontier::end_restore() {
  if (stashed_ != 0) {
    unstash(/*counted=*/false);
    stashed_ = 0;
    return;
  }
  // The journal comes in key order; the per-host queues must be in depth order (see done()).
  std::stable_sort(restored_.begin(), restored_.end(),
                   [](const Restored& a, const Restored& b) { return a.depth < b.depth; });
  for (auto& r : restored_) enqueue(r.url, std::move(r.host), r.depth, r.check_robots);
  std::vector<Restored>().swap(restored_);
  restored_bytes_ = 0;
}

std::string Frontier::key_of(const FetchTask& task) const {
  // Links are queued in their normalised form; only seeds (depth 0) are kept as written.
  if (task.depth != 0) return task.url;
  auto key = normalize_url(task.url);
  return key ? std::move(*key) : task.url;
}

bool Frontier::in_scope(std::string_view page_host, std::string_view page_domain,
                        std::string_view link_host) const {
  switch (options_.scope) {
    case Scope::kAny: return true;
    case Scope::kHost: return link_host == page_host;
    case Scope::kDomain: return registrable_domain(link_host) == page_domain;
  }
  return false;
}

bool Frontier::passes_filters(const std::string& url) const {
  for (const auto& re : options_.exclude) {
    if (std::regex_search(url, re)) return false;
  }
  if (options_.include.empty()) return true;
  for (const auto& re : options_.include) {
    if (std::regex_search(url, re)) return true;
  }
  return false;
}

std::size_t Frontier::add_links(const PageRecord& page) {
  if (!page.ok() || page.depth >= options_.max_depth || page.links.empty()) return 0;
  // Scope is judged against where the page really is: its URL after redirects.
  const std::string& where = page.final_url.empty() ? page.url : page.final_url;
  const std::string page_host(url_host(where));
  const std::string page_domain = options_.scope == Scope::kDomain ? registrable_domain(page_host) : "";
  // Deeper than a hold: wait until URLs of that depth stop arriving (see hold()).
  const bool wait = options_.strict_levels && page.depth + 1 > shallowest_hold();
  std::size_t added = 0;
  for (const auto& link : page.links) {
    if (!in_scope(page_host, page_domain, url_host(link)) || !passes_filters(link)) continue;
    // Past max_pages nothing more would ever be dispatched: stop queueing.
    if (options_.max_pages != 0 && dispatched_ + queued_ >= options_.max_pages) break;
    if (ram_bytes_ > options_.memory_bytes) {
      spill();
      if (ram_bytes_ > options_.memory_bytes) {  // the store is full too
        ++dropped_;
        continue;
      }
    }
    if (!first_sight(link)) continue;
    if (on_queued_) on_queued_(link, link, page.depth + 1, true);
    if (wait) {
      defer(link, url_host(link), page.depth + 1, /*check_robots=*/true);
    } else {
      enqueue(link, std::string(url_host(link)), page.depth + 1, /*check_robots=*/true);
    }
    ++added;
  }
  return added;
}

template <typename F>
void Frontier::metered(UrlQueue& queue, F&& change) {
  const std::size_t bytes = queue.capacity_bytes();
  const std::size_t entries = queue.size();
  change();
  ram_bytes_ = ram_bytes_ + queue.capacity_bytes() - bytes;
  ram_entries_ = ram_entries_ + queue.size() - entries;
}

void Frontier::enqueue(std::string_view url, std::string host_name, std::uint32_t depth, bool check_robots,
                       bool counted) {
  auto [it, added] = hosts_.try_emplace(std::move(host_name));
  HostQueue& host = it->second;
  if (added) {
    host.id = next_host_id_++;
    ready_.push_back(&*it);
  }
  if (host.size() == 0) host.front_depth = depth;
  // Behind entries in the store, a new one waits its turn behind them too.
  UrlQueue* queue = &host.ram;
  if (host.beyond_ram() != 0) {
    auto [pending, fresh] = pending_.try_emplace(&host);
    if (fresh) ram_bytes_ += kPendingNodeBytes;
    queue = &pending->second;
  }
  metered(*queue, [&] { queue->push(url, depth, check_robots); });
  ++host.pushed;
  if (!counted) {
    ++queued_;
    ++unfinished_[depth];
  }
  if (ram_bytes_ > options_.memory_bytes && !store_full_) spill();
}

void Frontier::flush_pending() {
  for (auto& [host, tail] : pending_) {
    const std::uint64_t first = host->pushed - tail.size();
    std::string packed;
    metered(tail, [&] { packed = tail.keep_first(0); });
    put_chunks(store_, host->id, first, packed);
  }
  ram_bytes_ -= pending_.size() * kPendingNodeBytes;
  pending_.clear();
  store_.flush();
}

void Frontier::spill() {
  if (store_.full()) {
    if (!store_full_) {
      spdlog::warn("frontier: {} MB of queued URLs in RAM (--frontier-memory) and the store in {} is full "
                   "(--frontier-disk-max, or less than 1 GiB free): new links are dropped and counted",
                   ram_bytes_ >> 20, store_.dir().empty() ? "TMPDIR" : store_.dir());
    }
    store_full_ = true;
    return;
  }
  store_full_ = false;
  flush_pending();
  const std::size_t target = options_.memory_bytes / 4 * 3;
  // Start from the smallest window the estimate allows, so the hosts are walked once or twice
  // (a pass over a million hosts takes the best part of a second) rather than once per halving.
  if (ram_entries_ != 0 && !hosts_.empty()) {
    const double per_entry = static_cast<double>(ram_bytes_) / static_cast<double>(ram_entries_);
    const double fits = static_cast<double>(target) / (per_entry * static_cast<double>(hosts_.size()));
    while (window_ > 1 && static_cast<double>(window_ / 2) >= fits) window_ /= 2;
  }
  for (;;) {
    for (auto& [name, host] : hosts_) {
      if (host.ram.size() <= window_) continue;
      const std::uint64_t first = host.popped + window_;
      std::string rest;
      metered(host.ram, [&] { rest = host.ram.keep_first(window_); });
      put_chunks(store_, host.id, first, rest);
    }
    if (ram_bytes_ <= target || window_ == 0) break;
    window_ /= 2;
  }
  store_.flush();
  // The cut queues leave holes all over the heap; give their pages back, or RSS keeps them.
  ::malloc_trim(0);
}

void Frontier::refill(HostQueue& host) {
  if (pending_.count(&host) != 0) flush_pending();
  // Room again: read back more at a time.
  if (ram_bytes_ < options_.memory_bytes / 2 && window_ < kMaxWindow) window_ = std::max<std::size_t>(1, window_ * 2);
  std::size_t moved = 0;
  metered(host.ram, [&] {
    moved = store_.take(host.id, host.popped + host.ram.size(), std::max<std::size_t>(1, window_), host.ram);
  });
  if (moved == 0) throw std::runtime_error(store_.dir() + ": frontier store: entries of a host are missing");
}

void Frontier::done(std::uint32_t depth) {
  const auto it = unfinished_.find(depth);
  if (it == unfinished_.end() || --it->second > 0) return;
  unfinished_.erase(it);
  // The level may have advanced: the hosts put aside get their turn again.
  ready_.insert(ready_.end(), waiting_.begin(), waiting_.end());
  waiting_.clear();
}

std::optional<FetchTask> Frontier::next() {
  if ((ready_.empty() && snoozed_.empty()) || unfinished_.empty()) return std::nullopt;
  if (options_.max_pages != 0 && dispatched_ >= options_.max_pages) return std::nullopt;
  const std::uint32_t level =
      options_.strict_levels ? unfinished_.begin()->first : std::numeric_limits<std::uint32_t>::max();
  const std::int64_t now = backoff_.size() != 0 || !snoozed_.empty() ? now_ms() : 0;
  // Paused hosts whose time has come join the round again.
  while (!snoozed_.empty() && snoozed_.begin()->first <= now) {
    ready_.push_back(snoozed_.begin()->second);
    snoozed_.erase(snoozed_.begin());
  }
  Host* host = nullptr;
  while (!ready_.empty() && host == nullptr) {
    host = ready_.front();
    ready_.pop_front();
    if (host->second.front_depth > level) {
      waiting_.push_back(host);
      host = nullptr;
    } else if (const std::int64_t until = backoff_.paused_until(host->first, now); until != 0) {
      snoozed_.emplace(until, host);
      host = nullptr;
    }
  }
  if (host == nullptr) return std::nullopt;
  HostQueue& queue = host->second;
  if (queue.ram.empty()) refill(queue);
  QueuedUrl entry;
  metered(queue.ram, [&] { entry = queue.ram.pop(); });
  ++queue.popped;
  --queued_;
  if (queue.size() != 0) {
    // With strict levels the next entry's depth must be known: read it back now.
    if (queue.ram.empty() && options_.strict_levels) refill(queue);
    if (!queue.ram.empty()) queue.front_depth = queue.ram.front_depth();
    ready_.push_back(host);
  }
  ++dispatched_;
  const bool named = seed_hosts_.contains(FingerprintSet::fingerprint(host->first));
  FetchTask task{next_id_++, std::move(entry.url), entry.depth, entry.check_robots, named};
  if (queue.size() == 0) hosts_.erase(hosts_.find(host->first));
  // A refill reads whole chunks, which may pass the budget.
  if (ram_bytes_ > options_.memory_bytes && !store_full_) spill();
  return task;
}

}  // namespace crawler
