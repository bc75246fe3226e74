#include "common/result_writer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace crawler {
namespace {

constexpr std::size_t kFlushAt = 64 * 1024;

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

void append_json_field(std::string& out, const char* name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  append_json_string(out, value);
  out += ',';
}

void append_json_number(std::string& out, const char* name, double value, bool last = false) {
  char buf[64];
  const int n = (value == static_cast<double>(static_cast<std::int64_t>(value)))
                    ? std::snprintf(buf, sizeof buf, "\"%s\":%lld", name, static_cast<long long>(value))
                    : std::snprintf(buf, sizeof buf, "\"%s\":%.3f", name, value);
  out.append(buf, static_cast<std::size_t>(n));
  if (!last) out += ',';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = utf8_sequence_length(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

ResultWriter::ResultWriter(const std::string& path, OutputFormat format, bool append)
    : format_(format), path_(path) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;  // the shell opened it: never truncated or locked here
  } else {
    // Nothing is cut before the lock is held: a refused second crawl leaves the file intact.
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    if (fd_ < 0) throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
    owns_fd_ = true;
    struct stat st {};
    regular_file_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
    if (regular_file_ && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd_);
      fd_ = -1;
      if (err == EWOULDBLOCK) {
        throw std::runtime_error(path + ": already being written by another crawl (its lock is held); "
                                 "choose another --out");
      }
      throw std::runtime_error(path + ": cannot lock: " + std::strerror(err));
    }
    const off_t end = ::lseek(fd_, 0, SEEK_END);
    flushed_bytes_ = end > 0 ? static_cast<std::uint64_t>(end) : 0;
  }
  buffer_.reserve(kFlushAt * 2);
  if (!append) truncate_to(0);
}

ResultWriter::~ResultWriter() {
  try {
    flush();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void ResultWriter::truncate_to(std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (!regular_file_) {
    if (size == 0) return;
    throw std::runtime_error(path_ + ": not a regular file, so a resumed crawl cannot cut it back to the " +
                             std::to_string(size) + " bytes its journal committed");
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw std::runtime_error(path_ + ": cannot stat: " + std::strerror(errno));
  if (static_cast<std::uint64_t>(st.st_size) < size) {
    throw std::runtime_error(path_ + ": results file is shorter (" + std::to_string(st.st_size) +
                             " bytes) than the journal committed (" + std::to_string(size) + ")");
  }
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    throw std::runtime_error(path_ + ": cannot truncate: " + std::strerror(errno));
  }
  flushed_bytes_ = size;
}

std::string ResultWriter::format(const PageRecord& r, OutputFormat format) {
  std::string out;
  if (format == OutputFormat::kTsv) {
    for (const auto& link : r.links) {
      out += r.url;
      out += '\t';
      out += link;
      out += '\n';
    }
    return out;
  }
  out += '{';
  append_json_field(out, "url", r.url);
  append_json_field(out, "final_url", r.final_url);
  append_json_number(out, "status", r.status);
  append_json_field(out, "content_type", r.content_type);
  append_json_number(out, "bytes", static_cast<double>(r.bytes));
  append_json_number(out, "fetch_ms", r.fetch_ms);
  append_json_number(out, "depth", r.depth);
  append_json_number(out, "attempts", r.attempts);
  if (r.ok()) {
    out += "\"error\":null,";
  } else {
    append_json_field(out, "error", to_string(r.error));
    if (!r.error_detail.empty()) append_json_field(out, "error_detail", r.error_detail);
  }
  // Only when links were dropped, so ordinary lines keep their shape.
  if (r.links_too_long != 0) append_json_number(out, "links_too_long", r.links_too_long);
  if (r.links_over_cap != 0) append_json_number(out, "links_over_cap", r.links_over_cap);
  out += "\"links\":[";
  for (std::size_t i = 0; i < r.links.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, r.links[i]);
  }
  out += "]}\n";
  return out;
}

std::size_t ResultWriter::write(const PageRecord& record) {
  std::string text = format(record, format_);
  if (text.empty()) return 0;
  const std::size_t lines = format_ == OutputFormat::kTsv ? record.links.size() : 1;
  std::lock_guard lock(mutex_);
  if (!error_.empty()) throw std::runtime_error(error_);
  buffer_ += text;
  lines_ += lines;
  buffered_lines_ += lines;
  if (buffer_.size() >= kFlushAt) flush_locked();
  return lines;
}

void ResultWriter::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

void ResultWriter::flush_locked() {
  if (!error_.empty() || buffer_.empty()) return;
  write_all_locked(buffer_);
  buffer_.clear();
  buffered_lines_ = 0;
}

std::uint64_t ResultWriter::flushed_bytes() const {
  std::lock_guard lock(mutex_);
  return flushed_bytes_;
}

std::uint64_t ResultWriter::lines_written() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::uint64_t ResultWriter::lines_flushed() const {
  std::lock_guard lock(mutex_);
  return lines_ - buffered_lines_;
}

bool ResultWriter::failed() const {
  std::lock_guard lock(mutex_);
  return !error_.empty();
}

void ResultWriter::write_all_locked(const std::string& data) {
  const std::uint64_t start = flushed_bytes_;
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      flushed_bytes_ += static_cast<std::uint64_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    error_ = path_ + ": write failed: " + std::strerror(errno);
    // Part of a line may have reached the file: cut it back to the last whole line.
    if (done > 0 && regular_file_) {
      if (::ftruncate(fd_, static_cast<off_t>(start)) == 0) {
        flushed_bytes_ = start;
      } else {
        error_ += std::string(" (and its last line is partial: cannot truncate: ") + std::strerror(errno) + ")";
      }
    } else if (done > 0) {
      error_ += " (its last line is partial: not a regular file, so it cannot be cut back)";
    }
    lines_ -= buffered_lines_;
    buffered_lines_ = 0;
    buffer_.clear();
    throw std::runtime_error(error_);
  }
}

}  // namespace crawler
