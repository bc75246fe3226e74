#include "coordinator/url_queue.hpp"

namespace crawler {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::uint64_t get_varint(const std::string& in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(in[at++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

}  // namespace

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
