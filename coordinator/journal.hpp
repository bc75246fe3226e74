#pragma once
/// The coordinator's journal in --state-dir (RocksDB): every URL known, which are done, and how
/// many bytes of the results file are committed. After a SIGKILL at any moment, --resume
/// truncates the results file to the committed length and re-queues every URL not done, so no
/// result line is lost and none is written twice.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace crawler {

/// One URL as the journal holds it.
struct JournalEntry {
  std::string key;             ///< normalised URL (the dedup key)
  std::string url;             ///< as written (the source column)
  std::uint32_t depth = 0;
  bool check_robots = false;
  bool done = false;
};

/// Write-ahead record of a crawl. Changes are grouped and applied atomically by commit();
/// a commit survives a killed process (RocksDB's write-ahead log, no fsync per commit).
/// The directory is locked (flock on DIR/lock) for the journal's life: a second crawl is
/// refused. After a failed write (a full disk) the journal never touches RocksDB again: every
/// later commit() throws the same error, so the last good commit stays what --resume finds.
/// Single-threaded.
class Journal {
 public:
  /// Opens `dir`. `resume` false: the dir must not hold a journal yet (it is created);
  /// true: it must. `crawl_id` (a digest of the seeds and limits) must match on resume.
  /// Throws std::runtime_error naming the dir and the problem.
  Journal(const std::string& dir, bool resume, const std::string& crawl_id);
  /// True when `dir` holds a journal (what --resume=auto asks).
  static bool exists(const std::string& dir);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Records a newly known URL (queued), in the pending group.
  void add(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots);
  /// Records a URL as done, in the pending group.
  void done(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots);
  /// Applies the pending group atomically together with the committed results length.
  /// Throws std::runtime_error naming the dir on a write error (and on every call after one).
  void commit(std::uint64_t results_bytes);
  /// Drops the pending group (after a results write failed: it may name lines that are lost).
  void discard_pending();
  /// Changes waiting for commit().
  std::size_t pending() const;

  /// Records a host's pause (see HostBackoff) in the pending group.
  void pause(std::string_view host, std::int64_t until_ms, std::int64_t last_ms, std::uint32_t incidents);
  /// Calls `fn(host, until_ms, last_ms, incidents)` for every pause recorded (on resume).
  void for_each_pause(
      const std::function<void(std::string_view, std::int64_t, std::int64_t, std::uint32_t)>& fn) const;

  /// Records, in the pending group, that the seeds of the seed file's lines up to `line` are
  /// queued (kAllSeeds: every one).
  void seeds_queued_through(std::uint64_t line);
  /// How far the seeds were queued as of the last commit: a resumed crawl queues the seeds
  /// of the later lines. (A journal without the record queued all its seeds before its first
  /// commit: kAllSeeds.)
  std::uint64_t seeds_queued() const { return seeds_queued_; }
  static constexpr std::uint64_t kAllSeeds = ~std::uint64_t{0};

  /// The results length of the last commit (0 for a new journal).
  std::uint64_t committed_results_bytes() const { return committed_bytes_; }
  /// Calls `fn` for every URL in the journal (on resume).
  void for_each(const std::function<void(const JournalEntry&)>& fn) const;

 private:
  void put(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots, bool done);

  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::uint64_t committed_bytes_ = 0;
  std::uint64_t seeds_queued_ = 0;
  std::string dir_;
  std::string error_;  ///< the first failed write; RocksDB is not written after one
  int lock_fd_ = -1;
};

}  // namespace crawler
