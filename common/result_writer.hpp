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
class ResultWriter {
 public:
  /// Opens (truncates, or appends with `append`) `path`; "-" is standard output.
  /// Throws std::runtime_error naming the path when it cannot be opened.
  ResultWriter(const std::string& path, OutputFormat format, bool append = false);
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  /// tsv: one `url<TAB>link` line per link (nothing for a page without links or a failed one);
  /// jsonl: one object per record. Returns the number of lines added.
  std::size_t write(const PageRecord& record);
  /// Writes buffered lines to the file. Throws std::runtime_error on an I/O error.
  void flush();

  std::uint64_t lines_written() const;
  /// Size of the file after everything flushed so far (including what it held when opened
  /// for appending): the length a resumed crawl may truncate it back to.
  std::uint64_t flushed_bytes() const;

  /// The exact bytes write() adds for `record` (exposed for tests).
  static std::string format(const PageRecord& record, OutputFormat format);

 private:
  void write_all_locked(const std::string& data);

  mutable std::mutex mutex_;
  int fd_ = -1;
  bool owns_fd_ = false;
  OutputFormat format_;
  std::string path_;
  std::string buffer_;
  std::uint64_t lines_ = 0;
  std::uint64_t flushed_bytes_ = 0;
};

/// Appends `s` to `out` as a JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);

}  // namespace crawler
