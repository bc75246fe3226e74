#include "simweb/page_writer.hpp"

#include "simweb/filler_pool.hpp"
#include "simweb/gzip_encoder.hpp"

namespace simweb {

PageWriter::PageWriter(bool gzip) : gzip_(gzip) { out_.reserve(32 * 1024); }

PageWriter& PageWriter::operator+=(std::string_view markup) {
  out_.append(markup);
  return *this;
}

void PageWriter::append_filler(std::size_t index) { out_.append(FillerPool::instance().text(index)); }

std::string PageWriter::finish() { return gzip_ ? GzipEncoder::compress(out_, 1) : std::move(out_); }

}  // namespace simweb
