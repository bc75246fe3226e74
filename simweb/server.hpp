#pragma once
/// simweb: the project's own test web. A deterministic site served by a Boost.Beast HTTP/1.1
/// server on loopback, with fault injection on request. Used by tests, benchmarks and the demo.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "simweb/site.hpp"

namespace simweb {

/// How the server listens and behaves.
struct ServerConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0 picks a free port
  int threads = 2;         ///< io_context threads
  int latency_ms = 0;      ///< added before every response (a timer, not a sleep)
  int jitter_ms = 0;       ///< +- uniform jitter on latency_ms
  bool gzip = true;        ///< gzip pages when the client accepts it
  std::size_t gzip_cache_mb = 256;  ///< memory for compressed pages kept for the next request
};

/// Counters the server keeps, for tests that check what a crawler did to it.
struct ServerStats {
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;             ///< TCP connections accepted
  std::uint64_t absolute_form_requests = 0;  ///< requests sent as to a proxy (see Session)
  std::map<std::string, std::uint64_t> requests_by_host;  ///< by Host header (without port)
  std::map<std::string, std::uint64_t>
      max_concurrent_conns_by_host;  ///< peak open connections per host
};

/// Thread-safe: stats() may be called from any thread while the server runs.
class Server {
 public:
  /// Validates both configs (std::invalid_argument naming the field); binds nothing yet.
  Server(ServerConfig config, SiteConfig site);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, builds the site with the bound port in its URLs, starts the threads, returns the
  /// bound port. Throws on bind failure (boost::system::system_error) or a bad bind address.
  /// Call once.
  std::uint16_t start();
  /// Stops accepting, closes connections, joins threads. Idempotent. stats() and site() stay
  /// valid afterwards.
  void stop();
  /// A snapshot of the counters (all zero before start()).
  ServerStats stats() const;
  /// The site being served. Throws std::logic_error before start() (URLs need the port).
  const Site& site() const;

  /// For the `simweb` program: after start(), calls `on_ready` (e.g. to print the port), then
  /// blocks until SIGINT or SIGTERM arrives (an asio signal_set on the server's io_context) or
  /// `max_seconds` pass (0: no limit), then stop()s. Returns the signal number, or 0 when the
  /// time ran out.
  int run_until_signal(int max_seconds, const std::function<void()>& on_ready);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace simweb
