#include "coordinator/journal.hpp"

#include <rocksdb/db.h>
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
const std::string kCrawlIdKey = "m/crawl_id";
const std::string kResultsBytesKey = "m/results_bytes";
const std::string kSeedLinesKey = "m/seed_lines";

// Value layout: [flags][depth: 4 bytes LE][url as written]; flags bit 0 done, bit 1 check_robots.
std::string encode(std::string_view url, std::uint32_t depth, bool check_robots, bool done) {
  std::string v;
  v.reserve(5 + url.size());
  v += static_cast<char>((done ? 1 : 0) | (check_robots ? 2 : 0));
  for (int i = 0; i < 4; ++i) v += static_cast<char>((depth >> (8 * i)) & 0xff);
  v.append(url);
  return v;
}

void check(const rocksdb::Status& s, const std::string& dir, const char* what) {
  if (!s.ok()) throw std::runtime_error(dir + ": journal " + what + " failed: " + s.ToString());
}

}  // namespace

bool Journal::exists(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/journal/CURRENT", ec);
}

Journal::Journal(const std::string& dir, bool resume, const std::string& crawl_id)
    : batch_(std::make_unique<rocksdb::WriteBatch>()), dir_(dir) {
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
    // After a write error (a full disk) RocksDB must not retry on its own: Debian builds it with
    // its assertions on, and a write after a failed one aborts the process.
    options.max_bgerror_resume_count = 0;
    options.info_log = make_rocksdb_logger();
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
    } else {
      rocksdb::WriteBatch first;
      first.Put(kCrawlIdKey, crawl_id);
      first.Put(kSeedLinesKey, "0");
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
  batch_->Put(k, encode(url, depth, check_robots, done));
}

void Journal::add(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots) {
  put(key, url, depth, check_robots, false);
}

void Journal::done(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots) {
  put(key, url, depth, check_robots, true);
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
  const auto s = db_->Write(rocksdb::WriteOptions(), batch_.get());
  batch_->Clear();
  if (!s.ok()) {
    error_ = dir_ + ": journal write failed: " + s.ToString();
    throw std::runtime_error(error_);
  }
  committed_bytes_ = results_bytes;
}

void Journal::discard_pending() { batch_->Clear(); }

void Journal::for_each(const std::function<void(const JournalEntry&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  JournalEntry e;
  for (it->Seek(rocksdb::Slice(kUrlPrefix.data(), kUrlPrefix.size())); it->Valid(); it->Next()) {
    const auto k = it->key();
    if (!k.starts_with(rocksdb::Slice(kUrlPrefix.data(), kUrlPrefix.size()))) break;
    const auto v = it->value();
    if (v.size() < 5) continue;
    e.key.assign(k.data() + kUrlPrefix.size(), k.size() - kUrlPrefix.size());
    e.done = v[0] & 1;
    e.check_robots = v[0] & 2;
    e.depth = 0;
    for (int i = 0; i < 4; ++i) e.depth |= static_cast<std::uint32_t>(static_cast<unsigned char>(v[1 + i])) << (8 * i);
    e.url.assign(v.data() + 5, v.size() - 5);
    fn(e);
  }
  check(it->status(), dir_, "read");
}

}  // namespace crawler
