#pragma once
/// Which failed fetches are tried again, and after how long.

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"

namespace crawler {

/// Transient failures (connect errors, timeouts, resets, HTTP 429 and 5xx) are retried up to
/// options.retries extra times. The wait is retry_base_ms * 2^(attempt-1) with +-50% jitter,
/// capped at retry_after_max_ms; for 429/503 a Retry-After from the server replaces it, and a
/// Retry-After over retry_after_max_ms ends the retries (the status is reported).
class RetryPolicy {
 public:
  struct Decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    bool server_asked = false;  ///< the delay is the server's Retry-After (pause the host too)
    std::string why_not;        ///< set when a transient failure is not retried for a reason
  };

  explicit RetryPolicy(const FetchOptions& options);

  /// `record`: the result of attempt number record.attempts; `retry_after_s`: the response's
  /// Retry-After in seconds (0 when none).
  Decision decide(const PageRecord& record, std::int64_t retry_after_s);

  /// True for failures worth another attempt.
  static bool is_transient(const PageRecord& record);

 private:
  int retries_;
  int base_ms_;
  int retry_after_max_ms_;
  std::minstd_rand rng_;
};

}  // namespace crawler
