#pragma once
/// A ZeroMQ socket's failed handshakes (ZMTP, CURVE, ZAP), reported on a Boost.Asio loop.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "proto/zmq_socket_watch.hpp"

namespace crawler {

/// Monitors `socket` (zmq_socket_monitor over an inproc PAIR socket watched like any other, see
/// ZmqSocketWatch) and calls `on_failure` on the loop thread for each failed handshake;
/// `on_failure` must not destroy the monitor.
/// cppzmq's monitor_t keeps its PAIR socket to itself and can only be polled, so this is one
/// of the few places with a raw zmq_* call. Events beyond the PAIR's queue (1000) are dropped
/// by ZeroMQ. `socket` must outlive the monitor, or be closed before it.
class ZmqHandshakeMonitor {
 public:
  struct Failure {
    int event = 0;            ///< ZMQ_EVENT_HANDSHAKE_FAILED_{NO_DETAIL,PROTOCOL,AUTH}
    std::uint32_t value = 0;  ///< errno, ZMQ_PROTOCOL_ERROR_*, or the ZAP status code
    std::string endpoint;     ///< the socket's endpoint concerned
  };

  /// Starts monitoring at once. Throws std::runtime_error when ZeroMQ refuses.
  ZmqHandshakeMonitor(boost::asio::io_context& io, zmq::context_t& context, zmq::socket_t& socket,
                      std::function<void(const Failure&)> on_failure);
  ~ZmqHandshakeMonitor();
  ZmqHandshakeMonitor(const ZmqHandshakeMonitor&) = delete;
  ZmqHandshakeMonitor& operator=(const ZmqHandshakeMonitor&) = delete;

  /// "the peer does not speak CURVE", "a cryptographic failure (...)", "refused by ZAP (400)".
  static std::string describe(const Failure& failure);

 private:
  void on_ready();

  zmq::socket_t& socket_;
  zmq::socket_t pair_;
  std::unique_ptr<ZmqSocketWatch> watch_;
  std::function<void(const Failure&)> on_failure_;
};

}  // namespace crawler
