#include "worker/connect_to_list.hpp"

#include "common/connect_to.hpp"

namespace crawler {

ConnectToList::ConnectToList(const std::vector<std::string>& entries)
    : CheckedSlist(entries, "--connect-to", [](const std::string& entry) {
        std::string why;
        parse_connect_to(entry, why);
        return why;
      }) {}

}  // namespace crawler
