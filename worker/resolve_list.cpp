#include "worker/resolve_list.hpp"

#include "common/resolve_entry.hpp"

namespace crawler {

std::string ResolveList::check(const std::string& entry) { return resolve_entry_error(entry); }

ResolveList::ResolveList(const std::vector<std::string>& entries)
    : CheckedSlist(entries, "--resolve", &ResolveList::check) {}

}  // namespace crawler
