#pragma once
/// A simweb server started by the benchmark, and the files it wrote.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_process.hpp"

namespace crawler::bench {

/// What site to serve.
struct SiteConfig {
  int pages = 2000;
  int hosts = 100;
  int latency_ms = 0;  ///< simweb --latency-ms: every response waits this long (a timer)
  int threads = 2;     ///< simweb --threads
};

/// Thrown when simweb cannot be started or never says it listens; main turns it into exit 2.
class SiteStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `simweb --port 0 --out-dir DIR/site-<latency>ms ...` as a child process, up once its first
/// stdout line `listening 127.0.0.1:PORT` appears (the manifest is written by then). The
/// destructor stops it (SIGTERM, SIGKILL after 5 s). Not copyable.
class SimwebSite {
 public:
  /// Throws SiteStartError (with simweb's stderr) when it exits or is silent for `deadline`.
  SimwebSite(const std::filesystem::path& simweb, const std::filesystem::path& work_dir,
             const SiteConfig& config, std::chrono::milliseconds deadline = std::chrono::seconds(60));
  ~SimwebSite();

  const SiteConfig& config() const { return config_; }
  std::uint16_t port() const { return port_; }
  /// "*:PORT:127.0.0.1", for crawl's and curl's --resolve.
  std::string resolve_arg() const;
  /// Every page URL, by page index (simweb's seeds.txt).
  const std::vector<std::string>& seeds() const { return seeds_; }
  /// A seed file holding the first `n` seeds (written once per n, in the site's directory).
  std::filesystem::path seed_file(std::size_t n);
  /// The sorted `source<TAB>link` lines a depth-0 crawl of the first `n` seeds must write.
  std::vector<std::string> expected_lines(std::size_t n) const;
  const std::filesystem::path& dir() const { return dir_; }
  /// The host names (h0.sim ...).
  std::vector<std::string> host_names() const;

 private:
  SiteConfig config_;
  std::filesystem::path dir_;
  std::unique_ptr<BenchProcess> process_;
  std::uint16_t port_ = 0;
  std::vector<std::string> seeds_;
  std::vector<std::string> expected_;  ///< expected-depth0.tsv, sorted
};

/// The lines of a file, sorted byte-wise (none when it cannot be read).
std::vector<std::string> read_sorted_lines(const std::filesystem::path& file);

}  // namespace crawler::bench
