#include "common/address_class.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace crawler {
namespace {

/// True when `address` lies in `prefix`/`bits` (both host byte order).
constexpr bool in_v4(std::uint32_t address, std::uint32_t prefix, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (address & mask) == (prefix & mask);
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

std::uint32_t v4_at(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// True when the first `bits` bits of `a` equal those of `prefix`.
bool in_v6(const unsigned char (&a)[16], std::initializer_list<unsigned char> prefix, int bits) {
  unsigned char full[16] = {};
  std::size_t i = 0;
  for (unsigned char byte : prefix) full[i++] = byte;
  for (int bit = 0; bit < bits; ++bit) {
    const unsigned char m = static_cast<unsigned char>(0x80u >> (bit % 8));
    if ((a[bit / 8] & m) != (full[bit / 8] & m)) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kSharedCgnat: return "cgnat";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kBroadcast: return "broadcast";
    case AddressClass::kReserved: return "reserved";
    case AddressClass::kMetadata: return "metadata";
  }
  return "reserved";
}

AddressClass classify_ipv4(std::uint32_t a) {
  // Metadata first: those addresses also sit in link-local, CGNAT or IETF ranges.
  if (a == v4(169, 254, 169, 254) || a == v4(169, 254, 170, 2) || a == v4(100, 100, 100, 200) ||
      a == v4(192, 0, 0, 192)) {
    return AddressClass::kMetadata;
  }
  if (a == v4(255, 255, 255, 255)) return AddressClass::kBroadcast;
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return AddressClass::kUnspecified;
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressClass::kLoopback;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) ||
      in_v4(a, v4(192, 168, 0, 0), 16)) {
    return AddressClass::kPrivate;
  }
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return AddressClass::kLinkLocal;
  if (in_v4(a, v4(100, 64, 0, 0), 10)) return AddressClass::kSharedCgnat;
  if (in_v4(a, v4(224, 0, 0, 0), 4)) return AddressClass::kMulticast;
  if (in_v4(a, v4(192, 0, 0, 0), 24) ||    // IETF protocol assignments
      in_v4(a, v4(192, 0, 2, 0), 24) ||    // TEST-NET-1
      in_v4(a, v4(192, 88, 99, 0), 24) ||  // 6to4 relay anycast (deprecated)
      in_v4(a, v4(198, 18, 0, 0), 15) ||   // benchmarking
      in_v4(a, v4(198, 51, 100, 0), 24) ||  // TEST-NET-2
      in_v4(a, v4(203, 0, 113, 0), 24) ||  // TEST-NET-3
      in_v4(a, v4(240, 0, 0, 0), 4)) {     // future use
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

AddressClass classify_ipv6(const unsigned char (&a)[16]) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(a, kZero, 16) == 0) return AddressClass::kUnspecified;
  if (std::memcmp(a, kZero, 15) == 0 && a[15] == 1) return AddressClass::kLoopback;
  // fd00:ec2::254, AWS's instance metadata over IPv6.
  static const unsigned char kAwsMetadata[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                                 0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (std::memcmp(a, kAwsMetadata, 16) == 0) return AddressClass::kMetadata;
  // Embedded IPv4: judged by the IPv4 address, or the v6 form would be a way around the rules.
  if (in_v6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)) return classify_ipv4(v4_at(a + 12));
  if (in_v6(a, {0x00, 0x64, 0xff, 0x9b}, 96)) return classify_ipv4(v4_at(a + 12));  // NAT64
  if (in_v6(a, {0x20, 0x02}, 16)) return classify_ipv4(v4_at(a + 2));               // 6to4
  if (in_v6(a, {}, 96)) return AddressClass::kReserved;  // IPv4-compatible (deprecated)
  if (in_v6(a, {0xff}, 8)) return AddressClass::kMulticast;
  if (in_v6(a, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (in_v6(a, {0xfc}, 7) || in_v6(a, {0xfe, 0xc0}, 10)) return AddressClass::kPrivate;
  if (in_v6(a, {0x20, 0x01, 0x00, 0x00}, 23) ||  // IETF protocol assignments, Teredo
      in_v6(a, {0x20, 0x01, 0x0d, 0xb8}, 32) ||  // documentation
      in_v6(a, {0x3f, 0xff}, 20) ||              // documentation (RFC 9637)
      in_v6(a, {0x5f, 0x00}, 16)) {              // SRv6 SIDs
    return AddressClass::kReserved;
  }
  if (!in_v6(a, {0x20}, 3)) return AddressClass::kReserved;  // outside global unicast 2000::/3
  return AddressClass::kPublic;
}

std::optional<AddressClass> classify_address(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) return classify_ipv4(ntohl(a4.s_addr));
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    unsigned char bytes[16];
    std::memcpy(bytes, &a6, 16);
    return classify_ipv6(bytes);
  }
  return std::nullopt;
}

std::optional<AddressClass> classify_address(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    return classify_ipv4(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    unsigned char bytes[16];
    std::memcpy(bytes, &in6.sin6_addr, 16);
    return classify_ipv6(bytes);
  }
  return std::nullopt;
}

std::string address_text(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address == nullptr) return {};
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    if (inet_ntop(AF_INET, &in.sin_addr, buf, sizeof buf) != nullptr) return buf;
  } else if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    if (inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof buf) != nullptr) return buf;
  }
  return {};
}

}  // namespace crawler
