// Rendezvous hashing: deterministic, even, and minimal movement on a join or a leave.
#include "coordinator/rendezvous.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace crawler {
namespace {

std::vector<std::string> hosts(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("h" + std::to_string(i) + ".example:8080");
  return out;
}

/// Owner name of every key.
std::map<std::string, std::string> owners(const std::vector<std::string>& nodes,
                                          const std::vector<std::string>& keys) {
  std::map<std::string, std::string> out;
  for (const auto& k : keys) out[k] = nodes[*rendezvous_owner(nodes, k)];
  return out;
}

TEST(Rendezvous, NoNodesMeansNoOwner) { EXPECT_FALSE(rendezvous_owner({}, "h0.sim").has_value()); }

TEST(Rendezvous, OneNodeOwnsEverything) {
  const std::vector<std::string> nodes = {"w0"};
  for (const auto& k : hosts(100)) EXPECT_EQ(*rendezvous_owner(nodes, k), 0u);
}

TEST(Rendezvous, SameInputsGiveTheSameOwnerWhateverTheNodeOrder) {
  const std::vector<std::string> a = {"w0", "w1", "w2", "w3"};
  const std::vector<std::string> b = {"w3", "w1", "w0", "w2"};
  EXPECT_EQ(owners(a, hosts(2000)), owners(b, hosts(2000)));
  // And across runs: a fixed value pins the hash function down.
  EXPECT_EQ(rendezvous_weight("w0", "h0.sim"), rendezvous_weight("w0", "h0.sim"));
  EXPECT_NE(rendezvous_weight("w0", "h0.sim"), rendezvous_weight("w1", "h0.sim"));
}

TEST(Rendezvous, SpreadsHostsEvenly) {
  const std::vector<std::string> nodes = {"w0", "w1", "w2", "w3", "w4"};
  std::map<std::string, int> count;
  const auto keys = hosts(20'000);
  for (const auto& [key, owner] : owners(nodes, keys)) ++count[owner];
  ASSERT_EQ(count.size(), nodes.size());
  for (const auto& [node, n] : count) {
    EXPECT_GT(n, 3400) << node;  // 4000 expected each
    EXPECT_LT(n, 4600) << node;
  }
}

TEST(Rendezvous, ALeaveMovesOnlyTheLeaversHosts) {
  const std::vector<std::string> before = {"w0", "w1", "w2", "w3", "w4"};
  const std::vector<std::string> after = {"w0", "w1", "w3", "w4"};
  const auto keys = hosts(10'000);
  const auto old_owner = owners(before, keys);
  const auto new_owner = owners(after, keys);
  int moved = 0;
  for (const auto& k : keys) {
    if (old_owner.at(k) == "w2") {
      EXPECT_NE(new_owner.at(k), "w2");
      ++moved;
    } else {
      EXPECT_EQ(new_owner.at(k), old_owner.at(k)) << k;
    }
  }
  EXPECT_GT(moved, 1500);  // w2 had about a fifth
}

TEST(Rendezvous, AJoinMovesHostsOnlyToTheNewcomer) {
  const std::vector<std::string> before = {"w0", "w1", "w2", "w3"};
  const std::vector<std::string> after = {"w0", "w1", "w2", "w3", "w4"};
  const auto keys = hosts(10'000);
  const auto old_owner = owners(before, keys);
  const auto new_owner = owners(after, keys);
  int moved = 0;
  for (const auto& k : keys) {
    if (new_owner.at(k) != old_owner.at(k)) {
      EXPECT_EQ(new_owner.at(k), "w4") << k;
      ++moved;
    }
  }
  EXPECT_GT(moved, 1500);  // about 1/5 of the keys
  EXPECT_LT(moved, 2500);
}

TEST(Rendezvous, DuplicateNamesAreOneNode) {
  const std::vector<std::string> nodes = {"w1", "w1", "w0"};
  for (const auto& k : hosts(200)) EXPECT_NE(*rendezvous_owner(nodes, k), 1u) << k;
}

}  // namespace
}  // namespace crawler
