#include "worker/transfer_pool.hpp"

namespace crawler {

std::unique_ptr<Transfer> TransferPool::acquire() {
  std::unique_ptr<Transfer> transfer;
  if (idle_.empty()) {
    transfer = std::make_unique<Transfer>();
  } else {
    transfer = std::move(idle_.back());
    idle_.pop_back();
  }
  if (transfer->buffer_capacity() == 0 && !buffers_.empty()) {
    transfer->give_buffer(std::move(buffers_.back()));
    buffers_.pop_back();
  }
  return transfer;
}

void TransferPool::release(std::unique_ptr<Transfer> transfer) {
  if (!transfer || idle_.size() >= max_idle_) return;
  if (transfer->buffer_capacity() > kKeptBufferBytes) transfer->give_buffer(std::string());
  idle_.push_back(std::move(transfer));
}

void TransferPool::recycle(std::string&& buffer) {
  if (buffers_.size() >= max_idle_ || buffer.capacity() > kKeptBufferBytes) return;
  buffer.clear();
  buffers_.push_back(std::move(buffer));
}

}  // namespace crawler
