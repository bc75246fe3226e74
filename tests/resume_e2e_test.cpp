// Kill the crawl with SIGKILL at arbitrary moments, resume it, kill it again, resume again:
// the results file must end up exactly the manifest, with no line lost and none duplicated.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

TEST(ResumeE2E, KillResumeKillResumeLosesAndDuplicatesNothing) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const std::string out = tmp.file("results.txt");
  const std::vector<std::string> base = {bin_path("crawl"), "--workers", "0", "--seeds", web.file("seeds-roots.txt"),
                                         "--depth", "100", "--out", out, "--state-dir", tmp.file("state"),
                                         "--resolve", web.resolve(), "--progress", "never", "--concurrency", "16"};
  std::uintmax_t last_size = 0;
  for (int round = 0; round < 3; ++round) {
    auto args = base;
    if (round > 0) args.push_back("--resume");
    ChildProcess crawl(args);
    // Kill once the file has grown by a few buffers beyond where this round started.
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until && file_size_or_zero(out) < last_size + 150 * 1024) {
      if (crawl.wait_for_output("never printed", 50ms)) break;
    }
    crawl.signal(SIGKILL);
    const auto r = crawl.wait(30s);
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "crawl finished before it was killed in round " << round << ": " << r.err;
    last_size = file_size_or_zero(out);
  }
  const auto r = run_child([&] {
    auto args = base;
    args.push_back("--resume");
    return args;
  }(), 180s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resumed"), std::string::npos) << r.err;

  const auto actual = sorted_lines(out);
  const auto expected = sorted_lines(web.file("expected-full.tsv"));
  std::set<std::string> unique(actual.begin(), actual.end());
  EXPECT_EQ(unique.size(), actual.size()) << "duplicated lines";
  EXPECT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual == expected);
}

// The distributed form of the test above: crawl-coordinator is SIGKILLed twice mid-crawl and
// started again with --resume on the same endpoint; the two crawl-worker processes are never
// restarted, they notice the silence and register with the new coordinator by themselves.
TEST(ResumeE2E, KilledCoordinatorResumesWithTheWorkersThatReconnect) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const std::string out = tmp.file("results.txt");
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  const std::vector<std::string> base = {
      bin_path("crawl-coordinator"), "--listen", endpoint, "--seeds", web.file("seeds-roots.txt"),
      "--depth", "100", "--out", out, "--state-dir", tmp.file("state"), "--resolve", web.resolve(),
      "--progress", "never", "--workers", "2"};
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        bin_path("crawl-worker"), "--connect", endpoint, "--worker-id", "w" + std::to_string(i),
        "--concurrency", "8", "--liveness-ms", "1500", "--heartbeat-ms", "250"}));
  }
  std::uintmax_t last_size = 0;
  for (int round = 0; round < 3; ++round) {
    auto args = base;
    if (round > 0) args.push_back("--resume");
    ChildProcess coordinator(args);
    const auto until = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < until && file_size_or_zero(out) < last_size + 150 * 1024) {
      if (coordinator.wait_for_output("never printed", 50ms)) break;
    }
    coordinator.signal(SIGKILL);
    const auto r = coordinator.wait(30s);
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "coordinator finished before it was killed in round " << round
                                          << ": " << r.err;
    ASSERT_GT(file_size_or_zero(out), last_size) << "no progress in round " << round << ": " << r.err;
    last_size = file_size_or_zero(out);
  }
  auto args = base;
  args.push_back("--resume");
  ChildProcess coordinator(args);
  const auto r = coordinator.wait(240s);
  ASSERT_FALSE(r.timed_out) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resumed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 joined"), std::string::npos) << r.err;  // the same two, registered afresh
  expect_same_lines(out, web.file("expected-full.tsv"));
  for (auto& worker : workers) {
    const auto w = worker->wait(60s);  // told to shut down at the end of the crawl
    EXPECT_FALSE(w.timed_out) << w.err;
    EXPECT_EQ(w.exit_code, 0) << w.err;
    EXPECT_NE(w.err.find("connecting afresh"), std::string::npos) << w.err;  // it noticed each kill
  }
}

// --resume=auto (what the Kubernetes StatefulSet runs): a new state dir starts the crawl, a
// finished journal is resumed without fetching or writing anything again.
TEST(ResumeE2E, ResumeAutoStartsAfreshThenResumes) {
  SimwebFixture web({"--pages", "60", "--hosts", "2"});
  TempDir tmp;
  const std::vector<std::string> args = {bin_path("crawl"), "--workers", "0", "--seeds", web.file("seeds.txt"),
                                         "--out", tmp.file("r.txt"), "--state-dir", tmp.file("state"),
                                         "--resolve", web.resolve(), "--progress", "never", "--resume=auto"};
  const auto first = run_child(args, 60s);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find("resumed"), std::string::npos) << first.err;
  expect_same_lines(tmp.file("r.txt"), web.file("expected-depth0.tsv"));
  const auto second = run_child(args, 60s);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("resumed     60 pages were done before"), std::string::npos) << second.err;
  expect_same_lines(tmp.file("r.txt"), web.file("expected-depth0.tsv"));
}

// --stay-up: the summary comes when the crawl is done, the process stays until SIGTERM.
TEST(ResumeE2E, StayUpWaitsForSigtermAfterTheCrawl) {
  SimwebFixture web({"--pages", "20", "--hosts", "1"});
  TempDir tmp;
  ChildProcess crawl({bin_path("crawl"), "--workers", "0", "--seeds", web.file("seeds.txt"), "--out",
                      tmp.file("r.txt"), "--resolve", web.resolve(), "--progress", "never", "--stay-up"});
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (crawl.err().find("until SIGTERM") == std::string::npos && std::chrono::steady_clock::now() < until) {
    crawl.wait_for_output("never printed", 50ms);
  }
  ASSERT_NE(crawl.err().find("until SIGTERM"), std::string::npos) << crawl.err();
  EXPECT_NE(crawl.err().find("20 ok"), std::string::npos) << crawl.err();
  expect_same_lines(tmp.file("r.txt"), web.file("expected-depth0.tsv"));
  crawl.wait_for_output("never printed", 300ms);
  std::ifstream stat("/proc/" + std::to_string(crawl.pid()) + "/stat");
  std::string pid, comm, state;
  stat >> pid >> comm >> state;
  EXPECT_TRUE(state == "S" || state == "R") << "not running before SIGTERM: state " << state;
  crawl.signal(SIGTERM);
  const auto r = crawl.wait(30s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ResumeE2E, RefusesToOverwriteAJournalWithoutResume) {
  SimwebFixture web({"--pages", "20", "--hosts", "1"});
  TempDir tmp;
  const std::vector<std::string> args = {bin_path("crawl"), "--workers", "0", "--seeds", web.file("seeds.txt"),
                                         "--out", tmp.file("r.txt"), "--state-dir", tmp.file("state"),
                                         "--resolve", web.resolve(), "--progress", "never"};
  ASSERT_EQ(run_child(args, 60s).exit_code, 0);
  const auto again = run_child(args, 60s);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  auto other = args;
  other[4] = web.file("seeds-roots.txt");
  other.push_back("--resume");
  const auto mismatch = run_child(other, 60s);
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.err.find("other seeds"), std::string::npos) << mismatch.err;
}

}  // namespace
}  // namespace crawler::test
