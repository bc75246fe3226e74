#pragma once
/// Reads a seed file: one URL per line.

#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

/// One accepted seed.
struct Seed {
  std::string url;         ///< as written (trimmed): the source column of its result lines
  std::string normalized;  ///< normalised form, the dedup key
  std::size_t line = 0;    ///< 1-based line number in the file
};

/// What a seed file held.
struct SeedList {
  std::vector<Seed> seeds;
  std::size_t lines = 0;       ///< lines read
  std::size_t duplicates = 0;  ///< lines whose normalised URL was already seen (dropped)
  std::size_t bad = 0;         ///< malformed lines (only with skip_bad)
  std::vector<std::string> bad_messages;  ///< "FILE:LINE: reason" for each bad line (first 100)
  bool interrupted = false;  ///< `keep_going` said stop: the list is incomplete
};

/// Asked every few thousand lines while seeds are read; false stops reading (e.g. on a signal).
using KeepReading = std::function<bool()>;

/// A malformed seed line when skip_bad is false; what() is "FILE:LINE: reason".
class SeedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FdBuf;

/// Seeds one at a time, checked as read_seeds() checks them but not deduplicated: how a crawl
/// reads a seed file too large to hold. Single-threaded.
class SeedStream {
 public:
  /// Reads `in`, named `name` in messages.
  SeedStream(std::istream& in, std::string name, bool skip_bad, KeepReading keep_going = {});
  /// Reads the file at `path`, or standard input when `path` is "-". Throws SeedError when the
  /// file cannot be opened.
  SeedStream(const std::string& path, bool skip_bad, KeepReading keep_going = {});
  ~SeedStream();
  SeedStream(const SeedStream&) = delete;
  SeedStream& operator=(const SeedStream&) = delete;

  /// The next acceptable seed; nullopt at the end of the input, or when `keep_going` said stop
  /// (interrupted()). A bad line throws SeedError ("NAME:LINE: reason"), or with skip_bad is
  /// counted and skipped; so does a read error.
  std::optional<Seed> next();
  std::size_t lines() const { return lines_; }
  std::size_t bad() const { return bad_; }
  /// "NAME:LINE: reason" for each bad line skipped (the first 100).
  const std::vector<std::string>& bad_messages() const { return bad_messages_; }
  bool interrupted() const { return interrupted_; }
  const std::string& name() const { return name_; }

 private:
  std::unique_ptr<FdBuf> buffer_;
  std::unique_ptr<std::istream> owned_;
  std::istream* in_;
  std::string name_;
  bool skip_bad_;
  KeepReading keep_going_;
  int fd_ = -1;  ///< closed by the destructor (not stdin)
  std::size_t lines_ = 0;
  std::size_t bad_ = 0;
  std::vector<std::string> bad_messages_;
  bool interrupted_ = false;
  std::string line_;
};

/// Reads seeds from `in`; `name` names the source in messages. Blank lines and lines whose first
/// non-blank character is '#' are skipped. A line that is not an absolute http(s) URL, holds a
/// control character or is longer than 8 KiB is bad: it throws SeedError, or with `skip_bad`
/// is counted in `bad` and skipped. Duplicates (by normalised URL) are counted and dropped.
SeedList read_seeds(std::istream& in, std::string_view name, bool skip_bad,
                    const KeepReading& keep_going = {});

/// Reads seeds from the file at `path`, or standard input when `path` is "-".
/// Throws SeedError when the file cannot be opened.
SeedList read_seed_file(const std::string& path, bool skip_bad, const KeepReading& keep_going = {});

}  // namespace crawler
