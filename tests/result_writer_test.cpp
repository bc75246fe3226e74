#include "common/result_writer.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace crawler {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid()))).string();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ResultWriter, TsvWritesOneLinePerLink) {
  PageRecord r;
  r.url = "http://a.test/";
  r.links = {"http://a.test/x", "http://b.test/"};
  EXPECT_EQ(ResultWriter::format(r, OutputFormat::kTsv), "http://a.test/\thttp://a.test/x\nhttp://a.test/\thttp://b.test/\n");
  r.links.clear();
  EXPECT_EQ(ResultWriter::format(r, OutputFormat::kTsv), "");
}

TEST(ResultWriter, JsonlEscapesAndReplacesInvalidUtf8) {
  PageRecord r;
  r.url = "http://a.test/\"q\"";
  r.final_url = "http://a.test/";
  r.status = 200;
  r.content_type = std::string("text/html\x01\xff", 11);
  r.bytes = 10;
  r.fetch_ms = 1.5;
  r.links = {"http://a.test/é"};
  const std::string line = ResultWriter::format(r, OutputFormat::kJsonl);
  EXPECT_EQ(line,
            "{\"url\":\"http://a.test/\\\"q\\\"\",\"final_url\":\"http://a.test/\",\"status\":200,"
            "\"content_type\":\"text/html\\u0001\\ufffd\",\"bytes\":10,\"fetch_ms\":1.500,\"depth\":0,"
            "\"attempts\":0,\"error\":null,\"links\":[\"http://a.test/é\"]}\n");
  r.error = FetchError::kTimeout;
  EXPECT_NE(ResultWriter::format(r, OutputFormat::kJsonl).find("\"error\":\"timeout\""), std::string::npos);
}

TEST(ResultWriter, ConcurrentWritesNeverInterleave) {
  const std::string path = temp_path("writer_concurrent");
  constexpr int kThreads = 8;
  constexpr int kPages = 500;
  {
    ResultWriter writer(path, OutputFormat::kTsv);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        for (int p = 0; p < kPages; ++p) {
          PageRecord r;
          r.url = "http://t" + std::to_string(t) + ".test/" + std::to_string(p);
          for (int l = 0; l < 7; ++l) r.links.push_back(r.url + "/link" + std::to_string(l) + std::string(50, 'x'));
          writer.write(r);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(writer.lines_written(), static_cast<std::uint64_t>(kThreads * kPages * 7));
  }
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kPages * 7));
  std::set<std::string> unique(lines.begin(), lines.end());
  EXPECT_EQ(unique.size(), lines.size());
  for (const auto& line : lines) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    // Each line's link starts with its own source: a torn or mixed line would not.
    EXPECT_EQ(line.compare(tab + 1, tab, line, 0, tab), 0) << line;
  }
  std::filesystem::remove(path);
}

TEST(ResultWriter, UnwritablePathNamesThePath) {
  try {
    ResultWriter writer("/nonexistent-dir/results.txt", OutputFormat::kTsv);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/results.txt"), std::string::npos);
  }
}

TEST(ResultWriter, ASecondWriterOfTheSameFileIsRefusedAndTouchesNothing) {
  const std::string path = temp_path("rw-lock");
  PageRecord r;
  r.url = "http://a.test/";
  r.links = {"http://a.test/x"};
  {
    ResultWriter first(path, OutputFormat::kTsv);
    first.write(r);
    first.flush();
    try {
      ResultWriter second(path, OutputFormat::kTsv);
      FAIL() << "a second writer of a locked file was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": already being written by another crawl"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(read_lines(path).size(), 1u) << "the refused writer truncated the file";
  }
  ResultWriter again(path, OutputFormat::kTsv);  // the lock went with the first writer
  EXPECT_TRUE(read_lines(path).empty());
  std::filesystem::remove(path);
}

TEST(ResultWriter, AppendKeepsTheFileAndTruncateToCutsIt) {
  const std::string path = temp_path("rw-append");
  { std::ofstream(path) << "http://a.test/\thttp://a.test/1\nhttp://a.test/\thttp://a.test/2\n"; }
  ResultWriter writer(path, OutputFormat::kTsv, /*append=*/true);
  EXPECT_EQ(writer.flushed_bytes(), 62u);
  EXPECT_THROW(writer.truncate_to(63), std::runtime_error);
  writer.truncate_to(31);
  EXPECT_EQ(writer.flushed_bytes(), 31u);
  PageRecord r;
  r.url = "http://b.test/";
  r.links = {"http://b.test/3"};
  writer.write(r);
  writer.flush();
  EXPECT_EQ(read_lines(path), (std::vector<std::string>{"http://a.test/\thttp://a.test/1", "http://b.test/\thttp://b.test/3"}));
  std::filesystem::remove(path);
}

// A write past the file size limit fails like a full disk (EFBIG instead of ENOSPC): the file
// is cut back to its last whole line, the error is thrown once, and nothing is written again.
TEST(ResultWriter, AFailedWriteLeavesOnlyWholeLinesAndFailsOnce) {
  const std::string path = temp_path("rw-full");
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 200 * 1024;  // room for three 64 KiB buffers and part of a fourth
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);

  int throws = 0;
  int first_throw = -1;
  std::string error;
  std::uint64_t flushed = 0;
  {
    ResultWriter writer(path, OutputFormat::kTsv);
    PageRecord r;
    r.url = "http://a.test/";
    for (int i = 0; i < 100; ++i) r.links.push_back("http://a.test/some/longer/path/" + std::to_string(i));
    for (int i = 0; i < 200; ++i) {
      try {
        writer.write(r);
      } catch (const std::runtime_error& e) {
        if (++throws == 1) {
          error = e.what();
          first_throw = i;
        }
      }
    }
    EXPECT_TRUE(writer.failed());
    EXPECT_NO_THROW(writer.flush());  // failed: nothing more is tried
    flushed = writer.lines_flushed();
    EXPECT_EQ(writer.lines_written(), flushed);
    EXPECT_EQ(writer.flushed_bytes(), std::filesystem::file_size(path));
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_NE(error.find(path + ": write failed"), std::string::npos) << error;
  ASSERT_GE(first_throw, 0) << "no write failed";
  EXPECT_EQ(throws, 200 - first_throw) << "every write after the failure throws";
  const auto lines = read_lines(path);
  EXPECT_GT(lines.size(), 0u);
  EXPECT_EQ(lines.size(), flushed);
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "a torn last line";
  std::filesystem::remove(path);
}

// Where a file cannot be cut back (a pipe, a device) the error says so, and still comes once.
TEST(ResultWriter, AFailedWriteToADeviceIsReportedOnce) {
  ResultWriter writer("/dev/full", OutputFormat::kTsv);
  EXPECT_THROW(writer.truncate_to(10), std::runtime_error);
  PageRecord r;
  r.url = "http://a.test/";
  r.links = {"http://a.test/x"};
  writer.write(r);
  try {
    writer.flush();
    FAIL() << "a write to /dev/full succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full: write failed: No space left on device"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(writer.failed());
  EXPECT_NO_THROW(writer.flush());
  EXPECT_THROW(writer.write(r), std::runtime_error);
  EXPECT_EQ(writer.lines_flushed(), 0u);
}

}  // namespace
}  // namespace crawler
