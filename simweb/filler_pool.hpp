#pragma once
/// A fixed pool of filler text (sentence groups), each also stored pre-compressed so that pages
/// can be gzipped without compressing them on every request.

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
  /// Item i as raw deflate data (no header), compressed on its own and ending with a sync
  /// flush: byte-aligned, not final. Such pieces concatenate into one valid deflate stream.
  std::string_view deflated(std::size_t i) const { return items_[i].deflated; }
  /// CRC-32 of text(i).
  std::uint32_t crc(std::size_t i) const { return items_[i].crc; }
  /// zlib's crc32_combine_gen() operator for the length of text(i): appending item i to data
  /// with CRC c gives crc32_combine_op(c, crc(i), crc_op(i)), in constant time.
  std::uint32_t crc_op(std::size_t i) const { return items_[i].crc_op; }

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
    std::string deflated;
    std::uint32_t crc = 0;
    std::uint32_t crc_op = 0;
  };
  std::vector<Item> items_;
};

}  // namespace simweb
