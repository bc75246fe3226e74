#pragma once
/// Per-key request counters for /fault/flaky/{key}/..., owned by one strand.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace simweb {

/// Counts requests per key. The map is only touched on the counters' strand, so any session
/// thread may call next(). Bounded: at most kMaxKeys keys; past the bound a new key gets
/// std::nullopt (the endpoint answers 400) and existing keys keep counting.
class FlakyCounters {
 public:
  static constexpr std::size_t kMaxKeys = 10'000;
  using Handler = std::function<void(std::optional<std::uint64_t> count)>;

  explicit FlakyCounters(boost::asio::io_context& ioc) : strand_(boost::asio::make_strand(ioc)) {}

  /// Increments `key` and calls `handler` on `reply_on` with its new count (1 for the first
  /// request), or with std::nullopt when the table is full.
  void next(std::string key, boost::asio::any_io_executor reply_on, Handler handler);

 private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::unordered_map<std::string, std::uint64_t> counts_;
};

}  // namespace simweb
