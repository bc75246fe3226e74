// End to end, the frontier on disk: crawls whose queue is many times their --frontier-memory
// give exactly the lines of the same crawl in RAM, in process and with workers, survive SIGKILL
// and --resume, and drop and count links (without failing) when the disk bound is reached too.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> crawl_args(const SimwebFixture& web, int workers, const std::string& out,
                                    std::vector<std::string> more) {
  std::vector<std::string> args = {bin_path("crawl"), "--workers", std::to_string(workers), "--seeds",
                                   web.file("seeds-roots.txt"), "--out", out, "--resolve", web.resolve(),
                                   "--progress", "never"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// Entries of `dir` whose name starts with `prefix`.
std::vector<std::string> entries_named(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  return out;
}

/// Runs with TMPDIR set to `tmpdir` (the store's private directory goes there).
ChildResult run_with_tmpdir(const std::vector<std::string>& args, const std::string& tmpdir) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmpdir.c_str(), 1);
  auto r = run_child(args, 240s);
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  return r;
}

// 1,500 pages over 6 hosts with a 4 KiB budget (about 100 queued URLs): most of the queue
// waits on disk, in a private directory under TMPDIR that is gone when the crawl ends.
TEST(FrontierSpillE2E, AFullCrawlWithATinyBudgetGivesTheManifestInProcessAndWithTwoWorkers) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6"});
  TempDir tmp;
  for (const int workers : {0, 2}) {
    const std::string out = tmp.file("r" + std::to_string(workers) + ".txt");
    const auto r = run_with_tmpdir(
        crawl_args(web, workers, out, {"--depth", "100", "--frontier-memory", "4KiB", "--log-level", "info"}),
        tmp.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "queued URLs past --frontier-memory go to " + tmp.path() + "/crawl-frontier-"))
        << r.err;
    expect_same_lines(out, web.file("expected-full.tsv"));
    EXPECT_TRUE(entries_named(tmp.path(), "crawl-frontier-").empty()) << "the store was left behind";
  }
}

// With --strict-depth and a binding --depth, the pages are a function of the site alone: the
// spilled crawl, in process and with two workers, fetches exactly those of the crawl in RAM.
TEST(FrontierSpillE2E, StrictDepthWithATinyBudgetGivesThePagesOfTheCrawlInRam) {
  SimwebFixture web({"--pages", "600", "--hosts", "6", "--latency-ms", "5", "--jitter-ms", "5"});
  TempDir tmp;
  const std::vector<std::string> limits = {"--depth", "2", "--strict-depth", "--concurrency", "8"};
  auto with_budget = limits;
  with_budget.insert(with_budget.end(), {"--frontier-memory", "2KiB", "--log-level", "info"});
  const auto ram = run_with_tmpdir(crawl_args(web, 0, tmp.file("ram.txt"), limits), tmp.path());
  ASSERT_EQ(ram.exit_code, 0) << ram.err;
  EXPECT_FALSE(contains(ram.err, "queued URLs past")) << ram.err;
  EXPECT_GT(sorted_lines(tmp.file("ram.txt")).size(), 1000u);
  for (const int workers : {0, 2}) {
    const std::string out = tmp.file("disk" + std::to_string(workers) + ".txt");
    const auto r = run_with_tmpdir(crawl_args(web, workers, out, with_budget), tmp.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "queued URLs past --frontier-memory")) << r.err;
    expect_same_lines(out, tmp.file("ram.txt"));
  }
}

// SIGKILL twice while most of the queue is on disk (in the state dir), then --resume: every
// line once. The store is scratch: --resume rebuilds the queue from the journal.
TEST(FrontierSpillE2E, KillAndResumeWithTheQueueOnDiskLosesAndDuplicatesNothing) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const std::string out = tmp.file("results.txt");
  const auto base = crawl_args(web, 0, out,
                               {"--depth", "100", "--state-dir", tmp.file("state"), "--concurrency", "16",
                                "--frontier-memory", "4KiB"});
  std::uintmax_t last_size = 0;
  for (int round = 0; round < 2; ++round) {
    auto args = base;
    if (round > 0) args.push_back("--resume");
    ChildProcess crawl(args);
    // Killed once the file has grown by a few buffers beyond where this round started.
    crawl.wait_until([&] { return file_size_or_zero(out) >= last_size + 150 * 1024; }, 60s);
    ASSERT_TRUE(std::filesystem::exists(tmp.file("state/frontier"))) << "the queue never reached the disk";
    crawl.signal(SIGKILL);
    const auto r = crawl.wait(30s);
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "crawl finished before it was killed in round " << round << ": " << r.err;
    last_size = file_size_or_zero(out);
  }
  auto args = base;
  args.push_back("--resume");
  const auto r = run_child(args, 180s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "resumed")) << r.err;
  const auto actual = sorted_lines(out);
  const std::set<std::string> unique(actual.begin(), actual.end());
  EXPECT_EQ(unique.size(), actual.size()) << "duplicated lines";
  EXPECT_TRUE(actual == sorted_lines(web.file("expected-full.tsv")));
  EXPECT_FALSE(std::filesystem::exists(tmp.file("state/frontier"))) << "the store outlived the crawl";
}

// The same with --strict-depth and two workers: the resumed crawl streams the journal's queue
// back while it fetches (links deeper than what it has read wait, so no host's queue is out of
// depth order), and gives exactly the pages of the crawl in RAM. The journal remembers the
// setting: resuming it without --strict-depth is refused before the results file is touched.
TEST(FrontierSpillE2E, KillAndResumeWithStrictDepthAndWorkersGivesThePagesOfTheCrawlInRam) {
  SimwebFixture web({"--pages", "900", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const std::vector<std::string> limits = {"--depth", "3", "--strict-depth", "--concurrency", "16"};
  const auto ram = run_child(crawl_args(web, 0, tmp.file("ram.txt"), limits), 120s);
  ASSERT_EQ(ram.exit_code, 0) << ram.err;
  const std::string out = tmp.file("results.txt");
  auto base = crawl_args(web, 2, out, limits);
  base.insert(base.end(), {"--state-dir", tmp.file("state"), "--frontier-memory", "4KiB"});
  std::uintmax_t last_size = 0;
  for (int round = 0; round < 2; ++round) {
    auto args = base;
    if (round > 0) args.push_back("--resume");
    ChildProcess crawl(args);
    crawl.wait_until([&] { return file_size_or_zero(out) >= last_size + 60 * 1024; }, 60s);
    crawl.signal(SIGKILL);
    const auto r = crawl.wait(30s);
    ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "crawl finished before it was killed in round " << round << ": " << r.err;
    last_size = file_size_or_zero(out);
  }
  auto without = crawl_args(web, 2, out, {"--depth", "3", "--state-dir", tmp.file("state"), "--resume"});
  const auto refused = run_child(without, 60s);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_TRUE(contains(refused.err, "ran with --strict-depth")) << refused.err;
  EXPECT_EQ(file_size_or_zero(out), last_size) << "a refused resume touched the results";
  auto args = base;
  args.push_back("--resume");
  const auto r = run_child(args, 180s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto actual = sorted_lines(out);
  const std::set<std::string> unique(actual.begin(), actual.end());
  EXPECT_EQ(unique.size(), actual.size()) << "duplicated lines";
  EXPECT_TRUE(actual == sorted_lines(tmp.file("ram.txt")));
}

// RAM and disk both full: links are dropped and counted, the crawl still ends normally with
// every page it did queue, and says so.
TEST(FrontierSpillE2E, WhenRamAndDiskAreFullLinksAreDroppedAndCounted) {
  SimwebFixture web({"--pages", "1500", "--hosts", "3"});
  TempDir tmp;
  // Few tasks in flight, so the queue stays in the frontier.
  const auto r = run_with_tmpdir(
      crawl_args(web, 0, tmp.file("r.txt"),
                 {"--depth", "100", "--concurrency", "4", "--frontier-memory", "1KiB", "--frontier-disk-max",
                  "1KiB"}),
      tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "the store in " + tmp.path() + "/crawl-frontier-")) << r.err;
  EXPECT_TRUE(contains(r.err, "is full")) << r.err;
  EXPECT_TRUE(contains(r.err, "links dropped (RAM and disk for queued URLs were full)")) << r.err;
  const auto got = sorted_lines(tmp.file("r.txt"));
  const auto all = sorted_lines(web.file("expected-full.tsv"));
  EXPECT_GT(got.size(), 0u);
  EXPECT_LT(got.size(), all.size());
  // What was fetched is right: every line is one the full crawl has.
  const std::set<std::string> expected(all.begin(), all.end());
  for (const auto& line : got) EXPECT_TRUE(expected.count(line) == 1) << line;
}

}  // namespace
}  // namespace crawler::test
