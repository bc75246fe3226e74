#include "coordinator/journal.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "coordinator/rocksdb_logger.hpp"

namespace crawler {
namespace {

constexpr std::string_view kUrlPrefix = "u/";
constexpr std::string_view kPausePrefix = "p/";
constexpr std::string_view kQueuePrefix = "q/";
constexpr std::string_view kSeedHostPrefix = "s/";
const std::string kFormatKey = "m/format";
const std::string kDoneKey = "m/done";
const std::string kCrawlIdKey = "m/crawl_id";
const std::string kResultsBytesKey = "m/results_bytes";
const std::string kSeedLinesKey = "m/seed_lines";

// u/ value: [flags][depth: 4 bytes LE], then in format 1 the url as written; flags bit 0
// done, bit 1 check_robots.
std::string encode(std::string_view url, std::uint32_t depth, bool check_robots, bool done) {
  std::string v;
  v.reserve(5 + url.size());
  v += static_cast<char>((done ? 1 : 0) | (check_robots ? 2 : 0));
  for (int i = 0; i < 4; ++i) v += static_cast<char>((depth >> (8 * i)) & 0xff);
  v.append(url);
  return v;
}

/// Reads a u/ value into `e` (whose key is set). False when it is too short to be one.
bool decode_known(const rocksdb::Slice& v, JournalEntry& e) {
  if (v.size() < 5) return false;
  e.done = v[0] & 1;
  e.check_robots = v[0] & 2;
  e.depth = 0;
  for (int i = 0; i < 4; ++i) e.depth |= static_cast<std::uint32_t>(static_cast<unsigned char>(v[1 + i])) << (8 * i);
  if (v.size() > 5) {
    e.url.assign(v.data() + 5, v.size() - 5);
  } else {
    e.url = e.key;
  }
  return true;
}

// q/ key: [depth: 4 bytes BE][key]; value: [check_robots][url as written, when not the key].
std::string queue_key(std::string_view key, std::uint32_t depth) {
  std::string k(kQueuePrefix);
  for (int i = 3; i >= 0; --i) k += static_cast<char>((depth >> (8 * i)) & 0xff);
  k.append(key);
  return k;
}

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

void check(const rocksdb::Status& s, const std::string& dir, const char* what) {
  if (!s.ok()) throw std::runtime_error(dir + ": journal " + what + " failed: " + s.ToString());
}

}  // namespace

bool Journal::exists(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/journal/CURRENT", ec);
}

Journal::Journal(const std::string& dir, bool resume, const std::string& crawl_id, int format)
    : batch_(std::make_unique<rocksdb::WriteBatch>()), format_(format), dir_(dir) {
  const std::string path = dir + "/journal";
  const bool exists = Journal::exists(dir);
  if (resume && !exists) throw std::runtime_error(dir + ": no journal to resume (run without --resume first)");
  if (!resume && exists) {
    throw std::runtime_error(dir + ": holds the journal of an earlier crawl: add --resume to continue it, "
                             "or remove the directory to start again");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  lock_fd_ = ::open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw std::runtime_error(dir + ": cannot open its lock file: " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK) throw std::runtime_error(dir + ": in use by another crawl (its lock is held)");
    throw std::runtime_error(dir + ": cannot lock: " + std::strerror(err));
  }
  // Refused past this point (another crawl's journal, an open failure): the lock is let go,
  // for the destructor does not run.
  try {
    rocksdb::Options options;
    options.create_if_missing = !resume;
    options.IncreaseParallelism(1);
    // A resume after a SIGKILL first replays the log of what was not yet flushed: smaller
    // memtables (RocksDB's default is 64 MiB) bound that wait.
    options.write_buffer_size = std::size_t{16} << 20;
    // After a write error (a full disk) RocksDB must not retry on its own: Debian builds it with
    // its assertions on, and a write after a failed one aborts the process.
    options.max_bgerror_resume_count = 0;
    options.info_log = make_rocksdb_logger();
    // contains() asks for URLs mostly absent: a Bloom filter answers those without a read.
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    rocksdb::DB* db = nullptr;
    check(rocksdb::DB::Open(options, path, &db), dir, "open");
    db_.reset(db);

    std::string stored_id;
    const auto s = db_->Get(rocksdb::ReadOptions(), kCrawlIdKey, &stored_id);
    if (resume) {
      if (!s.ok() || stored_id != crawl_id) {
        throw std::runtime_error(dir + ": the journal belongs to a crawl with other seeds or limits");
      }
      std::string bytes;
      if (db_->Get(rocksdb::ReadOptions(), kResultsBytesKey, &bytes).ok()) committed_bytes_ = std::stoull(bytes);
      std::string lines;
      seeds_queued_ = db_->Get(rocksdb::ReadOptions(), kSeedLinesKey, &lines).ok() ? std::stoull(lines) : kAllSeeds;
      std::string format;
      format_ = db_->Get(rocksdb::ReadOptions(), kFormatKey, &format).ok() ? std::stoi(format) : 1;
      std::string done;
      if (db_->Get(rocksdb::ReadOptions(), kDoneKey, &done).ok()) committed_done_ = std::stoull(done);
    } else {
      rocksdb::WriteBatch first;
      first.Put(kCrawlIdKey, crawl_id);
      first.Put(kSeedLinesKey, "0");
      if (format_ >= 2) first.Put(kFormatKey, std::to_string(format_));
      first.Put(kDoneKey, "0");
      check(db_->Write(rocksdb::WriteOptions(), &first), dir, "write");
    }
  } catch (...) {
    db_.reset();
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

Journal::~Journal() {
  db_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Journal::put(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots, bool done) {
  std::string k(kUrlPrefix);
  k.append(key);
  // Format 2 keeps the URL as written in its q/ entry, while it is queued.
  batch_->Put(k, encode(streams() ? std::string_view() : url, depth, check_robots, done));
}

void Journal::add(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots) {
  put(key, url, depth, check_robots, false);
  if (!streams()) return;
  std::string v(1, check_robots ? '\1' : '\0');
  if (url != key) v.append(url);
  batch_->Put(queue_key(key, depth), v);
}

void Journal::done(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots) {
  put(key, url, depth, check_robots, true);
  if (!streams()) return;
  batch_->Delete(queue_key(key, depth));
  ++pending_done_;
}

void Journal::keep_setting(const std::string& name, const std::string& value, const std::string& why) {
  const std::string key = "m/setting/" + name;
  std::string stored;
  const auto s = db_->Get(rocksdb::ReadOptions(), key, &stored);
  if (s.ok()) {
    if (stored != value) throw std::runtime_error(dir_ + ": " + why);
    return;
  }
  if (!s.IsNotFound()) check(s, dir_, "read");
  check(db_->Put(rocksdb::WriteOptions(), key, value), dir_, "write");
}

void Journal::seed_host(std::string_view host) {
  std::string k(kSeedHostPrefix);
  k.append(host);
  batch_->Put(k, rocksdb::Slice());
}

void Journal::for_each_seed_host(const std::function<void(std::string_view)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const rocksdb::Slice prefix = slice(kSeedHostPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    fn(std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size()));
  }
  check(it->status(), dir_, "read");
}

bool Journal::contains(std::string_view key) const {
  std::string k(kUrlPrefix);
  k.append(key);
  std::string value;
  const auto s = db_->Get(rocksdb::ReadOptions(), k, &value);
  if (s.IsNotFound()) return false;
  check(s, dir_, "read");
  return true;
}

namespace {

/// A JournalCursor over the keys under one prefix.
class PrefixCursor : public JournalCursor {
 public:
  PrefixCursor(rocksdb::DB& db, std::string_view prefix, bool queue, const std::string& dir)
      : prefix_(prefix), queue_(queue), dir_(dir) {
    upper_ = prefix_;
    upper_.back() = static_cast<char>(upper_.back() + 1);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db.NewIterator(ro));
    it_->Seek(prefix_);
  }

  bool next(JournalEntry& e) override {
    for (; it_->Valid(); it_->Next()) {
      const auto k = it_->key();
      const auto v = it_->value();
      if (queue_) {
        if (k.size() < prefix_.size() + 4 || v.empty()) continue;
        e.depth = 0;
        for (int i = 0; i < 4; ++i) e.depth = (e.depth << 8) | static_cast<unsigned char>(k[prefix_.size() + i]);
        e.key.assign(k.data() + prefix_.size() + 4, k.size() - prefix_.size() - 4);
        e.check_robots = v[0] != 0;
        e.done = false;
        if (v.size() > 1) {
          e.url.assign(v.data() + 1, v.size() - 1);
        } else {
          e.url = e.key;
        }
      } else {
        e.key.assign(k.data() + prefix_.size(), k.size() - prefix_.size());
        if (!decode_known(v, e)) continue;
      }
      it_->Next();
      return true;
    }
    check(it_->status(), dir_, "read");
    return false;
  }

 private:
  std::string prefix_;
  std::string upper_;
  rocksdb::Slice upper_slice_;  ///< must outlive the iterator
  bool queue_;
  const std::string& dir_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

std::unique_ptr<JournalCursor> Journal::queued() const {
  return std::make_unique<PrefixCursor>(*db_, kQueuePrefix, /*queue=*/true, dir_);
}

std::unique_ptr<JournalCursor> Journal::known() const {
  return std::make_unique<PrefixCursor>(*db_, kUrlPrefix, /*queue=*/false, dir_);
}

void Journal::pause(std::string_view host, std::int64_t until_ms, std::int64_t last_ms, std::uint32_t incidents) {
  std::string k(kPausePrefix);
  k.append(host);
  batch_->Put(k, std::to_string(until_ms) + " " + std::to_string(last_ms) + " " + std::to_string(incidents));
}

void Journal::for_each_pause(
    const std::function<void(std::string_view, std::int64_t, std::int64_t, std::uint32_t)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const rocksdb::Slice prefix(kPausePrefix.data(), kPausePrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    long long until = 0, last = 0;
    unsigned incidents = 0;
    const std::string v = it->value().ToString();
    if (std::sscanf(v.c_str(), "%lld %lld %u", &until, &last, &incidents) != 3) continue;
    fn(std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size()), until, last, incidents);
  }
  check(it->status(), dir_, "read");
}

void Journal::seeds_queued_through(std::uint64_t line) {
  batch_->Put(kSeedLinesKey, std::to_string(line));
}

std::size_t Journal::pending() const { return static_cast<std::size_t>(batch_->Count()); }

void Journal::commit(std::uint64_t results_bytes) {
  if (!error_.empty()) throw std::runtime_error(error_);
  batch_->Put(kResultsBytesKey, std::to_string(results_bytes));
  if (pending_done_ != 0) batch_->Put(kDoneKey, std::to_string(committed_done_ + pending_done_));
  const auto s = db_->Write(rocksdb::WriteOptions(), batch_.get());
  batch_->Clear();
  if (!s.ok()) {
    error_ = dir_ + ": journal write failed: " + s.ToString();
    throw std::runtime_error(error_);
  }
  committed_bytes_ = results_bytes;
  committed_done_ += pending_done_;
  pending_done_ = 0;
}

void Journal::discard_pending() {
  batch_->Clear();
  pending_done_ = 0;
}

void Journal::for_each(const std::function<void(const JournalEntry&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  JournalEntry e;
  for (it->Seek(rocksdb::Slice(kUrlPrefix.data(), kUrlPrefix.size())); it->Valid(); it->Next()) {
    const auto k = it->key();
    if (!k.starts_with(rocksdb::Slice(kUrlPrefix.data(), kUrlPrefix.size()))) break;
    e.key.assign(k.data() + kUrlPrefix.size(), k.size() - kUrlPrefix.size());
    if (!decode_known(it->value(), e)) continue;
    if (!e.done && streams()) {  // the URL as written is in its q/ entry
      std::string v;
      if (db_->Get(rocksdb::ReadOptions(), queue_key(e.key, e.depth), &v).ok() && v.size() > 1) e.url = v.substr(1);
    }
    fn(e);
  }
  check(it->status(), dir_, "read");
}

}  // namespace crawler
