#include "coordinator/crawl_runner.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <cstdio>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/crawl_stats.hpp"
#include "common/result_writer.hpp"
#include "common/seed_reader.hpp"
#include "coordinator/crawl.hpp"
#include "coordinator/crawl_telemetry.hpp"
#include "coordinator/journal.hpp"
#include "coordinator/resume_feeder.hpp"
#include "coordinator/seed_feeder.hpp"

namespace crawler {
namespace {

constexpr auto kGracePeriod = std::chrono::seconds(10);
constexpr auto kProgressEvery = std::chrono::seconds(1);

/// Redraws the progress line on stderr once a second until cancelled.
class ProgressLine {
 public:
  ProgressLine(boost::asio::io_context& io, const CrawlStats& stats, const Frontier& frontier,
               const TaskSink& sink)
      : timer_(io), stats_(stats), frontier_(frontier), sink_(sink) {}
  void start() {
    timer_.expires_after(kProgressEvery);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      std::fprintf(stderr, "\r\033[K%s", stats_.progress_line(sink_.in_flight(), frontier_.queued()).c_str());
      std::fflush(stderr);
      drawn_ = true;
      start();
    });
  }
  void stop() {
    timer_.cancel();
    if (drawn_) std::fputs("\r\033[K", stderr);
  }

 private:
  boost::asio::steady_timer timer_;
  const CrawlStats& stats_;
  const Frontier& frontier_;
  const TaskSink& sink_;
  bool drawn_ = false;
};

/// What the first pass over the seeds found: a file is read twice, first to judge every line
/// (a bad one stops the crawl before any fetch) and digest the seeds for the journal, holding
/// only their fingerprints; then again while the crawl runs (SeedFeeder). Standard input, a
/// pipe or a FIFO is read once, whole, and kept.
struct SeedPass {
  std::size_t unique = 0;
  std::size_t duplicates = 0;
  std::size_t bad = 0;
  std::vector<std::string> bad_messages;
  bool interrupted = false;
  std::string crawl_id;
  std::vector<Seed> kept;  ///< the seeds of what cannot be read twice
};

/// True when the seeds can be read twice: a regular file, not stdin, a pipe (`<(cmd)`) or a FIFO.
bool rereadable(const std::string& path) {
  struct stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

SeedPass first_pass(const CrawlOptions& options, const KeepReading& keep_going) {
  SeedPass pass;
  CrawlIdDigest digest(options);
  if (!rereadable(options.seeds)) {
    SeedList list = read_seed_file(options.seeds, options.skip_bad_seeds, keep_going);
    for (const auto& seed : list.seeds) digest.add_seed(seed.normalized);
    pass.unique = list.seeds.size();
    pass.duplicates = list.duplicates;
    pass.bad = list.bad;
    pass.bad_messages = std::move(list.bad_messages);
    pass.interrupted = list.interrupted;
    pass.kept = std::move(list.seeds);
  } else {
    SeedStream stream(options.seeds, options.skip_bad_seeds, keep_going);
    FingerprintSet seen;
    while (auto seed = stream.next()) {
      if (!seen.insert(FingerprintSet::fingerprint(seed->normalized))) {
        ++pass.duplicates;
        continue;
      }
      digest.add_seed(seed->normalized);
      ++pass.unique;
    }
    pass.bad = stream.bad();
    pass.bad_messages = stream.bad_messages();
    pass.interrupted = stream.interrupted();
  }
  pass.crawl_id = digest.finish();
  return pass;
}

}  // namespace

int run_crawl(const CrawlOptions& options, const SinkFactory& make_sink, const CrawlHooks& hooks) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("crawl"));
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  // A closed output pipe (`crawl --out - | head`) is a write error like a full disk, not a
  // silent death that skips the summary and the clean-up.
  std::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io(1);
  // Watched from the start: a signal while the seeds are read stops before anything is written.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  bool finished = false;  // the crawl is done and, with --stay-up, only metrics are served
  std::function<void(int signo)> on_signal = [](int) {};
  std::function<void()> on_signal_after_finish = [] {};
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int signo) {
      if (ec) return;
      if (finished) return on_signal_after_finish();
      on_signal(signo);
      // Not once the crawl has finished (it may finish inside on_signal): a pending wait
      // would keep the loop running for ever.
      if (!finished) wait_signal();
    });
  };
  int early_signal = 0;
  on_signal = [&](int signo) { early_signal = signo; };
  wait_signal();

  SeedPass seeds;
  FrontierOptions frontier_options;
  try {
    seeds = first_pass(options, [&] {
      io.poll();
      return early_signal == 0;
    });
    frontier_options = options.frontier_options();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  io.poll();
  if (early_signal != 0) {
    std::fprintf(stderr, "signal %d while reading the seeds: stopped before any fetch; nothing was written\n",
                 early_signal);
    std::fputs(CrawlStats().summary("seeds       " + std::to_string(seeds.unique) + " read before the signal\n").c_str(),
               stderr);
    return 0;
  }
  for (const auto& message : seeds.bad_messages) std::fprintf(stderr, "skipped bad seed: %s\n", message.c_str());
  if (seeds.unique == 0) {
    std::fprintf(stderr, "error: %s: no seed URLs\n", options.seeds.c_str());
    return 2;
  }

  if (options.resume_mode != "no" && options.state_dir.empty()) {
    std::fprintf(stderr, "error: --resume needs --state-dir\n");
    return 2;
  }
  const bool resume =
      options.resume_mode == "yes" || (options.resume_mode == "auto" && Journal::exists(options.state_dir));
  Frontier frontier(std::move(frontier_options));
  std::unique_ptr<Journal> journal;
  std::unique_ptr<CrawlTelemetry> telemetry;  // metrics: outlives the sink its gauges read
  std::unique_ptr<ResultWriter> writer;
  std::unique_ptr<TaskSink> sink;
  std::uint64_t resumed_done = 0;
  try {
    // Everything that can be refused is checked before the results file is cut: the metrics
    // port, the state directory (locked), the results file (locked, not yet cut), the listen
    // address (the sink). A crawl refused here leaves another crawl's files as they were.
    telemetry = std::make_unique<CrawlTelemetry>(io, options.metrics_listen);
    if (!options.state_dir.empty()) {
      journal = std::make_unique<Journal>(options.state_dir, resume, seeds.crawl_id);
      // Without strict levels a queue spans many depths; resumed with them, a host whose queue
      // starts deeper than the level would hold the crawl up forever.
      journal->keep_setting("strict_depth", options.strict_depth ? "1" : "0",
                            std::string("the journal's crawl ran ") + (options.strict_depth ? "without" : "with") +
                                " --strict-depth: resume it " + (options.strict_depth ? "without" : "with") +
                                " it too");
    }
    writer = std::make_unique<ResultWriter>(options.out, options.format, /*append=*/true);
    sink = telemetry->meter(make_sink(io));
    // Lines past the journal's last commit belong to pages it does not count as done: the
    // resumed crawl fetches and writes them again.
    writer->truncate_to(resume ? journal->committed_results_bytes() : 0);
    if (resume && !journal->streams()) {  // a journal of an earlier version: read it all first
      journal->for_each([&](const JournalEntry& e) {
        frontier.restore(e.key, e.url, e.depth, e.check_robots, e.done);
        resumed_done += e.done;
      });
      frontier.end_restore();
    } else if (resume) {
      resumed_done = journal->done_count();  // the rest streams in as the crawl runs (ResumeFeeder)
    }
    if (resume) {
      journal->for_each_pause([&](std::string_view host, std::int64_t until, std::int64_t last, std::uint32_t n) {
        frontier.restore_pause(host, HostBackoff::State{until, last, n});
      });
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (journal) {
    frontier.on_paused([&](std::string_view host, const HostBackoff::State& state) {
      journal->pause(host, state.until_ms, state.last_ms, state.incidents);
    });
    frontier.on_queued([&](const std::string& key, const std::string& url, std::uint32_t depth, bool robots) {
      journal->add(key, url, depth, robots);
      if (depth == 0) journal->seed_host(url_host(key));  // the hosts the user named (see FetchTask)
    });
  }

  CrawlStats stats;
  // Enough tasks in the sink to keep every transfer slot busy while some wait on host limits.
  const std::size_t max_outstanding =
      hooks.max_outstanding != 0
          ? hooks.max_outstanding
          : static_cast<std::size_t>(options.fetch.concurrency) * (options.fetch.mode == FetchOptions::Mode::kSync ? 1 : 4);
  Crawl crawl(io, frontier, *sink, *writer, stats, max_outstanding, journal.get());
  // The file again (its lines were judged above: a bad one is skipped quietly), or the kept seeds.
  SeedFeeder::Source source;
  std::unique_ptr<SeedStream> stream;
  std::size_t next_kept = 0;
  if (!rereadable(options.seeds)) {
    source = [&]() -> std::optional<Seed> {
      if (next_kept == seeds.kept.size()) return std::nullopt;
      return std::move(seeds.kept[next_kept++]);
    };
  } else {
    source = [&]() -> std::optional<Seed> {
      if (!stream) stream = std::make_unique<SeedStream>(options.seeds, /*skip_bad=*/true);
      return stream->next();
    };
  }
  SeedFeeder feeder(io, frontier, crawl, journal.get(), std::move(source), resume ? journal->seeds_queued() : 0);
  std::optional<ResumeFeeder> resume_feeder;
  if (resume && journal->streams()) resume_feeder.emplace(io, frontier, crawl, *journal);

  const bool show_progress =
      options.progress == "always" || (options.progress == "auto" && ::isatty(STDERR_FILENO));
  ProgressLine progress(io, stats, frontier, *sink);
  boost::asio::steady_timer grace(io);
  int signals_seen = 0;

  auto stop_serving = [&] {
    telemetry->stop();
    signals.cancel();
    grace.cancel();
  };
  on_signal_after_finish = stop_serving;
  on_signal = [&](int signo) {
    ++signals_seen;
    if (signals_seen == 1) {
      std::fprintf(stderr, "\nsignal %d: finishing in-flight fetches (again to stop now)\n", signo);
      grace.expires_after(kGracePeriod);
      grace.async_wait([&](boost::system::error_code gec) {
        if (!gec) crawl.abort();
      });
      if (hooks.on_signal) hooks.on_signal(signo, signals_seen);
      crawl.stop();
    } else {
      std::fprintf(stderr, "\nsignal %d: cancelling in-flight fetches\n", signo);
      if (hooks.on_signal) hooks.on_signal(signo, signals_seen);
      crawl.abort();
    }
  };

  telemetry->watch(frontier, stats);
  if (hooks.add_metrics) hooks.add_metrics(telemetry->metrics());
  telemetry->start([&] { return !crawl.stopping() && !finished; });  // ready while dispatching

  auto print_summary = [&] {
    stats.settle_lines(writer->lines_flushed());
    const std::string dropped =
        frontier.dropped() == 0
            ? ""
            : ", " + std::to_string(frontier.dropped()) + " links dropped (RAM and disk for queued URLs were full)";
    const std::uint64_t store_bytes = frontier.store_disk_bytes();
    const std::string on_disk =
        store_bytes == 0 && frontier.queued_in_memory() == frontier.queued()
            ? ""
            : " (" + std::to_string(frontier.queued() - frontier.queued_in_memory()) + " on disk, store " +
                  std::to_string((store_bytes + (1 << 19)) >> 20) + " MB)";
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "seeds       %zu (%zu duplicate, %zu bad lines skipped)\n"
                  "frontier    %zu known URLs, %zu still queued%s%s%s\n"
                  "output      %s%s\n",
                  seeds.unique, seeds.duplicates, seeds.bad, frontier.known(), frontier.queued(),
                  on_disk.c_str(), crawl.stopping() ? " (stopped early)" : "", dropped.c_str(), options.out.c_str(),
                  crawl.failed() ? " (failed: see the error above)" : "");
    if (resume) {
      std::snprintf(buf + std::strlen(buf), sizeof buf - std::strlen(buf), "resumed     %llu pages were done before\n",
                    static_cast<unsigned long long>(resumed_done));
    }
    std::string extra = buf;
    if (frontier.pauses() != 0) {
      extra += "host pauses " + std::to_string(frontier.pauses()) +
               " (hosts that answered 429 or 503 or timed out waited; see --host-pause-ms)\n";
    }
    extra += "loop lag    " + telemetry->lag_summary() + "\n";
    if (options.fetch.insecure) {
      extra += "WARNING     --insecure: TLS certificates and host names were NOT verified\n";
    }
    if (hooks.summary_lines) extra += hooks.summary_lines();
    std::fputs(stats.summary(extra).c_str(), stderr);
  };
  bool summary_printed = false;
  if (resume_feeder) resume_feeder->start();  // first: the seeds' dedup asks the journal meanwhile
  feeder.start();
  crawl.start([&] {
    progress.stop();
    if (hooks.on_finished) hooks.on_finished();
    finished = true;
    if (options.stay_up && !crawl.stopping()) {
      print_summary();
      summary_printed = true;
      std::fprintf(stderr, "crawl done: serving metrics until SIGTERM (--stay-up)\n");
      return;
    }
    stop_serving();
  });
  if (show_progress) progress.start();

  int status = 0;
  try {
    io.run();
    crawl.checkpoint();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    status = 1;
  }
  if (crawl.failed()) status = 1;
  if (!summary_printed) print_summary();
  return status;
}

}  // namespace crawler
