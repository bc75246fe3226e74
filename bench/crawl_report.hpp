#pragma once
/// What a crawl said about itself on stderr: its summary and its workers' lag lines.

#include <cstdint>
#include <string>
#include <vector>

namespace crawler::bench {

/// One event loop's lag, as printed by `loop lag    p50 X ms, p99 Y ms, max Z ms (N samples)`.
struct LoopLag {
  std::string who;  ///< "crawl" (the process crawl ran in) or the worker id ("w0")
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::uint64_t samples = 0;
};

/// The parsed summary. Lines it does not know are ignored; a summary without a `pages` line
/// leaves `complete` false.
struct CrawlReport {
  bool complete = false;
  std::uint64_t pages_ok = 0;
  std::uint64_t pages_failed = 0;
  LoopLag crawl_lag;             ///< the crawl process's own loop (the engine with --workers 0)
  std::vector<LoopLag> workers;  ///< one per `worker ID loop lag ...` line (--workers N)

  /// The engines' loops: the workers' when there are any, else the crawl's. p50 is the
  /// median of their p50s, p99 the worst p99 (the slowest loop is what a host waits on).
  LoopLag engine_lag() const;

  static CrawlReport parse(const std::string& stderr_text);
};

}  // namespace crawler::bench
