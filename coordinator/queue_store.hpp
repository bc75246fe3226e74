#pragma once
/// The frontier's disk: queued URLs that do not fit its RAM budget, per host, in queue order.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "coordinator/url_queue.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace crawler {

/// Where the store lives and how large it may grow.
struct QueueStoreOptions {
  /// Its directory, emptied when it is opened and removed when the store is destroyed. Empty:
  /// a private directory made under TMPDIR (or /tmp).
  std::string dir;
  /// Bytes at most (of sorted files on disk, or of entries stored, whichever is larger: RocksDB
  /// writes its files a while after it is given the entries); 0: as many as leave kReserveFree
  /// bytes free on the filesystem. Past it, full() is true.
  std::uint64_t disk_max = 0;
  static constexpr std::uint64_t kReserveFree = 1ull << 30;
};

/// A scratch RocksDB of chunks of packed UrlQueue entries. A chunk's key is (host id, sequence
/// number of its first entry within the host's queue), both big-endian, so a host's chunks sort
/// in queue order and a seek to the host's next sequence number lands on its next chunk (the
/// chunks before it, already taken, are tombstones the seek does not visit). Nothing is synced
/// and there is no write-ahead log: the store is rebuilt from the journal on --resume, so a
/// crash may lose it whole. It is opened on the first put(), so a crawl that fits its budget
/// never touches the disk. Single-threaded; RocksDB compacts on its own threads.
///
/// Every error (a full disk, an unwritable directory) throws std::runtime_error naming the
/// directory; after one, every later call throws it again.
class QueueStore {
 public:
  explicit QueueStore(QueueStoreOptions options);
  ~QueueStore();
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;

  /// Stores `packed` (whole entries, oldest first) as the entries of `host` from sequence
  /// number `first` on. Written with the next flush() or take().
  void put(std::uint64_t host, std::uint64_t first, std::string_view packed);
  /// Writes what put() gathered.
  void flush();
  /// Moves the entries of `host` from sequence number `first` on into `out`, whole chunks,
  /// until at least `want` entries were moved or the host has no more; returns how many.
  std::size_t take(std::uint64_t host, std::uint64_t first, std::size_t want, UrlQueue& out);

  /// Keeps `value` under `order` in an area of its own, to be read back sorted: how a --resume
  /// larger than RAM puts the journal's URLs in depth order.
  void stash(std::uint64_t order, std::string_view value);
  /// Calls `fn` with every stashed value whose order is below `below`, in order, then forgets them.
  void drain_stash(const std::function<void(std::string_view)>& fn, std::uint64_t below = ~std::uint64_t{0});

  /// True when the store must not grow (see QueueStoreOptions::disk_max). Checked against the
  /// filesystem at most once a second.
  bool full();
  /// Bytes of the store's sorted files on disk (0 before it is opened); at most a second old.
  std::uint64_t disk_bytes();
  /// The directory (empty before the store is opened).
  const std::string& dir() const { return dir_; }

 private:
  void open();
  void refresh_usage();
  [[noreturn]] void fail(const std::string& what);

  QueueStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::string dir_;
  std::string error_;
  std::uint64_t disk_bytes_ = 0;
  std::uint64_t live_bytes_ = 0;  ///< packed bytes put and not taken
  std::uint64_t free_bytes_ = ~0ull;
  std::chrono::steady_clock::time_point usage_checked_{};
};

}  // namespace crawler
