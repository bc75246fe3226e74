#pragma once
/// A tiny HTTP/1.1 server (Boost.Beast) for operators and orchestrators: /metrics, /healthz and
/// /readyz, on the process's own io_context.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics.hpp"

namespace crawler {

/// Parses "ADDR:PORT" ("0.0.0.0:9090", "127.0.0.1:0", "[::]:9090"); ADDR is a numeric address
/// (no name lookup). Throws std::invalid_argument saying what is wrong with `text`.
boost::asio::ip::tcp::endpoint parse_listen_endpoint(const std::string& text);

/// Adds --metrics-listen ADDR:PORT (env CRAWL_METRICS_LISTEN; empty, the default: no server),
/// checked with parse_listen_endpoint.
void add_metrics_listen_option(CLI::App& app, std::string& listen);

/// The bounds of a StatusServer; the defaults suit a scraper and a kubelet.
struct StatusServerLimits {
  std::chrono::milliseconds read_timeout{
      5000};  ///< to receive one request (idle keep-alive included)
  std::chrono::milliseconds write_timeout{5000};  ///< to send one response
  std::uint32_t header_limit = 8 * 1024;          ///< request header bytes at most
  std::size_t max_connections = 32;               ///< open at once; more are closed at once
};

/// Serves, on one io_context run by one thread (it starts no thread of its own):
/// - `GET /metrics`: `metrics.render()` as text/plain; version=0.0.4;
/// - `GET /healthz`: 200 "ok" (answered by the event loop itself, so a stuck loop fails it);
/// - `GET /readyz`: 200 when `ready()` returns true (or is empty), else 503;
/// - HEAD likewise; other methods 405; other paths 404.
/// Bounds (StatusServerLimits): request headers past header_limit get 431 and close; a request
/// body gets 400 and close; a request not received within read_timeout (idle keep-alive
/// included) or a response not sent within write_timeout closes the connection; past
/// max_connections open, a new connection is accepted and closed at once, counted in
/// crawler_status_rejected_connections_total.
class StatusServer {
 public:
  using ReadyCheck = std::function<bool()>;

  /// Binds `listen` (see parse_listen_endpoint) at once; throws std::runtime_error naming it
  /// when it is malformed or cannot be bound. `metrics` and `ready` must outlive the server;
  /// `ready` and every gauge_fn of `metrics` run on the io_context's thread.
  StatusServer(boost::asio::io_context& io, const std::string& listen, MetricsRegistry& metrics,
               ReadyCheck ready = nullptr, StatusServerLimits limits = {});
  /// Calls stop().
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  /// Starts accepting connections.
  void start();
  /// Closes the listening socket and every open connection: afterwards the server holds no
  /// work on the io_context, so io_context::run() can return. Idempotent. Loop thread only.
  void stop();

  /// The bound address, e.g. "127.0.0.1:41234" (the real port when `listen` asked for 0).
  std::string endpoint() const;
  std::uint16_t port() const;

 private:
  struct Core;
  class Connection;
  std::shared_ptr<Core> core_;
};

}  // namespace crawler
