#pragma once
/// Rendezvous (highest-random-weight) hashing: which worker owns a host. Pure, thread-safe.
///
/// Every (node, key) pair gets a pseudo-random weight; a key belongs to the node with the
/// highest weight. Removing a node moves only the keys it owned; adding one moves to it only
/// the keys it now wins, about 1/N of them, and no key moves between two other nodes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace crawler {

/// The weight of `key` (a host) on `node` (a worker's stable name). Deterministic across runs
/// and machines.
std::uint64_t rendezvous_weight(std::string_view node, std::string_view key);

/// Index in `nodes` of the owner of `key`: the highest weight, ties broken by the smaller node
/// name. nullopt when `nodes` is empty. Duplicate names are the same node (the first wins).
std::optional<std::size_t> rendezvous_owner(std::span<const std::string> nodes,
                                            std::string_view key);

}  // namespace crawler
