#include "common/lag_quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace crawler {

LagQuantiles::LagQuantiles(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

void LagQuantiles::observe(double seconds) {
  if (std::isnan(seconds)) return;
  const double v = seconds < 0 ? 0 : seconds;
  max_ = std::max(max_, v);
  ++seen_;
  if (samples_.size() < capacity_) {
    samples_.push_back(v);
    return;
  }
  // xorshift64: deterministic, so two runs of the same crawl keep the same positions.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const std::uint64_t slot = rng_ % seen_;
  if (slot < capacity_) samples_[static_cast<std::size_t>(slot)] = v;
}

double LagQuantiles::quantile(double q) const {
  if (samples_.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  std::vector<double> sorted = samples_;
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  const std::size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index), sorted.end());
  return sorted[index];
}

std::string LagQuantiles::summary() const {
  if (seen_ == 0) return "no samples";
  char buf[160];
  std::snprintf(buf, sizeof buf, "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%llu samples)",
                quantile(0.50) * 1e3, quantile(0.99) * 1e3, max_ * 1e3,
                static_cast<unsigned long long>(seen_));
  return buf;
}

}  // namespace crawler
