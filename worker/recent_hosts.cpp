#include "worker/recent_hosts.hpp"

namespace crawler {

void RecentHosts::touch(const std::string& host, Clock::time_point now) {
  auto it = where_.find(host);
  if (it != where_.end()) {
    it->second->at = now;
    order_.splice(order_.begin(), order_, it->second);
  } else {
    order_.push_front(Entry{host, now});
    where_.emplace(host, order_.begin());
  }
  forget_before(now - window_);
}

std::size_t RecentHosts::count(Clock::time_point now) {
  forget_before(now - window_);
  return order_.size();
}

void RecentHosts::forget_before(Clock::time_point cutoff) {
  while (!order_.empty() && order_.back().at < cutoff) {
    where_.erase(order_.back().host);
    order_.pop_back();
  }
}

}  // namespace crawler
