#include "common/result_writer.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace crawler
