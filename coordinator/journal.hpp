#pragma once
/// The coordinator's journal in --state-dir (RocksDB): every URL known, which are done, and how
/// many bytes of the results file are committed. After a SIGKILL at any moment, --resume
/// truncates the results file to the committed length and re-queues every URL not done, so no
/// result line is lost and none is written twice.
///
/// Keys: u/KEY for every URL known (KEY its normalised form; the value says done or not, and
/// its depth); q/DEPTH KEY for every URL queued and not done (DEPTH 4 bytes big-endian, so they
/// sort shallowest first, as a resume queues them); s/HOST for the hosts of seeds; p/HOST for
/// host pauses; m/... for the crawl's id, the committed results length, the seed lines queued
/// and the count of URLs done. So a resume reads back the queue already in order, a slice at a
/// time, while the crawl runs (see ResumeFeeder). Journals written before the q/ keys existed
/// (format 1) hold the URL as written in every u/ value; they resume by reading everything
/// first (for_each).

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

/// Reads one area of the journal in key order, a few entries at a time (see Journal::queued()
/// and Journal::known()). It sees the journal as it was when made; it must not outlive it.
class JournalCursor {
 public:
  virtual ~JournalCursor() = default;
  /// The next entry; false at the end. Throws std::runtime_error naming the dir on a read error.
  virtual bool next(JournalEntry& entry) = 0;
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
  /// `format` is that of a new journal: 1 only to test what older versions wrote.
  Journal(const std::string& dir, bool resume, const std::string& crawl_id, int format = 2);
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

  /// True when the journal keeps its queue in order (q/ keys): a resume can stream it with
  /// queued() and known() instead of reading it all with for_each(). New journals do.
  bool streams() const { return format_ >= 2; }
  /// The URLs queued and not done, shallowest first (then by key): key, url, depth, check_robots.
  std::unique_ptr<JournalCursor> queued() const;
  /// Every URL known, done or not: key, depth, done (url left empty).
  std::unique_ptr<JournalCursor> known() const;
  /// True when `key` is a URL the journal knows (as of the last commit).
  bool contains(std::string_view key) const;
  /// URLs done as of the last commit (kept by journals that stream).
  std::uint64_t done_count() const { return committed_done_; }
  /// A setting of the crawl that --resume must keep though it is not part of the crawl's id:
  /// on a new journal it is written at once; on a resumed one, when the journal has it (older
  /// ones may not) and it differs, this throws std::runtime_error with `why`, naming the dir.
  void keep_setting(const std::string& name, const std::string& value, const std::string& why);

  /// Records, in the pending group, the host of a seed (the hosts the user named).
  void seed_host(std::string_view host);
  /// Calls `fn` with every host seed_host() recorded (on resume).
  void for_each_seed_host(const std::function<void(std::string_view)>& fn) const;

 private:
  void put(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots, bool done);

  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::uint64_t committed_bytes_ = 0;
  std::uint64_t seeds_queued_ = 0;
  int format_ = 2;
  std::uint64_t committed_done_ = 0;
  std::uint64_t pending_done_ = 0;  ///< done() calls in the pending group
  std::string dir_;
  std::string error_;  ///< the first failed write; RocksDB is not written after one
  int lock_fd_ = -1;
};

}  // namespace crawler
