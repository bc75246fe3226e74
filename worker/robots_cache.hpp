#pragma once
/// robots.txt verdicts per origin, least recently used evicted.

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/page_record.hpp"
#include "common/robots_rules.hpp"

namespace crawler {

/// What a crawler may do on one origin ("http://host:port"), from its robots.txt.
/// Bound: at most `capacity` origins; the least recently used is evicted (and fetched again if
/// needed). Not thread-safe.
class RobotsCache {
 public:
  struct Entry {
    RobotsRules rules = RobotsRules::allow_all();
    FetchError unreachable =
        FetchError::kNone;  ///< robots.txt could not be fetched (network, not a timeout)
    std::string detail;  ///< why everything is refused (unreachable or 5xx), else empty
  };

  static constexpr std::size_t kDefaultCapacity = 10'000;
  /// Crawl-delay values above this are cut to it, so one robots.txt cannot park a host for hours.
  static constexpr int kMaxCrawlDelayMs = 30'000;

  explicit RobotsCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// The entry for `origin` (marked most recently used), nullptr if none.
  const Entry* find(const std::string& origin);
  /// Stores (or replaces) the entry for `origin`, evicting the least recently used beyond capacity.
  void put(const std::string& origin, Entry entry);
  std::size_t size() const { return index_.size(); }

  /// The verdict for a robots.txt fetch per RFC 9309: 2xx → parse `body`; 4xx and unfollowable
  /// redirects → allow all; 5xx and timeout → disallow all (`detail` says why, pages are refused
  /// as kRobots); other network failures → disallow all, `unreachable` set (pages carry that
  /// error).
  static Entry verdict(const PageRecord& record, std::string_view body,
                       std::string_view user_agent);

  /// The product token of a User-Agent string ("crawler/0.1 (+...)" → "crawler").
  static std::string product_token(std::string_view user_agent);

 private:
  using Lru = std::list<std::pair<std::string, Entry>>;
  std::size_t capacity_;
  Lru lru_;  ///< most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace crawler
