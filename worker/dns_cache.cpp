#include "worker/dns_cache.hpp"

#include <algorithm>
#include <utility>

namespace crawler {

DnsCache::DnsCache(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

const DnsAnswer* DnsCache::find(const std::string& name, Clock::time_point now) {
  auto it = index_.find(name);
  if (it == index_.end()) return nullptr;
  if (it->second->expires <= now) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->answer;
}

void DnsCache::put(const std::string& name, DnsAnswer answer, std::chrono::seconds ttl,
                   Clock::time_point now) {
  if (auto it = index_.find(name); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  if (ttl.count() <= 0) return;
  if (index_.size() >= capacity_) {
    index_.erase(lru_.back().name);
    lru_.pop_back();
  }
  lru_.push_front(Entry{name, std::move(answer), now + ttl});
  index_.emplace(name, lru_.begin());
}

}  // namespace crawler
