#include "common/busy_cpu.hpp"

#include <time.h>

#include <cstdint>

namespace crawler {
namespace {

std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

void burn_cpu(std::chrono::microseconds cpu_time) noexcept {
  if (cpu_time.count() <= 0) return;
  const std::int64_t until = thread_cpu_ns() + cpu_time.count() * 1000;
  // Arithmetic the optimiser cannot drop; the clock is read every 1024 rounds.
  volatile std::uint64_t sink = 0;
  std::uint64_t x = 88172645463325252ULL;
  while (thread_cpu_ns() < until) {
    for (int i = 0; i < 1024; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    sink = sink + x;
  }
}

}  // namespace crawler
