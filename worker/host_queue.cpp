#include "worker/host_queue.hpp"

#include <algorithm>
#include <utility>

namespace crawler {

HostQueue::HostQueue(boost::asio::io_context& io, Limits limits, StartHandler start)
    : timer_(io), limits_(limits), start_(std::move(start)) {
  limits_.concurrency = std::max(1, limits_.concurrency);
  limits_.per_host = std::max(1, limits_.per_host);
}

void HostQueue::push(const std::string& host, Token token, int delay_ms, bool front) {
  forget_rested();
  Host& h = hosts_[host];
  if (h.where == Where::kResting) unschedule(h);
  h.delay_ms = std::max(h.delay_ms, delay_ms);
  if (front) {
    h.waiting.push_front(token);
  } else {
    h.waiting.push_back(token);
  }
  ++waiting_;
  place(host, h);
  pump();
}

void HostQueue::finished(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end() || it->second.started == 0) return;
  --it->second.started;
  --started_;
  place(host, it->second);
  pump();
}

void HostQueue::pause(const std::string& host, int ms) {
  Host& h = hosts_[host];
  h.next_start = std::max(h.next_start, Clock::now() + std::chrono::milliseconds(ms));
  if (h.where == Where::kTimed || h.where == Where::kResting) unschedule(h);
  // A host in the ring stays there: pump() sees the new next_start and moves it to timed_.
  place(host, h);
  arm_timer();
}

void HostQueue::clear() {
  hosts_.clear();
  ring_.clear();
  timed_.clear();
  resting_.clear();
  waiting_ = 0;
  started_ = 0;
  timer_.cancel();
  timer_at_ = {};
}

std::vector<HostQueue::Token> HostQueue::take_waiting() {
  std::vector<Token> taken;
  taken.reserve(waiting_);
  std::vector<std::string> keys;
  for (auto& [key, host] : hosts_) {
    if (host.waiting.empty() && host.where != Where::kRing) continue;
    taken.insert(taken.end(), host.waiting.begin(), host.waiting.end());
    host.waiting.clear();
    if (host.where == Where::kTimed) unschedule(host);
    if (host.where == Where::kRing) host.where = Where::kNone;  // the ring is emptied below
    keys.push_back(key);
  }
  ring_.clear();
  waiting_ = 0;
  for (const auto& key : keys) {
    const auto it = hosts_.find(key);
    if (it != hosts_.end()) place(key, it->second);  // idle now, or busy until finished()
  }
  arm_timer();
  return taken;
}

// Puts an unscheduled host where it belongs: the ring (may start now), timed_ (waits for its
// delay), resting_ (idle until its delay ran out) or nowhere (all its slots busy). May erase
// `host`.
void HostQueue::place(const std::string& key, Host& host) {
  if (host.where != Where::kNone) return;
  const bool idle = host.waiting.empty() && host.started == 0;
  const bool may_start = !host.waiting.empty() && host.started < limits_.per_host;
  if (!idle && !may_start) return;
  if (host.next_start <= Clock::now()) {
    if (idle) {
      hosts_.erase(key);
      return;
    }
    ring_.push_back(key);
    host.where = Where::kRing;
    return;
  }
  if (idle) {
    // No timer: a pending one would keep the loop, and so the crawl, alive for one delay after
    // its last fetch. The delay still holds for the next push() (it finds next_start here).
    host.timed = resting_.emplace(host.next_start, key);
    host.where = Where::kResting;
    return;
  }
  host.timed = timed_.emplace(host.next_start, key);
  host.where = Where::kTimed;
}

void HostQueue::unschedule(Host& host) {
  if (host.where == Where::kTimed) timed_.erase(host.timed);
  if (host.where == Where::kResting) resting_.erase(host.timed);
  host.where = Where::kNone;
}

void HostQueue::forget_rested() {
  const auto now = Clock::now();
  while (!resting_.empty() && resting_.begin()->first <= now) {
    hosts_.erase(resting_.begin()->second);  // still idle: any activity took it out of resting_
    resting_.erase(resting_.begin());
  }
}

void HostQueue::pump() {
  if (pumping_) {
    repump_ = true;  // a start handler called back into us: the outer loop goes round again
    return;
  }
  pumping_ = true;
  do {
    repump_ = false;
    while (started_ < static_cast<std::size_t>(limits_.concurrency) && !ring_.empty()) {
      std::string key = std::move(ring_.front());
      ring_.pop_front();
      auto it = hosts_.find(key);
      if (it == hosts_.end()) continue;
      Host& h = it->second;
      h.where = Where::kNone;
      const auto now = Clock::now();
      if (h.waiting.empty() || h.started >= limits_.per_host || h.next_start > now) {
        place(key, h);
        continue;
      }
      Token token = h.waiting.front();
      h.waiting.pop_front();
      --waiting_;
      ++h.started;
      ++started_;
      h.next_start = now + std::chrono::milliseconds(h.delay_ms);
      place(key, h);  // back of the ring if it may start another: round-robin
      start_(token);
    }
  } while (repump_);
  pumping_ = false;
  arm_timer();
}

void HostQueue::arm_timer() {
  if (timed_.empty()) {
    if (timer_at_ != Clock::time_point{}) timer_.cancel();
    timer_at_ = {};
    return;
  }
  const auto at = timed_.begin()->first;
  if (at == timer_at_) return;
  timer_at_ = at;
  timer_.expires_at(at);
  std::weak_ptr<int> life = life_;
  timer_.async_wait([this, life](const boost::system::error_code& ec) {
    if (ec || life.expired()) return;
    on_timer();
  });
}

void HostQueue::on_timer() {
  timer_at_ = {};
  const auto now = Clock::now();
  while (!timed_.empty() && timed_.begin()->first <= now) {
    std::string key = std::move(timed_.begin()->second);
    timed_.erase(timed_.begin());
    auto it = hosts_.find(key);
    if (it == hosts_.end()) continue;
    it->second.where = Where::kNone;
    place(key, it->second);
  }
  pump();
}

}  // namespace crawler
