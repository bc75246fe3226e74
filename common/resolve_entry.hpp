#pragma once
/// The syntax of a --resolve entry (curl's HOST:PORT:ADDR), checked where flags are parsed.

#include <string>

namespace crawler {

/// Empty when `entry` is well-formed, else why not. Syntax: `[+]HOST:PORT:ADDR[,ADDR...]` where
/// HOST is a host name, a bracketed IPv6 literal or `*` (libcurl 7.88 itself treats `*` as
/// "every host name on this port"), PORT is 1..65535 and each ADDR an IPv4 or (optionally
/// bracketed) IPv6 literal.
std::string resolve_entry_error(const std::string& entry);

}  // namespace crawler
