#pragma once
/// GoogleTest checks and output readers shared by the end-to-end tests.

#include <string>

namespace crawler::test {

/// Fails the current test unless the file at `actual_path` holds exactly the lines of
/// `expected_path` (as sorted sets, no duplicates), reporting counts and an example of each
/// missing and extra line.
void expect_same_lines(const std::string& actual_path, const std::string& expected_path);

/// The JSONL record for `url` in the file at `jsonl_path` (the line that starts with
/// `{"url":"URL"`); empty when there is none.
std::string jsonl_line_for(const std::string& jsonl_path, const std::string& url);

}  // namespace crawler::test
