#include "bench/models_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "bench/machine.hpp"
#include "bench/model_runner.hpp"
#include "bench/plotter.hpp"
#include "bench/simweb_site.hpp"

namespace crawler::bench {

void ModelsOptions::finish_defaults() {
  if (base_workers <= 0) base_workers = cores();
  if (workers.empty()) {
    for (int n = 1; n <= 2 * cores(); n *= 2) workers.push_back(n);
    if (workers.back() != 2 * cores()) workers.push_back(2 * cores());
  }
  if (quick) {
    pages = 240;
    hosts = 12;
    latencies = {0};
    concurrency.clear();
    workers.clear();
    base_concurrency = 16;
    base_workers = 2;
    repeat = 1;
    tools = false;
    plots = false;
  }
}

ModelsBench::ModelsBench(ModelsOptions options) : options_(std::move(options)) {
  options_.finish_defaults();
}

std::vector<RunSpec> ModelsBench::plan() const {
  const auto& o = options_;
  std::vector<RunSpec> out;
  std::set<std::string> seen;
  const auto add = [&](Model model, int latency, int c, int n, const std::string& sweep) {
    RunSpec s;
    s.model = model;
    s.latency_ms = latency;
    s.concurrency = (model == Model::kSync || model == Model::kProcesses) ? 1 : c;
    s.workers = (model == Model::kProcesses || model == Model::kProcessesAsync) ? n : 0;
    // Politeness must not be what binds here: enough connections per host for C in flight.
    s.per_host = std::max(2, (s.in_flight() + o.hosts - 1) / o.hosts);
    s.sweep = sweep;
    s.pages = pages_for(s);
    if (seen.insert(s.key()).second) out.push_back(s);
  };
  for (int latency : o.latencies) {
    add(Model::kSync, latency, 1, 0, "base");
    add(Model::kAsync, latency, o.base_concurrency, 0, "base");
    add(Model::kProcesses, latency, 1, o.base_workers, "base");
    add(Model::kProcessesAsync, latency, o.base_concurrency, o.base_workers, "base");
    if (o.tools) {
      add(Model::kCurl, latency, o.base_concurrency, 0, "base");
      add(Model::kWget2, latency, o.base_concurrency, 0, "base");
    }
  }
  for (int latency : std::set<int>{0, o.sweep_latency}) {
    for (int c : o.concurrency) {
      add(Model::kAsync, latency, c, 0, "concurrency");
      add(Model::kProcessesAsync, latency, c, o.base_workers, "concurrency");
    }
    for (int n : o.workers) {
      add(Model::kProcesses, latency, 1, n, "workers");
      add(Model::kProcessesAsync, latency, o.base_concurrency, n, "workers");
    }
  }
  return out;
}

std::size_t ModelsBench::pages_for(const RunSpec& spec) const {
  const auto all = static_cast<std::size_t>(options_.pages);
  if (spec.latency_ms == 0) return all;
  // A latency-bound run needs no more pages than its bound crawls in `seconds`.
  const double bound = spec.in_flight() * 1000.0 / spec.latency_ms;
  const auto n = static_cast<std::size_t>(std::ceil(bound * options_.seconds));
  return std::clamp<std::size_t>(n, std::min<std::size_t>(all, 20), all);
}

int ModelsBench::run() {
  const auto& o = options_;
  std::vector<RunSpec> specs = plan();
  std::string wget2_missing;
  std::string curl_missing;
  if (o.tools) {
    wget2_missing = ModelRunner::wget2_unavailable();
    curl_missing = ModelRunner::curl_unavailable();
    if (!wget2_missing.empty()) std::fprintf(stderr, "wget2 rows skipped: %s\n", wget2_missing.c_str());
    if (!curl_missing.empty()) std::fprintf(stderr, "curl rows skipped: %s\n", curl_missing.c_str());
    std::erase_if(specs, [&](const RunSpec& s) {
      return (s.model == Model::kWget2 && !wget2_missing.empty()) ||
             (s.model == Model::kCurl && !curl_missing.empty());
    });
  }
  std::set<int> latencies;
  for (const auto& s : specs) latencies.insert(s.latency_ms);

  std::fprintf(stderr,
               "crawl-bench models: %d pages on %d hosts, latencies", o.pages, o.hosts);
  for (int l : latencies) std::fprintf(stderr, " %d", l);
  std::fprintf(stderr, " ms; %zu configurations x %d repeats; %d cores; load average %s\n", specs.size(),
               o.repeat, cores(), load_average().c_str());

  std::map<int, std::unique_ptr<SimwebSite>> sites;
  for (int latency : latencies) {
    SiteConfig config;
    config.pages = o.pages;
    config.hosts = o.hosts;
    config.latency_ms = latency;
    sites[latency] = std::make_unique<SimwebSite>(o.bin_dir / "simweb", o.work_dir, config);
  }

  ModelRunner runner(o.bin_dir, o.work_dir);
  // One untimed crawl per site first: simweb compresses each page once and caches it, and the
  // first repeat must not pay for that when the others do not.
  for (auto& [latency, site] : sites) {
    RunSpec warm;
    warm.model = Model::kAsync;
    warm.latency_ms = latency;
    warm.concurrency = 256;
    warm.per_host = std::max(2, 256 / o.hosts + 1);
    for (const auto& s : specs) {
      if (s.latency_ms == latency) warm.pages = std::max(warm.pages, s.pages);
    }
    const RunRow row = runner.run(warm, *site, 0);
    if (!row.error.empty()) std::fprintf(stderr, "warm-up at %d ms failed: %s\n", latency, row.error.c_str());
  }
  ResultTable table;
  const std::size_t total = specs.size() * static_cast<std::size_t>(o.repeat);
  std::size_t done = 0;
  for (int repeat = 1; repeat <= o.repeat; ++repeat) {
    for (const RunSpec& spec : specs) {
      RunRow row = runner.run(spec, *sites[spec.latency_ms], repeat);
      ++done;
      const LoopLag lag = row.report.engine_lag();
      char lag_text[64] = "";
      if (is_crawl(spec.model)) std::snprintf(lag_text, sizeof lag_text, "  lag p50/p99 %.2f/%.2f ms", lag.p50_ms, lag.p99_ms);
      if (row.error.empty()) {
        std::fprintf(stderr, "[%3zu/%zu] %4d ms  %-28s %5zu pages %8.1f pages/s  cpu %.3f ms/page  rss %6.1f MB%s\n",
                     done, total, spec.latency_ms, spec.label().c_str(), row.spec.pages, row.pages_per_s(),
                     row.cpu_ms_per_page(), row.outcome.peak_rss_kb / 1024.0, lag_text);
      } else {
        std::fprintf(stderr, "[%3zu/%zu] %4d ms  %-28s FAILED: %s\n", done, total, spec.latency_ms,
                     spec.label().c_str(), row.error.c_str());
      }
      table.add(std::move(row));
    }
  }
  sites.clear();

  std::filesystem::create_directories(o.results_dir);
  const std::string prefix = o.quick ? "models-quick" : "models";
  table.write_runs_csv(o.results_dir / (prefix + "-runs.csv"));
  table.write_summary_csv(o.results_dir / (prefix + "-summary.csv"));
  print_table(table);
  std::printf("rows: %s\n", (o.results_dir / (prefix + "-runs.csv")).c_str());
  if (o.plots) {
    Plotter plotter(o.results_dir);
    const std::string why = plotter.models(table.summaries(), o.sweep_latency, o.base_concurrency, o.base_workers);
    std::printf("%s\n", why.c_str());
  }

  // The smoke test's assertion: every crawl ran and wrote exactly the manifest's lines.
  int bad = 0;
  for (const RunRow& row : table.rows()) {
    if (!is_crawl(row.spec.model)) continue;
    if (!row.error.empty() || row.lines_match != "yes") ++bad;
  }
  if (bad != 0) {
    std::printf("FAILED: %d crawl runs failed or wrote other lines than simweb's manifest (see the error column)\n", bad);
    return 1;
  }
  std::printf("result lines: every crawl run wrote exactly simweb's expected lines for its seeds\n");
  return 0;
}

void ModelsBench::print_table(const ResultTable& table) const {
  const auto summaries = table.summaries();
  std::printf("\nmedians of %d repeats (pages/s = pages / wall time from start to exit, startup included)\n",
              options_.repeat);
  std::printf("%-8s %-28s %9s %6s %10s %9s %8s %8s %8s %10s %6s\n", "latency", "model", "in flight", "pages",
              "pages/s", "cpu ms/pg", "rss MB", "lag p50", "lag p99", "bound", "eff.");
  for (const ConfigSummary& s : summaries) {
    const bool crawl = is_crawl(s.spec.model);
    char lag50[16] = "", lag99[16] = "", bound[16] = "", eff[16] = "";
    if (crawl) {
      std::snprintf(lag50, sizeof lag50, "%.2f", s.lag_p50_ms);
      std::snprintf(lag99, sizeof lag99, "%.2f", s.lag_p99_ms);
      std::snprintf(bound, sizeof bound, "%.0f", s.bound);
      std::snprintf(eff, sizeof eff, "%.2f", s.efficiency);
    }
    std::printf("%5d ms %-28s %9d %6zu %10.1f %9.3f %8.1f %8s %8s %10s %6s%s\n", s.spec.latency_ms,
                s.spec.label().c_str(), s.spec.in_flight(), s.spec.pages, s.pages_per_s, s.cpu_ms_per_page,
                s.peak_rss_mb, lag50, lag99, bound, eff, s.runs == 0 ? "  (every run failed)" : "");
  }
  // The seed's lesson in ratios, per latency (base configurations).
  std::map<int, std::map<std::string, double>> base;
  for (const ConfigSummary& s : summaries) {
    if (s.spec.sweep == "base" && s.runs > 0) base[s.spec.latency_ms][to_string(s.spec.model)] = s.pages_per_s;
  }
  std::printf("\nratios of medians (base configurations: C=%d, N=%d)\n", options_.base_concurrency,
              options_.base_workers);
  for (const auto& [latency, rate] : base) {
    const auto ratio = [&](const char* a, const char* b) {
      const auto ia = rate.find(a), ib = rate.find(b);
      return ia != rate.end() && ib != rate.end() && ib->second > 0 ? ia->second / ib->second : 0.0;
    };
    std::printf("%5d ms: async/sync %.1fx  processes/sync %.1fx  processes-async/async %.2fx", latency,
                ratio("async", "sync"), ratio("processes", "sync"), ratio("processes-async", "async"));
    if (rate.count("curl-parallel")) std::printf("  async/curl %.2f", ratio("async", "curl-parallel"));
    if (rate.count("wget2")) std::printf("  async/wget2 %.2f", ratio("async", "wget2"));
    std::printf("\n");
  }
}

}  // namespace crawler::bench
