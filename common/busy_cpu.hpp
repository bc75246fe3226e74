#pragma once
/// Real CPU work of a given length: the benchmark's stand-in for expensive page processing
/// (the seed's chess master "thinking"), never a sleep.

#include <chrono>

namespace crawler {

/// Spins on the calling thread until it has used `cpu_time` of CPU (CLOCK_THREAD_CPUTIME_ID),
/// so the work costs the same CPU however often the thread is preempted; on a busy machine it
/// takes longer in wall time, as real work would. Zero or negative: returns at once.
void burn_cpu(std::chrono::microseconds cpu_time) noexcept;

}  // namespace crawler
