#include "common/link_limits.hpp"

#include <algorithm>
#include <limits>

namespace crawler {
namespace {
std::uint32_t clamp32(std::size_t n) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}
}  // namespace

LinkDrops limit_links(std::vector<std::string>& links, std::size_t max_url_length, std::size_t max_links) {
  LinkDrops drops;
  const auto long_begin = std::remove_if(links.begin(), links.end(),
                                         [&](const std::string& link) { return link.size() > max_url_length; });
  drops.too_long = clamp32(static_cast<std::size_t>(links.end() - long_begin));
  links.erase(long_begin, links.end());
  if (links.size() > max_links) {
    drops.over_cap = clamp32(links.size() - max_links);
    links.resize(max_links);
  }
  return drops;
}

}  // namespace crawler
