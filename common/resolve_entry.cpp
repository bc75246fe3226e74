#include "common/resolve_entry.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <string_view>

#include "common/port.hpp"

namespace crawler {

namespace {

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string resolve_entry_error(const std::string& entry) {
  std::string_view rest = entry;
  if (!rest.empty() && rest.front() == '+') rest.remove_prefix(1);
  // HOST
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in HOST";
    host = rest.substr(1, close - 1);
    if (!is_ipv6(std::string(host))) return "HOST in brackets is not an IPv6 address";
    rest.remove_prefix(close + 1);
    if (rest.empty() || rest.front() != ':') return "expected HOST:PORT:ADDR";
    rest.remove_prefix(1);
  } else {
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) return "expected HOST:PORT:ADDR";
    host = rest.substr(0, colon);
    if (host != "*" && !is_host_name(host)) return "HOST is not a host name or '*'";
    rest.remove_prefix(colon + 1);
  }
  // PORT
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return "expected HOST:PORT:ADDR";
  const std::string_view port = rest.substr(0, colon);
  if (!parse_port(port)) return "PORT is not a number from 1 to 65535";
  rest.remove_prefix(colon + 1);
  // ADDR[,ADDR...]
  if (rest.empty()) return "ADDR is missing";
  while (true) {
    const auto comma = rest.find(',');
    std::string addr(rest.substr(0, comma));
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') {
      addr = addr.substr(1, addr.size() - 2);
      if (!is_ipv6(addr)) return "'" + addr + "' is not an IPv6 address";
    } else if (!is_ipv4(addr) && !is_ipv6(addr)) {
      return "'" + addr + "' is not an IP address";
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return {};
}

}  // namespace crawler
