#include "proto/zmq_handshake_monitor.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <vector>
#include <zmq_addon.hpp>

namespace crawler {
namespace {

constexpr int kMaxEventsPerRound = 64;  // then yield to other handlers (fairness)

}  // namespace

ZmqHandshakeMonitor::ZmqHandshakeMonitor(boost::asio::io_context& io, zmq::context_t& context,
                                         zmq::socket_t& socket,
                                         std::function<void(const Failure&)> on_failure)
    : socket_(socket), on_failure_(std::move(on_failure)) {
  static std::atomic<unsigned> next{0};
  char address[64];
  std::snprintf(address, sizeof address, "inproc://crawler.handshake-monitor.%u", next++);
  if (zmq_socket_monitor(socket_.handle(), address,
                         ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0) {
    throw std::runtime_error(std::string("cannot monitor a ZeroMQ socket: ") +
                             zmq_strerror(zmq_errno()));
  }
  pair_ = zmq::socket_t(context, zmq::socket_type::pair);
  pair_.set(zmq::sockopt::linger, 0);
  pair_.connect(address);
  watch_ = std::make_unique<ZmqSocketWatch>(io, pair_, [this] { on_ready(); });
  watch_->start();
}

ZmqHandshakeMonitor::~ZmqHandshakeMonitor() {
  watch_.reset();
  // A socket closed first has ended its monitor already.
  if (socket_.handle() != nullptr) zmq_socket_monitor(socket_.handle(), nullptr, 0);
  pair_.close();
}

std::string ZmqHandshakeMonitor::describe(const Failure& failure) {
  switch (failure.event) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      return "refused by the peer's authentication (ZAP status " + std::to_string(failure.value) +
             ")";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      switch (failure.value) {
        case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
          return "one side speaks CURVE, the other does not";
        case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
          return "a cryptographic failure (a client holding another server key?)";
        default:
          char buf[64];
          std::snprintf(buf, sizeof buf, "a protocol error (0x%08x)", failure.value);
          return buf;
      }
    default:
      return std::string("the connection failed during it (") + std::strerror(failure.value) + ")";
  }
}

void ZmqHandshakeMonitor::on_ready() {
  for (int i = 0; i < kMaxEventsPerRound; ++i) {
    if (!pair_ || (pair_.get(zmq::sockopt::events) & ZMQ_POLLIN) == 0) return;
    std::vector<zmq::message_t> event;
    if (!zmq::recv_multipart(pair_, std::back_inserter(event), zmq::recv_flags::dontwait)) return;
    // Frame 1: a 16-bit event and a 32-bit value, native order; frame 2: the endpoint.
    if (event.size() != 2 || event[0].size() != 6) continue;
    std::uint16_t id = 0;
    Failure failure;
    std::memcpy(&id, event[0].data(), sizeof id);
    std::memcpy(&failure.value, event[0].data<char>() + sizeof id, sizeof failure.value);
    failure.event = id;
    failure.endpoint = event[1].to_string();
    on_failure_(failure);
  }
  watch_->kick();  // more may be queued: carry on after other handlers had their turn
}

}  // namespace crawler
