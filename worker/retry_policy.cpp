#include "worker/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace crawler {

RetryPolicy::RetryPolicy(const FetchOptions& options)
    : retries_(std::max(0, options.retries)),
      base_ms_(std::max(0, options.retry_base_ms)),
      retry_after_max_ms_(std::max(0, options.retry_after_max_ms)),
      rng_(std::random_device{}()) {}

bool RetryPolicy::is_transient(const PageRecord& record) {
  switch (record.error) {
    case FetchError::kConnect:
    case FetchError::kTimeout:
    case FetchError::kReset:
      return true;
    case FetchError::kHttpStatus:
      return record.status == 429 || record.status >= 500;
    default:
      return false;
  }
}

RetryPolicy::Decision RetryPolicy::decide(const PageRecord& record, std::int64_t retry_after_s) {
  Decision d;
  if (!is_transient(record) || record.attempts > static_cast<std::uint32_t>(retries_)) return d;
  const bool may_ask =
      record.error == FetchError::kHttpStatus && (record.status == 429 || record.status == 503);
  if (may_ask && retry_after_s > 0) {
    const std::int64_t ms = retry_after_s * 1000;
    if (ms > retry_after_max_ms_) {
      d.why_not = "Retry-After " + std::to_string(retry_after_s) + " s is over the " +
                  std::to_string(retry_after_max_ms_) + " ms limit";
      return d;
    }
    d.retry = true;
    d.server_asked = true;
    d.delay = std::chrono::milliseconds(ms);
    return d;
  }
  const int exponent = std::min<int>(static_cast<int>(record.attempts) - 1, 20);
  const double nominal = static_cast<double>(base_ms_) * std::ldexp(1.0, std::max(0, exponent));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  const double ms = std::min(nominal * jitter(rng_), static_cast<double>(retry_after_max_ms_));
  d.retry = true;
  d.delay = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  return d;
}

}  // namespace crawler
