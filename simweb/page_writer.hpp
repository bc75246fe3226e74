#pragma once
/// Builds one response body from markup and FillerPool items, as plain bytes or as a gzip
/// member assembled without compressing the filler again (see FillerPool::deflated).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace simweb {

/// Not thread-safe; one per body. Markup is stored uncompressed in the gzip output (deflate
/// "stored" blocks); filler items are spliced in pre-compressed; the CRC is combined.
class PageWriter {
 public:
  /// `gzip`: produce a gzip member (RFC 1952) instead of plain bytes.
  explicit PageWriter(bool gzip);

  /// Appends markup or text (any bytes).
  PageWriter& operator+=(std::string_view markup);
  /// Appends FillerPool item `index`.
  void append_filler(std::size_t index);
  /// Uncompressed bytes appended so far.
  std::size_t size() const { return size_; }
  /// Ends the body and returns it (plain, or a complete gzip member). Call once.
  std::string finish();

 private:
  void flush_markup();

  bool gzip_;
  std::string out_;
  std::string pending_;  ///< markup not yet written as stored blocks (gzip only)
  std::uint32_t crc_ = 0;
  std::size_t size_ = 0;
};

}  // namespace simweb
