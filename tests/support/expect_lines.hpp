#pragma once
/// GoogleTest check shared by the end-to-end tests.

#include <string>

namespace crawler::test {

/// Fails the current test unless the file at `actual_path` holds exactly the lines of
/// `expected_path` (as sorted sets, no duplicates), reporting counts and an example of each
/// missing and extra line.
void expect_same_lines(const std::string& actual_path, const std::string& expected_path);

}  // namespace crawler::test
