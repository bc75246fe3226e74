#include "coordinator/distributed_crawl.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "coordinator/crawl_runner.hpp"
#include "coordinator/worker_pool.hpp"
#include "coordinator/worker_supervisor.hpp"

namespace crawler {
namespace {

/// Tasks one worker holds at most with these settings (see WorkerClientOptions::capacity()).
std::size_t worker_capacity(const FetchOptions& fetch) {
  const auto c = static_cast<std::size_t>(std::max(1, fetch.concurrency));
  return fetch.mode == FetchOptions::Mode::kSync ? c : 4 * c;
}

std::size_t window(const CrawlOptions& crawl, const WorkerPoolOptions& pool) {
  if (pool.max_outstanding != 0) return static_cast<std::size_t>(pool.max_outstanding);
  return worker_capacity(crawl.fetch) * static_cast<std::size_t>(std::max(1, crawl.workers));
}

/// Keys made for one `crawl --workers N` run: any local user can reach a loopback port, so the
/// local workers authenticate with CURVE too. The workers' files (their secret key, the
/// coordinator's public key) live in a private temporary directory, removed at the end; the
/// coordinator's secret key never leaves memory.
class LocalCurveKeys {
 public:
  LocalCurveKeys() {
    const CurveKeyPair coordinator = make_curve_key_pair();
    const CurveKeyPair worker = make_curve_key_pair();
    server_.secret_key = coordinator.secret_key;
    server_.authorized.insert(worker.public_key);
    std::string pattern = (std::filesystem::temp_directory_path() / "crawl-curve.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
      throw std::runtime_error("cannot make a directory for the workers' keys in " +
                               std::filesystem::temp_directory_path().string() + ": " +
                               std::strerror(errno));
    }
    dir_ = pattern;
    write_curve_key_file(server_key_file(), coordinator.public_key, /*secret=*/false);
    write_curve_key_file(secret_key_file(), worker.secret_key, /*secret=*/true);
  }
  ~LocalCurveKeys() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  LocalCurveKeys(const LocalCurveKeys&) = delete;
  LocalCurveKeys& operator=(const LocalCurveKeys&) = delete;

  const CurveServerKeys& server() const { return server_; }
  std::string server_key_file() const { return dir_ + "/coordinator.pub"; }
  std::string secret_key_file() const { return dir_ + "/worker.key"; }

 private:
  CurveServerKeys server_;
  std::string dir_;
};

/// A WorkerPool with the local processes that serve it; lives exactly as long as the crawl's
/// sink, so the supervisor's asio objects never outlive the io_context.
class LocalCluster : public TaskSink {
 public:
  LocalCluster(boost::asio::io_context& io, const CrawlOptions& crawl,
               const WorkerPoolOptions& pool_options, const LocalCurveKeys* keys)
      : pool_(io, pool_options, crawl.fetch),
        supervisor_(io, supervisor_options(crawl, pool_options, keys)) {
    supervisor_.start();
  }

  void submit(FetchTask task, Callback done) override {
    pool_.submit(std::move(task), std::move(done));
  }
  std::size_t outstanding() const override { return pool_.outstanding(); }
  std::size_t in_flight() const override { return pool_.in_flight(); }
  void cancel_all() override { pool_.cancel_all(); }
  /// What no worker was sent is cancelled; the workers finish what they hold.
  void cancel_waiting() override { pool_.cancel_waiting(); }

  /// A signal to the crawl is a signal to its workers: they drain.
  void on_signal() { supervisor_.forward(SIGTERM); }
  void finish() {
    pool_.shutdown();
    supervisor_.stop([] {});
  }
  std::string summary() const { return pool_.summary() + supervisor_.summary(); }
  const WorkerPool& pool() const { return pool_; }

 private:
  WorkerSupervisorOptions supervisor_options(const CrawlOptions& crawl,
                                             const WorkerPoolOptions& pool,
                                             const LocalCurveKeys* keys) const {
    WorkerSupervisorOptions o;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    o.program = (ec ? std::filesystem::path(".") : self.parent_path()) / "crawl-worker";
    o.workers = crawl.workers;
    const auto& f = crawl.fetch;
    o.args = {"--connect",       pool_.endpoint(),
              "--concurrency",   std::to_string(f.concurrency),
              "--per-host",      std::to_string(f.per_host),
              "--parse-threads", std::to_string(f.parse_threads),
              "--think-ms",      std::to_string(f.think_ms),
              "--mode",          f.mode == FetchOptions::Mode::kSync ? "sync" : "async",
              "--log-level",     crawl.log_level,
              "--heartbeat-ms",  std::to_string(pool.heartbeat_ms),
              "--liveness-ms",   std::to_string(pool.liveness_ms)};
    // Not the parent's CRAWL_METRICS_LISTEN: N children cannot share one port.
    o.unset_env = {"CRAWL_METRICS_LISTEN"};
    if (keys != nullptr) {
      o.args.insert(o.args.end(), {"--curve-server-key-file", keys->server_key_file(),
                                   "--curve-secret-key-file", keys->secret_key_file()});
    }
    // The SSRF guard is each worker's own (a Welcome never widens it): hand down the user's.
    for (const auto& host : f.allow_hosts) o.args.insert(o.args.end(), {"--allow-host", host});
    if (f.allow_private) o.args.push_back("--allow-private");
    // So are its CA, proxy and DNS settings: the workers run on this machine, with these files.
    const auto pass = [&](const char* flag, const std::string& value) {
      if (!value.empty()) o.args.insert(o.args.end(), {flag, value});
    };
    pass("--cacert", f.ca_file);
    pass("--capath", f.ca_path);
    pass("--proxy", f.proxy);
    pass("--noproxy", f.no_proxy);
    pass("--dns-servers", f.dns_servers);
    if (f.insecure) o.args.push_back("--insecure");
    if (f.system_resolver) o.args.push_back("--system-resolver");
    return o;
  }

  WorkerPool pool_;
  WorkerSupervisor supervisor_;
};

}  // namespace

int run_coordinator(const CrawlOptions& crawl, WorkerPoolOptions pool_options) {
  try {
    pool_options.load_curve();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  WorkerPool* pool = nullptr;
  CrawlHooks hooks;
  hooks.max_outstanding = window(crawl, pool_options);
  hooks.on_finished = [&] {
    if (pool) pool->shutdown();
  };
  hooks.summary_lines = [&] { return pool ? pool->summary() : std::string(); };
  hooks.add_metrics = [&](MetricsRegistry& metrics) {
    if (pool) pool->add_metrics(metrics);
  };
  return run_crawl(
      crawl,
      [&](boost::asio::io_context& io) -> std::unique_ptr<TaskSink> {
        auto sink = std::make_unique<WorkerPool>(io, pool_options, crawl.fetch);
        pool = sink.get();
        std::FILE* out = crawl.out == "-" ? stderr : stdout;
        std::fprintf(out, "listening %s\n", pool->endpoint().c_str());
        std::fflush(out);
        return sink;
      },
      hooks);
}

int run_with_local_workers(const CrawlOptions& crawl, WorkerPoolOptions pool_options) {
  pool_options.listen = "tcp://127.0.0.1:*";
  pool_options.min_workers = std::max(1, crawl.workers);
  std::unique_ptr<LocalCurveKeys> keys;
  if (curve_available()) {
    try {
      keys = std::make_unique<LocalCurveKeys>();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 2;
    }
    pool_options.curve = keys->server();
  } else {
    spdlog::warn("libzmq has no CURVE: the local workers connect unauthenticated");
  }
  LocalCluster* cluster = nullptr;
  CrawlHooks hooks;
  hooks.max_outstanding = window(crawl, pool_options);
  hooks.on_finished = [&] {
    if (cluster) cluster->finish();
  };
  hooks.on_signal = [&](int, int) {
    if (cluster) cluster->on_signal();
  };
  hooks.summary_lines = [&] { return cluster ? cluster->summary() : std::string(); };
  hooks.add_metrics = [&](MetricsRegistry& metrics) {
    if (cluster) cluster->pool().add_metrics(metrics);
  };
  return run_crawl(
      crawl,
      [&](boost::asio::io_context& io) -> std::unique_ptr<TaskSink> {
        auto sink = std::make_unique<LocalCluster>(io, crawl, pool_options, keys.get());
        cluster = sink.get();
        return sink;
      },
      hooks);
}

}  // namespace crawler
