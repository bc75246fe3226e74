#include "worker/curl_multi.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace crawler {

/// What asio knows about one socket curl asked to watch.
struct CurlMulti::Socket {
  Socket(boost::asio::io_context& io, curl_socket_t s) : fd(s), descriptor(io, s) {}
  curl_socket_t fd;
  boost::asio::posix::stream_descriptor descriptor;  ///< released, never closed: curl owns fd
  int wanted = 0;                                    ///< CURL_POLL_IN | CURL_POLL_OUT bits
  bool waiting_read = false;
  bool waiting_write = false;
};

CurlMulti::CurlMulti(boost::asio::io_context& io, Limits limits) : io_(io), timer_(io) {
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::on_socket_trampoline);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::on_timer_trampoline);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, limits.max_host_connections);
  if (limits.max_cached_connections > 0) set_max_cached_connections(limits.max_cached_connections);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
}

CurlMulti::~CurlMulti() {
  life_.reset();  // from here on, every handler already queued does nothing
  for (auto& [easy, handler] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();
  curl_multi_cleanup(multi_);  // may still call on_socket(REMOVE) for cached connections
  for (auto& [fd, socket] : sockets_) {
    socket->wanted = 0;
    socket->descriptor.release();
  }
  sockets_.clear();
}

void CurlMulti::set_max_cached_connections(long n) {
  n = std::max(1L, n);
  if (n == max_cached_) return;
  max_cached_ = n;
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, n);
}

long CurlMulti::connection_ceiling(long at_least) {
  rlimit limit{};
  long descriptors = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    descriptors = static_cast<long>(std::min<rlim_t>(limit.rlim_cur, 1'000'000));
  }
  return std::max(at_least, descriptors * 3 / 4);
}

bool CurlMulti::add(CURL* easy, DoneHandler on_done) {
  auto [it, inserted] = transfers_.emplace(easy, std::move(on_done));
  if (!inserted) return false;
  // curl_multi_add_handle only asks for a timeout of 0 here, which on_timer posts.
  CURLMcode rc = curl_multi_add_handle(multi_, easy);
  if (rc != CURLM_OK) {
    spdlog::warn("curl_multi_add_handle: {}", curl_multi_strerror(rc));
    transfers_.erase(easy);
    return false;
  }
  return true;
}

void CurlMulti::remove(CURL* easy) {
  if (transfers_.erase(easy) == 0) return;
  curl_multi_remove_handle(multi_, easy);
}

int CurlMulti::on_socket_trampoline(CURL*, curl_socket_t fd, int what, void* userp,
                                    void*) noexcept {
  try {
    static_cast<CurlMulti*>(userp)->on_socket(fd, what);
  } catch (const std::exception& e) {
    spdlog::error("curl socket callback: {}", e.what());
  } catch (...) {
    spdlog::error("curl socket callback: unknown exception");
  }
  return 0;
}

int CurlMulti::on_timer_trampoline(CURLM*, long timeout_ms, void* userp) noexcept {
  try {
    static_cast<CurlMulti*>(userp)->on_timer(timeout_ms);
  } catch (const std::exception& e) {
    spdlog::error("curl timer callback: {}", e.what());
  } catch (...) {
    spdlog::error("curl timer callback: unknown exception");
  }
  return 0;
}

void CurlMulti::on_socket(curl_socket_t fd, int what) {
  auto it = sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == sockets_.end()) return;
    it->second->wanted = 0;
    it->second->descriptor.release();  // aborts our waits; the fd stays open for curl to close
    sockets_.erase(it);
    return;
  }
  if (it == sockets_.end()) {
    it = sockets_.emplace(fd, std::make_shared<Socket>(io_, fd)).first;
  }
  it->second->wanted = what & (CURL_POLL_IN | CURL_POLL_OUT);
  arm(it->second);
}

void CurlMulti::arm(const std::shared_ptr<Socket>& socket) {
  std::weak_ptr<int> life = life_;
  std::weak_ptr<Socket> weak = socket;
  const bool want_read = (socket->wanted & CURL_POLL_IN) != 0 && !socket->waiting_read;
  const bool want_write = (socket->wanted & CURL_POLL_OUT) != 0 && !socket->waiting_write;
  if (!want_read && !want_write) return;
  // asio's epoll reactor is edge-triggered and a wait only sees edges that come after it, while
  // curl expects level-triggered readiness (it may leave bytes in the socket: one buffer per
  // action). So look at the level first and, if already ready, act on the next turn of the loop.
  pollfd level{socket->fd,
               static_cast<short>((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0)), 0};
  if (::poll(&level, 1, 0) < 0) level.revents = 0;
  const short ready_error = level.revents & (POLLERR | POLLHUP | POLLNVAL);
  auto arm_one = [&](bool want, short ready_flag, int direction,
                     boost::asio::posix::stream_descriptor::wait_type type) {
    if (!want) return;
    (direction == CURL_CSELECT_IN ? socket->waiting_read : socket->waiting_write) = true;
    auto handler = [this, life, weak, direction](const boost::system::error_code& ec) {
      if (life.expired()) return;
      on_ready(weak, direction, ec);
    };
    if ((level.revents & ready_flag) != 0 || ready_error != 0) {
      boost::asio::post(io_, [handler] { handler(boost::system::error_code()); });
    } else {
      socket->descriptor.async_wait(type, handler);
    }
  };
  arm_one(want_read, POLLIN, CURL_CSELECT_IN, boost::asio::posix::stream_descriptor::wait_read);
  arm_one(want_write, POLLOUT, CURL_CSELECT_OUT, boost::asio::posix::stream_descriptor::wait_write);
}

void CurlMulti::on_ready(const std::weak_ptr<Socket>& weak, int direction,
                         const boost::system::error_code& ec) {
  std::shared_ptr<Socket> socket = weak.lock();
  if (!socket) return;  // curl removed the socket while this wait was queued
  if (direction == CURL_CSELECT_IN) {
    socket->waiting_read = false;
  } else {
    socket->waiting_write = false;
  }
  if (ec == boost::asio::error::operation_aborted) return;
  if ((socket->wanted & direction) == 0) return;  // curl stopped wanting this direction
  std::weak_ptr<int> life = life_;
  socket_action(socket->fd, ec ? (direction | CURL_CSELECT_ERR) : direction);
  if (life.expired()) return;            // a completion handler destroyed us
  if (socket->wanted != 0) arm(socket);  // wanted is 0 once curl removed the socket
}

void CurlMulti::on_timer(long timeout_ms) {
  unsigned long generation = ++timer_generation_;
  std::weak_ptr<int> life = life_;
  timer_.cancel();
  if (timeout_ms < 0) return;
  if (timeout_ms == 0) {
    boost::asio::post(io_, [this, life, generation] {
      if (life.expired()) return;
      on_timeout(generation);
    });
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([this, life, generation](const boost::system::error_code& ec) {
    if (ec || life.expired()) return;
    on_timeout(generation);
  });
}

void CurlMulti::on_timeout(unsigned long generation) {
  if (generation != timer_generation_) return;  // curl set another timeout since
  socket_action(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMulti::socket_action(curl_socket_t fd, int ev_bitmask) {
  int running = 0;
  CURLMcode rc = curl_multi_socket_action(multi_, fd, ev_bitmask, &running);
  if (rc != CURLM_OK) spdlog::warn("curl_multi_socket_action: {}", curl_multi_strerror(rc));
  drain_completions();
}

void CurlMulti::drain_completions() {
  std::vector<std::pair<CURL*, CURLcode>> done;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg == CURLMSG_DONE) done.emplace_back(msg->easy_handle, msg->data.result);
  }
  std::weak_ptr<int> life = life_;
  for (auto [easy, code] : done) {
    if (life.expired()) return;  // a handler destroyed us
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;  // an earlier handler removed it
    DoneHandler handler = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    handler(code);
  }
}

}  // namespace crawler
