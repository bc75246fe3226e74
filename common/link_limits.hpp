#pragma once
/// The per-page link limits (--max-url-length, --max-links-per-page), applied where links are
/// extracted so that nothing over them crosses the bus or reaches the frontier.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crawler {

/// How many links limit_links() dropped, by reason.
struct LinkDrops {
  std::uint32_t too_long = 0;  ///< longer than max_url_length bytes
  std::uint32_t over_cap = 0;  ///< past max_links (after the too-long ones are gone)
};

/// Removes from `links` every link longer than `max_url_length` bytes, then keeps the first
/// `max_links` of the rest (document order is kept). Returns what was dropped.
LinkDrops limit_links(std::vector<std::string>& links, std::size_t max_url_length, std::size_t max_links);

}  // namespace crawler
