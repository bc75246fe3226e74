#pragma once
/// Writes the files that tell a test or benchmark what the site is and what a crawl of it
/// must produce.

#include <cstddef>
#include <filesystem>

#include "simweb/site.hpp"

namespace simweb {

/// The manifest of one site, written into a directory:
///   seeds.txt              every page URL, one per line, by page index
///   seeds-roots.txt        each host's root URL, by host index
///   expected-depth0.tsv    sorted unique "source<TAB>link" lines of a depth-0 crawl of seeds.txt
///   expected-full.tsv      the same for a full same-host, robots-obeying crawl from the roots
///   manifest.json          {"hosts","pages","links","pages_reachable_full","lines_depth0",
///                           "lines_full","port","seed"}
class Manifest {
 public:
  /// Counts written to manifest.json.
  struct Counts {
    std::size_t lines_depth0 = 0;
    std::size_t lines_full = 0;
  };

  /// Creates `dir` if needed and writes every file (each to a temporary name, then renamed, so
  /// a reader never sees half a file). Throws std::runtime_error naming the file on failure.
  static Counts write(const Site& site, const std::filesystem::path& dir);
};

}  // namespace simweb
