#include "common/dns_servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include "common/port.hpp"

namespace crawler {
namespace {

bool is_ip(const std::string& text, int family) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(family, text.c_str(), buffer) == 1;
}

}  // namespace

std::string dns_servers_error(const std::string& servers) {
  if (servers.empty()) return "empty list";
  std::size_t start = 0;
  while (start <= servers.size()) {
    const std::size_t comma = std::min(servers.find(',', start), servers.size());
    const std::string entry = servers.substr(start, comma - start);
    std::string address = entry;
    std::string port;
    if (!entry.empty() && entry.front() == '[') {
      const std::size_t close = entry.find(']');
      if (close == std::string::npos) return "'" + entry + "': no closing ']'";
      address = entry.substr(1, close - 1);
      if (close + 1 < entry.size()) {
        if (entry[close + 1] != ':') return "'" + entry + "': expected ':PORT' after ']'";
        port = entry.substr(close + 2);
      }
      if (!is_ip(address, AF_INET6)) return "'" + entry + "': not an IPv6 address in brackets";
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      address = entry.substr(0, entry.find(':'));
      port = entry.substr(entry.find(':') + 1);
      if (!is_ip(address, AF_INET)) return "'" + entry + "': not an IPv4 address";
    } else if (!is_ip(address, AF_INET) && !is_ip(address, AF_INET6)) {
      return "'" + entry + "': not an IP address (ADDR, ADDR:PORT or [IPv6]:PORT)";
    }
    if (!port.empty() || (entry.size() > 0 && entry.back() == ':')) {
      if (!parse_port(port)) return "'" + entry + "': port not in 1..65535";
    }
    start = comma + 1;
  }
  return {};
}

}  // namespace crawler
