#include "simweb/page_writer.hpp"

#include <zlib.h>

#include <algorithm>

#include "simweb/filler_pool.hpp"

namespace simweb {
namespace {

// gzip header: magic, CM=deflate, no flags, mtime 0, XFL 0, OS 255 (unknown).
constexpr char kGzipHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
constexpr std::size_t kMaxStored = 65535;

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

PageWriter::PageWriter(bool gzip) : gzip_(gzip) {
  out_.reserve(gzip ? 16 * 1024 : 32 * 1024);
  if (gzip_) out_.append(kGzipHeader, sizeof(kGzipHeader));
}

PageWriter& PageWriter::operator+=(std::string_view markup) {
  size_ += markup.size();
  (gzip_ ? pending_ : out_).append(markup);
  return *this;
}

void PageWriter::append_filler(std::size_t index) {
  const auto& pool = FillerPool::instance();
  const auto text = pool.text(index);
  size_ += text.size();
  if (!gzip_) {
    out_.append(text);
    return;
  }
  flush_markup();
  out_.append(pool.deflated(index));
  crc_ = static_cast<std::uint32_t>(crc32_combine_op(crc_, pool.crc(index), pool.crc_op(index)));
}

void PageWriter::flush_markup() {
  crc_ = static_cast<std::uint32_t>(crc32(crc_, reinterpret_cast<const Bytef*>(pending_.data()),
                                          static_cast<uInt>(pending_.size())));
  // Stored blocks: the stream is byte-aligned here, so each header is one byte (BFINAL=0,
  // BTYPE=00) followed by LEN and its one's complement.
  for (std::size_t at = 0; at < pending_.size(); at += kMaxStored) {
    const auto len = static_cast<std::uint16_t>(std::min(kMaxStored, pending_.size() - at));
    const auto nlen = static_cast<std::uint16_t>(~len);
    const char header[5] = {0, static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
                            static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)};
    out_.append(header, sizeof(header));
    out_.append(pending_, at, len);
  }
  pending_.clear();
}

std::string PageWriter::finish() {
  if (gzip_) {
    flush_markup();
    // A final empty stored block ends the deflate stream.
    const char last[5] = {1, 0, 0, '\xff', '\xff'};
    out_.append(last, sizeof(last));
    put_le32(out_, crc_);
    put_le32(out_, static_cast<std::uint32_t>(size_));
  }
  return std::move(out_);
}

}  // namespace simweb
