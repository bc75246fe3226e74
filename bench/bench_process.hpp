#pragma once
/// One measured child process of the benchmark: a crawl, simweb, curl or wget2.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace crawler::bench {

/// Thrown by BenchProcess::wait() after SIGINT or SIGTERM (see install_interrupt_handler()).
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// What a finished child cost.
struct ProcessOutcome {
  int exit_code = -1;            ///< exit status, or 128 + signal
  bool timed_out = false;        ///< killed at the deadline
  double wall_s = 0;             ///< from fork to exit
  double cpu_s = 0;              ///< user + system of the child and every descendant it reaped
  std::uint64_t peak_rss_kb = 0;  ///< sum of the peak RSS of each process of its tree (ProcessTreeRss)
  int peak_processes = 0;        ///< most processes seen in its tree at once
};

/// The whole of a file a child wrote (its stdout or stderr file); "" when it cannot be read.
std::string read_output(const std::string& path);

/// Starts `argv` (argv[0] is a path or a name found in PATH) with stdin from /dev/null and
/// stdout/stderr to the given files ("" means /dev/null). The child gets its own process group.
/// The destructor kills that group (SIGKILL) and reaps the child if wait() was not called.
/// Not copyable.
class BenchProcess {
 public:
  /// Throws std::runtime_error naming the program when it cannot be started (not found, not
  /// executable: the exec error comes back through a close-on-exec pipe) or a file cannot be
  /// opened.
  BenchProcess(std::vector<std::string> argv, const std::string& stdout_path,
               const std::string& stderr_path);
  ~BenchProcess();
  BenchProcess(const BenchProcess&) = delete;
  BenchProcess& operator=(const BenchProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// True once the child has exited (reaps it then; the outcome keeps its status and rusage).
  bool exited();
  /// Waits for the child, sampling its tree's RSS every `sample_every` (wakes at once when it
  /// exits: a pidfd is polled). At `deadline` the group is killed and timed_out set.
  ProcessOutcome wait(std::chrono::milliseconds deadline,
                      std::chrono::milliseconds sample_every = std::chrono::milliseconds(50));
  /// Makes SIGINT and SIGTERM set a flag that every wait() checks: the child's group is then
  /// killed and wait() throws Interrupted, so destructors stop simweb and no child is left.
  static void install_interrupt_handler();

  /// SIGTERM to the group; SIGKILL after `grace`; returns the outcome.
  ProcessOutcome stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  bool reap(int options);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
  std::chrono::steady_clock::time_point started_;
  ProcessOutcome outcome_;
};

}  // namespace crawler::bench
