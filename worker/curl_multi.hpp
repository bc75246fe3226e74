#pragma once
/// libcurl's multi_socket API driven by one Boost.Asio io_context (curl's docs/examples/multi-uv.c,
/// in asio terms).

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>

namespace crawler {

/// Owns one CURLM and runs its transfers on `io`: one steady_timer for curl's timeouts and one
/// posix::stream_descriptor per socket curl asks about. curl owns every socket: descriptors are
/// released, never closed. curl wants level-triggered readiness and asio's epoll waits are
/// edge-triggered, so before each wait the socket's level is polled (one poll(2), timeout 0) and
/// a socket already ready is acted on at once. curl_multi_socket_action is only ever called from
/// asio handlers, never from inside a curl callback, and curl_multi_info_read is drained after
/// every call. Not thread-safe: use only on the io_context's thread. May be destroyed at any
/// time on that thread, even from inside a DoneHandler: every handler it left queued holds a weak
/// life token and does nothing once the CurlMulti is gone.
class CurlMulti {
 public:
  /// Called once when a transfer ends, after its easy handle was removed from the multi.
  using DoneHandler = std::function<void(CURLcode)>;

  /// Connection limits handed to curl. There is deliberately no cap on connections in total:
  /// the caller bounds transfers in flight (HostQueue), and a total cap below the hosts in
  /// rotation times their connections makes curl close each host's idle connection before the
  /// host's next request (one new connection, and TLS handshake, per page).
  struct Limits {
    long max_cached_connections = 0;  ///< CURLMOPT_MAXCONNECTS: connections kept, idle or busy
                                      ///< (0: curl's default, 4 per transfer added)
    long max_host_connections = 0;    ///< CURLMOPT_MAX_HOST_CONNECTIONS (0: no limit)
  };

  /// Throws std::runtime_error if curl cannot create the multi handle.
  CurlMulti(boost::asio::io_context& io, Limits limits);
  /// Removes every transfer without calling its handler, then cleans up the multi handle.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  /// Starts `easy` (configured, not in any multi). The caller keeps owning `easy`; it must stay
  /// alive until `on_done` runs or remove() is called. `on_done` runs on the io_context's thread,
  /// never from inside add(). Returns false (and never calls `on_done`) if curl refuses the handle.
  bool add(CURL* easy, DoneHandler on_done);

  /// Stops a transfer started with add() without calling its handler. No-op if not present.
  void remove(CURL* easy);

  /// Resizes the connection cache (CURLMOPT_MAXCONNECTS; at least 1): past it, curl closes the
  /// least recently used idle connection when a transfer ends. Cheap when unchanged.
  void set_max_cached_connections(long n);
  long max_cached_connections() const { return max_cached_; }

  /// Connections a cache may keep in this process: 3/4 of the descriptors it may open
  /// (RLIMIT_NOFILE; the rest for listeners, the coordinator's socket, output files), at least
  /// `at_least`.
  static long connection_ceiling(long at_least);

  /// Transfers added and not yet finished or removed.
  std::size_t size() const { return transfers_.size(); }

 private:
  struct Socket;

  static int on_socket_trampoline(CURL* easy, curl_socket_t fd, int what, void* userp,
                                  void* socketp) noexcept;
  static int on_timer_trampoline(CURLM* multi, long timeout_ms, void* userp) noexcept;

  void on_socket(curl_socket_t fd, int what);
  void on_timer(long timeout_ms);
  void arm(const std::shared_ptr<Socket>& socket);
  void on_ready(const std::weak_ptr<Socket>& weak, int direction,
                const boost::system::error_code& ec);
  void on_timeout(unsigned long generation);
  void socket_action(curl_socket_t fd, int ev_bitmask);
  void drain_completions();

  boost::asio::io_context& io_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  /// Bumped by each timer callback: an expiry or post from before it does nothing.
  unsigned long timer_generation_ = 0;
  long max_cached_ = 0;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
  std::unordered_map<CURL*, DoneHandler> transfers_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  ///< handlers hold a weak_ptr to this
};

}  // namespace crawler
