#pragma once
/// simweb: the project's own test web. A deterministic site served by a Boost.Beast HTTP/1.1
/// server on loopback, with fault injection on request. Used by tests, benchmarks and the demo.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "simweb/site.hpp"

namespace simweb {

/// How the server listens and behaves.
struct ServerConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;   ///< 0 picks a free port
  int threads = 2;          ///< io_context threads
  int latency_ms = 0;       ///< added before every response (a timer, not a sleep)
  int jitter_ms = 0;        ///< +- uniform jitter on latency_ms
  bool gzip = true;         ///< gzip pages when the client accepts it
};

/// Counters the server keeps, for tests that check what a crawler did to it.
struct ServerStats {
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;
  std::map<std::string, std::uint64_t> requests_by_host;            ///< by Host header (without port)
  std::map<std::string, std::uint64_t> max_concurrent_conns_by_host;  ///< peak open connections per host
};

class Server {
 public:
  Server(ServerConfig config, SiteConfig site);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, starts the threads, returns the bound port. Throws on bind failure.
  std::uint16_t start();
  /// Stops accepting, closes connections, joins threads. Idempotent.
  void stop();
  ServerStats stats() const;
  const Site& site() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace simweb
