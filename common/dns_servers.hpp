#pragma once
/// The syntax of --dns-servers (curl's): the DNS servers to ask instead of /etc/resolv.conf's.

#include <string>

namespace crawler {

/// Empty when `servers` is a well-formed list, else why not. Syntax: comma-separated entries,
/// each `IPv4`, `IPv4:PORT`, `IPv6` or `[IPv6]:PORT`, PORT 1..65535 (default 53).
std::string dns_servers_error(const std::string& servers);

}  // namespace crawler
