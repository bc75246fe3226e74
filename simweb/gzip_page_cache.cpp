#include "simweb/gzip_page_cache.hpp"

#include <mutex>

namespace simweb {

GzipPageCache::GzipPageCache(std::size_t pages, std::size_t max_bytes)
    : bodies_(max_bytes > 0 ? pages : 0), max_bytes_(max_bytes) {}

std::string GzipPageCache::get(std::size_t page, const std::function<std::string()>& compress) {
  if (page >= bodies_.size()) return compress();
  {
    std::shared_lock lock(mutex_);
    if (!bodies_[page].empty()) return bodies_[page];
  }
  std::string body = compress();  // outside the lock: two threads may both compress, once each
  std::unique_lock lock(mutex_);
  if (bodies_[page].empty() && bytes_ + body.size() <= max_bytes_) {
    bytes_ += body.size();
    bodies_[page] = body;
  }
  return body;
}

}  // namespace simweb
