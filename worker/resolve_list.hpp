#pragma once
/// The --resolve entries (curl's HOST:PORT:ADDR syntax) checked and turned into a curl_slist.

#include <curl/curl.h>

#include <string>
#include <vector>

namespace crawler {

/// Validated CURLOPT_RESOLVE entries. Syntax per entry: `[+]HOST:PORT:ADDR[,ADDR...]` where HOST
/// is a host name, a bracketed IPv6 literal or `*` (libcurl 7.88 itself treats `*` as "every host
/// name on this port"), PORT is 1..65535 and each ADDR an IPv4 or (optionally bracketed) IPv6
/// literal. Owns the list; CURLOPT_RESOLVE keeps the pointer, so this must outlive the transfers.
class ResolveList {
 public:
  /// Throws std::runtime_error naming the first malformed entry and what is wrong with it.
  explicit ResolveList(const std::vector<std::string>& entries);
  ~ResolveList();
  ResolveList(const ResolveList&) = delete;
  ResolveList& operator=(const ResolveList&) = delete;

  /// The list for CURLOPT_RESOLVE, nullptr when there are no entries.
  const curl_slist* get() const { return list_; }

  /// Empty when `entry` is well-formed, else why not.
  static std::string check(const std::string& entry);

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace crawler
