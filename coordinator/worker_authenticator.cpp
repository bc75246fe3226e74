#include "coordinator/worker_authenticator.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <vector>
#include <zmq_addon.hpp>

namespace crawler {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapDomain = "crawler-workers";
constexpr int kMaxRequestsPerRound = 64;  // then yield to other handlers (fairness)
constexpr auto kRereadInterval = std::chrono::seconds(5);  // the key list, re-read at most so often

std::string_view view(const zmq::message_t& m) { return {m.data<char>(), m.size()}; }

}  // namespace

WorkerAuthenticator::WorkerAuthenticator(boost::asio::io_context& io, zmq::context_t& context,
                                         CurveServerKeys keys)
    : io_(io),
      context_(context),
      keys_(std::move(keys)),
      handler_(context, zmq::socket_type::rep),
      last_read_(std::chrono::steady_clock::now()) {
  if (!curve_available()) {
    throw std::runtime_error("CURVE is not available: this libzmq was built without libsodium");
  }
  handler_.set(zmq::sockopt::linger, 0);
  try {
    handler_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error(std::string("cannot bind the ZAP handler: ") + e.what());
  }
  handler_watch_ = std::make_unique<ZmqSocketWatch>(io_, handler_, [this] { on_request_ready(); });
  handler_watch_->start();
}

WorkerAuthenticator::~WorkerAuthenticator() { stop(); }

void WorkerAuthenticator::stop() {
  monitor_.reset();
  handler_watch_.reset();
  if (handler_) handler_.close();
}

void WorkerAuthenticator::secure(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, keys_.secret_key);
  socket.set(zmq::sockopt::zap_domain, kZapDomain);
  monitor_ = std::make_unique<ZmqHandshakeMonitor>(
      io_, context_, socket,
      [this](const ZmqHandshakeMonitor::Failure& failure) { on_handshake_failed(failure); });
}

std::string WorkerAuthenticator::summary() const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "auth        CURVE: %llu accepted; refused: %llu unauthorized keys, %llu failed "
                "handshakes\n",
                static_cast<unsigned long long>(counters_.accepted),
                static_cast<unsigned long long>(counters_.refused_key),
                static_cast<unsigned long long>(counters_.failed_handshakes));
  return buf;
}

bool WorkerAuthenticator::should_log(std::uint64_t refused) const {
  // A peer retrying in a loop must not become a flood of log lines.
  return refused <= 20 || refused % 1000 == 0;
}

bool WorkerAuthenticator::authorized(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  if (!keys_.authorized_path.empty() && now - last_read_ >= kRereadInterval) {
    last_read_ = now;
    try {
      auto keys = read_authorized_keys(keys_.authorized_path);
      if (keys != keys_.authorized) {
        spdlog::info("authorized worker keys re-read from {}: {} keys (were {})",
                     keys_.authorized_path, keys.size(), keys_.authorized.size());
        keys_.authorized = std::move(keys);
      }
    } catch (const std::exception& e) {
      spdlog::error("keeping the {} authorized keys read before: {}", keys_.authorized.size(),
                    e.what());
    }
  }
  return keys_.authorized.count(key) != 0;
}

void WorkerAuthenticator::on_request_ready() {
  for (int i = 0; i < kMaxRequestsPerRound; ++i) {
    if (!handler_ || (handler_.get(zmq::sockopt::events) & ZMQ_POLLIN) == 0) return;
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(handler_, std::back_inserter(request), zmq::recv_flags::dontwait)) {
      return;
    }
    // RFC 27: version, request id, domain, address, routing id, mechanism, credentials...
    std::string status = "400";
    std::string text = "unauthorized key";
    std::string user;
    if (request.size() < 6 || view(request[0]) != "1.0") {
      status = "500";
      text = "malformed ZAP request";
      spdlog::error("ZAP: a malformed request ({} frames)", request.size());
    } else if (view(request[5]) != "CURVE" || request.size() != 7 || request[6].size() != 32) {
      // Only the worker socket uses ZAP here, and it is a CURVE server.
      ++counters_.refused_key;
      spdlog::warn("refused a worker connection from {}: mechanism {}, not CURVE", view(request[3]),
                   view(request[5]));
    } else {
      const std::string key = z85_key(request[6].data());
      if (authorized(key)) {
        status = "200";
        text = "OK";
        user = key;
        ++counters_.accepted;
        spdlog::info("accepted a worker connection from {} with key {}", view(request[3]), key);
      } else {
        ++counters_.refused_key;
        if (should_log(counters_.refused_key)) {
          spdlog::warn(
              "refused a worker connection from {}: its key {} is not authorized ({} refused so "
              "far)",
              view(request[3]), key, counters_.refused_key);
        }
      }
    }
    const std::string request_id = request.size() > 1 ? std::string(view(request[1])) : "";
    const std::array<zmq::const_buffer, 6> reply = {zmq::str_buffer("1.0"), zmq::buffer(request_id),
                                                    zmq::buffer(status),    zmq::buffer(text),
                                                    zmq::buffer(user),      zmq::const_buffer()};
    // A REP socket may always answer the request it just received: this never blocks.
    zmq::send_multipart(handler_, reply, zmq::send_flags::dontwait);
  }
  // More may be queued: carry on after other handlers had their turn.
  if (handler_watch_) handler_watch_->kick();
}

void WorkerAuthenticator::on_handshake_failed(const ZmqHandshakeMonitor::Failure& failure) {
  // ZAP's refusals are counted there. A peer that hangs up mid-handshake (NO_DETAIL) is often
  // the same refused connection seen a second time, or a port probe: not counted.
  if (failure.event != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    spdlog::debug("a worker connection on {} ended during its handshake: {}", failure.endpoint,
                  ZmqHandshakeMonitor::describe(failure));
    return;
  }
  ++counters_.failed_handshakes;
  const std::uint64_t of_this_kind = ++failed_by_kind_[failure.value];
  if (should_log(of_this_kind)) {
    spdlog::warn(
        "refused a worker connection on {}: its handshake failed, {} ({} like this, {} failed "
        "handshakes so far)",
        failure.endpoint, ZmqHandshakeMonitor::describe(failure), of_this_kind,
        counters_.failed_handshakes);
  }
}

}  // namespace crawler
