#include "simweb/flaky_counters.hpp"

#include <boost/asio/post.hpp>

namespace simweb {

void FlakyCounters::next(std::string key, boost::asio::any_io_executor reply_on, Handler handler) {
  boost::asio::post(
      strand_, [this, key = std::move(key), reply_on, handler = std::move(handler)]() mutable {
        std::optional<std::uint64_t> count;
        if (auto it = counts_.find(key); it != counts_.end())
          count = ++it->second;
        else if (counts_.size() < kMaxKeys)
          count = counts_[key] = 1;
        boost::asio::post(reply_on, [handler = std::move(handler), count] { handler(count); });
      });
}

}  // namespace simweb
