#include "common/seed_reader.hpp"

#include <fstream>
#include <iostream>
#include <unordered_set>

#include "common/url.hpp"

namespace crawler {
namespace {

constexpr std::size_t kMaxSeedLength = 8 * 1024;
constexpr std::size_t kMaxBadMessages = 100;

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Why `text` is not an acceptable seed, or empty when it is.
std::string seed_problem(std::string_view text, std::string* normalized) {
  if (text.size() > kMaxSeedLength) return "line longer than 8 KiB";
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return "control character inside the URL";
  }
  auto n = normalize_url(text);
  if (!n) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return "not an absolute URL (no scheme): '" + std::string(text) + "'";
    return "not a valid http(s) URL: '" + std::string(text) + "'";
  }
  *normalized = std::move(*n);
  return {};
}

}  // namespace

SeedList read_seeds(std::istream& in, std::string_view name, bool skip_bad, const KeepReading& keep_going) {
  constexpr std::size_t kAskEvery = 4096;
  SeedList out;
  std::unordered_set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    if (keep_going && out.lines % kAskEvery == 0 && !keep_going()) {
      out.interrupted = true;
      break;
    }
    ++out.lines;
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    std::string normalized;
    std::string problem = seed_problem(text, &normalized);
    if (!problem.empty()) {
      std::string message = std::string(name) + ":" + std::to_string(out.lines) + ": " + problem;
      if (!skip_bad) throw SeedError(message);
      ++out.bad;
      if (out.bad_messages.size() < kMaxBadMessages) out.bad_messages.push_back(std::move(message));
      continue;
    }
    if (!seen.insert(normalized).second) {
      ++out.duplicates;
      continue;
    }
    out.seeds.push_back(Seed{std::string(text), std::move(normalized), out.lines});
  }
  return out;
}

SeedList read_seed_file(const std::string& path, bool skip_bad, const KeepReading& keep_going) {
  if (path == "-") return read_seeds(std::cin, "<stdin>", skip_bad, keep_going);
  std::ifstream in(path);
  if (!in) throw SeedError(path + ": cannot open seed file");
  return read_seeds(in, path, skip_bad, keep_going);
}

}  // namespace crawler
