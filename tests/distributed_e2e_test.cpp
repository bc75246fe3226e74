// End to end, distributed: the real `crawl --workers N`, `crawl-coordinator` and `crawl-worker`
// binaries against the real `simweb`, output compared with simweb's manifest (the oracle).
// Sites are small and deadlines generous: these run on a loaded 2-core machine.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <zmq.hpp>

#include "proto/wire_codec.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

/// simweb started on a free port with its manifest in a temp dir.
class Simweb {
 public:
  explicit Simweb(std::vector<std::string> args) {
    std::vector<std::string> argv = {bin_path("simweb"), "--port", "0", "--out-dir", dir_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    child_ = std::make_unique<ChildProcess>(argv);
    if (!child_->wait_for_output("\n", 60s))
      throw std::runtime_error("simweb did not start: " + child_->err());
    const auto& out = child_->out();
    const auto colon = out.find(':', out.find("listening"));
    port_ = std::stoi(out.substr(colon + 1));
  }
  int port() const { return port_; }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string resolve() const { return "*:" + std::to_string(port_) + ":127.0.0.1"; }

  /// GET /__stats: host -> max_concurrent_connections.
  std::map<std::string, int> max_connections_by_host() const {
    std::string body;
    CURL* curl = curl_easy_init();
    const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/__stats";
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30'000L);
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* ud) -> size_t {
          static_cast<std::string*>(ud)->append(p, s * n);
          return s * n;
        });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
      throw std::runtime_error(std::string("GET /__stats: ") + curl_easy_strerror(rc));
    std::map<std::string, int> out;
    const std::regex entry(
        R"re("([^"]+)":\{"requests":\d+,"max_concurrent_connections":(\d+)\})re");
    for (std::sregex_iterator it(body.begin(), body.end(), entry), end; it != end; ++it) {
      out[(*it)[1]] = std::stoi((*it)[2]);
    }
    if (out.empty()) throw std::runtime_error("no hosts in /__stats: " + body);
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

std::vector<std::string> crawl_args(const Simweb& web, int workers, const std::string& seeds,
                                    const std::string& out) {
  return {bin_path("crawl"),
          "--workers",
          std::to_string(workers),
          "--seeds",
          seeds,
          "--out",
          out,
          "--resolve",
          web.resolve(),
          "--progress",
          "never"};
}

ChildResult run(std::vector<std::string> args, std::vector<std::string> more = {}) {
  args.insert(args.end(), more.begin(), more.end());
  return run_child(args, 240s);
}

/// Pids of the running children of `parent` whose name is `comm`.
std::vector<pid_t> children_named(pid_t parent, const std::string& comm) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z' && stat.substr(open + 1, close - open - 1) == comm) {
      out.push_back(static_cast<pid_t>(std::stoi(name)));
    }
  }
  return out;
}

/// Size of a file, 0 when missing.
std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

TEST(DistributedE2E, DepthZeroGivesTheManifestsLinesWithOneAndThreeWorkers) {
  Simweb web({"--pages", "400", "--hosts", "20", "--links", "20"});
  for (const int workers : {1, 3}) {
    SCOPED_TRACE("--workers " + std::to_string(workers));
    TempDir tmp;
    const auto r = run(crawl_args(web, workers, web.file("seeds.txt"), tmp.file("results.txt")));
    ASSERT_FALSE(r.timed_out) << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "400 ok, 0 failed")) << r.err;
    EXPECT_TRUE(contains(r.err, std::to_string(workers) + " joined, 0 lost")) << r.err;
    EXPECT_TRUE(contains(r.err, "processes   " + std::to_string(workers) + " started, 0 restarted"))
        << r.err;
    expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  }
}

TEST(DistributedE2E, FullCrawlGivesTheSameLinesInProcessAndWithThreeWorkers) {
  Simweb web({"--pages", "300", "--hosts", "20"});
  TempDir tmp;
  const auto in_process =
      run(crawl_args(web, 0, web.file("seeds-roots.txt"), tmp.file("r0.txt")), {"--depth", "100"});
  ASSERT_EQ(in_process.exit_code, 0) << in_process.err;
  const auto three =
      run(crawl_args(web, 3, web.file("seeds-roots.txt"), tmp.file("r3.txt")), {"--depth", "100"});
  ASSERT_EQ(three.exit_code, 0) << three.err;
  expect_same_lines(tmp.file("r3.txt"), web.file("expected-full.tsv"));
  EXPECT_EQ(sorted_lines(tmp.file("r3.txt")), sorted_lines(tmp.file("r0.txt")));
  EXPECT_TRUE(contains(three.err, "skipped (disallowed by robots.txt)")) << three.err;
}

TEST(DistributedE2E, AKilledWorkerIsRestartedAndNothingIsLostOrDoubled) {
  // Latency keeps the crawl running long enough to kill a worker in the middle of it.
  Simweb web({"--pages", "1000", "--hosts", "20", "--latency-ms", "100"});
  TempDir tmp;
  ChildProcess crawl(crawl_args(web, 3, web.file("seeds.txt"), tmp.file("results.txt")));
  // Results are flowing (the file grows in 64 KiB steps) and three workers are up.
  ASSERT_TRUE(crawl.wait_until([&] {
        return file_size(tmp.file("results.txt")) > 0 &&
               children_named(crawl.pid(), "crawl-worker").size() == 3;
      },
      120s))
      << crawl.err();
  const auto workers = children_named(crawl.pid(), "crawl-worker");
  ASSERT_EQ(::kill(workers.front(), SIGKILL), 0);
  const auto r = crawl.wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "1000 ok, 0 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "1 restarted (w")) << r.err;
  EXPECT_TRUE(contains(r.err, "signal 9")) << r.err;
  EXPECT_TRUE(contains(r.err, "1 lost")) << r.err;
  EXPECT_FALSE(contains(r.err, "killing it")) << r.err;  // the workers left on Shutdown, in time
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

TEST(DistributedE2E, RogueFramesAreRefusedAndCountedAndTheCrawlCompletes) {
  Simweb web({"--pages", "200", "--hosts", "20"});
  TempDir tmp;
  ChildProcess coordinator({bin_path("crawl-coordinator"), "--listen", "tcp://127.0.0.1:*",
                            "--max-frame-bytes", "65536", "--seeds", web.file("seeds.txt"), "--out",
                            tmp.file("results.txt"), "--resolve", web.resolve(), "--progress",
                            "never", "--workers", "2"});
  ASSERT_TRUE(coordinator.wait_for_output("\n", 60s)) << coordinator.err();
  const std::string out = coordinator.out();
  const auto at = out.find("listening tcp://");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string endpoint = out.substr(at + 10, out.find('\n', at) - at - 10);

  {
    zmq::context_t context(1);
    zmq::socket_t rogue(context, zmq::socket_type::dealer);
    rogue.set(zmq::sockopt::linger, 1000);
    rogue.connect(endpoint);
    rogue.send(zmq::str_buffer("\xff\xfe garbage frame"));
    rogue.send(zmq::buffer(std::string(100'000, 'x')));  // over the 64 KiB cap, under ZeroMQ's 4x
    wire::Envelope v99;
    v99.mutable_hello()->set_worker_id("rogue");
    v99.mutable_hello()->set_capacity(10);
    v99.set_version(99);
    rogue.send(zmq::buffer(v99.SerializeAsString()));
    ASSERT_TRUE(coordinator.wait_until([&] {
          const auto& err = coordinator.err();
          return contains(err, "too_large") && contains(err, "unparsable") &&
                 contains(err, "bad_version");
        },
        60s))
        << coordinator.err();
  }

  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{bin_path("crawl-worker"), "--connect", endpoint, "--worker-id",
                                 "e2e" + std::to_string(i)}));
  }
  const auto r = coordinator.wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "200 ok, 0 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "frames refused: 3 (1 too_large, 1 unparsable, 1 bad_version)"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "2 joined")) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  for (auto& worker : workers) {
    const auto w = worker->wait(60s);  // told to shut down at the end of the crawl
    EXPECT_FALSE(w.timed_out) << w.err;
    EXPECT_EQ(w.exit_code, 0) << w.err;
  }
}

TEST(DistributedE2E, ABadResolveEntryExitsTwoBeforeAnyWorkerStarts) {
  TempDir tmp;
  std::ofstream(tmp.file("seeds.txt")) << "http://a.test/\n";
  const auto r = run({bin_path("crawl"), "--workers", "2", "--seeds", tmp.file("seeds.txt"), "--out",
                      tmp.file("results.txt"), "--resolve", "a.test:80:not-an-address"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "bad --resolve entry 'a.test:80:not-an-address'")) << r.err;
  EXPECT_FALSE(contains(r.err, "worker")) << r.err;
}

// libzmq takes tcp://127.0.0.1:99999 and retries it for ever: both ends refuse it at startup.
TEST(DistributedE2E, AnEndpointWithABadPortExitsTwoAtStartup) {
  TempDir tmp;
  std::ofstream(tmp.file("seeds.txt")) << "http://a.test/\n";
  const auto worker =
      run_child({bin_path("crawl-worker"), "--connect", "tcp://127.0.0.1:99999"}, 30s);
  ASSERT_FALSE(worker.timed_out) << worker.err;
  EXPECT_EQ(worker.exit_code, 2) << worker.err;
  EXPECT_TRUE(
      contains(worker.err, "--connect: 'tcp://127.0.0.1:99999': '99999' is not a port (1-65535)"))
      << worker.err;
  const auto any = run_child({bin_path("crawl-worker"), "--connect", "tcp://127.0.0.1:*"}, 30s);
  EXPECT_EQ(any.exit_code, 2) << any.err;
  EXPECT_TRUE(contains(any.err, "a connect needs a port")) << any.err;
  const auto coordinator =
      run_child({bin_path("crawl-coordinator"), "--listen", "tcp://127.0.0.1:99999", "--seeds",
                 tmp.file("seeds.txt"), "--out", tmp.file("results.txt")},
                30s);
  ASSERT_FALSE(coordinator.timed_out) << coordinator.err;
  EXPECT_EQ(coordinator.exit_code, 2) << coordinator.err;
  EXPECT_TRUE(contains(coordinator.err, "--listen: 'tcp://127.0.0.1:99999': '99999' is not a port"))
      << coordinator.err;
}

// CRAWL_METRICS_LISTEN is the coordinator's: two workers inheriting it would fight for its port.
TEST(DistributedE2E, WorkersDoNotInheritTheMetricsPort) {
  Simweb web({"--pages", "40", "--hosts", "4"});
  TempDir tmp;
  const int port = free_tcp_port();  // the coordinator takes it
  ::setenv("CRAWL_METRICS_LISTEN", ("127.0.0.1:" + std::to_string(port)).c_str(), 1);
  const auto r = run(crawl_args(web, 2, web.file("seeds.txt"), tmp.file("results.txt")));
  ::unsetenv("CRAWL_METRICS_LISTEN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "2 started, 0 restarted")) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

// With a binding --depth limit only whole breadth-first levels make the pages fetched
// independent of timing: in-process and three workers must agree exactly.
TEST(DistributedE2E, StrictDepthGivesTheSamePagesInProcessAndWithThreeWorkers) {
  Simweb web({"--pages", "600", "--hosts", "6", "--latency-ms", "5", "--jitter-ms", "5"});
  TempDir tmp;
  const std::vector<std::string> limits = {"--depth", "2", "--strict-depth", "--concurrency", "8"};
  const auto zero = run(crawl_args(web, 0, web.file("seeds-roots.txt"), tmp.file("zero.txt")), limits);
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  const auto three = run(crawl_args(web, 3, web.file("seeds-roots.txt"), tmp.file("three.txt")), limits);
  ASSERT_EQ(three.exit_code, 0) << three.err;
  EXPECT_GT(sorted_lines(tmp.file("zero.txt")).size(), 1000u);
  expect_same_lines(tmp.file("three.txt"), tmp.file("zero.txt"));
}

TEST(DistributedE2E, PolitenessHoldsAcrossThreeWorkers) {
  Simweb web({"--pages", "300", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const auto r = run(crawl_args(web, 3, web.file("seeds.txt"), tmp.file("results.txt")),
                     {"--per-host", "2", "--concurrency", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  const auto peaks = web.max_connections_by_host();
  EXPECT_EQ(peaks.size(), 6u);
  for (const auto& [host, peak] : peaks) {
    EXPECT_GE(peak, 1) << host;
    EXPECT_LE(peak, 2) << host;
  }
}

TEST(DistributedE2E, SigtermStopsTheWorkersAndLeavesOnlyWholeLines) {
  Simweb web({"--pages", "1500", "--hosts", "10", "--latency-ms", "50"});
  TempDir tmp;
  // A small window (2 workers x 4 x 4 tasks), so most of the site is still unsent at the signal.
  auto args = crawl_args(web, 2, web.file("seeds.txt"), tmp.file("results.txt"));
  args.insert(args.end(), {"--concurrency", "4"});
  ChildProcess crawl(args);
  ASSERT_TRUE(crawl.wait_until([&] { return file_size(tmp.file("results.txt")) > 64 * 1024; }, 120s))
      << crawl.err();
  crawl.signal(SIGTERM);
  const auto r = crawl.wait(120s);
  ASSERT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "stopped early")) << r.err;
  EXPECT_TRUE(contains(r.err, "2 started, 0 restarted")) << r.err;
  EXPECT_FALSE(contains(r.err, "killing it")) << r.err;  // the workers drained and left in time
  const auto lines = sorted_lines(tmp.file("results.txt"));
  const auto expected = sorted_lines(web.file("expected-depth0.tsv"));
  ASSERT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), expected.size());
  std::set<std::string> unique(lines.begin(), lines.end());
  EXPECT_EQ(unique.size(), lines.size()) << "duplicate lines";
  for (const auto& line : lines) {
    ASSERT_TRUE(std::binary_search(expected.begin(), expected.end(), line))
        << "torn or wrong line: " << line;
  }
}

}  // namespace
}  // namespace crawler::test
