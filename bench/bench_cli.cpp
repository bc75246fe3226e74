#include "bench/bench_cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "bench/bench_process.hpp"
#include "bench/chess_bench.hpp"
#include "bench/models_bench.hpp"

namespace crawler::bench {
namespace {

std::filesystem::path own_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path(".") : self.parent_path();
}

/// Beside the build's bin/ (build/<preset>/bench-results), never in the checkout: a plain run
/// must not dirty it. The committed figures are refreshed with --results-dir bench/results.
std::filesystem::path default_results_dir() { return own_dir().parent_path() / "bench-results"; }

/// A fresh scratch directory, removed when this goes out of scope (unless kept).
class ScratchDir {
 public:
  explicit ScratchDir(bool keep) : keep_(keep) {
    std::string templ = (std::filesystem::temp_directory_path() / "crawl-bench-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("cannot create a directory in /tmp");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (keep_) {
      std::fprintf(stderr, "work files kept in %s\n", path_.c_str());
    } else {
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool keep_;
};

}  // namespace

int run_crawl_bench(int argc, char** argv) {
  CLI::App app{
      "crawl-bench: the concurrency models of the seed, measured on the real crawler.\n"
      "Starts simweb (the project's test web, 127.0.0.1 only) and runs the real crawl and\n"
      "crawl-worker binaries from --bin-dir against it; every crawl's result lines are checked\n"
      "against simweb's manifest."};
  app.fallthrough();
  app.require_subcommand(1);
  std::string bin_dir = own_dir().string();
  std::string results_dir = default_results_dir().string();
  bool keep_work = false;
  app.add_option("--bin-dir", bin_dir, "where crawl, crawl-worker and simweb are")->capture_default_str();
  app.add_option("--results-dir", results_dir, "CSV and PNG output")->capture_default_str();
  app.add_flag("--keep-work", keep_work, "keep the scratch directory (sites, results, stderr of the last run)");

  ModelsOptions models;
  auto* m = app.add_subcommand(
      "models",
      "The same depth-0 crawl under sync (crawl --workers 0 --mode sync), async (--workers 0, C in\n"
      "flight), processes (--workers N --mode sync) and processes-async (--workers N, C each), at each\n"
      "latency, plus sweeps of C and N at 0 ms and --sweep-latency, plus curl --parallel and wget2\n"
      "(fetch only). Prints pages/s, CPU ms per page, peak RSS of the whole process tree, event-loop\n"
      "lag p50/p99 and efficiency against min(in flight / latency, the rate at latency 0); writes\n"
      "models-runs.csv, models-summary.csv and models-*.png in --results-dir. About 5 minutes on a\n"
      "busy 2-core machine with the defaults. Exit 1 if any crawl fails or writes other lines than\n"
      "the manifest. wget2 has no --resolve: it runs under unshare --mount with a private /etc/hosts\n"
      "(root only; otherwise its rows are skipped with a note).");
  m->add_flag("--quick", models.quick,
              "CI smoke: 240 pages, 12 hosts, latency 0, each model once, no tools or plots (seconds); "
              "asserts every model writes the manifest's lines, no timings");
  m->add_option("--latencies", models.latencies, "ms of server latency for the base configurations")
      ->delimiter(',')->capture_default_str();
  m->add_option("--concurrency", models.concurrency, "C sweep (async and processes-async); empty: none")
      ->delimiter(',')->capture_default_str();
  m->add_option("--workers", models.workers, "N sweep (processes and processes-async) [default: 1,2,4.. up to 2 x cores]")
      ->delimiter(',');
  m->add_option("--sweep-latency", models.sweep_latency, "the sweeps run at 0 ms and at this latency")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  m->add_option("--base-concurrency", models.base_concurrency, "C of the base configurations and the tools")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  m->add_option("--base-workers", models.base_workers, "N of the base configurations [default: cores]")
      ->check(CLI::Range(1, 1024));
  m->add_option("--pages", models.pages, "pages of the site; latency-bound runs crawl the first bound x --seconds of them")
      ->check(CLI::Range(1, 10'000'000))->capture_default_str();
  m->add_option("--hosts", models.hosts, "virtual hosts of the site")->check(CLI::Range(1, 100000))->capture_default_str();
  m->add_option("--repeat", models.repeat, "rounds over every configuration (medians are reported)")
      ->check(CLI::Range(1, 100))->capture_default_str();
  m->add_option("--seconds", models.seconds, "target length of a latency-bound run")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  bool no_tools = false;
  bool no_plots = false;
  m->add_flag("--no-tools", no_tools, "skip curl --parallel and wget2");
  m->add_flag("--no-plots", no_plots, "skip the gnuplot PNGs");

  ChessOptions chess;
  auto* c = app.add_subcommand(
      "chess",
      "The seed's chess exhibition scaled down 1000x: 24 hosts x 30 pages, 55 ms server latency,\n"
      "5 ms of busy CPU per page in the parse pool (--think-ms). Runs sync and async (and N worker\n"
      "processes, thinking in parallel), prints the times, the ratio sync/async and its prediction\n"
      "(55 + 5) / 5 = 12; last line chess_ratio=<x>; writes chess.csv. About a minute.");
  c->add_option("--hosts", chess.hosts, "opponents")->check(CLI::Range(1, 10000))->capture_default_str();
  c->add_option("--pages-per-host", chess.pages_per_host, "moves per game")->check(CLI::Range(1, 100000))->capture_default_str();
  c->add_option("--latency-ms", chess.latency_ms, "the opponents' thinking: server latency")->check(CLI::Range(0, 60000))->capture_default_str();
  c->add_option("--think-ms", chess.think_ms, "the master's thinking: busy CPU per page")->check(CLI::Range(1, 60000))->capture_default_str();
  c->add_option("--workers", chess.workers, "N of the parallel-thinking row [default: cores]")->check(CLI::Range(1, 1024));
  c->add_option("--repeat", chess.repeat, "runs of each (medians are reported)")->check(CLI::Range(1, 100))->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  for (const char* name : {"crawl", "crawl-worker", "simweb"}) {
    const auto path = std::filesystem::path(bin_dir) / name;
    if (::access(path.c_str(), X_OK) != 0) {
      std::fprintf(stderr,
                   "crawl-bench: %s: missing or not executable (build it: cmake --build --preset release "
                   "--target crawl crawl-worker simweb; or point --bin-dir at it)\n",
                   path.c_str());
      return 2;
    }
  }
  BenchProcess::install_interrupt_handler();
  try {
    ScratchDir work(keep_work);
    if (*m) {
      models.bin_dir = bin_dir;
      models.results_dir = results_dir;
      models.work_dir = work.path();
      models.tools = !no_tools;
      models.plots = !no_plots;
      return ModelsBench(models).run();
    }
    chess.bin_dir = bin_dir;
    chess.results_dir = results_dir;
    chess.work_dir = work.path();
    return ChessBench(chess).run();
  } catch (const Interrupted&) {
    std::fprintf(stderr, "crawl-bench: interrupted; children stopped\n");
    return 130;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crawl-bench: %s\n", e.what());
    return 2;
  }
}

}  // namespace crawler::bench
