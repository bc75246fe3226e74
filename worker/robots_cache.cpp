#include "worker/robots_cache.hpp"

namespace crawler {

const RobotsCache::Entry* RobotsCache::find(const std::string& origin) {
  auto it = index_.find(origin);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->second;
}

void RobotsCache::put(const std::string& origin, Entry entry) {
  if (capacity_ == 0) return;
  auto it = index_.find(origin);
  if (it != index_.end()) {
    it->second->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(origin, std::move(entry));
  index_.emplace(origin, lru_.begin());
  while (index_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

RobotsCache::Entry RobotsCache::verdict(const PageRecord& record, std::string_view body,
                                        std::string_view user_agent) {
  Entry entry;
  switch (record.error) {
    case FetchError::kNone:
      entry.rules = RobotsRules::parse(body, product_token(user_agent));
      break;
    case FetchError::kHttpStatus:
      if (record.status >= 500) {
        entry.rules = RobotsRules::disallow_all();
        entry.detail = "robots.txt answered HTTP " + std::to_string(record.status);
      } else {
        entry.rules = RobotsRules::allow_all();
      }
      break;
    case FetchError::kTimeout:
      // The host answers, too slowly: its pages are refused by the robots rule, as after a 5xx,
      // not reported as timeouts of pages that were never asked for.
      entry.rules = RobotsRules::disallow_all();
      entry.detail = "robots.txt timed out: " + record.error_detail;
      break;
    case FetchError::kTooManyRedirects:
    case FetchError::kBadRedirect:
      entry.rules = RobotsRules::allow_all();  // RFC 9309: unfollowable redirects = unavailable
      break;
    default:
      entry.rules = RobotsRules::disallow_all();
      entry.unreachable = record.error;
      entry.detail = record.error_detail;
      break;
  }
  return entry;
}

std::string RobotsCache::product_token(std::string_view user_agent) {
  const auto end = user_agent.find_first_of("/ \t(");
  return std::string(user_agent.substr(0, end));
}

}  // namespace crawler
