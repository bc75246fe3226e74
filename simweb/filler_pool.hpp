#pragma once
/// A fixed pool of filler text (sentence groups) that pages are made of.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace simweb {

/// Immutable after construction; instance() is built once per process and is thread-safe.
class FillerPool {
 public:
  /// The process-wide pool (built on first use, about 10 ms).
  static const FillerPool& instance();

  /// Number of items.
  std::size_t size() const { return items_.size(); }
  /// HTML-safe text of item i (words and sentences, character references escaped, no tags).
  std::string_view text(std::size_t i) const { return items_[i].text; }

  /// Appends `n` random words to `out` (for headings and anchor text).
  template <class Rng>
  static void append_words(std::string& out, Rng& rng, int n) {
    for (int i = 0; i < n; ++i) {
      if (i) out += ' ';
      out += word(rng.below(word_count()));
    }
  }
  static std::size_t word_count();
  static std::string_view word(std::size_t i);

 private:
  FillerPool();

  struct Item {
    std::string text;
  };
  std::vector<Item> items_;
};

}  // namespace simweb
