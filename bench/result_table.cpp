#include "bench/result_table.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

namespace crawler::bench {
namespace {

std::string fmt(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string zero_key(const RunSpec& s) {
  RunSpec z = s;
  z.latency_ms = 0;
  return z.key();
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void ResultTable::add(RunRow row) { rows_.push_back(std::move(row)); }

std::vector<ConfigSummary> ResultTable::summaries() const {
  std::vector<ConfigSummary> out;
  std::unordered_map<std::string, std::size_t> index;
  std::unordered_map<std::string, std::vector<const RunRow*>> by_key;
  for (const RunRow& row : rows_) {
    const std::string key = row.spec.key();
    if (index.emplace(key, out.size()).second) {
      out.emplace_back();
      out.back().spec = row.spec;
    }
    by_key[key].push_back(&row);
  }
  for (ConfigSummary& s : out) {
    std::vector<double> rate, cpu, rss, p50, p99;
    for (const RunRow* row : by_key[s.spec.key()]) {
      if (!row->error.empty()) {
        ++s.failed;
        continue;
      }
      ++s.runs;
      rate.push_back(row->pages_per_s());
      cpu.push_back(row->cpu_ms_per_page());
      rss.push_back(static_cast<double>(row->outcome.peak_rss_kb) / 1024.0);
      const LoopLag lag = row->report.engine_lag();
      p50.push_back(lag.p50_ms);
      p99.push_back(lag.p99_ms);
    }
    s.pages_per_s = median(rate);
    s.cpu_ms_per_page = median(cpu);
    s.peak_rss_mb = median(rss);
    s.lag_p50_ms = median(p50);
    s.lag_p99_ms = median(p99);
  }
  for (ConfigSummary& s : out) {
    double r0 = 0;
    if (const auto it = index.find(zero_key(s.spec)); it != index.end() && out[it->second].runs > 0) {
      r0 = out[it->second].pages_per_s;
    }
    if (s.spec.think_ms > 0) {
      // Known CPU per page (--think-ms): a sync engine spends latency + think on each page; an
      // async one overlaps the waits, but its one parse thread thinks one page at a time.
      const RunSpec& r = s.spec;
      const bool sync = r.model == Model::kSync || r.model == Model::kProcesses;
      const int engines = std::max(1, r.workers);
      const double thinking = engines * 1000.0 / r.think_ms;
      s.bound = sync ? r.in_flight() * 1000.0 / (r.latency_ms + r.think_ms)
                     : (r.latency_ms > 0 ? std::min(r.in_flight() * 1000.0 / r.latency_ms, thinking) : thinking);
      s.bound_note = sync ? "in flight / (latency + think)" : "min(in flight / latency, engines / think)";
    } else if (s.spec.latency_ms == 0) {
      s.bound = r0;
      s.bound_note = "cpu-bound (latency 0)";
    } else {
      const double latency_bound = s.spec.in_flight() * 1000.0 / s.spec.latency_ms;
      s.bound = r0 > 0 ? std::min(latency_bound, r0) : latency_bound;
      s.bound_note = r0 > 0 && r0 < latency_bound ? "cpu-bound (latency 0)" : "in flight / latency";
    }
    s.efficiency = s.bound > 0 && s.runs > 0 ? s.pages_per_s / s.bound : 0;
  }
  return out;
}

void ResultTable::write_runs_csv(const std::filesystem::path& file) const {
  std::ofstream out(file);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  std::unordered_map<std::string, double> bounds;
  for (const ConfigSummary& s : summaries()) bounds[s.spec.key()] = s.bound;
  out << "model,sweep,latency_ms,concurrency,workers,per_host,think_ms,in_flight,pages,repeat,"
         "wall_s,pages_per_s,cpu_s,cpu_ms_per_page,peak_rss_mb,processes,lag_p50_ms,lag_p99_ms,"
         "crawl_loop_lag_p99_ms,bound_pages_per_s,efficiency,lines,lines_match,error\n";
  for (const RunRow& r : rows_) {
    const LoopLag lag = r.report.engine_lag();
    const double bound = bounds[r.spec.key()];
    const bool crawl = is_crawl(r.spec.model);
    out << to_string(r.spec.model) << ',' << r.spec.sweep << ',' << r.spec.latency_ms << ','
        << r.spec.concurrency << ',' << r.spec.workers << ',' << (crawl ? std::to_string(r.spec.per_host) : "")
        << ',' << r.spec.think_ms << ',' << r.spec.in_flight() << ',' << r.spec.pages << ',' << r.repeat
        << ',' << fmt(r.outcome.wall_s, 3) << ',' << fmt(r.pages_per_s(), 1) << ',' << fmt(r.outcome.cpu_s, 3)
        << ',' << fmt(r.cpu_ms_per_page(), 3) << ',' << fmt(r.outcome.peak_rss_kb / 1024.0, 1) << ','
        << r.outcome.peak_processes << ',' << (crawl ? fmt(lag.p50_ms) : "") << ','
        << (crawl ? fmt(lag.p99_ms) : "") << ',' << (crawl ? fmt(r.report.crawl_lag.p99_ms) : "") << ','
        << (crawl && bound > 0 ? fmt(bound, 1) : "") << ','
        << (crawl && bound > 0 && r.error.empty() ? fmt(r.pages_per_s() / bound, 3) : "") << ','
        << (crawl ? std::to_string(r.lines) : "") << ',' << r.lines_match << ',' << r.error << '\n';
  }
}

void ResultTable::write_summary_csv(const std::filesystem::path& file) const {
  std::ofstream out(file);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  out << "model,sweep,latency_ms,concurrency,workers,in_flight,runs,failed,pages_per_s,cpu_ms_per_page,"
         "peak_rss_mb,lag_p50_ms,lag_p99_ms,bound_pages_per_s,efficiency,bound_from\n";
  for (const ConfigSummary& s : summaries()) {
    const bool crawl = is_crawl(s.spec.model);
    out << to_string(s.spec.model) << ',' << s.spec.sweep << ',' << s.spec.latency_ms << ','
        << s.spec.concurrency << ',' << s.spec.workers << ',' << s.spec.in_flight() << ',' << s.runs << ','
        << s.failed << ',' << fmt(s.pages_per_s, 1) << ',' << fmt(s.cpu_ms_per_page, 3) << ','
        << fmt(s.peak_rss_mb, 1) << ',' << (crawl ? fmt(s.lag_p50_ms) : "") << ','
        << (crawl ? fmt(s.lag_p99_ms) : "") << ',' << (crawl ? fmt(s.bound, 1) : "") << ','
        << (crawl ? fmt(s.efficiency, 3) : "") << ',' << (crawl ? s.bound_note : "") << '\n';
  }
}

}  // namespace crawler::bench
