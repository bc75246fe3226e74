#pragma once
/// The --resolve entries (curl's HOST:PORT:ADDR syntax) checked and turned into a curl_slist.

#include <string>
#include <vector>

#include "worker/checked_slist.hpp"

namespace crawler {

/// Validated CURLOPT_RESOLVE entries. Syntax per entry: `[+]HOST:PORT:ADDR[,ADDR...]` where HOST
/// is a host name, a bracketed IPv6 literal or `*` (libcurl 7.88 itself treats `*` as "every host
/// name on this port"), PORT is 1..65535 and each ADDR an IPv4 or (optionally bracketed) IPv6
/// literal. Must outlive the transfers (see CheckedSlist).
class ResolveList : public CheckedSlist {
 public:
  /// Throws std::runtime_error naming the first malformed entry and what is wrong with it.
  explicit ResolveList(const std::vector<std::string>& entries);

  /// Empty when `entry` is well-formed, else why not.
  static std::string check(const std::string& entry);
};

}  // namespace crawler
