#include "coordinator/host_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace crawler {

HostBackoff::HostBackoff(HostBackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {}

const HostBackoff::State& HostBackoff::trouble(std::string_view host, std::int64_t now_ms) {
  if (hosts_.size() >= prune_at_) prune(now_ms);
  State& s = hosts_[std::string(host)];
  if (s.incidents != 0 && now_ms - s.last_ms >= options_.forgive_ms) s.incidents = 0;
  ++s.incidents;
  ++pauses_;
  // base * 2^(incidents-1), capped (and the shift kept small so it cannot overflow).
  const auto doublings = static_cast<int>(std::min<std::uint32_t>(s.incidents - 1, 40));
  const double pause = std::min(static_cast<double>(options_.base_ms) * std::ldexp(1.0, doublings),
                                static_cast<double>(options_.max_ms));
  std::uniform_real_distribution<double> spread(1.0 - options_.jitter, 1.0 + options_.jitter);
  s.until_ms = now_ms + static_cast<std::int64_t>(pause * spread(rng_));
  s.last_ms = now_ms;
  return s;
}

std::int64_t HostBackoff::paused_until(std::string_view host, std::int64_t now_ms) const {
  if (hosts_.empty()) return 0;
  const auto it = hosts_.find(std::string(host));
  if (it == hosts_.end() || it->second.until_ms <= now_ms) return 0;
  return it->second.until_ms;
}

void HostBackoff::restore(std::string_view host, const State& state) { hosts_[std::string(host)] = state; }

void HostBackoff::prune(std::int64_t now_ms) {
  // Forgotten: hosts no longer paused and quiet for forgive_ms.
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    const bool quiet = it->second.until_ms <= now_ms && now_ms - it->second.last_ms >= options_.forgive_ms;
    it = quiet ? hosts_.erase(it) : std::next(it);
  }
  prune_at_ = std::max<std::size_t>(1024, hosts_.size() * 2);
}

}  // namespace crawler
