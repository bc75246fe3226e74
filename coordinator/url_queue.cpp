#include "coordinator/url_queue.hpp"

#include <algorithm>

namespace crawler {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::uint64_t get_varint(std::string_view in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(in[at++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

// The offset just past the entry at `at`.
std::size_t entry_end(std::string_view in, std::size_t at) {
  get_varint(in, at);
  const std::size_t length = get_varint(in, at);
  return at + length;
}

}  // namespace

std::size_t UrlQueue::skip_packed(std::string_view packed, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < n && at < packed.size(); ++i) at = entry_end(packed, at);
  return at;
}

std::size_t UrlQueue::count_packed(std::string_view packed) {
  std::size_t n = 0;
  for (std::size_t at = 0; at < packed.size(); ++n) at = entry_end(packed, at);
  return n;
}

void UrlQueue::append_packed(std::string_view packed, std::size_t count) {
  if (count == 0) return;
  const std::size_t need = buf_.size() + packed.size();
  if (need > buf_.capacity()) buf_.reserve(std::max<std::size_t>(need + buf_.size() / 2, 64));
  buf_.append(packed);
  count_ += count;
}

std::string UrlQueue::keep_first(std::size_t keep) {
  if (count_ <= keep) return {};
  if (keep == 0) {
    std::string rest = buf_.substr(head_);
    std::string().swap(buf_);
    head_ = 0;
    count_ = 0;
    return rest;
  }
  const std::size_t cut = head_ + skip_packed(std::string_view(buf_).substr(head_), keep);
  std::string rest = buf_.substr(cut);
  buf_.erase(0, head_);
  buf_.resize(cut - head_);
  buf_.shrink_to_fit();
  head_ = 0;
  count_ = keep;
  return rest;
}

void UrlQueue::push(std::string_view url, std::uint32_t depth, bool check_robots) {
  const std::size_t need = buf_.size() + url.size() + 16;
  // Grow by half rather than std::string's doubling: less slack across millions of queues.
  if (need > buf_.capacity()) buf_.reserve(std::max<std::size_t>(need + buf_.size() / 2, 64));
  put_varint(buf_, (static_cast<std::uint64_t>(depth) << 1) | (check_robots ? 1 : 0));
  put_varint(buf_, url.size());
  buf_.append(url);
  ++count_;
}

std::uint32_t UrlQueue::front_depth() const {
  std::size_t at = head_;
  return static_cast<std::uint32_t>(get_varint(buf_, at) >> 1);
}

QueuedUrl UrlQueue::pop() {
  QueuedUrl out;
  const std::uint64_t tag = get_varint(buf_, head_);
  const std::size_t length = get_varint(buf_, head_);
  out.depth = static_cast<std::uint32_t>(tag >> 1);
  out.check_robots = (tag & 1) != 0;
  out.url.assign(buf_, head_, length);
  head_ += length;
  if (--count_ == 0) {
    std::string().swap(buf_);
    head_ = 0;
  } else if (head_ >= 4096 && head_ * 2 >= buf_.size()) {
    buf_.erase(0, head_);
    head_ = 0;
  }
  return out;
}

}  // namespace crawler
