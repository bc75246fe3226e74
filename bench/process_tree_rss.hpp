#pragma once
/// The resident memory of a process and all its descendants, sampled from /proc.

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>

namespace crawler::bench {

/// The memory of `root` and every process below it (children, grandchildren, ...), found by the
/// parent pid in /proc/PID/stat (this kernel has no /proc/PID/task/TID/children).
/// peak_kb() is the sum over every process seen in the tree of its own peak RSS (VmHWM in
/// /proc/PID/status, read at each sample): at least the peak of the summed RSS, and equal to it
/// when the processes peak together, as a crawl's do at its end. rusage cannot give this:
/// ru_maxrss is a maximum, never a sum, and after fork+exec it also counts the parent's image
/// from before the exec. A sample scans /proc once (~140 processes here, about a millisecond):
/// call it every 50-100 ms. A process that lives less than one interval can be missed.
class ProcessTreeRss {
 public:
  explicit ProcessTreeRss(pid_t root) : root_(root) {}

  /// Scans /proc now; returns the tree's current RSS total in KiB (0 once the root is gone)
  /// and updates each process's peak. Processes that vanish mid-scan are skipped.
  std::uint64_t sample();
  /// Sum of the peak RSS (KiB) of every process seen in the tree so far.
  std::uint64_t peak_kb() const;
  /// Processes in the tree at the last sample (the root included).
  int processes() const { return processes_; }

 private:
  pid_t root_;
  std::unordered_map<pid_t, std::uint64_t> peak_by_pid_;  ///< KiB
  int processes_ = 0;
};

}  // namespace crawler::bench
