#include "proto/zmq_socket_watch.hpp"

#include <boost/asio/post.hpp>

namespace crawler {

ZmqSocketWatch::ZmqSocketWatch(boost::asio::io_context& io, zmq::socket_t& socket,
                               std::function<void()> on_ready)
    : io_(io),
      fd_(io, socket.get(zmq::sockopt::fd)),
      on_ready_(std::move(on_ready)),
      self_(std::make_shared<ZmqSocketWatch*>(this)) {}

ZmqSocketWatch::~ZmqSocketWatch() {
  stop();
  self_.reset();
}

void ZmqSocketWatch::start() {
  if (!stopped_) return;
  stopped_ = false;
  arm();
  kick();
}

void ZmqSocketWatch::stop() {
  stopped_ = true;
  // The fd belongs to the ZeroMQ socket: release (which cancels the wait) rather than close.
  if (fd_.is_open()) fd_.release();
}

void ZmqSocketWatch::kick() {
  if (kicked_ || stopped_) return;
  kicked_ = true;
  boost::asio::post(io_, [weak = std::weak_ptr<ZmqSocketWatch*>(self_)] {
    const auto self = weak.lock();
    if (!self) return;
    ZmqSocketWatch* watch = *self;
    watch->kicked_ = false;
    if (watch->stopped_) return;
    // A copy: on_ready may destroy the watch, and with it on_ready_.
    const auto on_ready = watch->on_ready_;
    on_ready();
  });
}

void ZmqSocketWatch::arm() {
  fd_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                 [weak = std::weak_ptr<ZmqSocketWatch*>(self_)](boost::system::error_code ec) {
                   const auto self = weak.lock();
                   if (!self || ec) return;
                   ZmqSocketWatch* watch = *self;
                   if (watch->stopped_) return;
                   // Re-arm before the owner runs: the wait must be pending whenever the loop
                   // polls, or an edge that arrives meanwhile would be lost.
                   watch->arm();
                   const auto on_ready = watch->on_ready_;  // on_ready may destroy the watch
                   on_ready();
                 });
}

}  // namespace crawler
