#pragma once
/// The --connect-to entries (curl's HOST1:PORT1:HOST2:PORT2 syntax, see common/connect_to.hpp)
/// checked and turned into a curl_slist.

#include <curl/curl.h>

#include <string>
#include <vector>

namespace crawler {

/// Validated CURLOPT_CONNECT_TO entries. Owns the list; CURLOPT_CONNECT_TO keeps the pointer,
/// so this must outlive the transfers.
class ConnectToList {
 public:
  /// Throws std::runtime_error naming the first malformed entry and what is wrong with it.
  explicit ConnectToList(const std::vector<std::string>& entries);
  ~ConnectToList();
  ConnectToList(const ConnectToList&) = delete;
  ConnectToList& operator=(const ConnectToList&) = delete;

  /// The list for CURLOPT_CONNECT_TO, nullptr when there are no entries.
  const curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace crawler
