// frontier-memory: the coordinator's RAM and disk per known URL, and its insert and dispatch
// rates, measured on the real Frontier. Feeds it pages whose links are N distinct URLs over H
// hosts (as workers' results would, in batches of --links-per-page), then dispatches them all,
// printing peak RSS, the store's size and the rates after each phase. Not a test: the figures
// go in docs/benchmarks.md (issue 12's goals for 10^8 URLs over 10^6 hosts: <= 24 B of RAM and
// <= 40 B of disk per URL, >= 200,000 inserts/s, >= 100,000 dispatches/s).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "coordinator/frontier.hpp"
#include "coordinator/journal.hpp"

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

/// Bytes of the files under `dir` (0 when it does not exist).
std::uint64_t dir_bytes(const std::string& dir) {
  std::error_code ec;
  std::uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
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

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

const std::string kCrawlId = "frontier-memory";

/// --journal resume: a --resume of the journal --journal write left, timed to its first dispatch.
/// Reads it as ResumeFeeder does, without the loop: the first slice of the queue, a dispatch,
/// then the rest of the seen-set and the queue in slices (journals written before the queue was
/// kept in order are read whole first, as the crawl does).
int resume(crawler::Frontier& frontier, const std::string& dir, std::uint64_t urls, long base_kib) {
  const auto started = std::chrono::steady_clock::now();
  crawler::Journal journal(dir, true, kCrawlId);
  const double open_s = seconds_since(started);
  std::uint64_t done = 0;
  double first_s = 0;
  long first_kib = 0;
  std::uint64_t dispatched = 0;
  auto dispatch_one = [&] {
    if (!frontier.next()) return false;
    if (dispatched++ == 0) {
      first_s = seconds_since(started);
      first_kib = status_kib("VmHWM") - base_kib;
    }
    return true;
  };
  if (!journal.streams()) {
    journal.for_each([&](const crawler::JournalEntry& e) {
      frontier.restore(e.key, e.url, e.depth, e.check_robots, e.done);
      done += e.done;
    });
    frontier.end_restore();
  } else {
    done = journal.done_count();
    frontier.begin_resume(done, [&](const std::string& key) { return journal.contains(key); });
    journal.for_each_seed_host([&](std::string_view host) { frontier.restore_seed_host(host); });
    auto known = journal.known();
    auto queued = journal.queued();
    crawler::JournalEntry e;
    bool more_known = true, more_queued = true;
    while (more_known || more_queued) {
      for (int i = 0; more_known && i < 16384; ++i) {
        if ((more_known = known->next(e))) frontier.restore_known(e.key);
      }
      for (int i = 0; more_queued && i < 4096; ++i) {
        if ((more_queued = queued->next(e))) frontier.restore_queued(e.key, e.url, e.depth, e.check_robots);
      }
      if (dispatched == 0) dispatch_one();
    }
    frontier.end_known();
    frontier.end_resume();
  }
  const double read_s = seconds_since(started);
  while (dispatch_one()) {
  }
  std::printf("resume: journal_open_s=%.2f known=%zu done=%llu first_dispatch_s=%.2f peak_rss_mb_to_first=%.0f journal_read_s=%.1f "
              "peak_rss_mb=%.0f then dispatched=%llu in %.1f s\n",
              open_s, frontier.known(), static_cast<unsigned long long>(done), first_s, first_kib / 1024.0, read_s,
              status_kib("VmHWM") / 1024.0, static_cast<unsigned long long>(dispatched), seconds_since(started));
  return frontier.known() == urls && done + dispatched == urls ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t urls = 10'000'000;
  std::uint64_t hosts = 100'000;
  std::uint64_t links_per_page = 100;
  std::uint64_t memory = std::uint64_t{256} << 20;
  std::string store_dir;
  CLI::App app{"frontier-memory: RAM, disk and speed of the coordinator's frontier per known URL"};
  app.add_option("--urls", urls, "distinct URLs to make known")->capture_default_str();
  app.add_option("--hosts", hosts, "hosts they are spread over")->capture_default_str();
  app.add_option("--links-per-page", links_per_page, "links in each result fed in")->capture_default_str();
  app.add_option("--frontier-memory", memory, "RAM for queued URLs, as the crawl's flag")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  app.add_option("--state-dir", store_dir, "put the store in DIR/frontier (default: a private dir under TMPDIR)");
  std::string journal_phase;
  double done_fraction = 0.1;
  app.add_option("--journal", journal_phase,
                 "with --state-dir: 'write' journals the URLs as a crawl does (and marks --done-fraction of "
                 "them done); 'resume' times a --resume of that journal to the first dispatch")
      ->check(CLI::IsMember({"write", "resume"}));
  app.add_option("--done-fraction", done_fraction, "with --journal write: URLs dispatched and done before the end")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (!journal_phase.empty() && store_dir.empty()) {
    std::fprintf(stderr, "error: --journal needs --state-dir\n");
    return 2;
  }

  const long base_kib = status_kib("VmRSS");
  crawler::FrontierOptions options;
  options.max_depth = 1000;
  options.scope = crawler::Scope::kAny;
  options.memory_bytes = memory;
  if (!store_dir.empty()) options.store.dir = store_dir + "/frontier";
  crawler::Frontier frontier(options);
  if (journal_phase == "resume") return resume(frontier, store_dir, urls, base_kib);
  std::unique_ptr<crawler::Journal> journal;
  if (journal_phase == "write") {
    journal = std::make_unique<crawler::Journal>(store_dir, false, kCrawlId);
    frontier.on_queued([&](const std::string& key, const std::string& url, std::uint32_t depth, bool robots) {
      journal->add(key, url, depth, robots);
    });
  }
  auto started = std::chrono::steady_clock::now();
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
    if (journal) journal->commit(i);  // a crawl commits once per result
  }
  page.links = {};
  if (journal) {
    // Dispatch and finish a share of them, as a crawl killed part way would have.
    const auto done = static_cast<std::uint64_t>(done_fraction * static_cast<double>(urls));
    for (std::uint64_t n = 1; n <= done; ++n) {
      const auto task = frontier.next();
      if (!task) break;
      journal->done(frontier.key_of(*task), task->url, task->depth, task->check_robots);
      if (n % links_per_page == 0 || n == done) journal->commit(urls + n);
    }
    std::printf("journal written: %llu URLs, %llu done, in %.1f s, %.0f MB on disk\n",
                static_cast<unsigned long long>(urls), static_cast<unsigned long long>(done),
                seconds_since(started), dir_bytes(store_dir + "/journal") / 1048576.0);
    return 0;
  }
  const double fill_s = seconds_since(started);
  const long queued_kib = status_kib("VmRSS") - base_kib;
  // What is in the directory, memtables flushed or not (the store's own figure lags).
  const std::uint64_t disk = std::max(frontier.store_disk_bytes(), dir_bytes(frontier.store_dir()));
  std::printf("urls=%llu hosts=%llu mean_url_bytes=%.1f frontier_memory_mb=%.0f\n",
              static_cast<unsigned long long>(urls), static_cast<unsigned long long>(hosts),
              static_cast<double>(bytes_of_urls) / urls, memory / 1048576.0);
  std::printf("all queued:     known=%zu queued=%zu in_ram=%zu rss=%.0f MB (%.1f B/URL, seen-set %.1f B/URL) "
              "in %.1f s\n",
              frontier.known(), frontier.queued(), frontier.queued_in_memory(), queued_kib / 1024.0,
              queued_kib * 1024.0 / urls, static_cast<double>(frontier.seen_memory_bytes()) / urls, fill_s);

  started = std::chrono::steady_clock::now();
  std::uint64_t dispatched = 0;
  while (frontier.next()) ++dispatched;
  const double dispatch_s = seconds_since(started);
  const long done_kib = status_kib("VmRSS") - base_kib;
  std::printf("all dispatched: known=%zu queued=%zu rss=%.0f MB (%.1f B/URL) in %.1f s\n", frontier.known(),
              frontier.queued(), done_kib / 1024.0, done_kib * 1024.0 / urls, dispatch_s);
  const long peak_kib = status_kib("VmHWM");
  std::printf("peak_rss_mb=%.0f peak_rss_per_url=%.1f disk_mb=%.0f disk_per_url=%.1f insert_per_s=%.0f "
              "dispatch_per_s=%.0f dispatched=%llu\n",
              peak_kib / 1024.0, peak_kib * 1024.0 / urls, disk / 1048576.0, static_cast<double>(disk) / urls,
              urls / fill_s, dispatched / dispatch_s, static_cast<unsigned long long>(dispatched));
  return dispatched == urls ? 0 : 1;
}
