#pragma once
/// Reusable transfers: easy handles and body buffers are kept instead of freed.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "worker/transfer.hpp"

namespace crawler {

/// A free list of Transfer objects and spare body buffers.
/// Bound: at most `max_idle` idle transfers and `max_idle` spare buffers are kept, and a buffer
/// keeps at most kKeptBufferBytes of capacity (a larger one is freed), so the pool holds at most
/// max_idle * (one easy handle + 2 * kKeptBufferBytes) while idle.
/// Not thread-safe: use from one thread.
class TransferPool {
 public:
  static constexpr std::size_t kKeptBufferBytes = 256 * 1024;

  explicit TransferPool(std::size_t max_idle) : max_idle_(max_idle) {}

  /// An idle transfer, or a new one (throws std::runtime_error if curl cannot make one).
  std::unique_ptr<Transfer> acquire();
  /// Takes a transfer back; its easy handle must not be in any multi.
  void release(std::unique_ptr<Transfer> transfer);
  /// Takes a body buffer back (after parsing) for a later transfer.
  void recycle(std::string&& buffer);

  std::size_t idle() const { return idle_.size(); }

 private:
  std::size_t max_idle_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::vector<std::string> buffers_;
};

}  // namespace crawler
