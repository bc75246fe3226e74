#pragma once
/// Request and connection counters of a running simweb server, lock-free.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "simweb/server.hpp"
#include "simweb/site.hpp"

namespace simweb {

/// Counters per server and per site host. Every method is thread-safe (atomics only).
/// Hosts outside the site are counted in the totals only, so memory is O(hosts).
class StatsRegistry {
 public:
  /// Keeps a reference to `site` (host names), which must outlive the registry.
  explicit StatsRegistry(const Site& site);

  /// One accepted TCP connection.
  void count_connection() { connections_.fetch_add(1, std::memory_order_relaxed); }
  /// One request that named its URL in absolute form, as clients do to a forward proxy.
  void count_absolute_form() { absolute_form_.fetch_add(1, std::memory_order_relaxed); }
  /// One request (not /__stats) for site host `host`, or -1 when the Host is not the site's.
  void count_request(int host);
  /// A connection now belongs to `host` (its first request named it): raises the host's open
  /// count and, if needed, its peak. Pair with close_host_connection().
  void open_host_connection(int host);
  /// The connection attributed to `host` closed.
  void close_host_connection(int host);

  /// A consistent-enough copy (each counter read atomically). Hosts with no request and no
  /// connection are left out.
  ServerStats snapshot() const;
  /// The /__stats body: {"requests":N,"connections":N,"absolute_form_requests":N,"hosts":
  /// {"h0.sim":{"requests":N,"max_concurrent_connections":N},...}}, hosts as in snapshot(), in
  /// host order.
  std::string to_json() const;

 private:
  struct HostCounters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> open{0};
    std::atomic<std::uint64_t> peak{0};
  };

  const Site& site_;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> absolute_form_{0};
  std::unique_ptr<HostCounters[]> hosts_;
};

}  // namespace simweb
