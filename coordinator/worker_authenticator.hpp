#pragma once
/// CURVE for the coordinator's ROUTER: who may connect as a worker.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "proto/curve_keys.hpp"
#include "proto/zmq_handshake_monitor.hpp"
#include "proto/zmq_socket_watch.hpp"

namespace crawler {

/// The ZAP handler (RFC 27) of one ZeroMQ context, on the caller's io_context: a REP socket
/// bound to inproc://zeromq.zap.01 that accepts a CURVE client only when its public key is in
/// `keys.authorized`. It also counts the connections that fail before ZAP is asked (a worker
/// without CURVE, or with the wrong server key), from a monitor on the secured socket.
///
/// Why on the loop, not on a thread: ZeroMQ's I/O thread sends the request and waits for the
/// answer without blocking anything (the handshake just stays pending), so a handler on the
/// same single thread as the ROUTER, driven by ZMQ_FD like it (ZmqSocketWatch), needs no lock
/// for its key set or counters. A loop stalled for the handshake interval (30 s) would fail
/// handshakes, but such a loop has lost its workers anyway.
///
/// keys.authorized_path (when set) is read again as workers connect, at most every 5 s: a key
/// added or removed there counts from the next connection, without a restart (connections
/// already made stay); a bad file then keeps the old set, with an error logged.
///
/// Order matters: libzmq lets any CURVE client in while no handler is bound, so construct this
/// before the secured socket binds, and destroy it after that socket is closed.
/// Loop thread only.
class WorkerAuthenticator {
 public:
  /// Binds the handler in `context`. Throws std::runtime_error when libzmq has no CURVE, or
  /// another handler is bound in this context.
  WorkerAuthenticator(boost::asio::io_context& io, zmq::context_t& context, CurveServerKeys keys);
  ~WorkerAuthenticator();
  WorkerAuthenticator(const WorkerAuthenticator&) = delete;
  WorkerAuthenticator& operator=(const WorkerAuthenticator&) = delete;

  /// Makes `socket` a CURVE server with the coordinator's secret key whose clients ZAP checks,
  /// and watches its failed handshakes. Call before `socket` binds; once.
  void secure(zmq::socket_t& socket);

  /// Stops answering and watching, for good (after the secured socket is closed): afterwards
  /// nothing of this holds work on the io_context; the counters stay. Idempotent.
  void stop();

  struct Counters {
    std::uint64_t accepted = 0;     ///< ZAP said yes
    std::uint64_t refused_key = 0;  ///< ZAP said no: a key not in the authorized set
    /// Handshakes failed on a protocol error: no CURVE, a wrong server key, garbage. A client
    /// retries by itself, so one misconfigured worker adds one about every second.
    std::uint64_t failed_handshakes = 0;
  };
  const Counters& counters() const { return counters_; }
  /// "auth        CURVE: 1 accepted; refused: 2 unauthorized keys, 3 failed handshakes\n".
  std::string summary() const;

 private:
  void on_request_ready();
  void on_handshake_failed(const ZmqHandshakeMonitor::Failure& failure);
  bool should_log(std::uint64_t refused) const;
  /// Whether `key` is authorized, after re-reading keys_.authorized_path (throttled).
  bool authorized(const std::string& key);

  boost::asio::io_context& io_;
  zmq::context_t& context_;
  CurveServerKeys keys_;
  zmq::socket_t handler_;
  std::unique_ptr<ZmqSocketWatch> handler_watch_;
  std::unique_ptr<ZmqHandshakeMonitor> monitor_;
  std::chrono::steady_clock::time_point last_read_;  ///< of keys_.authorized_path
  Counters counters_;
  /// Failed handshakes by protocol error: each kind is logged on its own allowance, so a peer
  /// retrying fast with one fault cannot hide another peer's different one.
  std::map<std::uint32_t, std::uint64_t> failed_by_kind_;
};

}  // namespace crawler
