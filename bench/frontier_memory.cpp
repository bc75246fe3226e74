// frontier-memory: the coordinator's memory per known URL, measured on the real Frontier.
// Feeds it pages whose links are N distinct URLs over H hosts (as workers' results would), then
// dispatches them all, printing peak RSS and bytes per URL after each phase. Not a test: the
// figure goes in docs/benchmarks.md (issue 4's goal: 10 million known URLs in <= 1.5 GB peak RSS).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "coordinator/frontier.hpp"

namespace {

/// VmHWM or VmRSS from /proc/self/status, in KiB.
long status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

/// A realistic URL: https, a host name, a two-level path and, for a third of them, a query.
std::string make_url(std::uint64_t i, std::uint64_t hosts) {
  const std::uint64_t host = i % hosts;
  const std::uint64_t n = i / hosts;
  std::string url = "https://www.site" + std::to_string(host) + ".example/section-" +
                    std::to_string(n % 97) + "/article-" + std::to_string(n) + ".html";
  if (n % 3 == 0) url += "?ref=nav&page=" + std::to_string(n % 50);
  return url;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t urls = 10'000'000;
  std::uint64_t hosts = 100'000;
  std::uint64_t links_per_page = 100;
  CLI::App app{"frontier-memory: peak RSS of the coordinator's frontier and seen-set per known URL"};
  app.add_option("--urls", urls, "distinct URLs to make known")->capture_default_str();
  app.add_option("--hosts", hosts, "hosts they are spread over")->capture_default_str();
  app.add_option("--links-per-page", links_per_page, "links in each result fed in")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const long base_kib = status_kib("VmRSS");
  crawler::FrontierOptions options;
  options.max_depth = 1000;
  options.scope = crawler::Scope::kAny;
  crawler::Frontier frontier(options);
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t bytes_of_urls = 0;
  crawler::PageRecord page;
  page.url = page.final_url = "https://www.site0.example/";
  page.status = 200;
  for (std::uint64_t i = 0; i < urls;) {
    page.links.clear();
    for (std::uint64_t k = 0; k < links_per_page && i < urls; ++k, ++i) {
      page.links.push_back(make_url(i, hosts));
      bytes_of_urls += page.links.back().size();
    }
    frontier.add_links(page);
  }
  page.links = {};
  const double fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const long queued_kib = status_kib("VmRSS") - base_kib;
  std::printf("urls=%llu hosts=%llu mean_url_bytes=%.1f\n", static_cast<unsigned long long>(urls),
              static_cast<unsigned long long>(hosts), static_cast<double>(bytes_of_urls) / urls);
  std::printf("all queued:     known=%zu queued=%zu rss=%.0f MB (%.1f B/URL, seen-set %.1f B/URL) in %.1f s\n",
              frontier.known(), frontier.queued(), queued_kib / 1024.0, queued_kib * 1024.0 / urls,
              static_cast<double>(frontier.seen_memory_bytes()) / urls, fill_s);

  std::uint64_t dispatched = 0;
  while (frontier.next()) ++dispatched;
  const long done_kib = status_kib("VmRSS") - base_kib;
  std::printf("all dispatched: known=%zu queued=%zu rss=%.0f MB (%.1f B/URL)\n", frontier.known(),
              frontier.queued(), done_kib / 1024.0, done_kib * 1024.0 / urls);
  const long peak_kib = status_kib("VmHWM");
  std::printf("peak_rss_mb=%.0f dispatched=%llu\n", peak_kib / 1024.0, static_cast<unsigned long long>(dispatched));
  return dispatched == urls ? 0 : 1;
}
