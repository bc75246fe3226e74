// The documentation is checked, not retyped: every flag that `crawl --help`, `crawl-worker --help`
// and `crawl-coordinator --help` list has a row in an options table of docs/usage.md, and where
// that row states a plain number as the default, it is the default --help shows.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + separator.size()) {
    parts.push_back(text.substr(start, at - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

/// Flag → the default its options-table row states ("" when none), from docs/usage.md's table
/// rows `| `--flag ARG`, `--other` | default, other default | meaning |`.
std::map<std::string, std::string> documented_flags() {
  std::map<std::string, std::string> flags;
  std::istringstream doc(read_all(std::string(CRAWLER_SOURCE_DIR) + "/docs/usage.md"));
  for (std::string line; std::getline(doc, line);) {
    if (line.rfind("| `--", 0) != 0) continue;
    const auto cells = split(line.substr(2), " | ");
    if (cells.size() < 2) continue;
    const auto names = split(cells[0], ", ");
    const auto defaults = split(cells[1], ", ");
    for (std::size_t i = 0; i < names.size(); ++i) {
      static const std::regex flag_name("`(--[a-z0-9-]+)");
      std::smatch m;
      if (!std::regex_search(names[i], m, flag_name)) continue;
      flags[m[1]] = defaults.size() == names.size() ? defaults[i] : "";
    }
  }
  return flags;
}

/// Checks `program --help` against the tables; returns the number of flags checked.
int check_help_against_docs(const std::string& program) {
  const ChildResult help = run_child({bin_path(program), "--help"}, 30s);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  const auto documented = documented_flags();
  EXPECT_GT(documented.size(), 40u) << "the options tables were not found in docs/usage.md";
  // CLI11's lines: "  --name TYPE:TYPE in [a - b]=DEFAULT (Env:...)" or "  --name ...".
  static const std::regex option_line(R"(^\s+(?:-[a-zA-Z], )?(--[a-z0-9-]+)(\S*\s[^=\n]*=(\S+))?)");
  std::istringstream lines(help.out);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, option_line)) continue;
    const std::string flag = m[1];
    if (flag == "--help") continue;
    ++checked;
    const auto row = documented.find(flag);
    if (row == documented.end()) {
      ADD_FAILURE() << flag << " (from " << program << " --help) has no row in docs/usage.md";
      continue;
    }
    const std::string& doc_default = row->second;
    const bool plain_number = !doc_default.empty() &&
                              doc_default.find_first_not_of("0123456789") == std::string::npos;
    if (plain_number && m[3].matched) {
      EXPECT_EQ(doc_default, m[3].str()) << program << " " << flag
                                         << ": docs/usage.md and --help disagree";
    }
  }
  return checked;
}

TEST(Docs, EveryFlagOfCrawlHelpIsInTheOptionsTableWithItsNumericDefault) {
  EXPECT_GT(check_help_against_docs("crawl"), 40);
}

TEST(Docs, EveryFlagOfTheWorkerAndTheCoordinatorIsDocumentedToo) {
  EXPECT_GT(check_help_against_docs("crawl-worker"), 15);
  EXPECT_GT(check_help_against_docs("crawl-coordinator"), 40);
}

}  // namespace
}  // namespace crawler::test
