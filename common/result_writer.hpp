#pragma once
/// The single writer of results.txt: turns PageRecords into whole output lines.

#include <cstdint>
#include <mutex>
#include <string>

#include "common/page_record.hpp"

namespace crawler {

/// Output format of the results file.
enum class OutputFormat { kTsv, kJsonl };

/// Appends records to a file as whole lines. Thread-safe: concurrent write() calls never
/// interleave within a line. Lines are buffered (64 KiB) and reach the file only as whole
/// lines, each buffer with one write(2); flush() pushes everything written so far.
///
/// A failed write (a full disk, a closed pipe) is cut back to the last whole line where the
/// file allows it, throws once, and leaves the writer failed: later writes throw the same
/// error and are not counted, flush() does nothing. lines_flushed() and flushed_bytes() always
/// describe what the file holds.
class ResultWriter {
 public:
  /// Opens `path` ("-" is standard output). A regular file is locked (flock, exclusive) for the
  /// writer's life, so a second writer of the same file is refused. It is then truncated to
  /// empty, or with `append` kept as it is (see truncate_to()). Throws std::runtime_error
  /// naming the path when it cannot be opened or is locked by another process.
  ResultWriter(const std::string& path, OutputFormat format, bool append = false);
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  /// tsv: one `url<TAB>link` line per link (nothing for a page without links or a failed one);
  /// jsonl: one object per record. Returns the number of lines added.
  std::size_t write(const PageRecord& record);
  /// Writes buffered lines to the file. Throws std::runtime_error on an I/O error.
  void flush();

  /// Cuts the file to `size` bytes (a resumed crawl drops lines its journal never committed).
  /// Throws std::runtime_error naming the path when the file is shorter than `size`, or when it
  /// is not a regular file and `size` is not 0. Call before the first write().
  void truncate_to(std::uint64_t size);

  /// Lines handed to write() and not lost to a failure (buffered ones included).
  std::uint64_t lines_written() const;
  /// Lines that reached the file.
  std::uint64_t lines_flushed() const;
  /// True after a write to the file failed (see the class comment).
  bool failed() const;
  /// Size of the file after everything flushed so far (including what it held when opened
  /// for appending): the length a resumed crawl may truncate it back to.
  std::uint64_t flushed_bytes() const;

  /// The exact bytes write() adds for `record` (exposed for tests).
  static std::string format(const PageRecord& record, OutputFormat format);

 private:
  void write_all_locked(const std::string& data);
  void flush_locked();


  mutable std::mutex mutex_;
  int fd_ = -1;
  bool owns_fd_ = false;
  OutputFormat format_;
  std::string path_;
  std::string buffer_;
  bool regular_file_ = false;
  std::uint64_t lines_ = 0;          ///< buffered and flushed
  std::uint64_t buffered_lines_ = 0;  ///< in buffer_
  std::uint64_t flushed_bytes_ = 0;
  std::string error_;  ///< the failure, once a write failed
};

/// Appends `s` to `out` as a JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);

}  // namespace crawler
