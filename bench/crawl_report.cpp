#include "bench/crawl_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace crawler::bench {
namespace {

/// Reads "p50 X ms, p99 Y ms, max Z ms (N samples)" starting anywhere in `text`.
bool parse_lag(const std::string& text, LoopLag& lag) {
  const auto at = text.find("p50 ");
  if (at == std::string::npos) return false;
  unsigned long long samples = 0;
  if (std::sscanf(text.c_str() + at, "p50 %lf ms, p99 %lf ms, max %lf ms (%llu samples)", &lag.p50_ms,
                  &lag.p99_ms, &lag.max_ms, &samples) != 4) {
    return false;
  }
  lag.samples = samples;
  return true;
}

}  // namespace

LoopLag CrawlReport::engine_lag() const {
  if (workers.empty()) return crawl_lag;
  LoopLag out;
  out.who = "workers";
  std::vector<double> p50s;
  for (const auto& w : workers) {
    p50s.push_back(w.p50_ms);
    out.p99_ms = std::max(out.p99_ms, w.p99_ms);
    out.max_ms = std::max(out.max_ms, w.max_ms);
    out.samples += w.samples;
  }
  std::sort(p50s.begin(), p50s.end());
  out.p50_ms = p50s[p50s.size() / 2];
  return out;
}

CrawlReport CrawlReport::parse(const std::string& stderr_text) {
  CrawlReport report;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);) {
    unsigned long long ok = 0;
    unsigned long long failed = 0;
    if (std::sscanf(line.c_str(), "pages %llu ok, %llu failed", &ok, &failed) == 2) {
      report.complete = true;
      report.pages_ok = ok;
      report.pages_failed = failed;
    } else if (line.rfind("loop lag ", 0) == 0) {
      report.crawl_lag.who = "crawl";
      parse_lag(line, report.crawl_lag);
    } else if (line.rfind("worker ", 0) == 0 && line.find(" loop lag ") != std::string::npos) {
      LoopLag lag;
      lag.who = line.substr(7, line.find(" loop lag ") - 7);
      if (parse_lag(line, lag)) report.workers.push_back(lag);
    }
  }
  return report;
}

}  // namespace crawler::bench
