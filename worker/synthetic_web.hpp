#pragma once
/// A worker that fetches nothing: every task is answered at once with links into a synthetic
/// web. It measures the coordinator alone (crawl-bench's coordinator ceiling, issue 12).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/task_sink.hpp"

namespace crawler {

/// A deterministic web of `pages` pages over `hosts` hosts: page n is http://hN%H.syn/pN, and
/// links to `links` pages spread evenly over the whole web (so over every host), the same ones
/// each time it is asked.
struct SyntheticWeb {
  std::uint64_t pages = 100'000'000;
  std::uint64_t hosts = 1'000'000;
  std::uint32_t links = 50;

  /// Parses "PAGES:HOSTS" or "PAGES:HOSTS:LINKS"; nullopt when malformed or zero.
  static std::optional<SyntheticWeb> parse(std::string_view spec);
  std::string url(std::uint64_t page) const;
  /// The page `url` names; nullopt for a URL not of this web.
  std::optional<std::uint64_t> page_of(std::string_view url) const;
  /// The links of page `page`, absolute and normalised (as the link extractor gives them).
  std::vector<std::string> links_of(std::uint64_t page) const;
};

/// A TaskSink that answers each task from a fresh handler, without I/O: 200 and the page's
/// links, or 404 for a URL not of the web.
std::unique_ptr<TaskSink> make_synthetic_engine(boost::asio::io_context& io, SyntheticWeb web);

}  // namespace crawler
