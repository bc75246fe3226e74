#pragma once
/// A FIFO of URLs to fetch, packed into one byte buffer: the frontier's per-host queue.

#include <cstdint>
#include <string>
#include <string_view>

namespace crawler {

/// One queued URL.
struct QueuedUrl {
  std::string url;
  std::uint32_t depth = 0;
  bool check_robots = false;
};

/// Entries are stored back to back as (varint depth*2+check_robots, varint length, bytes), so a
/// queued URL costs its length plus 2-6 bytes, against ~130 for a std::deque of std::string.
/// The frontier holds millions of them (see bench/frontier_memory.cpp). Popped bytes are
/// reclaimed when they make up half the buffer, so push and pop are amortised O(1).
class UrlQueue {
 public:
  void push(std::string_view url, std::uint32_t depth, bool check_robots);
  /// Removes and returns the oldest entry. The queue must not be empty.
  QueuedUrl pop();
  /// The depth of the oldest entry. The queue must not be empty.
  std::uint32_t front_depth() const;
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  /// Bytes allocated for the buffer.
  std::size_t capacity_bytes() const { return buf_.capacity(); }

  // The packed form, for moving entries to and from disk (see QueueStore) without unpacking.
  /// Appends `count` entries given in the packed form (as keep_first() returns them).
  void append_packed(std::string_view packed, std::size_t count);
  /// Keeps the oldest `keep` entries and removes the rest, returning them packed, oldest first
  /// (nothing when size() <= keep).
  std::string keep_first(std::size_t keep);
  /// The number of packed entries in `packed`, and the offset just past the `n`th of them.
  static std::size_t count_packed(std::string_view packed);
  static std::size_t skip_packed(std::string_view packed, std::size_t n);

 private:
  std::string buf_;
  std::size_t head_ = 0;  ///< offset of the oldest entry
  std::size_t count_ = 0;
};

}  // namespace crawler
