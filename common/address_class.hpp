#pragma once
/// What kind of network an IP address belongs to, after the IANA special-purpose address
/// registries (RFC 6890 and successors): the SSRF guard's rule book. Pure functions, thread-safe.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawler {

/// The class of an address. Everything but kPublic is refused for connections that a page
/// (a discovered link or a redirect) leads to, unless the host is named by the user.
enum class AddressClass {
  kPublic,       ///< global unicast
  kLoopback,     ///< 127.0.0.0/8, ::1
  kPrivate,      ///< 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (ULA), fec0::/10 (site-local)
  kLinkLocal,    ///< 169.254.0.0/16, fe80::/10
  kSharedCgnat,  ///< 100.64.0.0/10 (RFC 6598, carrier-grade NAT)
  kMulticast,    ///< 224.0.0.0/4, ff00::/8
  kUnspecified,  ///< 0.0.0.0/8 ("this network"), ::
  kBroadcast,    ///< 255.255.255.255
  kReserved,     ///< documentation, benchmarking, IETF protocol assignments, 240/4, and every
                 ///< IPv6 address outside 2000::/3 not named above
  kMetadata,     ///< cloud instance metadata: 169.254.169.254, 169.254.170.2, 100.100.100.200,
                 ///< 192.0.0.192, fd00:ec2::254
};

/// Short stable name used in error details: "loopback", "private", "metadata", ...
std::string_view to_string(AddressClass c);

/// Classifies an IPv4 address given in host byte order.
AddressClass classify_ipv4(std::uint32_t address);

/// Classifies an IPv6 address (16 bytes, network order). Addresses that embed an IPv4 address
/// are judged by it: v4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16.
AddressClass classify_ipv6(const unsigned char (&address)[16]);

/// Classifies a textual IPv4 or IPv6 literal (IPv6 with or without brackets); nullopt when
/// `text` is not one.
std::optional<AddressClass> classify_address(std::string_view text);

/// Classifies a socket address (AF_INET or AF_INET6); nullopt for other families.
std::optional<AddressClass> classify_address(const sockaddr* address);

/// The numeric text of a socket address ("127.0.0.2", "::1"); empty for other families.
std::string address_text(const sockaddr* address);

}  // namespace crawler
