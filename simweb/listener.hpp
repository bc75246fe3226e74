#pragma once
/// Accepts TCP connections and starts a Session for each.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <cstdint>
#include <memory>

#include "simweb/session.hpp"

namespace simweb {

/// Owns the listening socket. Each accepted socket gets its own strand and Session.
/// When accept fails (e.g. out of file descriptors) it retries after 50 ms rather than spin.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// Opens, binds and listens. Throws boost::system::system_error (e.g. address in use).
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint);

  /// The bound port (the chosen one when the endpoint asked for 0).
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  /// Starts accepting. `context` must outlive every session (see SessionContext).
  void run(const SessionContext& context);

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void on_backoff(boost::beast::error_code ec);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  const SessionContext* context_ = nullptr;
  std::uint64_t next_id_ = 0;
};

}  // namespace simweb
