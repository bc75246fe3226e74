#include "common/url_host.hpp"

#include <arpa/inet.h>
#include <unicode/uidna.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "common/percent_encoder.hpp"

namespace crawler {
namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (c | 0x20) - 'a' + 10;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// Forbidden domain code points (ASCII only: a domain is ASCII after IDNA).
bool is_forbidden_domain_char(unsigned char c) {
  if (c <= 0x20 || c == 0x7f) return true;
  switch (c) {
    case '#':
    case '%':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
      return true;
    default:
      return false;
  }
}

// The IPv4 number parser: decimal, 0x hex or 0-prefixed octal. nullopt on failure; values that
// overflow are clamped above 2^32 so that the range checks fail.
std::optional<std::uint64_t> parse_ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    radix = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return 0;
  std::uint64_t value = 0;
  for (char c : s) {
    int digit;
    if (radix == 16 && is_hex(c)) {
      digit = hex_value(c);
    } else if (c >= '0' && c <= (radix == 8 ? '7' : '9')) {
      digit = c - '0';
    } else {
      return std::nullopt;
    }
    value = value * radix + digit;
    if (value > (1ULL << 40)) value = 1ULL << 40;
  }
  return value;
}

std::vector<std::string_view> split_labels(std::string_view domain) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(domain.substr(start));
      break;
    }
    parts.push_back(domain.substr(start, dot - start));
    start = dot + 1;
  }
  return parts;
}

std::optional<std::string> parse_ipv6(std::string_view inside) {
  if (inside.empty() || inside.size() > 64) return std::nullopt;
  // inet_pton's grammar is the URL Standard's IPv6 grammar (hex pieces, one "::", a trailing
  // dotted IPv4 without leading zeros); only the serialisation differs, so it is done here.
  const std::string text(inside);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return std::nullopt;
  std::array<unsigned, 8> pieces{};
  for (int i = 0; i < 8; ++i) pieces[i] = bytes[2 * i] << 8 | bytes[2 * i + 1];
  // Compress the first longest run of two or more zero pieces.
  int best_start = -1;
  int best_len = 1;
  for (int i = 0; i < 8;) {
    if (pieces[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && pieces[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out = "[";
  bool ignore0 = false;
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && pieces[i] == 0) continue;
    ignore0 = false;
    if (i == best_start) {
      out += i == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%x", pieces[i]);
    out += buffer;
    if (i != 7) out += ':';
  }
  out += ']';
  return out;
}

std::string serialise_ipv4(std::uint32_t address) {
  return std::to_string(address >> 24) + '.' + std::to_string((address >> 16) & 0xff) + '.' +
         std::to_string((address >> 8) & 0xff) + '.' + std::to_string(address & 0xff);
}

// domainToASCII with the URL Standard's UTS #46 options (CheckBidi, CheckJoiners,
// non-transitional; no STD3 rules, hyphen or DNS-length checks), through ICU, the reference
// implementation. nullopt on an IDNA error.
std::optional<std::string> idna_to_ascii(std::string_view utf8) {
  // A UTS46 instance is immutable and thread-safe once opened.
  static UIDNA* const idna = [] {
    UErrorCode error = U_ZERO_ERROR;
    UIDNA* u = uidna_openUTS46(
        UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ | UIDNA_NONTRANSITIONAL_TO_ASCII, &error);
    return U_SUCCESS(error) ? u : nullptr;
  }();
  if (idna == nullptr || utf8.size() > 4096) return std::nullopt;
  constexpr std::uint32_t kIgnored = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |
                                     UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | UIDNA_ERROR_LEADING_HYPHEN |
                                     UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4;
  std::string out(utf8.size() * 4 + 64, '\0');
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode error = U_ZERO_ERROR;
  const int32_t length =
      uidna_nameToASCII_UTF8(idna, utf8.data(), static_cast<int32_t>(utf8.size()), out.data(),
                             static_cast<int32_t>(out.size()), &info, &error);
  if (U_FAILURE(error) || (info.errors & ~kIgnored) != 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(length));
  return out;
}

}  // namespace

bool UrlHost::ends_in_number(std::string_view domain) {
  std::vector<std::string_view> parts = split_labels(domain);
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  const std::string_view last = parts.back();
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos) return true;
  return parse_ipv4_number(last).has_value();
}

std::optional<std::uint32_t> UrlHost::parse_ipv4(std::string_view domain) {
  std::vector<std::string_view> parts = split_labels(domain);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::array<std::uint64_t, 4> numbers{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto n = parse_ipv4_number(parts[i]);
    if (!n) return std::nullopt;
    numbers[i] = *n;
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (numbers[i] > 255) return std::nullopt;
  }
  const std::size_t n = parts.size();
  if (numbers[n - 1] >= (1ULL << (8 * (5 - n)))) return std::nullopt;
  std::uint64_t address = numbers[n - 1];
  for (std::size_t i = 0; i + 1 < n; ++i) address += numbers[i] << (8 * (3 - i));
  return static_cast<std::uint32_t>(address);
}

std::optional<std::string> UrlHost::parse(std::string_view input) {
  if (input.empty()) return std::nullopt;
  if (input.front() == '[') {
    if (input.back() != ']' || input.size() < 2) return std::nullopt;
    return parse_ipv6(input.substr(1, input.size() - 2));
  }
  const std::string decoded = percent_decode(input);
  bool ascii = true;
  for (char c : decoded) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string domain;
  if (ascii) {
    domain = decoded;
    for (char& c : domain) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    }
    // A-labels must be valid punycode of a valid U-label: let ICU check them.
    bool has_alabel = domain.rfind("xn--", 0) == 0 || domain.find(".xn--") != std::string::npos;
    if (has_alabel) {
      for (char c : domain) {
        if (is_forbidden_domain_char(static_cast<unsigned char>(c))) return std::nullopt;
      }
      if (!idna_to_ascii(domain)) return std::nullopt;
    }
  } else {
    std::string utf8;
    PercentEncoder::append_valid_utf8(utf8, decoded);
    auto converted = idna_to_ascii(utf8);
    if (!converted) return std::nullopt;
    domain = std::move(*converted);
  }
  if (domain.empty()) return std::nullopt;
  for (char c : domain) {
    if (is_forbidden_domain_char(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (ends_in_number(domain)) {
    const auto address = parse_ipv4(domain);
    if (!address) return std::nullopt;
    return serialise_ipv4(*address);
  }
  return domain;
}

std::optional<std::string> UrlHost::parse_user_host(std::string_view input) {
  // A bare IPv6 literal is what users type; in a URL it has brackets.
  if (!input.empty() && input.front() != '[' && input.find(':') != std::string_view::npos) {
    return parse("[" + std::string(input) + "]");
  }
  return parse(input);
}

bool UrlHost::is_ip_address(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return true;
  return host.find_first_not_of("0123456789.") == std::string_view::npos &&
         std::count(host.begin(), host.end(), '.') == 3;
}

}  // namespace crawler
