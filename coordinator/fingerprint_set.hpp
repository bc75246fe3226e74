#pragma once
/// The seen-set: 64-bit URL fingerprints in one open-addressing table.

#include <cstdint>
#include <string_view>
#include <vector>

namespace crawler {

/// A set of 64-bit fingerprints of normalised URLs. 8 bytes per slot, load factor at most 0.75,
/// so 10.7-21 bytes per known URL (std::unordered_set<uint64_t> needs ~40). Hand-written
/// because the standard containers cost 3-4x the memory; tests check it against
/// std::unordered_set as the oracle. Two different URLs share a fingerprint with probability
/// ~n²/2⁶⁵ (about 3e-6 for 10 million URLs): such a URL would be taken as seen.
class FingerprintSet {
 public:
  explicit FingerprintSet(std::size_t expected = 1024);

  /// The fingerprint (XXH3 64-bit) of a normalised URL.
  static std::uint64_t fingerprint(std::string_view normalized_url);

  /// Inserts; returns true when it was not present.
  bool insert(std::uint64_t fp);
  bool contains(std::uint64_t fp) const;
  std::size_t size() const { return size_; }
  /// Bytes held by the table.
  std::size_t memory_bytes() const { return slots_.size() * sizeof(std::uint64_t); }

 private:
  void grow();
  std::size_t mask() const { return slots_.size() - 1; }

  std::vector<std::uint64_t> slots_;  ///< 0 marks an empty slot; fingerprint 0 is stored as 1
  std::size_t size_ = 0;
};

}  // namespace crawler
