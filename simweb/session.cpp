#include "simweb/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace simweb {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

/// RFC 9112 section 3.2.2: a server accepts a target in absolute form ("http://h3.sim:PORT/x",
/// what a client sends to a forward proxy) and takes the host from it, not from Host. simweb
/// then serves as the proxy in front of its own site (tests of --proxy). Rewrites `request` to
/// origin form; false when it was in origin form already.
bool to_origin_form(http::request<http::string_body>& request) {
  const std::string_view target = sv(request.target());
  constexpr std::string_view kScheme = "http://";
  if (target.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if ((target[i] | 0x20) != kScheme[i] && target[i] != kScheme[i]) return false;
  }
  const std::string_view rest = target.substr(kScheme.size());
  const std::size_t end = rest.find_first_of("/?");
  const std::string authority(rest.substr(0, end));
  std::string path(end == std::string_view::npos ? std::string_view() : rest.substr(end));
  if (path.empty() || path.front() == '?') path.insert(path.begin(), '/');
  request.set(http::field::host, authority);
  request.target(path);
  return true;
}

}  // namespace

Session::Session(net::ip::tcp::socket&& socket, const SessionContext& context, std::uint64_t id)
    : stream_(std::move(socket)),
      timer_(stream_.get_executor()),
      ctx_(context),
      rng_(Rng::mix(context.site.config().seed, id, 0x5e55)) {}

Session::~Session() {
  if (host_ >= 0) ctx_.stats.close_host_connection(host_);
}

void Session::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::do_read, shared_from_this()));
}

void Session::do_read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(kIdleTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // A malformed or oversized request gets an answer; a closed or idle connection does not.
    if (!is_http_error(ec) || ec == http::error::end_of_stream ||
        ec == http::error::partial_message)
      return do_close();
    if (ec == http::error::body_limit) return respond_error(413);
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
      return respond_error(431);
    return respond_error(400);
  }
  Request& request = parser_->get();
  if (to_origin_form(request)) ctx_.stats.count_absolute_form();
  int host = ctx_.site.find_host(sv(request[http::field::host]));
  if (!Router::is_stats(sv(request.target()))) {
    ctx_.stats.count_request(host);
    if (!host_decided_) {
      host_decided_ = true;
      if (host >= 0) ctx_.stats.open_host_connection(host_ = host);
    }
  }
  version_ = request.version();
  keep_alive_ = request.keep_alive();
  head_only_ = request.method() == http::verb::head;
  ctx_.router.route(
      request, host, stream_.get_executor(),
      [self = shared_from_this()](Reply reply) { self->on_routed(std::move(reply)); });
}

void Session::on_routed(Reply reply) {
  reply_ = std::move(reply);
  auto& m = reply_.message;
  m.version(version_);
  m.set(http::field::server, "simweb");
  if (reply_.kind == Reply::Kind::kStream && m.chunked() && version_ < 11) {
    m.chunked(false);  // HTTP/1.0 has no chunked coding: the body ends when we close
    keep_alive_ = false;
  }
  m.keep_alive(keep_alive_);
  if (reply_.kind == Reply::Kind::kMessage) m.prepare_payload();

  int delay_ms = ctx_.config.latency_ms;
  if (ctx_.config.jitter_ms > 0)
    delay_ms += rng_.between(-ctx_.config.jitter_ms, ctx_.config.jitter_ms);
  if (delay_ms <= 0) return do_respond();
  timer_.expires_after(std::chrono::milliseconds(delay_ms));
  timer_.async_wait(beast::bind_front_handler(&Session::on_delay, shared_from_this()));
}

void Session::on_delay(beast::error_code ec) {
  if (ec) return do_close();
  do_respond();
}

void Session::do_respond() {
  if (reply_.kind == Reply::Kind::kReset) return do_reset();
  if (reply_.kind == Reply::Kind::kStream || head_only_) return do_write_head();
  stream_.expires_after(kWriteTimeout);
  http::async_write(stream_, reply_.message,
                    beast::bind_front_handler(&Session::on_write_message, shared_from_this()));
}

void Session::on_write_message(beast::error_code ec, std::size_t) {
  if (ec) return do_abort();
  finish_response();
}

void Session::do_write_head() {
  head_.emplace(reply_.message);
  stream_.expires_after(kWriteTimeout);
  http::async_write_header(stream_, *head_,
                           beast::bind_front_handler(&Session::on_write_head, shared_from_this()));
}

void Session::on_write_head(beast::error_code ec, std::size_t) {
  if (ec) return do_abort();
  if (reply_.kind == Reply::Kind::kMessage || head_only_) return finish_response();
  do_next_piece();
}

void Session::do_next_piece() {
  piece_ = reply_.body->next();
  if (piece_.wait.count() <= 0) return do_write_piece();
  timer_.expires_after(piece_.wait);
  timer_.async_wait(beast::bind_front_handler(&Session::on_piece_wait, shared_from_this()));
}

void Session::on_piece_wait(beast::error_code ec) {
  if (ec) return do_abort();
  do_write_piece();
}

void Session::do_write_piece() {
  if (piece_.data.empty()) {
    // Posted, not called: a body that yields many empty pieces must not hog the thread.
    return net::post(stream_.get_executor(),
                     beast::bind_front_handler(&Session::on_write_piece, shared_from_this(),
                                               beast::error_code{}, std::size_t{0}));
  }
  stream_.expires_after(kWriteTimeout);
  auto handler = beast::bind_front_handler(&Session::on_write_piece, shared_from_this());
  if (reply_.message.chunked())
    net::async_write(stream_, http::make_chunk(net::buffer(piece_.data)), std::move(handler));
  else
    net::async_write(stream_, net::buffer(piece_.data), std::move(handler));
}

void Session::on_write_piece(beast::error_code ec, std::size_t) {
  if (ec) return do_abort();
  switch (piece_.then) {
    case BodySource::Piece::Then::kMore:
      return do_next_piece();
    case BodySource::Piece::Then::kClose:
      return do_abort();
    case BodySource::Piece::Then::kEnd:
      break;
  }
  if (!reply_.message.chunked()) return finish_response();
  stream_.expires_after(kWriteTimeout);
  net::async_write(stream_, http::make_chunk_last(),
                   beast::bind_front_handler(&Session::on_write_last, shared_from_this()));
}

void Session::on_write_last(beast::error_code ec, std::size_t) {
  if (ec) return do_abort();
  finish_response();
}

void Session::finish_response() {
  reply_ = Reply{};
  head_.reset();
  if (!keep_alive_) return do_close();
  do_read();
}

void Session::respond_error(unsigned status) {
  Reply reply =
      Reply::make(http::int_to_status(status), "text/plain; charset=utf-8", "bad request\n");
  reply.message.result(status);
  version_ = 11;
  keep_alive_ = false;
  head_only_ = false;
  on_routed(std::move(reply));
}

void Session::do_reset() {
  // SO_LINGER with a zero timeout makes close() send an RST instead of a FIN.
  beast::error_code ec;
  stream_.socket().set_option(net::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
}

void Session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

void Session::do_abort() {
  beast::error_code ec;
  timer_.cancel();
  stream_.socket().close(ec);
}

}  // namespace simweb
