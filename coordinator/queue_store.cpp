#include "coordinator/queue_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "coordinator/rocksdb_logger.hpp"

namespace crawler {
namespace {

constexpr auto kUsageEvery = std::chrono::seconds(1);
constexpr std::size_t kBatchBytes = 4 << 20;
/// The host id of the stash: host ids count up from 0 and never get near it.
constexpr std::uint64_t kStashHost = ~std::uint64_t{0} - 1;

std::string chunk_key(std::uint64_t host, std::uint64_t seq) {
  std::string key(16, '\0');
  for (int i = 0; i < 8; ++i) {
    key[i] = static_cast<char>(host >> (56 - 8 * i));
    key[8 + i] = static_cast<char>(seq >> (56 - 8 * i));
  }
  return key;
}

std::uint64_t key_part(const rocksdb::Slice& key, int part) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(key[8 * part + i]);
  return v;
}

std::string temp_parent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

QueueStore::QueueStore(QueueStoreOptions options)
    : options_(std::move(options)), batch_(std::make_unique<rocksdb::WriteBatch>()) {}

QueueStore::~QueueStore() {
  db_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void QueueStore::fail(const std::string& what) {
  if (error_.empty()) error_ = (dir_.empty() ? options_.dir : dir_) + ": frontier store: " + what;
  throw std::runtime_error(error_);
}

void QueueStore::open() {
  std::error_code ec;
  if (options_.dir.empty()) {
    std::string pattern = temp_parent() + "/crawl-frontier-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      fail("cannot make a directory under " + temp_parent() + ": " + std::strerror(errno));
    }
    dir_ = buf.data();
  } else {
    // Scratch: what an earlier run left here is rebuilt from the journal, not read.
    std::filesystem::remove_all(options_.dir, ec);
    std::filesystem::create_directories(options_.dir, ec);
    if (ec) fail("cannot create the directory: " + ec.message());
    dir_ = options_.dir;
  }
  rocksdb::Options o;
  o.create_if_missing = true;
  o.max_background_jobs = 2;
  // RAM outside the frontier's budget: two memtables and a small block cache.
  o.write_buffer_size = 16 << 20;
  o.max_write_buffer_number = 2;
  o.compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  table.block_cache = rocksdb::NewLRUCache(8 << 20);
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.avoid_flush_during_shutdown = true;
  o.max_bgerror_resume_count = 0;  // see Journal: a write after a failed one aborts Debian's build
  o.info_log = make_rocksdb_logger();
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(o, dir_, &db);
  if (!s.ok()) fail("open failed: " + s.ToString());
  db_.reset(db);
  spdlog::info("frontier: queued URLs past --frontier-memory go to {}", dir_);
}

void QueueStore::put(std::uint64_t host, std::uint64_t first, std::string_view packed) {
  if (!error_.empty()) throw std::runtime_error(error_);
  if (!db_) open();
  batch_->Put(chunk_key(host, first), rocksdb::Slice(packed.data(), packed.size()));
  live_bytes_ += packed.size();
  // Written in slices: one spill can move a quarter of the budget, and a WriteBatch keeps the
  // capacity it grew to.
  if (batch_->GetDataSize() >= kBatchBytes) flush();
}

void QueueStore::flush() {
  if (!error_.empty()) throw std::runtime_error(error_);
  if (batch_->Count() == 0) return;
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  const auto s = db_->Write(wo, batch_.get());
  batch_ = std::make_unique<rocksdb::WriteBatch>();
  if (!s.ok()) fail("write failed: " + s.ToString());
}

std::size_t QueueStore::take(std::uint64_t host, std::uint64_t first, std::size_t want, UrlQueue& out) {
  flush();
  if (!db_) return 0;
  const std::string upper = chunk_key(host + 1, 0);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::size_t moved = 0;
  for (it->Seek(chunk_key(host, first)); it->Valid() && moved < want; it->Next()) {
    const auto key = it->key();
    // Chunks are contiguous: the next one starts where the last one ended.
    if (key.size() != 16 || key_part(key, 0) != host || key_part(key, 1) != first + moved) break;
    const std::string_view packed(it->value().data(), it->value().size());
    const std::size_t n = UrlQueue::count_packed(packed);
    out.append_packed(packed, n);
    batch_->Delete(key);
    live_bytes_ -= std::min<std::uint64_t>(live_bytes_, packed.size());
    moved += n;
  }
  if (!it->status().ok()) fail("read failed: " + it->status().ToString());
  return moved;
}

void QueueStore::stash(std::uint64_t order, std::string_view value) {
  put(kStashHost, order, value);
}

void QueueStore::drain_stash(const std::function<void(std::string_view)>& fn, std::uint64_t below) {
  flush();
  if (!db_) return;
  const std::string lower = chunk_key(kStashHost, 0);
  const std::string upper = below == ~std::uint64_t{0} ? chunk_key(kStashHost + 1, 0) : chunk_key(kStashHost, below);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    live_bytes_ -= std::min<std::uint64_t>(live_bytes_, it->value().size());
    fn(std::string_view(it->value().data(), it->value().size()));
  }
  if (!it->status().ok()) fail("read failed: " + it->status().ToString());
  it.reset();
  flush();  // what fn queued
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  const auto s = db_->DeleteRange(wo, db_->DefaultColumnFamily(), lower, upper);
  if (!s.ok()) fail("write failed: " + s.ToString());
}

void QueueStore::refresh_usage() {
  const auto now = std::chrono::steady_clock::now();
  if (now - usage_checked_ < kUsageEvery) return;
  usage_checked_ = now;
  if (db_) {
    std::uint64_t v = 0;
    if (db_->GetIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &v)) disk_bytes_ = v;
  }
  struct statvfs fs {};
  const std::string where = !dir_.empty()                ? dir_
                            : options_.dir.empty()       ? temp_parent()
                                                         : std::filesystem::path(options_.dir).parent_path().string();
  if (::statvfs(where.empty() ? "." : where.c_str(), &fs) == 0) {
    free_bytes_ = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
}

bool QueueStore::full() {
  refresh_usage();
  if (options_.disk_max != 0) return std::max(disk_bytes_, live_bytes_) >= options_.disk_max;
  return free_bytes_ < QueueStoreOptions::kReserveFree;
}

std::uint64_t QueueStore::disk_bytes() {
  refresh_usage();
  return disk_bytes_;
}

}  // namespace crawler
