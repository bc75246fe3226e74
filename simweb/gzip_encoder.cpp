#include "simweb/gzip_encoder.hpp"

#include <stdexcept>

namespace simweb {

GzipEncoder::GzipEncoder(int level, int strategy) {
  // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of zlib's own.
  if (deflateInit2(&zs_, level, Z_DEFLATED, 15 + 16, 8, strategy) != Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
}

GzipEncoder::~GzipEncoder() { deflateEnd(&zs_); }

void GzipEncoder::run(std::string_view input, int flush, std::string& out) {
  zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs_.avail_in = static_cast<uInt>(input.size());
  char chunk[16384];
  int rc = Z_OK;
  do {
    zs_.next_out = reinterpret_cast<Bytef*>(chunk);
    zs_.avail_out = sizeof(chunk);
    rc = deflate(&zs_, flush);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    out.append(chunk, sizeof(chunk) - zs_.avail_out);
  } while (zs_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

void GzipEncoder::write(std::string_view input, std::string& out) { run(input, Z_NO_FLUSH, out); }

void GzipEncoder::finish(std::string& out) { run({}, Z_FINISH, out); }

std::string GzipEncoder::compress(std::string_view input, int level) {
  GzipEncoder encoder(level);
  std::string out;
  out.reserve(input.size() / 3 + 64);
  encoder.write(input, out);
  encoder.finish(out);
  return out;
}

}  // namespace simweb
