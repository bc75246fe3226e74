#pragma once
/// The resolver's memory: what each host name resolved to (or why it did not), for as long as
/// its DNS TTL allows, in a bounded table.

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace crawler {

/// What a name resolved to, or why it did not.
struct DnsAnswer {
  std::vector<std::string> addresses;  ///< numeric IPv4 / IPv6 (no brackets), in the order to try
  std::string error;                   ///< empty when resolved; else why not, in one phrase
};

/// Answers by host name, each kept until its TTL runs out, at most `capacity` names: past it the
/// least recently used name is forgotten. Pure logic, the clock passed in. Not thread-safe.
class DnsCache {
 public:
  using Clock = std::chrono::steady_clock;

  /// `capacity` of at least 1 (0 is taken as 1).
  explicit DnsCache(std::size_t capacity);

  /// The answer for `name` if one is kept and its TTL has not run out at `now` (an expired one is
  /// forgotten here); nullptr otherwise. The pointer is valid until the next put().
  const DnsAnswer* find(const std::string& name, Clock::time_point now);

  /// Keeps `answer` for `name` until `now + ttl`, replacing what was kept. A TTL of 0 (or less)
  /// keeps nothing and forgets the old answer: the name's next find() misses.
  void put(const std::string& name, DnsAnswer answer, std::chrono::seconds ttl,
           Clock::time_point now);

  /// Names kept (some may have expired and not been asked for since).
  std::size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string name;
    DnsAnswer answer;
    Clock::time_point expires;
  };
  using Lru = std::list<Entry>;  ///< most recently used first

  std::size_t capacity_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace crawler
