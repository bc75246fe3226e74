#include "coordinator/rendezvous.hpp"

#include <xxhash.h>

namespace crawler {

std::uint64_t rendezvous_weight(std::string_view node, std::string_view key) {
  // Seeding the key's hash with the node's keeps weights independent across nodes.
  const XXH64_hash_t node_hash = XXH3_64bits(node.data(), node.size());
  return XXH3_64bits_withSeed(key.data(), key.size(), node_hash);
}

std::optional<std::size_t> rendezvous_owner(std::span<const std::string> nodes,
                                            std::string_view key) {
  std::optional<std::size_t> best;
  std::uint64_t best_weight = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::uint64_t w = rendezvous_weight(nodes[i], key);
    if (!best || w > best_weight || (w == best_weight && nodes[i] < nodes[*best])) {
      best = i;
      best_weight = w;
    }
  }
  return best;
}

}  // namespace crawler
