#include "common/seed_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <unordered_set>

#include "common/url.hpp"

namespace crawler {
namespace {

constexpr std::size_t kMaxSeedLength = 8 * 1024;
constexpr std::size_t kMaxBadMessages = 100;

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Why `text` is not an acceptable seed, or empty when it is.
std::string seed_problem(std::string_view text, std::string* normalized) {
  if (text.size() > kMaxSeedLength) return "line longer than 8 KiB";
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return "control character inside the URL";
  }
  auto n = normalize_url(text);
  if (!n) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return "not an absolute URL (no scheme): '" + std::string(text) + "'";
    return "not a valid http(s) URL: '" + std::string(text) + "'";
  }
  *normalized = std::move(*n);
  return {};
}

}  // namespace

/// Reads a file descriptor for an istream. A read(2) that a signal interrupts asks `keep_going`
/// whether to go on: std::ifstream retries EINTR by itself, so a signal could not stop a crawl
/// whose seeds come from a pipe that is slow to write them.
class FdBuf : public std::streambuf {
 public:
  FdBuf(int fd, const KeepReading& keep_going) : fd_(fd), keep_going_(keep_going) {}
  bool interrupted() const { return interrupted_; }
  int error() const { return error_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    for (;;) {
      const ssize_t n = ::read(fd_, buffer_, sizeof buffer_);
      if (n > 0) {
        setg(buffer_, buffer_, buffer_ + n);
        return traits_type::to_int_type(*gptr());
      }
      if (n == 0) return traits_type::eof();
      if (errno != EINTR) {
        error_ = errno;
        return traits_type::eof();
      }
      if (keep_going_ && !keep_going_()) {
        interrupted_ = true;
        return traits_type::eof();
      }
    }
  }

 private:
  int fd_;
  const KeepReading& keep_going_;
  bool interrupted_ = false;
  int error_ = 0;
  char buffer_[64 * 1024];
};

SeedStream::SeedStream(std::istream& in, std::string name, bool skip_bad, KeepReading keep_going)
    : in_(&in), name_(std::move(name)), skip_bad_(skip_bad), keep_going_(std::move(keep_going)) {}

SeedStream::SeedStream(const std::string& path, bool skip_bad, KeepReading keep_going)
    : in_(nullptr), name_(path == "-" ? "<stdin>" : path), skip_bad_(skip_bad), keep_going_(std::move(keep_going)) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SeedError(path + ": cannot open seed file: " + std::strerror(errno));
  if (!is_stdin) fd_ = fd;
  buffer_ = std::make_unique<FdBuf>(fd, keep_going_);
  owned_ = std::make_unique<std::istream>(buffer_.get());
  in_ = owned_.get();
}

SeedStream::~SeedStream() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<Seed> SeedStream::next() {
  constexpr std::size_t kAskEvery = 4096;
  while (std::getline(*in_, line_)) {
    if (keep_going_ && lines_ % kAskEvery == 0 && !keep_going_()) {
      interrupted_ = true;
      return std::nullopt;
    }
    ++lines_;
    const std::string_view text = trim(line_);
    if (text.empty() || text.front() == '#') continue;
    std::string normalized;
    std::string problem = seed_problem(text, &normalized);
    if (problem.empty()) return Seed{std::string(text), std::move(normalized), lines_};
    std::string message = name_ + ":" + std::to_string(lines_) + ": " + problem;
    if (!skip_bad_) throw SeedError(message);
    ++bad_;
    if (bad_messages_.size() < kMaxBadMessages) bad_messages_.push_back(std::move(message));
  }
  if (buffer_ && buffer_->interrupted()) interrupted_ = true;
  if (buffer_ && buffer_->error() != 0 && !interrupted_) {
    throw SeedError(name_ + ": cannot read seed file: " + std::strerror(buffer_->error()));
  }
  return std::nullopt;
}

namespace {

SeedList read_all(SeedStream& stream) {
  SeedList out;
  std::unordered_set<std::string> seen;
  while (auto seed = stream.next()) {
    if (!seen.insert(seed->normalized).second) {
      ++out.duplicates;
      continue;
    }
    out.seeds.push_back(std::move(*seed));
  }
  out.lines = stream.lines();
  out.bad = stream.bad();
  out.bad_messages = stream.bad_messages();
  out.interrupted = stream.interrupted();
  return out;
}

}  // namespace

SeedList read_seeds(std::istream& in, std::string_view name, bool skip_bad, const KeepReading& keep_going) {
  SeedStream stream(in, std::string(name), skip_bad, keep_going);
  return read_all(stream);
}

SeedList read_seed_file(const std::string& path, bool skip_bad, const KeepReading& keep_going) {
  SeedStream stream(path, skip_bad, keep_going);
  return read_all(stream);
}

}  // namespace crawler
