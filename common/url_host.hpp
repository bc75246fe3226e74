#pragma once
/// The host of a special (http/https) URL, parsed and serialised as the WHATWG URL Standard's
/// "host parser" does: percent-decoding, IDNA (UTS #46 through ICU), IPv4 in all its legacy
/// forms, IPv6 with canonical compression. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawler {

class UrlHost {
 public:
  /// Parses the host part of an http(s) URL (between "//", "userinfo@" and ":port"). Returns the
  /// serialised host: a lower-case ASCII domain (IDN as punycode), a dotted-quad IPv4 address, or
  /// a bracketed, compressed IPv6 address. nullopt when the URL Standard would fail: empty host,
  /// forbidden code point (space, '%', '<', '^', ...), IDNA error, a name ending in a number that
  /// is not a valid IPv4 address ("1.2.3.4.5", "foo.09"), malformed IPv6.
  static std::optional<std::string> parse(std::string_view input);

  /// A host name or IP literal as a user writes it in a flag ("Bücher.Example.", "127.0.0.1",
  /// "fd00::5" or "[fd00::5]"), serialised as parse() serialises a URL's host, so that it compares
  /// equal to the hosts of URLs: IDN as punycode (UTS #46), lower case, one trailing dot kept,
  /// IPv6 bracketed. nullopt for anything parse() refuses (an IDNA error, a URL, a port, a space).
  static std::optional<std::string> parse_user_host(std::string_view input);

  /// True for a serialised IPv4 ("1.2.3.4") or bracketed IPv6 ("[::1]") host.
  static bool is_ip_address(std::string_view host);

  /// The WHATWG IPv4 parser on an ASCII domain; nullopt on failure.
  static std::optional<std::uint32_t> parse_ipv4(std::string_view domain);
  /// True when the last label of `domain` is a number (so the domain must be an IPv4 address).
  static bool ends_in_number(std::string_view domain);
};

}  // namespace crawler
