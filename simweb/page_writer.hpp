#pragma once
/// Builds one response body from markup and FillerPool items, as plain bytes or gzipped.

#include <cstddef>
#include <string>
#include <string_view>

namespace simweb {

/// Not thread-safe; one per body.
class PageWriter {
 public:
  /// `gzip`: finish() returns one gzip member (RFC 1952) of the whole body, compressed as one
  /// deflate stream at zlib level 1, as a real server's on-the-fly compression does.
  explicit PageWriter(bool gzip);

  /// Appends markup or text (any bytes).
  PageWriter& operator+=(std::string_view markup);
  /// Appends FillerPool item `index`.
  void append_filler(std::size_t index);
  /// Uncompressed bytes appended so far.
  std::size_t size() const { return out_.size(); }
  /// Ends the body and returns it (plain, or a complete gzip member). Call once.
  std::string finish();

 private:
  bool gzip_;
  std::string out_;
};

}  // namespace simweb
