// CurlMulti on its own: libcurl's multi_socket API inside one io_context, against an in-process
// simweb server on 127.0.0.1:0.

#include "worker/curl_multi.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "simweb/server.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;

/// This process's sockets whose peer is 127.0.0.1:`port` (the client ends of connections).
int client_sockets_to(std::uint16_t port) {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) {
    const int fd = std::atoi(e->d_name);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    if (e->d_name[0] == '.' || getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0)
      continue;
    if (peer.sin_family == AF_INET && ntohs(peer.sin_port) == port) ++n;
  }
  closedir(d);
  return n;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

/// An easy handle for `url` with every simweb host mapped to the server.
struct Easy {
  Easy(const std::string& url, curl_slist* resolve, long timeout_ms = 5'000) : h(curl_easy_init()) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  }
  ~Easy() { curl_easy_cleanup(h); }
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  long status() const {
    long s = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s);
    return s;
  }
  CURL* h;
};

class CurlMultiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    simweb::SiteConfig site;
    site.pages = 100;
    site.hosts = 10;
    server_ = std::make_unique<simweb::Server>(simweb::ServerConfig{}, site);
    port_ = server_->start();
    resolve_ = curl_slist_append(nullptr, ("*:" + std::to_string(port_) + ":127.0.0.1").c_str());
  }
  void TearDown() override {
    server_->stop();
    curl_slist_free_all(resolve_);
  }
  std::string url(int host, const std::string& path) const {
    return "http://h" + std::to_string(host) + ".sim:" + std::to_string(port_) + path;
  }
  /// Runs `io` until `done()` holds, checking every 2 ms; false when `deadline` passed first.
  static bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                        std::chrono::milliseconds deadline = 10s) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    io.restart();
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io.run_for(2ms);
      io.restart();
    }
    return true;
  }

  std::unique_ptr<simweb::Server> server_;
  std::uint16_t port_ = 0;
  curl_slist* resolve_ = nullptr;
};

TEST_F(CurlMultiTest, RunsManyTransfersOnOneLoopEachReportedOnce) {
  boost::asio::io_context io;
  CurlMulti multi(io, {.max_cached_connections = 8, .max_host_connections = 2});
  std::vector<std::unique_ptr<Easy>> easies;
  std::vector<int> calls(60, 0);
  for (int i = 0; i < 60; ++i) {
    easies.push_back(std::make_unique<Easy>(server_->site().page_url(i), resolve_));
    ASSERT_TRUE(multi.add(easies.back()->h, [&calls, i](CURLcode code) {
      EXPECT_EQ(code, CURLE_OK) << curl_easy_strerror(code);
      ++calls[static_cast<std::size_t>(i)];
    }));
  }
  EXPECT_EQ(multi.size(), 60u);
  for (int c : calls) EXPECT_EQ(c, 0);  // never from inside add()
  boost::asio::steady_timer limit(io, 10s);
  limit.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) ADD_FAILURE() << "deadline passed";
    io.stop();
  });
  ASSERT_TRUE(run_until(io, [&] { return multi.size() == 0; }));
  for (int i = 0; i < 60; ++i) {
    EXPECT_EQ(calls[static_cast<std::size_t>(i)], 1) << i;
    EXPECT_EQ(easies[static_cast<std::size_t>(i)]->status(), 200) << i;
  }
  EXPECT_EQ(server_->stats().requests, 60u);
}

TEST_F(CurlMultiTest, ReusesTheConnectionForSequentialTransfers) {
  boost::asio::io_context io;
  CurlMulti multi(io, {.max_cached_connections = 4, .max_host_connections = 1});
  int finished = 0;
  std::vector<std::unique_ptr<Easy>> easies;
  std::function<void()> next = [&] {
    easies.push_back(std::make_unique<Easy>(
        url(3, "/fault/status/200?i=" + std::to_string(finished)), resolve_));
    multi.add(easies.back()->h, [&](CURLcode code) {
      EXPECT_EQ(code, CURLE_OK);
      if (++finished < 20) next();  // added from inside a completion: must be allowed
    });
  };
  next();
  ASSERT_TRUE(run_until(io, [&] { return finished == 20; }));
  const simweb::ServerStats stats = server_->stats();
  EXPECT_EQ(stats.requests, 20u);
  EXPECT_EQ(stats.connections, 1u);  // the released descriptor left curl's socket intact
}

TEST_F(CurlMultiTest, RemovedTransferNeverCallsItsHandler) {
  boost::asio::io_context io;
  CurlMulti multi(io, {.max_cached_connections = 4, .max_host_connections = 4});
  Easy stall(url(0, "/fault/stall"), resolve_);
  Easy page(url(1, "/"), resolve_);
  bool stall_called = false;
  bool page_called = false;
  ASSERT_TRUE(multi.add(stall.h, [&](CURLcode) { stall_called = true; }));
  ASSERT_TRUE(run_until(io, [&] { return server_->stats().requests >= 1; }));
  multi.remove(stall.h);
  multi.remove(stall.h);  // twice is a no-op
  ASSERT_TRUE(multi.add(page.h, [&](CURLcode code) {
    EXPECT_EQ(code, CURLE_OK);
    page_called = true;
  }));
  ASSERT_TRUE(run_until(io, [&] { return page_called; }));
  EXPECT_FALSE(stall_called);
  EXPECT_EQ(multi.size(), 0u);
  // Nothing of the removed transfer is left waiting on the loop.
  io.restart();
  const auto start = std::chrono::steady_clock::now();
  io.run_for(3s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(stall_called);
}

TEST_F(CurlMultiTest, DestroyedWithTransfersInFlightLeavesNothingBehind) {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Easy>> easies;
  bool called = false;
  {
    CurlMulti multi(io, {.max_cached_connections = 8, .max_host_connections = 2});
    for (int i = 0; i < 4; ++i) {
      easies.push_back(std::make_unique<Easy>(url(i, "/fault/stall"), resolve_));
      ASSERT_TRUE(multi.add(easies.back()->h, [&](CURLcode) { called = true; }));
    }
    ASSERT_TRUE(run_until(io, [&] { return server_->stats().requests >= 4; }));
    EXPECT_EQ(client_sockets_to(port_), 4);
  }
  EXPECT_EQ(client_sockets_to(port_), 0);  // curl closed its sockets; asio closed none of them
  // The handlers still queued (aborted waits, timers) run and do nothing.
  io.restart();
  io.run_for(3s);
  EXPECT_FALSE(called);
  easies.clear();
  EXPECT_EQ(client_sockets_to(port_), 0);
}

}  // namespace
}  // namespace crawler
