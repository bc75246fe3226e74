#include "coordinator/fingerprint_set.hpp"

#include <xxhash.h>

#include <bit>

namespace crawler {
namespace {
std::uint64_t stored(std::uint64_t fp) { return fp == 0 ? 1 : fp; }
// Fingerprints are hashes already; mixing again keeps the table safe if a caller passes raw ids.
std::size_t slot_of(std::uint64_t fp) { return static_cast<std::size_t>(fp * 0x9E3779B97F4A7C15ull >> 17); }
}  // namespace

FingerprintSet::FingerprintSet(std::size_t expected) {
  const std::size_t want = std::max<std::size_t>(16, expected + expected / 3 + 1);
  slots_.assign(std::bit_ceil(want), 0);
}

std::uint64_t FingerprintSet::fingerprint(std::string_view normalized_url) {
  return XXH3_64bits(normalized_url.data(), normalized_url.size());
}

bool FingerprintSet::insert(std::uint64_t fp) {
  fp = stored(fp);
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  for (std::size_t i = slot_of(fp) & mask();; i = (i + 1) & mask()) {
    if (slots_[i] == fp) return false;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      ++size_;
      return true;
    }
  }
}

bool FingerprintSet::contains(std::uint64_t fp) const {
  fp = stored(fp);
  for (std::size_t i = slot_of(fp) & mask();; i = (i + 1) & mask()) {
    if (slots_[i] == fp) return true;
    if (slots_[i] == 0) return false;
  }
}

void FingerprintSet::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, 0);
  for (std::uint64_t fp : old) {
    if (fp == 0) continue;
    std::size_t i = slot_of(fp) & mask();
    while (slots_[i] != 0) i = (i + 1) & mask();
    slots_[i] = fp;
  }
}

}  // namespace crawler
