#pragma once
/// The one reading of a TCP port written in a flag (--resolve, --connect-to, endpoints, listen
/// addresses): 1 to 5 decimal digits and nothing else, within [min_port, 65535].

#include <optional>
#include <string_view>

namespace crawler {

inline std::optional<int> parse_port(std::string_view text, int min_port = 1) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < min_port || value > 65535) return std::nullopt;
  return value;
}

}  // namespace crawler
