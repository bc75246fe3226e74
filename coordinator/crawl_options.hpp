#pragma once
/// Everything `crawl` (and later `crawl-coordinator`) is told on its command line.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/fetch_options.hpp"
#include "common/result_writer.hpp"
#include "coordinator/frontier.hpp"

namespace crawler {

/// The default of --workers: the number of cores (at least 1).
int default_workers();

/// Settings of one crawl, as parsed from flags or CRAWL_* environment variables.
struct CrawlOptions {
  std::string seeds;               ///< seed file, "-" for stdin
  std::string out = "results.txt";
  OutputFormat format = OutputFormat::kTsv;
  std::uint32_t depth = 0;
  std::string scope = "host";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::uint64_t max_pages = 0;
  bool strict_depth = false;       ///< breadth-first in whole levels (see FrontierOptions)
  std::uint64_t frontier_memory = std::uint64_t{256} << 20;  ///< RAM for queued URLs (FrontierOptions)
  std::uint64_t frontier_disk_max = 0;
  std::int64_t host_pause_ms = 60'000;  ///< first pause of a host that answers 429/503 or times out; 0: none  ///< the frontier store's bytes at most; 0: leave 1 GiB free
  bool skip_bad_seeds = false;
  int workers = default_workers();  ///< worker processes; 0: the engine runs in this process
  std::string progress = "auto";   ///< auto (on a TTY) | always | never
  std::string log_level = "warn";
  std::string state_dir;           ///< journal directory; empty: no journal
  std::string resume_mode = "no";  ///< yes | no | auto (yes when state_dir holds a journal)
  bool stay_up = false;            ///< after the crawl, serve metrics until SIGTERM
  std::string metrics_listen;      ///< ADDR:PORT of /metrics, /healthz, /readyz; empty: off
  bool check_config = false;       ///< print the effective settings and exit (see common/check_config.hpp)
  FetchOptions fetch;

  /// The frontier's limits; throws std::runtime_error naming a bad --include/--exclude regex.
  FrontierOptions frontier_options() const;
  /// A digest of what defines the crawl's output (seeds and limits): a journal is resumed only
  /// by the same crawl.
  std::string crawl_id(const std::vector<std::string>& normalized_seeds) const;
};

/// crawl_id() one seed at a time, for a seed file read as a stream: the same digest.
class CrawlIdDigest {
 public:
  explicit CrawlIdDigest(const CrawlOptions& options);
  ~CrawlIdDigest();
  CrawlIdDigest(const CrawlIdDigest&) = delete;
  CrawlIdDigest& operator=(const CrawlIdDigest&) = delete;
  /// Adds the next unique seed, normalised.
  void add_seed(std::string_view normalized);
  std::string finish() const;

 private:
  void* state_;  ///< XXH3_state_t
};

/// Adds the crawl's flags to `app`.
void add_crawl_options(CLI::App& app, CrawlOptions& options);

}  // namespace crawler
