#include "simweb/fault_bodies.hpp"

#include <zlib.h>

#include <algorithm>
#include <string_view>

namespace simweb {
namespace {

constexpr std::size_t kPiece = 64 * 1024;
constexpr std::uint64_t kBombInputPerPiece = 4 * 1024 * 1024;

constexpr std::string_view kHtmlHead =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fault</title></head><body>\n"
    "<p><a href=\"/fault-ok.html\">ok</a></p>\n";

/// 64 KiB of HTML paragraphs to pad fault bodies with.
const std::string& filler_block() {
  static const std::string block = [] {
    std::string s;
    constexpr std::string_view kLine =
        "<p>filler text for a large body, repeated to the requested size.</p>\n";
    while (s.size() < kPiece) s += kLine;
    s.resize(kPiece);
    return s;
  }();
  return block;
}

const std::string& spaces() {
  static const std::string s(kPiece, ' ');
  return s;
}

}  // namespace

SlowBody::SlowBody(std::uint64_t bytes_per_sec)
    : rate_(std::max<std::uint64_t>(bytes_per_sec, 1)), start_(std::chrono::steady_clock::now()) {}

BodySource::Piece SlowBody::next() {
  if (std::chrono::steady_clock::now() - start_ >= kFaultGiveUp)
    return {{}, {}, Piece::Then::kClose};
  // At >= 10 B/s send every 100 ms what is due; below, one byte per 1000/rate ms.
  const bool fast = rate_ >= 10;
  const std::chrono::milliseconds tick{fast ? 100 : static_cast<long>(1000 / rate_)};
  ++ticks_;
  const std::uint64_t due = fast ? std::min(kBytes, rate_ * ticks_ / 10) : std::min(kBytes, ticks_);
  std::string data;
  const std::string& block = filler_block();
  for (auto at = sent_; at < due; ++at)
    data += at < kHtmlHead.size() ? kHtmlHead[at] : block[at % block.size()];
  sent_ = due;
  return {std::move(data), tick, sent_ == kBytes ? Piece::Then::kEnd : Piece::Then::kMore};
}

BodySource::Piece BigBody::next() {
  std::string data;
  if (first_) {
    data = kHtmlHead;
    first_ = false;
  }
  data += filler_block();
  if (data.size() > left_) data.resize(left_);
  left_ -= data.size();
  return {std::move(data), {}, left_ == 0 ? Piece::Then::kEnd : Piece::Then::kMore};
}

BombBody::BombBody(std::uint64_t bytes) : left_(bytes), encoder_(9, Z_RLE) {}

BodySource::Piece BombBody::next() {
  std::string data;
  for (std::uint64_t fed = 0; left_ > 0 && fed < kBombInputPerPiece;) {
    const auto n = std::min<std::uint64_t>(left_, kPiece);
    encoder_.write(std::string_view(spaces()).substr(0, n), data);
    left_ -= n;
    fed += n;
  }
  if (left_ > 0) return {std::move(data), {}, Piece::Then::kMore};
  encoder_.finish(data);
  return {std::move(data), {}, Piece::Then::kEnd};
}

}  // namespace simweb
