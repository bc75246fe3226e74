#pragma once
/// The resident memory of a process and all its descendants, sampled from /proc.

#include <sys/types.h>

#include <cstdint>

namespace crawler::bench {

/// Sums the resident set of `root` and every process below it (children, grandchildren, ...),
/// found by the parent pid in /proc/PID/stat (this kernel has no /proc/PID/task/TID/children).
/// rusage cannot give this: ru_maxrss is a maximum over processes, never a sum. A sample scans
/// /proc once (~140 processes here, about a millisecond), so call it every 50-100 ms, not in a
/// tight loop. Peaks shorter than the sampling interval can be missed.
class ProcessTreeRss {
 public:
  explicit ProcessTreeRss(pid_t root) : root_(root) {}

  /// Scans /proc now; returns the tree's current total in KiB (0 once the root is gone) and
  /// raises peak_kb() if it is higher. Processes that vanish mid-scan are skipped.
  std::uint64_t sample();
  /// The highest total seen by sample().
  std::uint64_t peak_kb() const { return peak_kb_; }
  /// Processes in the tree at the last sample (the root included).
  int processes() const { return processes_; }

 private:
  pid_t root_;
  std::uint64_t peak_kb_ = 0;
  int processes_ = 0;
};

}  // namespace crawler::bench
