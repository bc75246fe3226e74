#include "tests/support/expect_lines.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "tests/support/child_process.hpp"

namespace crawler::test {

void expect_same_lines(const std::string& actual_path, const std::string& expected_path) {
  const auto actual = sorted_lines(actual_path);
  const auto expected = sorted_lines(expected_path);
  ASSERT_FALSE(expected.empty()) << expected_path;
  std::set<std::string> unique(actual.begin(), actual.end());
  EXPECT_EQ(unique.size(), actual.size()) << "duplicate lines in " << actual_path;
  if (actual == expected) return;
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  ADD_FAILURE() << actual.size() << " lines, expected " << expected.size() << "; missing " << missing.size()
                << (missing.empty() ? "" : " e.g. " + missing.front()) << "; extra " << extra.size()
                << (extra.empty() ? "" : " e.g. " + extra.front());
}

std::string jsonl_line_for(const std::string& jsonl_path, const std::string& url) {
  std::ifstream in(jsonl_path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("{\"url\":\"" + url + "\"", 0) == 0) return line;
  }
  return {};
}

}  // namespace crawler::test
