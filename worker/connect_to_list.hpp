#pragma once
/// The --connect-to entries (curl's HOST1:PORT1:HOST2:PORT2 syntax, see common/connect_to.hpp)
/// checked and turned into a curl_slist.

#include <string>
#include <vector>

#include "worker/checked_slist.hpp"

namespace crawler {

/// Validated CURLOPT_CONNECT_TO entries. Must outlive the transfers (see CheckedSlist).
class ConnectToList : public CheckedSlist {
 public:
  /// Throws std::runtime_error naming the first malformed entry and what is wrong with it.
  explicit ConnectToList(const std::vector<std::string>& entries);
};

}  // namespace crawler
