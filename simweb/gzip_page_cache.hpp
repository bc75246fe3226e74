#pragma once
/// The gzip bodies of the site's pages, compressed once and kept within a memory budget.

#include <cstddef>
#include <functional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace simweb {

/// Pages are compressed whole (one deflate stream, as real servers do), which costs the server
/// ~0.2 ms a page: the cache makes a page's second request cost a copy. Past `max_bytes` new
/// bodies are compressed on every request and not kept. Thread-safe.
class GzipPageCache {
 public:
  GzipPageCache(std::size_t pages, std::size_t max_bytes);

  /// The gzip body of page `page` (0 <= page < pages): cached, or `compress()`ed now.
  std::string get(std::size_t page, const std::function<std::string()>& compress);

 private:
  std::shared_mutex mutex_;
  std::vector<std::string> bodies_;  ///< empty: not cached
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
};

}  // namespace simweb
