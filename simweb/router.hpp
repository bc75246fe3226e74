#pragma once
/// Maps one HTTP request to a Reply: site pages, robots.txt, /private/, faults, /__stats.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string_view>

#include "simweb/fault_endpoints.hpp"
#include "simweb/gzip_page_cache.hpp"
#include "simweb/page_renderer.hpp"
#include "simweb/reply.hpp"
#include "simweb/server.hpp"
#include "simweb/site.hpp"
#include "simweb/stats_registry.hpp"

namespace simweb {

/// Stateless apart from the references it keeps (all must outlive it); thread-safe.
class Router {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Done = FaultEndpoints::Done;

  Router(const Site& site, const ServerConfig& config, const StatsRegistry& stats,
         FlakyCounters& flaky);

  /// Answers `request`, whose Host header named site host `host` (-1: not a site host).
  /// Calls `done` exactly once, before returning or later on `executor`.
  /// GET and HEAD only (else 405); unknown host 404 (except /__stats, served on any host).
  void route(const Request& request, int host, const boost::asio::any_io_executor& executor,
             Done done) const;

  /// True when an Accept-Encoding value accepts gzip ("gzip" or "x-gzip" without q=0).
  static bool accepts_gzip(std::string_view accept_encoding);
  /// True when the request target is /__stats (with or without a query).
  static bool is_stats(std::string_view target);

 private:
  const Site& site_;
  const ServerConfig& config_;
  const StatsRegistry& stats_;
  PageRenderer renderer_;
  mutable GzipPageCache gzip_pages_;
  FaultEndpoints faults_;
};

}  // namespace simweb
