#include "common/connect_to.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <string_view>

#include "common/port.hpp"

namespace crawler {
namespace {

bool is_host_name(std::string_view s) {
  if (s.size() > 253) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

/// Takes "HOST:" (HOST possibly empty or "[v6]") off the front of `rest`; `why` on error.
std::string take_host(std::string_view& rest, const char* name, std::string& why) {
  std::string host;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    in6_addr a{};
    host = std::string(rest.substr(1, close == std::string_view::npos ? 0 : close - 1));
    if (close == std::string_view::npos || inet_pton(AF_INET6, host.c_str(), &a) != 1) {
      why = std::string(name) + " in brackets is not an IPv6 address";
      return {};
    }
    rest.remove_prefix(close + 1);
    if (rest.empty() || rest.front() != ':') {
      why = "expected HOST1:PORT1:HOST2:PORT2";
      return {};
    }
    rest.remove_prefix(1);
    return host;
  }
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    why = "expected HOST1:PORT1:HOST2:PORT2";
    return {};
  }
  host = std::string(rest.substr(0, colon));
  if (!is_host_name(host)) why = std::string(name) + " is not a host name";
  rest.remove_prefix(colon + 1);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

/// Empty or 1..65535 (0 for empty); `why` on error.
int optional_port(std::string_view s, const char* name, std::string& why) {
  if (s.empty()) return 0;
  const auto port = parse_port(s);
  if (!port) why = std::string(name) + " is not a number from 1 to 65535";
  return port.value_or(0);
}

}  // namespace

ConnectToEntry parse_connect_to(const std::string& entry, std::string& why) {
  why.clear();
  ConnectToEntry out;
  std::string_view rest = entry;
  out.host = take_host(rest, "HOST1", why);
  if (!why.empty()) return {};
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    why = "expected HOST1:PORT1:HOST2:PORT2";
    return {};
  }
  out.port = optional_port(rest.substr(0, colon), "PORT1", why);
  if (!why.empty()) return {};
  rest.remove_prefix(colon + 1);
  take_host(rest, "HOST2", why);
  if (!why.empty()) return {};
  optional_port(rest, "PORT2", why);
  return why.empty() ? out : ConnectToEntry{};
}

}  // namespace crawler
