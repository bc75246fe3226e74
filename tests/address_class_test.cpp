// The SSRF guard's rule book: which network an address belongs to (common/address_class.hpp).

#include "common/address_class.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <vector>

namespace crawler {
namespace {

struct Case {
  const char* address;
  AddressClass expected;
};

void expect_all(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const auto got = classify_address(c.address);
    ASSERT_TRUE(got.has_value()) << c.address;
    EXPECT_EQ(to_string(*got), to_string(c.expected)) << c.address;
  }
}

TEST(AddressClass, ClassifiesIpv4Ranges) {
  expect_all({
      {"8.8.8.8", AddressClass::kPublic},
      {"93.184.216.34", AddressClass::kPublic},
      {"127.0.0.1", AddressClass::kLoopback},
      {"127.0.0.2", AddressClass::kLoopback},
      {"127.255.255.254", AddressClass::kLoopback},
      {"10.0.0.1", AddressClass::kPrivate},
      {"10.255.255.255", AddressClass::kPrivate},
      {"172.16.0.1", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},
      {"172.15.255.255", AddressClass::kPublic},  // just outside 172.16/12
      {"172.32.0.0", AddressClass::kPublic},
      {"192.168.1.1", AddressClass::kPrivate},
      {"169.254.1.1", AddressClass::kLinkLocal},
      {"169.254.169.254", AddressClass::kMetadata},
      {"169.254.170.2", AddressClass::kMetadata},
      {"100.100.100.200", AddressClass::kMetadata},
      {"192.0.0.192", AddressClass::kMetadata},
      {"100.64.0.1", AddressClass::kSharedCgnat},
      {"100.127.255.255", AddressClass::kSharedCgnat},
      {"100.128.0.0", AddressClass::kPublic},  // just outside 100.64/10
      {"224.0.0.1", AddressClass::kMulticast},
      {"239.255.255.250", AddressClass::kMulticast},
      {"0.0.0.0", AddressClass::kUnspecified},
      {"0.1.2.3", AddressClass::kUnspecified},
      {"255.255.255.255", AddressClass::kBroadcast},
      {"240.0.0.1", AddressClass::kReserved},
      {"192.0.2.1", AddressClass::kReserved},
      {"198.51.100.7", AddressClass::kReserved},
      {"203.0.113.9", AddressClass::kReserved},
      {"198.18.0.1", AddressClass::kReserved},
      {"192.0.0.8", AddressClass::kReserved},
  });
}

TEST(AddressClass, ClassifiesIpv6Ranges) {
  expect_all({
      {"2606:4700:4700::1111", AddressClass::kPublic},
      {"2a00:1450:4001:80b::200e", AddressClass::kPublic},
      {"::1", AddressClass::kLoopback},
      {"::", AddressClass::kUnspecified},
      {"fc00::1", AddressClass::kPrivate},
      {"fd12:3456:789a::1", AddressClass::kPrivate},
      {"fec0::1", AddressClass::kPrivate},
      {"fe80::1", AddressClass::kLinkLocal},
      {"febf:ffff::1", AddressClass::kLinkLocal},
      {"ff02::1", AddressClass::kMulticast},
      {"fd00:ec2::254", AddressClass::kMetadata},
      {"2001:db8::1", AddressClass::kReserved},
      {"2001::1", AddressClass::kReserved},  // Teredo
      {"100::1", AddressClass::kReserved},   // discard
      {"4000::1", AddressClass::kReserved},  // outside 2000::/3
      {"[::1]", AddressClass::kLoopback},    // brackets as in a URL
  });
}

TEST(AddressClass, JudgesIpv6AddressesThatEmbedIpv4ByTheIpv4Address) {
  expect_all({
      {"::ffff:127.0.0.1", AddressClass::kLoopback},
      {"::ffff:7f00:2", AddressClass::kLoopback},
      {"::ffff:10.1.2.3", AddressClass::kPrivate},
      {"::ffff:169.254.169.254", AddressClass::kMetadata},
      {"::ffff:8.8.8.8", AddressClass::kPublic},
      {"64:ff9b::7f00:1", AddressClass::kLoopback},        // NAT64 of 127.0.0.1
      {"64:ff9b::a9fe:a9fe", AddressClass::kMetadata},     // NAT64 of 169.254.169.254
      {"64:ff9b::808:808", AddressClass::kPublic},
      {"2002:c0a8:0101::1", AddressClass::kPrivate},       // 6to4 of 192.168.1.1
      {"2002:0808:0808::1", AddressClass::kPublic},
      {"::127.0.0.1", AddressClass::kReserved},            // IPv4-compatible, deprecated
  });
}

TEST(AddressClass, TextThatIsNoAddressIsNotClassified) {
  for (const char* text : {"", "localhost", "127.1", "0x7f000001", "1.2.3.4.5", "[::1", "::g", "2130706433"}) {
    EXPECT_FALSE(classify_address(text).has_value()) << text;
  }
}

TEST(AddressClass, ClassifiesSocketAddressesOfBothFamilies) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.2", &v4.sin_addr);
  EXPECT_EQ(classify_address(reinterpret_cast<const sockaddr*>(&v4)), AddressClass::kLoopback);
  EXPECT_EQ(address_text(reinterpret_cast<const sockaddr*>(&v4)), "127.0.0.2");

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:169.254.169.254", &v6.sin6_addr);
  EXPECT_EQ(classify_address(reinterpret_cast<const sockaddr*>(&v6)), AddressClass::kMetadata);
  EXPECT_EQ(address_text(reinterpret_cast<const sockaddr*>(&v6)), "::ffff:169.254.169.254");

  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(classify_address(&other).has_value());
}

}  // namespace
}  // namespace crawler
