#include "common/crawl_stats.hpp"

#include <sys/resource.h>

#include <cstdio>

namespace crawler {

ResourceUse resource_use() {
  ResourceUse use;
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  const auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  use.cpu_seconds = seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(children.ru_utime) +
                    seconds(children.ru_stime);
  use.peak_rss_kb = static_cast<std::uint64_t>(std::max(self.ru_maxrss, children.ru_maxrss));
  return use;
}

CrawlStats::CrawlStats() : start_(std::chrono::steady_clock::now()) {}

void CrawlStats::count(const PageRecord& record, std::size_t lines_written) {
  if (record.ok()) {
    ++pages_ok_;
  } else if (record.error == FetchError::kRobots) {
    ++pages_disallowed_;
  } else if (record.error == FetchError::kCancelled) {
    ++pages_cancelled_;
  } else {
    ++pages_failed_;
    const auto i = static_cast<std::size_t>(record.error);
    if (i < by_error_.size()) ++by_error_[i];
  }
  links_ += record.links.size();
  links_too_long_ += record.links_too_long;
  links_over_cap_ += record.links_over_cap;
  lines_ += lines_written;
  bytes_ += record.bytes;
}

void CrawlStats::settle_lines(std::uint64_t lines_in_file) {
  if (lines_in_file >= lines_) return;
  lines_lost_ += lines_ - lines_in_file;
  lines_ = lines_in_file;
}

double CrawlStats::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string CrawlStats::progress_line(std::size_t in_flight, std::size_t queued) const {
  char buf[200];
  const double t = elapsed_seconds();
  std::snprintf(buf, sizeof buf, "done %llu  %.0f pages/s  in flight %zu  queued %zu  errors %llu",
                static_cast<unsigned long long>(pages_done()), t > 0 ? pages_done() / t : 0.0, in_flight,
                queued, static_cast<unsigned long long>(pages_failed_));
  return buf;
}

std::string CrawlStats::summary(const std::string& extra) const {
  const double t = elapsed_seconds();
  const ResourceUse use = resource_use();
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "pages       %llu ok, %llu failed", static_cast<unsigned long long>(pages_ok_),
                static_cast<unsigned long long>(pages_failed_));
  out += buf;
  if (pages_disallowed_ != 0) {
    std::snprintf(buf, sizeof buf, ", %llu skipped (disallowed by robots.txt)",
                  static_cast<unsigned long long>(pages_disallowed_));
    out += buf;
  }
  if (pages_cancelled_ != 0) {
    std::snprintf(buf, sizeof buf, ", %llu not fetched (the crawl stopped first)",
                  static_cast<unsigned long long>(pages_cancelled_));
    out += buf;
  }
  out += '\n';
  for (std::size_t i = 1; i < by_error_.size(); ++i) {
    if (by_error_[i] == 0 || static_cast<FetchError>(i) == FetchError::kRobots) continue;
    std::snprintf(buf, sizeof buf, "  failed    %-20s %llu\n",
                  std::string(to_string(static_cast<FetchError>(i))).c_str(),
                  static_cast<unsigned long long>(by_error_[i]));
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "links       %llu (%llu lines written)\n"
                "bytes       %llu\n"
                "wall        %.2f s\n"
                "rate        %.1f pages/s\n"
                "cpu         %.2f s\n"
                "peak rss    %.1f MB\n",
                static_cast<unsigned long long>(links_), static_cast<unsigned long long>(lines_),
                static_cast<unsigned long long>(bytes_), t, t > 0 ? pages_done() / t : 0.0,
                use.cpu_seconds, use.peak_rss_kb / 1024.0);
  out += buf;
  if (lines_lost_ != 0) {
    std::snprintf(buf, sizeof buf, "  lost      %llu lines the results file did not take (--resume writes them again)\n",
                  static_cast<unsigned long long>(lines_lost_));
    out += buf;
  }
  if (links_too_long_ + links_over_cap_ > 0) {
    std::snprintf(buf, sizeof buf, "  dropped   %llu links over --max-url-length, %llu past --max-links-per-page\n",
                  static_cast<unsigned long long>(links_too_long_), static_cast<unsigned long long>(links_over_cap_));
    out += buf;
  }
  out += extra;
  return out;
}

}  // namespace crawler
