// Faults a hostile user can cause, each against the real binaries: a second signal, a second
// crawl on the same results file, a full disk under the results or the journal, a reader that
// closes the pipe. Whatever happens, the process ends with one clear error, the file holds only
// whole lines, and the summary's line count is the file's.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "tests/support/child_process.hpp"
#include "tests/support/expect_lines.hpp"
#include "tests/support/simweb_fixture.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

/// Lines of `err` that start with "error:".
std::size_t error_lines(const std::string& err) {
  std::size_t n = err.rfind("error:", 0) == 0 ? 1 : 0;
  for (auto at = err.find("\nerror:"); at != std::string::npos; at = err.find("\nerror:", at + 1)) ++n;
  return n;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The N of the summary's "links  L (N lines written)".
long lines_written(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex(R"(\((\d+) lines written\))"))) return -1;
  return std::stol(m[1]);
}

/// Every line of `text` ends with '\n' and looks whole in `format` (tsv: url TAB link; jsonl:
/// one object). Returns the number of lines, or -1 with `why` set.
long whole_lines(const std::string& text, const std::string& format, std::string& why) {
  if (!text.empty() && text.back() != '\n') {
    why = "the last line has no newline: " + text.substr(text.size() > 80 ? text.size() - 80 : 0);
    return -1;
  }
  long n = 0;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; start = nl + 1, nl = text.find('\n', start)) {
    const std::string line = text.substr(start, nl - start);
    const bool ok = format == "tsv" ? (line.rfind("http://", 0) == 0 && contains(line, "\thttp://"))
                                    : (line.size() > 2 && line.front() == '{' && line.back() == '}');
    if (!ok) {
      why = "line " + std::to_string(n + 1) + " is not whole: " + line.substr(0, 120);
      return -1;
    }
    ++n;
  }
  return n;
}

/// A small tmpfs mounted at a fresh directory, unmounted by the destructor. Mounting needs
/// root (CAP_SYS_ADMIN): `mounted()` is false, with the reason in `why()`, where it is refused.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size) {
    path_ = dir_.file("disk");
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a tmpfs to fill (needs root): ") + std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Gives the disk `size` (more room for a resume).
  bool grow(const std::string& size) {
    const std::string options = "size=" + size + ",mode=0700";
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }

 private:
  TempDir dir_;
  std::string path_;
  bool mounted_ = false;
  std::string why_;
};

/// Gives `disk` room, resumes the crawl of `args` and checks that `out` then holds every line of
/// the test web exactly once.
void resume_with_room(SmallDisk& disk, std::vector<std::string> args, const std::string& out,
                      const SimwebFixture& web) {
  ASSERT_TRUE(disk.grow("64m"));
  args.push_back("--resume");
  const auto resumed = run_child(args, 180s);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto lines = sorted_lines(out);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), lines.size()) << "duplicated lines";
  expect_same_lines(out, web.file("expected-full.tsv"));
}

std::vector<std::string> crawl_args(const SimwebFixture& web, const std::string& out, const std::string& workers) {
  return {bin_path("crawl"), "--workers", workers, "--seeds", web.file("seeds-roots.txt"), "--depth", "100",
          "--out", out, "--resolve", web.resolve(), "--progress", "never", "--concurrency", "16"};
}

// Item 1 of the fault list: the first signal drains, the second stops at once, with workers
// too (it used to hang: the handler re-armed itself after the abort had ended the crawl).
TEST(FaultsE2E, ASecondSignalStopsACrawlWithWorkersAtOnce) {
  SimwebFixture web({"--pages", "3000", "--hosts", "10", "--latency-ms", "50"});
  for (const int signo : {SIGINT, SIGTERM}) {
    TempDir tmp;
    const std::string out = tmp.file("results.txt");
    ChildProcess crawl(crawl_args(web, out, "2"));
    ASSERT_TRUE(crawl.wait_until([&] { return file_size_or_zero(out) > 0; }, 60s)) << crawl.err();
    crawl.signal(signo);
    ASSERT_TRUE(crawl.wait_until([&] { return contains(crawl.err(), "again to stop now"); }, 30s)) << crawl.err();
    crawl.signal(signo);
    const auto r = crawl.wait(30s);
    ASSERT_FALSE(r.timed_out) << "still running 30 s after the second signal " << signo << ": " << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "stopped early")) << r.err;
    std::string why;
    EXPECT_EQ(whole_lines(read_file(out), "tsv", why), lines_written(r.err)) << why << r.err;
  }
}

// The same with crawl-coordinator and workers of its own, and a coordinator whose
// --min-workers never join: one signal ends it (it used to ignore SIGTERM for ever).
TEST(FaultsE2E, ACoordinatorStopsOnSignalsWithOrWithoutItsWorkers) {
  SimwebFixture web({"--pages", "3000", "--hosts", "10", "--latency-ms", "50"});
  TempDir tmp;
  {
    const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
    ChildProcess coordinator({bin_path("crawl-coordinator"), "--listen", endpoint, "--seeds",
                              web.file("seeds-roots.txt"), "--out", tmp.file("alone.txt"), "--min-workers", "3",
                              "--progress", "never"});
    ASSERT_TRUE(coordinator.wait_for_output("listening", 30s)) << coordinator.err();
    coordinator.signal(SIGTERM);
    const auto r = coordinator.wait(30s);
    ASSERT_FALSE(r.timed_out) << "a coordinator waiting for --min-workers ignored SIGTERM: " << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "0 ok")) << r.err;
  }
  const std::string out = tmp.file("results.txt");
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  ChildProcess coordinator({bin_path("crawl-coordinator"), "--listen", endpoint, "--seeds",
                            web.file("seeds-roots.txt"), "--depth", "100", "--out", out, "--resolve", web.resolve(),
                            "--progress", "never"});
  ASSERT_TRUE(coordinator.wait_for_output("listening", 30s)) << coordinator.err();
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{bin_path("crawl-worker"), "--connect", endpoint, "--concurrency", "8"}));
  }
  ASSERT_TRUE(coordinator.wait_until([&] { return file_size_or_zero(out) > 0; }, 60s)) << coordinator.err();
  coordinator.signal(SIGTERM);
  ASSERT_TRUE(coordinator.wait_until([&] { return contains(coordinator.err(), "again to stop now"); }, 30s));
  coordinator.signal(SIGTERM);
  const auto r = coordinator.wait(30s);
  ASSERT_FALSE(r.timed_out) << "still running 30 s after the second SIGTERM: " << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string why;
  EXPECT_EQ(whole_lines(read_file(out), "tsv", why), lines_written(r.err)) << why << r.err;
}

// Item 2: a second crawl naming the same --out is refused before it touches the file, whether it
// would have failed to listen anyway or not, and the first crawl's results come out whole.
TEST(FaultsE2E, ASecondCrawlOnTheSameResultsFileIsRefusedAndTouchesNothing) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6", "--latency-ms", "20"});
  TempDir tmp;
  const std::string out = tmp.file("results.txt");
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  ChildProcess first({bin_path("crawl-coordinator"), "--listen", endpoint, "--seeds", web.file("seeds-roots.txt"),
                      "--depth", "100", "--out", out, "--resolve", web.resolve(), "--progress", "never"});
  ASSERT_TRUE(first.wait_for_output("listening", 30s)) << first.err();
  ChildProcess worker({bin_path("crawl-worker"), "--connect", endpoint, "--concurrency", "4"});
  ASSERT_TRUE(first.wait_until([&] { return file_size_or_zero(out) > 0; }, 60s)) << first.err();

  const auto same_port = run_child({bin_path("crawl-coordinator"), "--listen", endpoint, "--seeds",
                                    web.file("seeds-roots.txt"), "--out", out, "--progress", "never"},
                                   30s);
  EXPECT_EQ(same_port.exit_code, 2) << same_port.err;
  EXPECT_TRUE(contains(same_port.err, out + ": already being written by another crawl")) << same_port.err;
  const auto in_process = run_child(crawl_args(web, out, "0"), 30s);
  EXPECT_EQ(in_process.exit_code, 2) << in_process.err;
  EXPECT_TRUE(contains(in_process.err, "already being written by another crawl")) << in_process.err;

  const auto r = first.wait(180s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_file(out);
  EXPECT_EQ(text.find('\0'), std::string::npos) << "NUL bytes in the results";
  std::string why;
  EXPECT_EQ(whole_lines(text, "tsv", why), lines_written(r.err)) << why;
  expect_same_lines(out, web.file("expected-full.tsv"));
}

// Item 4: a full results disk, without a journal. One error line, exit 1, only whole lines in
// the file, and the summary counts exactly the lines the file holds.
TEST(FaultsE2E, AFullResultsDiskLeavesWholeLinesAndATrueCount) {
  SimwebFixture web({"--pages", "3000", "--hosts", "10"});
  for (const std::string format : {"tsv", "jsonl"}) {
    for (const std::string workers : {"0", "2"}) {
      SCOPED_TRACE(format + ", --workers " + workers);
      SmallDisk disk("300k");
      if (!disk.mounted()) GTEST_SKIP() << disk.why();
      const std::string out = disk.file("results." + format);
      auto args = crawl_args(web, out, workers);
      args.insert(args.end(), {"--format", format});
      const auto r = run_child(args, 120s);
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_EQ(error_lines(r.err), 1u) << r.err;
      EXPECT_TRUE(contains(r.err, out + ": write failed: No space left on device")) << r.err;
      EXPECT_TRUE(contains(r.err, "(failed: see the error above)")) << r.err;
      std::string why;
      const long lines = whole_lines(read_file(out), format, why);
      EXPECT_GT(lines, 0) << why;
      EXPECT_EQ(lines, lines_written(r.err)) << r.err;
    }
  }
}

// Item 3: a full journal disk is an error and a stop (it used to be a RocksDB assertion, exit
// 134); with room again, --resume finishes the crawl with every line exactly once.
TEST(FaultsE2E, AFullJournalDiskStopsCleanlyAndResumeFinishes) {
  SimwebFixture web({"--pages", "3000", "--hosts", "10"});
  for (const std::string workers : {"0", "2"}) {
    SCOPED_TRACE("--workers " + workers);
    SmallDisk disk("200k");
    if (!disk.mounted()) GTEST_SKIP() << disk.why();
    TempDir tmp;
    const std::string out = tmp.file("results.txt");
    auto args = crawl_args(web, out, workers);
    args.insert(args.end(), {"--state-dir", disk.file("state")});
    const auto r = run_child(args, 120s);
    ASSERT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(error_lines(r.err), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, disk.file("state") + ": journal write failed")) << r.err;
    EXPECT_TRUE(contains(r.err, "--resume continues it")) << r.err;

    resume_with_room(disk, args, out, web);
  }
}

// Issue 12: the same with most of the queue on disk (--frontier-memory 4KiB; the frontier's
// store in DIR/frontier shares the full disk with the journal): whichever fills it first, the
// crawl stops with one error naming the directory, and --resume, with room again, gives every
// line exactly once.
TEST(FaultsE2E, AFullDiskWithTheQueueOnDiskStopsCleanlyAndResumeFinishes) {
  SimwebFixture web({"--pages", "3000", "--hosts", "10"});
  SmallDisk disk("300k");
  if (!disk.mounted()) GTEST_SKIP() << disk.why();
  TempDir tmp;
  const std::string out = tmp.file("results.txt");
  auto args = crawl_args(web, out, "0");
  // The disk bound replaces the 1 GiB reserve, which a 300 KiB disk never has.
  args.insert(args.end(), {"--state-dir", disk.file("state"), "--frontier-memory", "4KiB", "--frontier-disk-max",
                           "1GiB"});
  const auto r = run_child(args, 120s);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(error_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "error: " + disk.file("state"))) << r.err;
  EXPECT_TRUE(contains(r.err, "--resume continues it")) << r.err;

  resume_with_room(disk, args, out, web);
}

// Item 5: `crawl --out - | head -1`: the closed pipe is a write error like any other (exit 1 and
// a summary, not death by SIGPIPE), and the workers' temporary key directory is removed.
TEST(FaultsE2E, AClosedOutputPipeEndsTheCrawlWithASummary) {
  SimwebFixture web({"--pages", "1500", "--hosts", "6"});
  for (const std::string workers : {"0", "2"}) {
    SCOPED_TRACE("--workers " + workers);
    TempDir tmp;
    std::string command = "TMPDIR='" + tmp.path() + "' '" + bin_path("crawl") + "' --workers " + workers +
                          " --seeds '" + web.file("seeds-roots.txt") + "' --depth 100 --out - --resolve '" +
                          web.resolve() + "' --progress never | head -1 > /dev/null; exit ${PIPESTATUS[0]}";
    const auto r = run_child({"/bin/bash", "-c", command}, 120s);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "-: write failed: Broken pipe")) << r.err;
    EXPECT_TRUE(contains(r.err, "lines written")) << r.err;
    EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "left behind in TMPDIR";
  }
}

/// True once `pid` has a handler for `signo` (from /proc/PID/status, SigCgt).
bool catches(pid_t pid, int signo) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (signo - 1)) & 1;
  }
  return false;
}

// A signal while the seeds are still coming (a pipe whose writer is silent) stops at once, with
// nothing written: it used to wait for the next line.
TEST(FaultsE2E, ASignalWhileSeedsAreStillComingEndsAtOnce) {
  TempDir tmp;
  const std::string fifo = tmp.file("seeds.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int writer = ::open(fifo.c_str(), O_RDWR);  // a writer that never writes (nor blocks)
  ASSERT_GE(writer, 0);
  ChildProcess crawl({bin_path("crawl"), "--workers", "0", "--seeds", fifo, "--out", tmp.file("results.txt"),
                      "--progress", "never"});
  ASSERT_TRUE(crawl.wait_until([&] { return catches(crawl.pid(), SIGINT); }, 30s));
  crawl.signal(SIGINT);
  const auto r = crawl.wait(10s);
  ::close(writer);
  ASSERT_FALSE(r.timed_out) << "still reading seeds 10 s after SIGINT";
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "while reading the seeds")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("results.txt")));
}

}  // namespace
}  // namespace crawler::test
