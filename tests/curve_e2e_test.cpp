// End to end, with ZeroMQ CURVE required: the real `crawl-coordinator`, `crawl-worker` and
// `crawl` binaries against the real `simweb`, keys made by `crawl-coordinator --generate-keypair`.
// Sites are small and deadlines generous: these run on a loaded 2-core machine.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

/// Key pairs made with the real command: DIR/NAME.key and DIR/NAME.pub, and DIR/authorized/
/// holding the public keys of the workers the coordinator accepts.
class Keys {
 public:
  explicit Keys(const std::vector<std::string>& names, const std::vector<std::string>& authorized) {
    for (const auto& name : names) {
      const auto r = run_child({bin_path("crawl-coordinator"), "--generate-keypair", path(name)});
      if (r.exit_code != 0 || !contains(r.out, "wrote " + path(name) + ".key")) {
        throw std::runtime_error("--generate-keypair failed: " + r.out + r.err);
      }
    }
    std::filesystem::create_directory(authorized_dir());
    for (const auto& name : authorized) {
      std::filesystem::copy_file(pub(name), authorized_dir() + "/" + name + ".pub");
    }
  }
  std::string path(const std::string& name) const { return dir_.file(name); }
  std::string key(const std::string& name) const { return path(name) + ".key"; }
  std::string pub(const std::string& name) const { return path(name) + ".pub"; }
  std::string authorized_dir() const { return dir_.file("authorized"); }

 private:
  TempDir dir_;
};

/// `crawl-coordinator` requiring CURVE, started; its endpoint read from "listening ...".
class Coordinator {
 public:
  Coordinator(const SimwebFixture& web, const Keys& keys, const std::string& out)
      : child_({bin_path("crawl-coordinator"), "--listen", "tcp://127.0.0.1:*", "--seeds",
                web.file("seeds.txt"), "--out", out, "--resolve", web.resolve(), "--progress",
                "never", "--workers", "1", "--curve-secret-key-file", keys.key("coordinator"),
                "--curve-authorized-keys", keys.authorized_dir()}) {
    if (!child_.wait_for_output("\n", 60s)) throw std::runtime_error(child_.err());
    const std::string& text = child_.out();
    const auto at = text.find("listening tcp://");
    if (at == std::string::npos) throw std::runtime_error("no endpoint: " + text);
    endpoint_ = text.substr(at + 10, text.find('\n', at) - at - 10);
  }
  ChildProcess& child() { return child_; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  ChildProcess child_;
  std::string endpoint_;
};

/// A crawl-worker for `coordinator`; `curve` flags as given (none: plain ZeroMQ).
std::unique_ptr<ChildProcess> start_worker(const Coordinator& coordinator, const std::string& id,
                                           std::vector<std::string> curve) {
  std::vector<std::string> argv = {
      bin_path("crawl-worker"), "--connect", coordinator.endpoint(), "--worker-id", id,
      "--liveness-ms",          "2000"};
  argv.insert(argv.end(), curve.begin(), curve.end());
  return std::make_unique<ChildProcess>(argv);
}

/// The refusal counters of the summary's "auth" line: {unauthorized keys, failed handshakes}.
std::pair<int, int> refusals(const std::string& err) {
  std::smatch m;
  const std::regex line(R"(refused: (\d+) unauthorized keys, (\d+) failed handshakes)");
  if (!std::regex_search(err, m, line)) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

TEST(CurveE2E, AnAuthorizedWorkerCompletesTheCrawl) {
  SimwebFixture web({"--pages", "200", "--hosts", "10"});
  Keys keys({"coordinator", "worker"}, {"worker"});
  TempDir tmp;
  Coordinator coordinator(web, keys, tmp.file("results.txt"));
  // The worker's keys from its CRAWL_* variables, as a Kubernetes manifest sets them.
  ChildProcess worker({"/usr/bin/env", "CRAWL_CURVE_SERVER_KEY_FILE=" + keys.pub("coordinator"),
                       "CRAWL_CURVE_SECRET_KEY_FILE=" + keys.key("worker"),
                       bin_path("crawl-worker"), "--connect", coordinator.endpoint(), "--worker-id",
                       "good"});
  const auto r = coordinator.child().wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "200 ok, 0 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "1 joined, 0 lost")) << r.err;
  EXPECT_TRUE(contains(
      r.err, "auth        CURVE: 1 accepted; refused: 0 unauthorized keys, 0 failed handshakes"))
      << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  const auto w = worker.wait(60s);  // told to shut down at the end of the crawl
  EXPECT_EQ(w.exit_code, 0) << w.err;
}

TEST(CurveE2E, WorkersWithoutTheKeyOrWithAnUnlistedKeyCannotJoin) {
  SimwebFixture web({"--pages", "200", "--hosts", "10"});
  Keys keys({"coordinator", "worker", "intruder"}, {"worker"});
  TempDir tmp;
  Coordinator coordinator(web, keys, tmp.file("results.txt"));
  // Nothing is dispatched before a worker joins: none of these may.
  const auto unlisted = start_worker(coordinator, "unlisted",
                                     {"--curve-server-key-file", keys.pub("coordinator"),
                                      "--curve-secret-key-file", keys.key("intruder")});
  // A listed key, but it trusts another coordinator key: the server cannot decrypt its Hello.
  const auto wrong_server = start_worker(coordinator, "wrong-server",
                                         {"--curve-server-key-file", keys.pub("intruder"),
                                          "--curve-secret-key-file", keys.key("worker")});
  // It retries every ~100 ms: let it use up its kind's log lines before the plain worker comes,
  // whose different failure must still be logged (one shared allowance used to hide it).
  ASSERT_TRUE(coordinator.child().wait_until(
      [&] { return contains(coordinator.child().err(), "another server key?) (20 "); }, 60s))
      << coordinator.child().err();
  const auto plain = start_worker(coordinator, "plain", {});
  ASSERT_TRUE(coordinator.child().wait_until(
      [&] {
        const std::string& err = coordinator.child().err();
        return contains(err, "its key " + read_first_line(keys.pub("intruder")) +
                                 " is not authorized") &&
               contains(err, "one side speaks CURVE, the other does not") &&
               contains(err, "cryptographic failure");
      },
      60s))
      << coordinator.child().err();
  EXPECT_FALSE(contains(coordinator.child().err(), "joined")) << coordinator.child().err();

  const auto good = start_worker(coordinator, "good",
                                 {"--curve-server-key-file", keys.pub("coordinator"),
                                  "--curve-secret-key-file", keys.key("worker")});
  const auto r = coordinator.child().wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "200 ok, 0 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "1 joined, 0 lost")) << r.err;  // the good one only
  EXPECT_TRUE(contains(r.err, "auth        CURVE: 1 accepted;")) << r.err;
  const auto [unauthorized, failed_handshakes] = refusals(r.err);
  EXPECT_GE(unauthorized, 1) << r.err;
  EXPECT_GE(failed_handshakes, 2) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));

  // The refused workers say why (they are still trying: stop them).
  const auto reason = [](ChildProcess& worker) {
    worker.signal(SIGTERM);
    return worker.wait(60s).err;
  };
  const std::string unlisted_err = reason(*unlisted);
  EXPECT_TRUE(contains(unlisted_err, "refused by the peer's authentication (ZAP status 400)"))
      << unlisted_err;
  // Which side notices the mismatch first varies: it may only see the connection dropped.
  const std::string plain_err = reason(*plain);
  EXPECT_TRUE(contains(plain_err, "does the coordinator require CURVE")) << plain_err;
}

TEST(CurveE2E, AKeyAddedWhileTheCoordinatorRunsIsLetInWithoutARestart) {
  SimwebFixture web({"--pages", "50", "--hosts", "5"});
  Keys keys({"coordinator", "worker", "other"}, {"other"});
  TempDir tmp;
  Coordinator coordinator(web, keys, tmp.file("results.txt"));
  const auto worker = start_worker(coordinator, "late",
                                   {"--curve-server-key-file", keys.pub("coordinator"),
                                    "--curve-secret-key-file", keys.key("worker")});
  ASSERT_TRUE(coordinator.child().wait_until(
      [&] { return contains(coordinator.child().err(), "is not authorized"); }, 60s))
      << coordinator.child().err();
  // As a Secret update does: the new key appears in the directory. The worker keeps trying.
  std::filesystem::copy_file(keys.pub("worker"), keys.authorized_dir() + "/worker.pub");
  const auto r = coordinator.child().wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "50 ok, 0 failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "1 joined, 0 lost")) << r.err;
  EXPECT_TRUE(contains(r.err, "auth        CURVE: 1 accepted;")) << r.err;
  EXPECT_GE(refusals(r.err).first, 1) << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
}

TEST(CurveE2E, ABadKeyFileExitsWithStatusTwoAndNamesIt) {
  Keys keys({"coordinator", "worker"}, {"worker"});
  TempDir tmp;
  const std::string bad = tmp.file("bad.key");
  std::ofstream(bad) << "not a key\n";
  std::ofstream(tmp.file("seeds.txt")) << "http://h0.sim/\n";
  const std::vector<std::string> coordinator = {bin_path("crawl-coordinator"),
                                                "--listen",
                                                "tcp://127.0.0.1:*",
                                                "--seeds",
                                                tmp.file("seeds.txt"),
                                                "--out",
                                                tmp.file("results.txt"),
                                                "--progress",
                                                "never"};
  const auto coordinator_with = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = coordinator;
    argv.insert(argv.end(), more.begin(), more.end());
    return run_child(argv, 60s);
  };
  const std::vector<std::string> worker = {bin_path("crawl-worker"), "--connect",
                                           "tcp://127.0.0.1:1"};
  const auto worker_with = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = worker;
    argv.insert(argv.end(), more.begin(), more.end());
    return run_child(argv, 60s);
  };
  const auto expect_refused = [](const ChildResult& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, text)) << "wanted '" << text << "' in: " << r.err;
  };

  SCOPED_TRACE("the coordinator's secret key");
  expect_refused(coordinator_with({"--curve-secret-key-file", bad, "--curve-authorized-keys",
                                   keys.authorized_dir()}),
                 bad + ":1: not a CURVE key: expected 40 characters of Z85 text, found 3");
  expect_refused(coordinator_with({"--curve-secret-key-file", tmp.file("missing.key"),
                                   "--curve-authorized-keys", keys.authorized_dir()}),
                 tmp.file("missing.key") + ": cannot read");
  SCOPED_TRACE("the authorized keys");
  std::filesystem::create_directory(tmp.file("empty"));
  expect_refused(coordinator_with({"--curve-secret-key-file", keys.key("coordinator"),
                                   "--curve-authorized-keys", tmp.file("empty")}),
                 tmp.file("empty") + ": no authorized key");
  std::ofstream(keys.authorized_dir() + "/broken.pub") << "garbage\n";
  expect_refused(coordinator_with({"--curve-secret-key-file", keys.key("coordinator"),
                                   "--curve-authorized-keys", keys.authorized_dir()}),
                 keys.authorized_dir() + "/broken.pub:1: not a CURVE key");
  SCOPED_TRACE("half a configuration");
  expect_refused(coordinator_with({"--curve-secret-key-file", keys.key("coordinator")}),
                 "CURVE needs both --curve-secret-key-file and --curve-authorized-keys");
  expect_refused(
      coordinator_with({"--curve-secret-key-file", keys.key("coordinator"), "--check-config"}),
      "CURVE needs both");

  SCOPED_TRACE("the worker's keys");
  expect_refused(
      worker_with({"--curve-server-key-file", bad, "--curve-secret-key-file", keys.key("worker")}),
      bad + ":1: not a CURVE key");
  expect_refused(worker_with({"--curve-server-key-file", keys.pub("coordinator"),
                              "--curve-secret-key-file", bad}),
                 bad + ":1: not a CURVE key");
  expect_refused(worker_with({"--curve-server-key-file", keys.pub("coordinator")}),
                 "CURVE needs both --curve-server-key-file and --curve-secret-key-file");
  expect_refused(
      worker_with({"--curve-server-key-file", keys.pub("coordinator"), "--check-config"}),
      "CURVE needs both");

  SCOPED_TRACE("key generation never overwrites");
  expect_refused(
      run_child({bin_path("crawl-coordinator"), "--generate-keypair", keys.path("worker")}),
      keys.key("worker") + ": it exists (not overwritten)");
}

TEST(CurveE2E, LocalWorkersAuthenticateWithKeysMadeForTheRun) {
  SimwebFixture web({"--pages", "200", "--hosts", "10"});
  TempDir tmp;
  TempDir keys_tmp;  // the crawl's TMPDIR: its key directory must be gone at the end
  const auto r =
      run_child({"/usr/bin/env", "TMPDIR=" + keys_tmp.path(), bin_path("crawl"), "--workers", "2",
                 "--seeds", web.file("seeds.txt"), "--out", tmp.file("results.txt"), "--resolve",
                 web.resolve(), "--progress", "never"},
                240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "2 joined, 0 lost")) << r.err;
  EXPECT_TRUE(contains(
      r.err, "auth        CURVE: 2 accepted; refused: 0 unauthorized keys, 0 failed handshakes"))
      << r.err;
  expect_same_lines(tmp.file("results.txt"), web.file("expected-depth0.tsv"));
  EXPECT_TRUE(std::filesystem::is_empty(keys_tmp.path()));
}

}  // namespace
}  // namespace crawler::test
