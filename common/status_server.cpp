#include "common/status_server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <list>
#include <optional>
#include <stdexcept>

#include "common/fetch_cli.hpp"
#include "common/port.hpp"

namespace crawler {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

tcp::endpoint parse_listen_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw std::invalid_argument("'" + text + "': expected ADDR:PORT, e.g. 0.0.0.0:9090");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("'" + text + "': '" + host + "' is not a numeric IP address");
  const std::string port_text = text.substr(colon + 1);
  const auto port = parse_port(port_text, /*min_port=*/0);
  if (!port) throw std::invalid_argument("'" + text + "': '" + port_text + "' is not a port (0-65535)");
  return {address, static_cast<unsigned short>(*port)};
}

void add_metrics_listen_option(CLI::App& app, std::string& listen) {
  app.add_option("--metrics-listen", listen,
                 "serve /metrics, /healthz and /readyz over HTTP on ADDR:PORT, e.g. 0.0.0.0:9090 "
                 "(empty: off)")
      ->envname(env_name("metrics-listen"))
      ->capture_default_str()
      ->check([](const std::string& value) -> std::string {
        if (value.empty()) return {};
        try {
          parse_listen_endpoint(value);
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
        return {};
      });
}

/// What the server and its connections share; connections hold it, so it outlives the server
/// object while their cancelled handlers are still queued.
struct StatusServer::Core : std::enable_shared_from_this<Core> {
  Core(net::io_context& io, MetricsRegistry& registry, ReadyCheck ready_check,
       StatusServerLimits bounds)
      : io(io),
        limits(bounds),
        acceptor(io),
        backoff(io),
        metrics(registry),
        ready(std::move(ready_check)),
        rejected(registry.counter(
            "crawler_status_rejected_connections_total",
            "Status-server connections closed at once because too many were open")) {}

  std::size_t open_connections() {
    connections.remove_if([](const std::weak_ptr<Connection>& c) { return c.expired(); });
    return connections.size();
  }

  net::io_context& io;
  StatusServerLimits limits;
  tcp::acceptor acceptor;
  net::steady_timer backoff;
  MetricsRegistry& metrics;
  ReadyCheck ready;
  Counter& rejected;
  std::list<std::weak_ptr<Connection>> connections;
  bool stopped = false;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
};

/// One client connection: reads a request, answers it, and reads the next while keep-alive.
class StatusServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, std::shared_ptr<Core> core)
      : stream_(std::move(socket)),
        buffer_(2 * std::size_t{core->limits.header_limit}),
        core_(std::move(core)) {}

  void run() { do_read(); }
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(core_->limits.header_limit);
    parser_->body_limit(0);
    stream_.expires_after(core_->limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (core_->stopped || ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::header_limit)
      return respond_error(http::status::request_header_fields_too_large);
    if (ec) return respond_error(http::status::bad_request);
    const auto& request = parser_->get();
    response_ = {};
    response_.version(request.version());
    response_.keep_alive(request.keep_alive());
    answer(request.method(), request.target());
    do_write();
  }

  void answer(http::verb method, beast::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    response_.set(http::field::cache_control, "no-store");
    if (method != http::verb::get && method != http::verb::head) {
      response_.set(http::field::allow, "GET, HEAD");
      return set_text(http::status::method_not_allowed, "only GET and HEAD\n");
    }
    if (path == "/metrics") {
      set_text(http::status::ok, core_->metrics.render());
      response_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    } else if (path == "/healthz") {
      set_text(http::status::ok, "ok\n");
    } else if (path == "/readyz") {
      bool ready = true;
      try {
        ready = !core_->ready || core_->ready();
      } catch (const std::exception&) {
        ready = false;
      }
      set_text(ready ? http::status::ok : http::status::service_unavailable,
               ready ? "ready\n" : "not ready\n");
    } else {
      set_text(http::status::not_found, "not found: try /metrics, /healthz or /readyz\n");
    }
    if (method == http::verb::head) {
      const auto length = response_.body().size();
      response_.body().clear();
      response_.content_length(length);
    }
  }

  void set_text(http::status status, std::string body) {
    response_.result(status);
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = std::move(body);
    response_.prepare_payload();
  }

  void respond_error(http::status status) {
    response_ = {};
    response_.version(11);
    set_text(status, std::string(http::obsolete_reason(status)) + "\n");
    response_.keep_alive(false);
    do_write();
  }

  void do_write() {
    stream_.expires_after(core_->limits.write_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Connection::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || core_->stopped || !response_.keep_alive()) return close();
    do_read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  ///< bounded: a request never needs more than its headers
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<Core> core_;
};

void StatusServer::Core::do_accept() {
  acceptor.async_accept(beast::bind_front_handler(&Core::on_accept, shared_from_this()));
}

void StatusServer::Core::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopped || ec == net::error::operation_aborted) return;
  if (ec) {
    // E.g. out of file descriptors: try again a little later rather than spin.
    backoff.expires_after(std::chrono::milliseconds(100));
    backoff.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && !self->stopped) self->do_accept();
    });
    return;
  }
  if (open_connections() >= limits.max_connections) {
    rejected.inc();
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    auto connection = std::make_shared<Connection>(std::move(socket), shared_from_this());
    connections.push_back(connection);
    connection->run();
  }
  do_accept();
}

StatusServer::StatusServer(net::io_context& io, const std::string& listen, MetricsRegistry& metrics,
                           ReadyCheck ready, StatusServerLimits limits)
    : core_(std::make_shared<Core>(io, metrics, std::move(ready), limits)) {
  try {
    const auto endpoint = parse_listen_endpoint(listen);
    core_->acceptor.open(endpoint.protocol());
    core_->acceptor.set_option(net::socket_base::reuse_address(true));
    core_->acceptor.bind(endpoint);
    core_->acceptor.listen(net::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    throw std::runtime_error("--metrics-listen " + listen + ": " + e.what());
  }
}

StatusServer::~StatusServer() { stop(); }

void StatusServer::start() { core_->do_accept(); }

void StatusServer::stop() {
  if (core_->stopped) return;
  core_->stopped = true;
  beast::error_code ignored;
  core_->acceptor.close(ignored);
  core_->backoff.cancel();
  for (auto& weak : core_->connections) {
    if (auto connection = weak.lock()) connection->close();
  }
  core_->connections.clear();
}

std::string StatusServer::endpoint() const {
  const auto ep = core_->acceptor.local_endpoint();
  const auto address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

std::uint16_t StatusServer::port() const { return core_->acceptor.local_endpoint().port(); }

}  // namespace crawler
