#pragma once
/// Per-host pauses after a host answers 429 or 503 or times out.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crawler {

/// How long a troubled host is paused: `base_ms` after the first incident, doubling with each
/// incident up to `max_ms`, ±`jitter`; a host with no incident for `forgive_ms` starts again
/// from `base_ms`. (What Nutch and StormCrawler users asked for: stormcrawler#1984.)
struct HostBackoffOptions {
  std::int64_t base_ms = 60'000;
  std::int64_t max_ms = 24 * 3600 * 1000;
  std::int64_t forgive_ms = 30 * 60 * 1000;
  double jitter = 0.1;
};

/// The pauses of the hosts that had trouble lately: one small record per such host, dropped
/// once it is forgiven. Times are wall-clock milliseconds, so a pause outlives a --resume.
/// Single-threaded.
class HostBackoff {
 public:
  struct State {
    std::int64_t until_ms = 0;  ///< paused until then
    std::int64_t last_ms = 0;   ///< time of the last incident
    std::uint32_t incidents = 0;  ///< since the host was last forgiven
  };

  explicit HostBackoff(HostBackoffOptions options = {}, std::uint64_t seed = std::random_device{}());

  /// Records an incident of `host` at `now_ms`; returns its new state.
  const State& trouble(std::string_view host, std::int64_t now_ms);
  /// When `host`'s pause ends, or 0 when it is not paused at `now_ms`.
  std::int64_t paused_until(std::string_view host, std::int64_t now_ms) const;
  /// Puts back a state recorded by an earlier run (from the journal).
  void restore(std::string_view host, const State& state);
  /// Incidents recorded (each a pause).
  std::uint64_t pauses() const { return pauses_; }
  /// Hosts with a record (paused or not yet forgiven).
  std::size_t size() const { return hosts_.size(); }
  bool enabled() const { return options_.base_ms > 0; }

 private:
  void prune(std::int64_t now_ms);

  HostBackoffOptions options_;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, State> hosts_;
  std::uint64_t pauses_ = 0;
  std::size_t prune_at_ = 1024;
};

}  // namespace crawler
