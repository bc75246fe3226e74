#pragma once
/// The paced bodies of the fault endpoints: slow drip, stall, huge chunked, gzip bomb.

#include <chrono>
#include <cstdint>
#include <memory>

#include "simweb/gzip_encoder.hpp"
#include "simweb/reply.hpp"

namespace simweb {

/// How long a slow or stalled body may keep a connection busy before the server gives up.
inline constexpr std::chrono::seconds kFaultGiveUp{60};

/// /fault/slow/{rate}: a 64 KiB HTML body dripped at `bytes_per_sec` (>= 1); after
/// kFaultGiveUp the connection is dropped, whatever is left unsent.
class SlowBody : public BodySource {
 public:
  static constexpr std::uint64_t kBytes = 64 * 1024;
  explicit SlowBody(std::uint64_t bytes_per_sec);
  Piece next() override;

 private:
  std::uint64_t rate_;
  std::uint64_t sent_ = 0;
  std::uint64_t ticks_ = 0;
  std::chrono::steady_clock::time_point start_;
};

/// /fault/stall: nothing for kFaultGiveUp, then the connection is dropped.
class StallBody : public BodySource {
 public:
  Piece next() override { return {{}, kFaultGiveUp, Piece::Then::kClose}; }
};

/// /fault/big/{bytes}: exactly `bytes` of HTML (a link near the start) in 64 KiB pieces.
class BigBody : public BodySource {
 public:
  explicit BigBody(std::uint64_t bytes) : left_(bytes) {}
  Piece next() override;

 private:
  std::uint64_t left_;
  bool first_ = true;
};

/// /fault/bomb/{bytes}: a gzip stream that inflates to `bytes` spaces; about 1 KiB on the wire
/// per MiB inflated. Compressed a few MiB per piece, never held whole.
class BombBody : public BodySource {
 public:
  explicit BombBody(std::uint64_t bytes);
  Piece next() override;

 private:
  std::uint64_t left_;
  GzipEncoder encoder_;
};

}  // namespace simweb
