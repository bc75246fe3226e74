#include "worker/checked_slist.hpp"

#include <stdexcept>

namespace crawler {

CheckedSlist::CheckedSlist(const std::vector<std::string>& entries, const std::string& flag,
                           const std::function<std::string(const std::string&)>& why_bad) {
  for (const auto& entry : entries) {
    const std::string why = why_bad(entry);
    if (!why.empty()) {
      curl_slist_free_all(list_);
      throw std::runtime_error("bad " + flag + " entry '" + entry + "': " + why);
    }
    curl_slist* next = curl_slist_append(list_, entry.c_str());
    if (next == nullptr) {
      curl_slist_free_all(list_);
      throw std::runtime_error("out of memory building the " + flag + " list");
    }
    list_ = next;
  }
}

CheckedSlist::~CheckedSlist() { curl_slist_free_all(list_); }

}  // namespace crawler
