#include "worker/resolve_list.hpp"

#include <stdexcept>

#include "common/resolve_entry.hpp"

namespace crawler {

std::string ResolveList::check(const std::string& entry) { return resolve_entry_error(entry); }

ResolveList::ResolveList(const std::vector<std::string>& entries) {
  for (const auto& entry : entries) {
    const std::string why = check(entry);
    if (!why.empty()) {
      curl_slist_free_all(list_);
      throw std::runtime_error("bad --resolve entry '" + entry + "': " + why);
    }
    curl_slist* next = curl_slist_append(list_, entry.c_str());
    if (next == nullptr) {
      curl_slist_free_all(list_);
      throw std::runtime_error("out of memory building the --resolve list");
    }
    list_ = next;
  }
}

ResolveList::~ResolveList() { curl_slist_free_all(list_); }

}  // namespace crawler
