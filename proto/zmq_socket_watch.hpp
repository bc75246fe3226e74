#pragma once
/// Runs a ZeroMQ socket inside a Boost.Asio io_context, one thread, no polling loop.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <zmq.hpp>

namespace crawler {

/// Wraps a socket's ZMQ_FD in a stream_descriptor and calls `on_ready` on the loop thread
/// whenever the socket may have become readable or writable.
///
/// ZMQ_FD is edge-triggered and only says "events may have changed": each `on_ready` must read
/// ZMQ_EVENTS and drain (receive while ZMQ_POLLIN, send what is queued while ZMQ_POLLOUT). A
/// send or receive made outside `on_ready` may consume the edge too, so the owner calls kick()
/// after one, and whenever it stops draining early (to let other handlers run).
/// The socket is borrowed and must outlive the watch; its fd is released, never closed, here.
class ZmqSocketWatch {
 public:
  ZmqSocketWatch(boost::asio::io_context& io, zmq::socket_t& socket,
                 std::function<void()> on_ready);
  ~ZmqSocketWatch();
  ZmqSocketWatch(const ZmqSocketWatch&) = delete;
  ZmqSocketWatch& operator=(const ZmqSocketWatch&) = delete;

  /// Starts waiting, and calls `on_ready` once soon (messages may already be queued).
  void start();
  /// Calls `on_ready` once soon, from a fresh handler; several kicks before it runs make one call.
  /// `on_ready` may destroy the watch.
  void kick();
  /// Stops waiting, for good: no `on_ready` call happens after this returns. Idempotent.
  void stop();

 private:
  void arm();

  boost::asio::io_context& io_;
  boost::asio::posix::stream_descriptor fd_;
  std::function<void()> on_ready_;
  bool kicked_ = false;
  bool stopped_ = true;
  /// Handlers hold a weak_ptr to this and do nothing once the watch is gone.
  std::shared_ptr<ZmqSocketWatch*> self_;
};

}  // namespace crawler
