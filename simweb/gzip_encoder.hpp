#pragma once
/// gzip (RFC 1952) compression with zlib, whole-buffer or streaming.

#include <zlib.h>

#include <string>
#include <string_view>

namespace simweb {

/// A streaming gzip compressor. Not copyable; one per stream; not thread-safe.
class GzipEncoder {
 public:
  /// `level`: zlib level 0-9 (1 is fastest); `strategy`: Z_DEFAULT_STRATEGY, Z_RLE, ...
  /// Throws std::runtime_error if zlib cannot start.
  explicit GzipEncoder(int level, int strategy = Z_DEFAULT_STRATEGY);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  /// Compresses `input` and appends whatever output zlib produced so far to `out`.
  void write(std::string_view input, std::string& out);
  /// Ends the stream: appends the remaining output and the gzip trailer. Call once.
  void finish(std::string& out);

  /// Compresses a whole buffer into one gzip member.
  static std::string compress(std::string_view input, int level = 1);

 private:
  void run(std::string_view input, int flush, std::string& out);

  z_stream zs_{};
};

}  // namespace simweb
