#pragma once
/// curl's --connect-to syntax, HOST1:PORT1:HOST2:PORT2, checked. Pure, thread-safe.

#include <string>

namespace crawler {

/// What a --connect-to entry maps from.
struct ConnectToEntry {
  std::string host;  ///< HOST1, lower-case, IPv6 without brackets; empty: any host
  int port = 0;      ///< PORT1; 0: any port
};

/// Parses `entry`: a request for HOST1:PORT1 connects to HOST2:PORT2 instead (the URL, Host
/// header and TLS name stay HOST1). Any part may be empty (HOST1/PORT1: every host/port;
/// HOST2/PORT2: unchanged). Hosts are host names or bracketed IPv6 literals, ports 1..65535.
/// On a malformed entry sets `why` (else clears it) and returns an empty entry.
ConnectToEntry parse_connect_to(const std::string& entry, std::string& why);

}  // namespace crawler
