#pragma once
/// Host names to addresses without blocking the loop and without a thread per lookup: c-ares
/// driven by the engine's io_context, with a cache that honours each answer's TTL.

#include <ares.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "worker/dns_cache.hpp"

namespace crawler {

/// Resolves host names (A and AAAA, /etc/hosts first, then the servers of /etc/resolv.conf or
/// Options::servers) on one io_context, like CurlMulti does transfers: c-ares's sockets are
/// watched with asio, its timeouts with one steady_timer. Answers are kept in a DnsCache for
/// their TTL (the smallest of the answer's records, at most kMaxTtl); failures for kFailureTtl.
/// Lookups of a name already being looked up wait for that one. Bounds: at most
/// Options::capacity names cached (least recently used forgotten first); the lookups waiting
/// are the caller's to bound (AsyncEngine: one per transfer slot, so at most --concurrency).
/// Every query has c-ares's timeout (Options::timeout_ms, doubled each try, Options::tries).
/// Not thread-safe: use only on the io_context's thread. Handlers never run inside lookup() and
/// never after destruction.
class DnsResolver {
 public:
  struct Options {
    std::string servers;          ///< as --dns-servers (dns_servers_error); empty: resolv.conf's
    int timeout_ms = 2'000;       ///< per query to one server, doubling at each round
    int tries = 2;                ///< rounds over the servers before a lookup times out
    std::size_t capacity = 100'000;  ///< names cached at most
  };
  /// Longest an answer is kept, whatever its TTL says.
  static constexpr std::chrono::seconds kMaxTtl{3600};
  /// How long a failure (no such name, timeout, server failure) is kept.
  static constexpr std::chrono::seconds kFailureTtl{30};
  /// SO_RCVBUF of c-ares's sockets (the kernel caps it at net.core.rmem_max).
  static constexpr int kReceiveBufferBytes = 4 << 20;

  using Handler = std::function<void(const DnsAnswer&)>;

  /// Counts since construction.
  struct Stats {
    std::uint64_t lookups = 0;   ///< names looked up (/etc/hosts, else the servers: A and AAAA)
    std::uint64_t failures = 0;  ///< of those, answered with an error
    std::uint64_t cache_hits = 0;
  };

  /// Throws std::runtime_error when c-ares cannot start or `options.servers` is malformed.
  DnsResolver(boost::asio::io_context& io, const Options& options);
  /// Abandons lookups in flight: their handlers are never called.
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  /// The cached answer for `name`, if its TTL has not run out; nullptr otherwise (then lookup()).
  /// `localhost` and names under it are always answered: 127.0.0.1 and ::1 (RFC 6761), as curl
  /// does. `name` is lower-case. Valid until the next call into the resolver.
  const DnsAnswer* cached(const std::string& name);

  /// Resolves `name` (a host name, not an IP literal) and calls `done` with the answer on the
  /// io_context's thread.
  void lookup(const std::string& name, Handler done);

  const Stats& stats() const { return *stats_; }
  /// The same counts, readable after the resolver is gone (for /metrics).
  std::shared_ptr<const Stats> shared_stats() const { return stats_; }

 private:
  struct Socket;
  struct Query;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) noexcept;
  static void on_answer(void* arg, int status, int timeouts, ares_addrinfo* result) noexcept;

  void answer(const std::string& name, int status, const ares_addrinfo* result);
  void watch(ares_socket_t fd, bool read, bool write);
  void arm(const std::shared_ptr<Socket>& socket);
  void on_ready(const std::weak_ptr<Socket>& weak, bool read, const boost::system::error_code& ec);
  void process(ares_socket_t read_fd, ares_socket_t write_fd);
  void arm_timer();

  boost::asio::io_context& io_;
  ares_channel channel_ = nullptr;
  boost::asio::steady_timer timer_;
  DnsCache cache_;
  std::shared_ptr<Stats> stats_ = std::make_shared<Stats>();
  std::unordered_map<std::string, std::vector<Handler>> waiting_;  ///< name → handlers
  std::unordered_map<ares_socket_t, std::shared_ptr<Socket>> sockets_;
  bool destroying_ = false;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  ///< handlers hold a weak_ptr to this
};

}  // namespace crawler
