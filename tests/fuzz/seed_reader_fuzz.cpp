// Seed-file parsing (common/seed_reader.hpp) on arbitrary bytes, with and without skip_bad.
// Properties: nothing crashes; only SeedError is thrown; counts add up; every seed's normalised
// form is normalised and unique; the strict and the skipping reader agree when nothing is bad.
#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "common/seed_reader.hpp"
#include "common/url.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using crawler::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream lenient_in(text);
  const crawler::SeedList lenient = crawler::read_seeds(lenient_in, "fuzz.txt", true);
  check(lenient.seeds.size() + lenient.duplicates + lenient.bad <= lenient.lines,
        "more seeds than lines");
  check(lenient.bad_messages.size() == std::min<std::size_t>(lenient.bad, 100),
        "bad_messages does not match bad");
  std::set<std::string> keys;
  std::size_t last_line = 0;
  for (const crawler::Seed& s : lenient.seeds) {
    check(keys.insert(s.normalized).second, "duplicate seed kept", s.normalized);
    check(s.line > last_line && s.line <= lenient.lines, "line numbers out of order");
    last_line = s.line;
    const auto again = crawler::normalize_url(s.normalized);
    check(again && *again == s.normalized, "seed not normalised", s.normalized);
  }

  std::istringstream strict_in(text);
  try {
    const crawler::SeedList strict = crawler::read_seeds(strict_in, "fuzz.txt", false);
    check(lenient.bad == 0, "strict reader accepted a file with bad lines");
    check(strict.seeds.size() == lenient.seeds.size(), "strict and lenient readers disagree");
  } catch (const crawler::SeedError& e) {
    check(lenient.bad > 0, "strict reader refused a file without bad lines", e.what());
    check(std::string_view(e.what()).starts_with("fuzz.txt:"), "message without FILE:", e.what());
  }
  return 0;
}
