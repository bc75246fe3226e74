#pragma once
/// Runs one of the project's binaries as a child process, for end-to-end tests.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace crawler::test {

/// What a finished child did.
struct ChildResult {
  int exit_code = -1;      ///< exit status, or 128 + signal when killed by one
  bool timed_out = false;  ///< the deadline passed and the child was killed
  std::string out;         ///< everything it wrote to stdout
  std::string err;         ///< everything it wrote to stderr
};

/// A started child with its stdout and stderr captured. The destructor kills and reaps it.
class ChildProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv`. Throws std::runtime_error when it cannot start.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo);
  /// Reads output until stdout holds `text` or the deadline passes; true when found.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds deadline);
  /// Reads output (so the child never blocks on a full pipe) until `done()` holds or the
  /// deadline passes; true when it held. Once the child has closed both pipes (exited),
  /// `done()` is asked one last time.
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline);
  /// Reads all output and waits for exit; kills the child (SIGKILL) at the deadline.
  ChildResult wait(std::chrono::milliseconds deadline);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  bool pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  bool reaped_ = false;
};

/// Runs a command to completion (killed at `deadline`).
ChildResult run_child(std::vector<std::string> argv, std::chrono::milliseconds deadline = std::chrono::seconds(120));

/// Path of a built executable in <build>/bin.
std::string bin_path(const std::string& name);

/// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed), for
/// a program that must listen on a port known in advance. Throws std::runtime_error if none.
int free_tcp_port();

/// True when `haystack` holds `needle` (for checks on a child's output).
inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Size of a file, or 0 when it does not exist (yet).
std::uintmax_t file_size_or_zero(const std::string& path);

/// The lines of a file, sorted (an unreadable file gives none).
std::vector<std::string> sorted_lines(const std::string& path);

}  // namespace crawler::test
