#include "simweb/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace simweb {

namespace net = boost::asio;

Listener::Listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), backoff_(acceptor_.get_executor()) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run(const SessionContext& context) {
  context_ = &context;
  net::dispatch(acceptor_.get_executor(),
                boost::beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(
                                                     &Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::beast::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    backoff_.expires_after(std::chrono::milliseconds(50));
    return backoff_.async_wait(
        boost::beast::bind_front_handler(&Listener::on_backoff, shared_from_this()));
  }
  context_->stats.count_connection();
  boost::beast::error_code ignored;
  socket.set_option(net::ip::tcp::no_delay(true), ignored);
  std::make_shared<Session>(std::move(socket), *context_, next_id_++)->run();
  do_accept();
}

void Listener::on_backoff(boost::beast::error_code ec) {
  if (!ec) do_accept();
}

}  // namespace simweb
