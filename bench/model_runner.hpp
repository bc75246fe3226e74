#pragma once
/// Runs one RunSpec for real: crawl / crawl-worker, curl or wget2 against a SimwebSite.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_run.hpp"
#include "bench/simweb_site.hpp"

namespace crawler::bench {

/// Builds the command line of each model, runs it as a measured BenchProcess and checks what
/// it produced: a crawl's result lines against simweb's manifest for the same seeds (and its
/// summary: every page ok), curl's status codes, wget2's exit status.
///
/// The commands:
///   sync             crawl --workers 0 --mode sync
///   async            crawl --workers 0 --concurrency C --per-host P
///   processes        crawl --workers N --mode sync          (each worker: one transfer at a time)
///   processes-async  crawl --workers N --concurrency C --per-host P   (C per worker)
///   curl-parallel    curl --parallel --parallel-max C --resolve '*:PORT:127.0.0.1' -K urls
///   wget2            wget2 --max-threads C -i urls, in a private mount namespace whose
///                    /etc/hosts maps every hN.sim to 127.0.0.1 (wget2 has no --resolve)
/// all with `--seeds` the first `pages` seeds, depth 0, `--progress never`.
class ModelRunner {
 public:
  /// `bin_dir` holds crawl, crawl-worker and simweb; `work_dir` takes each run's files.
  ModelRunner(std::filesystem::path bin_dir, std::filesystem::path work_dir);

  /// Runs `spec` once (killed after `deadline`). Never throws for a failed run: the row's
  /// `error` says what went wrong. Throws std::runtime_error only when a program cannot start.
  RunRow run(const RunSpec& spec, SimwebSite& site, int repeat,
             std::chrono::milliseconds deadline = std::chrono::minutes(10));

  /// The command line run() would use (for --dry-run style listings and error messages).
  std::vector<std::string> command(const RunSpec& spec, SimwebSite& site);

  /// Empty when wget2 can run here (found, and `unshare --mount` works), else why not.
  static std::string wget2_unavailable();
  /// Empty when curl is found, else why not.
  static std::string curl_unavailable();

 private:
  void check_crawl(RunRow& row, SimwebSite& site, const std::string& stderr_text);
  std::filesystem::path curl_config(SimwebSite& site, std::size_t pages);
  std::filesystem::path hosts_file(SimwebSite& site);

  std::filesystem::path bin_dir_;
  std::filesystem::path work_dir_;
};

}  // namespace crawler::bench
