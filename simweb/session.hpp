#pragma once
/// One HTTP/1.1 connection of the simweb server (Beast, keep-alive, deadlines on every I/O).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "simweb/reply.hpp"
#include "simweb/rng.hpp"
#include "simweb/router.hpp"
#include "simweb/server.hpp"
#include "simweb/site.hpp"
#include "simweb/stats_registry.hpp"

namespace simweb {

/// What every session of one server shares. Outlives every session (the server destroys its
/// io_context, and with it every session, before these).
struct SessionContext {
  const ServerConfig& config;
  const Site& site;
  const Router& router;
  StatsRegistry& stats;
};

/// Reads requests one after another, routes them, waits the configured latency on a timer,
/// writes the reply. Lives as long as an operation holds it (shared_from_this); all its
/// handlers run on its own strand. Limits: headers 16 KiB, request body 64 KiB (else 431 or
/// 413 and close); 30 s idle between requests; 60 s per write.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr std::chrono::seconds kIdleTimeout{30};
  static constexpr std::chrono::seconds kWriteTimeout{60};
  static constexpr std::uint32_t kHeaderLimit = 16 * 1024;
  static constexpr std::uint64_t kBodyLimit = 64 * 1024;

  /// `socket` must have been accepted on a strand; `id` seeds the latency jitter.
  Session(boost::asio::ip::tcp::socket&& socket, const SessionContext& context, std::uint64_t id);
  ~Session();

  /// Starts reading requests.
  void run();

 private:
  using Request = Router::Request;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_routed(Reply reply);
  void on_delay(boost::beast::error_code ec);
  void do_respond();
  void on_write_message(boost::beast::error_code ec, std::size_t bytes);
  void do_write_head();
  void on_write_head(boost::beast::error_code ec, std::size_t bytes);
  void do_next_piece();
  void on_piece_wait(boost::beast::error_code ec);
  void do_write_piece();
  void on_write_piece(boost::beast::error_code ec, std::size_t bytes);
  void on_write_last(boost::beast::error_code ec, std::size_t bytes);
  void finish_response();
  void respond_error(unsigned status);
  void do_reset();
  void do_close();
  void do_abort();

  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  const SessionContext& ctx_;
  Rng rng_;
  Reply reply_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::string_body>> head_;
  BodySource::Piece piece_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool host_decided_ = false;  ///< the first counted request named (or failed to name) a host
  int host_ = -1;              ///< site host this connection counts for, -1 for none
};

}  // namespace simweb
