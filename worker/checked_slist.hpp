#pragma once
/// A curl_slist of user-given entries (--resolve, --connect-to), each checked before curl sees it.

#include <curl/curl.h>

#include <functional>
#include <string>
#include <vector>

namespace crawler {

/// Owns the list; curl keeps the pointer (CURLOPT_RESOLVE, CURLOPT_CONNECT_TO), so this must
/// outlive the transfers that use it. Not copyable.
class CheckedSlist {
 public:
  /// `why_bad(entry)` is empty for a well-formed entry. Throws std::runtime_error naming `flag`,
  /// the first malformed entry and what is wrong with it.
  CheckedSlist(const std::vector<std::string>& entries, const std::string& flag,
               const std::function<std::string(const std::string&)>& why_bad);
  ~CheckedSlist();
  CheckedSlist(const CheckedSlist&) = delete;
  CheckedSlist& operator=(const CheckedSlist&) = delete;

  /// The list for curl, nullptr when there are no entries.
  const curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace crawler
