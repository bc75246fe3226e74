#pragma once
/// Counters of one crawl, the live progress line and the final summary.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/page_record.hpp"

namespace crawler {

/// Process resource use, read from getrusage (self and reaped children).
struct ResourceUse {
  double cpu_seconds = 0;       ///< user + system
  std::uint64_t peak_rss_kb = 0;  ///< largest resident set of this process or of any reaped child
};
ResourceUse resource_use();

/// What a crawl did. Single-threaded: update from the loop thread only.
class CrawlStats {
 public:
  CrawlStats();

  /// Counts one finished page (ok, failed, skipped by robots.txt, or cancelled) and its links.
  void count(const PageRecord& record, std::size_t lines_written);
  /// After the results file failed: the lines it really holds; the rest are counted as lost.
  void settle_lines(std::uint64_t lines_in_file);

  std::uint64_t pages_done() const { return pages_ok_ + pages_failed_ + pages_disallowed_; }
  std::uint64_t pages_ok() const { return pages_ok_; }
  /// Pages that failed (robots.txt refusals are not failures: see pages_disallowed()).
  std::uint64_t pages_failed() const { return pages_failed_; }
  /// Pages not fetched because robots.txt disallows them (a policy, not an error).
  std::uint64_t pages_disallowed() const { return pages_disallowed_; }
  /// Pages cancelled before or while they were fetched because the crawl stopped (a signal, an
  /// I/O error): not failures, and with a journal still queued for --resume.
  std::uint64_t pages_cancelled() const { return pages_cancelled_; }
  std::uint64_t lines_lost() const { return lines_lost_; }
  std::uint64_t links() const { return links_; }
  std::uint64_t lines() const { return lines_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t failed(FetchError e) const { return by_error_[static_cast<std::size_t>(e)]; }
  std::uint64_t links_too_long() const { return links_too_long_; }  ///< dropped: over --max-url-length
  std::uint64_t links_over_cap() const { return links_over_cap_; }  ///< dropped: past --max-links-per-page
  double elapsed_seconds() const;

  /// One line for a terminal: done, pages/s, in flight, queued, errors.
  std::string progress_line(std::size_t in_flight, std::size_t queued) const;
  /// The final multi-line summary (ends with a newline). `extra` lines are appended as given.
  std::string summary(const std::string& extra = {}) const;

 private:
  std::chrono::steady_clock::time_point start_;
  std::uint64_t pages_ok_ = 0;
  std::uint64_t pages_failed_ = 0;
  std::uint64_t pages_disallowed_ = 0;
  std::uint64_t pages_cancelled_ = 0;
  std::uint64_t lines_lost_ = 0;
  std::uint64_t links_ = 0;
  std::uint64_t lines_ = 0;
  std::uint64_t bytes_ = 0;
  std::array<std::uint64_t, kFetchErrorCount> by_error_{};
  std::uint64_t links_too_long_ = 0;
  std::uint64_t links_over_cap_ = 0;
};

}  // namespace crawler
