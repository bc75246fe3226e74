#pragma once
/// Runs the real `simweb` binary as a child process for end-to-end tests.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace crawler::test {

/// One simweb child process on 127.0.0.1 with a fresh output directory. Starts it with `args`
/// plus `--port 0 --out-dir <temp dir>/out`, and waits (poll() on its stdout, with a deadline)
/// for the `listening 127.0.0.1:PORT` line, by which time the manifest files are written.
/// The destructor stops the child (SIGTERM, then SIGKILL after 5 s), reaps it and removes the
/// temporary directory. Not copyable or movable.
class SimwebProcess {
 public:
  /// Throws std::runtime_error, with the child's stderr, when the binary is missing, exits
  /// early, or prints no listening line within `timeout`.
  explicit SimwebProcess(std::vector<std::string> args = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~SimwebProcess();
  SimwebProcess(const SimwebProcess&) = delete;
  SimwebProcess& operator=(const SimwebProcess&) = delete;

  /// The port simweb bound.
  std::uint16_t port() const { return port_; }
  /// Where simweb wrote seeds.txt, seeds-roots.txt, expected-*.tsv and manifest.json.
  const std::filesystem::path& out_dir() const { return out_dir_; }
  /// "*:PORT:127.0.0.1", for curl's --resolve / FetchOptions::resolve.
  std::string resolve_arg() const;
  /// "http://HOST:PORT" + target, e.g. url("h0.sim", "/fault/loop").
  std::string url(std::string_view host, std::string_view target) const;
  /// The body of GET /__stats (plain blocking socket, `timeout` on connect, send and receive).
  /// Throws std::runtime_error on failure or a non-200 answer.
  std::string stats_json(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// The child's process id (0 once stopped).
  pid_t pid() const { return pid_; }
  /// Sends SIGTERM and reaps the child (SIGKILL after `grace`). Returns its exit code, or
  /// 128 + signal when a signal ended it. Idempotent: later calls return the same value.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  std::filesystem::path temp_dir_;
  std::filesystem::path out_dir_;
  pid_t pid_ = 0;
  int stdout_fd_ = -1;
  int exit_code_ = -1;
  std::uint16_t port_ = 0;
};

/// The number after `"key":` in a /__stats body (the first such key: "requests" is the total,
/// "h3.sim":{"requests":N comes later); a test failure and 0 when there is none.
std::uint64_t stats_number(const std::string& json, const std::string& key);

/// The lines of a text file (without '\n'), sorted byte-wise. Throws std::runtime_error when
/// the file cannot be read.
std::vector<std::string> read_sorted_lines(const std::filesystem::path& file);

/// The bytes the gzip stream `in` (a body simweb sent) inflates to; a test failure when it is
/// not one whole stream.
std::string inflate_gzip(const std::string& in);

}  // namespace crawler::test
