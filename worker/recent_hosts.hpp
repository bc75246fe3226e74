#pragma once
/// The hosts a crawl has fetched from lately: what the connection cache must be sized for.

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>

namespace crawler {

/// Distinct hosts touched within a sliding window, least recently touched dropped first.
/// Bound: one entry per host touched within the window (older ones are forgotten by count()
/// and touch()). Not thread-safe.
class RecentHosts {
 public:
  using Clock = std::chrono::steady_clock;

  /// `window` > 0: how long a host counts after its last touch.
  explicit RecentHosts(Clock::duration window) : window_(window) {}

  /// `host` was used at `now` (times must not decrease from call to call).
  void touch(const std::string& host, Clock::time_point now);
  /// Hosts touched within the window ending at `now`.
  std::size_t count(Clock::time_point now);

 private:
  struct Entry {
    std::string host;
    Clock::time_point at;
  };
  void forget_before(Clock::time_point cutoff);

  Clock::duration window_;
  std::list<Entry> order_;  ///< most recently touched first
  std::unordered_map<std::string, std::list<Entry>::iterator> where_;
};

}  // namespace crawler
