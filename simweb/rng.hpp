#pragma once
/// A small deterministic pseudo-random generator (SplitMix64). The same seed gives the same
/// sequence on every platform and standard library, which std:: distributions do not promise.

#include <cstdint>

namespace simweb {

/// SplitMix64. Cheap to create: make one per page or per purpose from `Rng::mix(...)`.
class Rng {
 public:
  /// Starts the sequence at `seed`.
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  /// Combines up to three values into one well-mixed seed (order matters).
  static std::uint64_t mix(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
    std::uint64_t h = finalize(a + 0x9e3779b97f4a7c15ull);
    h = finalize(h ^ (b + 0x632be59bd9b4e019ull));
    return finalize(h ^ (c + 0x85157af5ull));
  }

  /// Next 64 random bits.
  std::uint64_t next() { return finalize(state_ += 0x9e3779b97f4a7c15ull); }

  /// Uniform in [0, n). Returns 0 when n is 0.
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

  /// Uniform in [lo, hi] (inclusive). Returns lo when hi < lo.
  int between(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  /// True with probability percent/100.
  bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

 private:
  static std::uint64_t finalize(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  std::uint64_t state_;
};

}  // namespace simweb
