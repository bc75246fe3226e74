#include "worker/connect_to_list.hpp"

#include <stdexcept>

#include "common/connect_to.hpp"

namespace crawler {

ConnectToList::ConnectToList(const std::vector<std::string>& entries) {
  for (const auto& entry : entries) {
    std::string why;
    parse_connect_to(entry, why);
    if (!why.empty()) {
      curl_slist_free_all(list_);
      throw std::runtime_error("bad --connect-to entry '" + entry + "': " + why);
    }
    curl_slist* next = curl_slist_append(list_, entry.c_str());
    if (next == nullptr) {
      curl_slist_free_all(list_);
      throw std::runtime_error("out of memory building the --connect-to list");
    }
    list_ = next;
  }
}

ConnectToList::~ConnectToList() { curl_slist_free_all(list_); }

}  // namespace crawler
