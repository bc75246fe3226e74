#include "worker/dns_resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <climits>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "common/dns_servers.hpp"

namespace crawler {

/// What asio knows about one socket c-ares asked to watch.
struct DnsResolver::Socket {
  Socket(boost::asio::io_context& io, ares_socket_t s) : fd(s), descriptor(io, s) {}
  ares_socket_t fd;
  boost::asio::posix::stream_descriptor descriptor;  ///< released, never closed: c-ares owns fd
  bool read = false;   ///< c-ares wants to read
  bool write = false;  ///< c-ares wants to write
  bool waiting_read = false;
  bool waiting_write = false;
};

/// One name sent to c-ares; freed by on_answer, which c-ares calls exactly once.
struct DnsResolver::Query {
  DnsResolver* resolver;
  std::string name;
};

namespace {

/// Why a lookup failed, in words a user can act on.
std::string reason(int status) {
  switch (status) {
    case ARES_ENOTFOUND: return "no such host (the name does not exist)";
    case ARES_ENODATA: return "the name has no address records";
    case ARES_ETIMEOUT: return "no answer from the DNS server (timed out)";
    case ARES_ESERVFAIL: return "the DNS server failed (SERVFAIL)";
    case ARES_EREFUSED: return "the DNS server refused the query";
    case ARES_ECONNREFUSED: return "could not reach the DNS server";
    default: return std::string("DNS error: ") + ares_strerror(status);
  }
}

}  // namespace

DnsResolver::DnsResolver(boost::asio::io_context& io, const Options& options)
    : io_(io), timer_(io), cache_(options.capacity) {
  static std::once_flag library;
  static int library_status = ARES_SUCCESS;
  std::call_once(library, [] { library_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (library_status != ARES_SUCCESS) {
    throw std::runtime_error(std::string("c-ares: ") + ares_strerror(library_status));
  }
  ares_options o{};
  o.sock_state_cb = &DnsResolver::on_socket_state;
  o.sock_state_cb_data = this;
  o.timeout = std::max(1, options.timeout_ms);
  o.tries = std::max(1, options.tries);
  // c-ares asks every name on one UDP socket per server: the answers to a crawl's first few
  // hundred lookups arrive together, while the loop is busy with TLS handshakes. The default
  // buffer (212,992 bytes, about 400 small datagrams) dropped 130 of 4,000; each cost a retry.
  o.socket_receive_buffer_size = kReceiveBufferBytes;
  const int status = ares_init_options(
      &channel_, &o,
      ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF);
  if (status != ARES_SUCCESS) {
    throw std::runtime_error(std::string("cannot start the DNS resolver (c-ares): ") +
                             ares_strerror(status));
  }
  if (!options.servers.empty()) {
    const std::string why = dns_servers_error(options.servers);
    if (!why.empty() ||
        ares_set_servers_ports_csv(channel_, options.servers.c_str()) != ARES_SUCCESS) {
      ares_destroy(channel_);
      throw std::runtime_error("bad --dns-servers '" + options.servers + "': " +
                               (why.empty() ? "c-ares refused it" : why));
    }
  }
}

DnsResolver::~DnsResolver() {
  destroying_ = true;
  life_.reset();
  timer_.cancel();
  ares_destroy(channel_);  // calls on_answer (ARES_EDESTRUCTION) for every query in flight
  for (auto& [fd, socket] : sockets_) {
    socket->read = socket->write = false;
    socket->descriptor.release();
  }
}

const DnsAnswer* DnsResolver::cached(const std::string& name) {
  // RFC 6761 (6.3): localhost and the names under it are loopback, never asked of DNS; curl
  // answers them the same way.
  static const DnsAnswer loopback{{"127.0.0.1", "::1"}, {}};
  constexpr std::string_view kSuffix = ".localhost";
  if (name == "localhost" ||
      (name.size() > kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)) {
    return &loopback;
  }
  const DnsAnswer* answer = cache_.find(name, DnsCache::Clock::now());
  if (answer != nullptr) ++stats_->cache_hits;
  return answer;
}

void DnsResolver::lookup(const std::string& name, Handler done) {
  std::vector<Handler>& handlers = waiting_[name];
  handlers.push_back(std::move(done));
  if (handlers.size() > 1) return;  // the lookup in flight answers this one too
  ++stats_->lookups;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // May answer at once (from /etc/hosts): on_answer posts the handlers, so none runs in here.
  ares_getaddrinfo(channel_, name.c_str(), nullptr, &hints, &DnsResolver::on_answer,
                   new Query{this, name});
  arm_timer();
}

void DnsResolver::on_answer(void* arg, int status, int, ares_addrinfo* result) noexcept {
  std::unique_ptr<Query> query(static_cast<Query*>(arg));
  try {
    if (!query->resolver->destroying_) query->resolver->answer(query->name, status, result);
  } catch (const std::exception& e) {
    spdlog::error("DNS answer for {}: {}", query->name, e.what());
  } catch (...) {
    spdlog::error("DNS answer for {}: unknown exception", query->name);
  }
  if (result != nullptr) ares_freeaddrinfo(result);
}

void DnsResolver::answer(const std::string& name, int status, const ares_addrinfo* result) {
  DnsAnswer answer;
  int ttl = INT_MAX;
  if (status == ARES_SUCCESS && result != nullptr) {
    for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* raw = nullptr;
      if (node->ai_family == AF_INET) {
        raw = &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr;
      } else if (node->ai_family == AF_INET6) {
        raw = &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr;
      }
      if (raw == nullptr || ::inet_ntop(node->ai_family, raw, text, sizeof text) == nullptr) continue;
      if (std::find(answer.addresses.begin(), answer.addresses.end(), text) != answer.addresses.end()) {
        continue;
      }
      answer.addresses.emplace_back(text);
      ttl = std::min(ttl, std::max(0, node->ai_ttl));
    }
    // A CNAME's TTL bounds the answer's too.
    for (const ares_addrinfo_cname* c = result->cnames; c != nullptr; c = c->next) {
      ttl = std::min(ttl, std::max(0, c->ttl));
    }
  }
  std::chrono::seconds keep = kFailureTtl;
  if (answer.addresses.empty()) {
    answer.error = reason(status == ARES_SUCCESS ? ARES_ENODATA : status);
    ++stats_->failures;
  } else {
    keep = std::min(kMaxTtl, std::chrono::seconds(ttl));
  }
  cache_.put(name, answer, keep, DnsCache::Clock::now());
  auto handlers = waiting_.extract(name);
  if (handlers.empty()) return;
  std::weak_ptr<int> life = life_;
  for (Handler& handler : handlers.mapped()) {
    boost::asio::post(io_, [life, handler = std::move(handler), answer] {
      if (!life.expired()) handler(answer);
    });
  }
}

void DnsResolver::on_socket_state(void* data, ares_socket_t fd, int readable,
                                  int writable) noexcept {
  auto* self = static_cast<DnsResolver*>(data);
  try {
    self->watch(fd, readable != 0, writable != 0);
  } catch (const std::exception& e) {
    spdlog::error("DNS socket callback: {}", e.what());
  } catch (...) {
    spdlog::error("DNS socket callback: unknown exception");
  }
}

void DnsResolver::watch(ares_socket_t fd, bool read, bool write) {
  auto it = sockets_.find(fd);
  if (!read && !write) {
    if (it == sockets_.end()) return;
    it->second->read = it->second->write = false;
    it->second->descriptor.release();  // aborts our waits; c-ares closes the fd
    sockets_.erase(it);
    return;
  }
  if (destroying_) return;
  if (it == sockets_.end()) it = sockets_.emplace(fd, std::make_shared<Socket>(io_, fd)).first;
  it->second->read = read;
  it->second->write = write;
  arm(it->second);
}

void DnsResolver::arm(const std::shared_ptr<Socket>& socket) {
  const bool want_read = socket->read && !socket->waiting_read;
  const bool want_write = socket->write && !socket->waiting_write;
  if (!want_read && !want_write) return;
  // asio's waits see only edges that come after them: look at the level first (as CurlMulti).
  pollfd level{socket->fd,
               static_cast<short>((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0)), 0};
  if (::poll(&level, 1, 0) < 0) level.revents = 0;
  const bool error = (level.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
  std::weak_ptr<int> life = life_;
  std::weak_ptr<Socket> weak = socket;
  auto arm_one = [&](bool want, short ready, bool read) {
    if (!want) return;
    (read ? socket->waiting_read : socket->waiting_write) = true;
    auto handler = [this, life, weak, read](const boost::system::error_code& ec) {
      if (!life.expired()) on_ready(weak, read, ec);
    };
    if ((level.revents & ready) != 0 || error) {
      boost::asio::post(io_, [handler] { handler({}); });
    } else {
      socket->descriptor.async_wait(read ? boost::asio::posix::stream_descriptor::wait_read
                                         : boost::asio::posix::stream_descriptor::wait_write,
                                    handler);
    }
  };
  arm_one(want_read, POLLIN, true);
  arm_one(want_write, POLLOUT, false);
}

void DnsResolver::on_ready(const std::weak_ptr<Socket>& weak, bool read,
                           const boost::system::error_code& ec) {
  std::shared_ptr<Socket> socket = weak.lock();
  if (!socket) return;  // c-ares stopped watching the socket while this wait was queued
  (read ? socket->waiting_read : socket->waiting_write) = false;
  if (ec == boost::asio::error::operation_aborted || !(read ? socket->read : socket->write)) return;
  process(read ? socket->fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : socket->fd);
  if (socket->read || socket->write) arm(socket);
}

void DnsResolver::process(ares_socket_t read_fd, ares_socket_t write_fd) {
  ares_process_fd(channel_, read_fd, write_fd);
  arm_timer();
}

void DnsResolver::arm_timer() {
  timeval wait{};
  if (ares_timeout(channel_, nullptr, &wait) == nullptr) {
    timer_.cancel();  // nothing in flight
    return;
  }
  timer_.expires_after(std::chrono::seconds(wait.tv_sec) +
                       std::chrono::microseconds(wait.tv_usec));
  std::weak_ptr<int> life = life_;
  timer_.async_wait([this, life](const boost::system::error_code& ec) {
    if (ec || life.expired()) return;
    process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // c-ares retries or times out its queries
  });
}

}  // namespace crawler
