// Kill the crawl with SIGKILL at arbitrary moments, resume it, kill it again, resume again:
// the results file must end up exactly the manifest, with no line lost and none duplicated.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/child_process.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

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
