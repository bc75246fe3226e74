// The status server on a real socket (127.0.0.1:0): routes, readiness, HTTP details, bounds,
// and a stop() that leaves the event loop free to return.
#include "common/status_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>

namespace crawler {
namespace {

using namespace std::chrono_literals;

/// A blocking client that speaks raw bytes, so tests can send malformed requests.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may close on us (e.g. oversized headers): tests read that
      sent += static_cast<std::size_t>(n);
    }
  }

  /// Reads one response (headers and Content-Length bytes of body, none for `head`), or up to
  /// end of stream / the deadline. Returns what was read.
  std::string read_response(bool head = false, std::chrono::milliseconds deadline = 5s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (true) {
      const auto end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        const auto cl = buffer_.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(buffer_.substr(cl + 16));
        if (head) length = 0;
        if (buffer_.size() >= end + 4 + length) {
          std::string response = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, end + 4 + length);
          return response;
        }
      }
      if (!fill(until)) {
        std::string rest;
        rest.swap(buffer_);
        return rest;
      }
    }
  }

  /// True when the server closes the connection within the deadline.
  bool closed_by_server(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (fill(until)) {
    }
    return eof_;
  }

 private:
  /// Reads what is available before `until`; false at end of stream or deadline.
  bool fill(std::chrono::steady_clock::time_point until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

class StatusServerTest : public ::testing::Test {
 protected:
  void start(StatusServerLimits limits = {}) {
    server_ = std::make_unique<StatusServer>(
        io_, "127.0.0.1:0", metrics_, [this] { return ready_.load(); }, limits);
    server_->start();
    loop_ = std::async(std::launch::async, [this] { io_.run(); });
  }
  /// Stops the server on its loop; true when io_context::run() then returned by itself.
  bool stop_and_wait_for_loop() {
    boost::asio::post(io_, [this] { server_->stop(); });
    const bool returned = loop_.wait_for(5s) == std::future_status::ready;
    if (!returned) io_.stop();
    loop_.wait();
    return returned;
  }
  void TearDown() override {
    if (loop_.valid()) stop_and_wait_for_loop();
  }
  std::uint16_t port() const { return server_->port(); }

  boost::asio::io_context io_{1};
  MetricsRegistry metrics_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<StatusServer> server_;
  std::future<void> loop_;
};

TEST_F(StatusServerTest, ServesMetricsInThePrometheusTextFormat) {
  metrics_.counter("crawler_pages_total", "Pages", {{"outcome", "ok"}}).inc(5);
  start();
  RawClient c(port());
  c.send(get("/metrics"));
  const auto r = c.read_response();
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos)
      << r;
  EXPECT_NE(r.find("# TYPE crawler_pages_total counter\ncrawler_pages_total{outcome=\"ok\"} 5\n"),
            std::string::npos)
      << r;
}

TEST_F(StatusServerTest, HealthzIsOkWhileTheLoopRuns) {
  start();
  RawClient c(port());
  c.send(get("/healthz"));
  const auto r = c.read_response();
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_EQ(r.substr(r.size() - 3), "ok\n");
}

TEST_F(StatusServerTest, ReadyzFollowsTheReadinessCallback) {
  start();
  RawClient c(port());
  c.send(get("/readyz"));
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u);
  ready_ = true;
  c.send(get("/readyz"));  // same connection: keep-alive
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  ready_ = false;
  c.send(get("/readyz?verbose=1"));  // the query string is not part of the path
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 503 ", 0), 0u);
}

TEST_F(StatusServerTest, AnswersUnknownPathsWith404AndOtherMethodsWith405) {
  start();
  RawClient c(port());
  c.send(get("/"));
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  c.send("POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  const auto r = c.read_response();
  EXPECT_EQ(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Allow: GET, HEAD\r\n"), std::string::npos) << r;
}

TEST_F(StatusServerTest, HeadGivesTheLengthWithoutTheBody) {
  start();
  RawClient c(port());
  c.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto r = c.read_response(/*head=*/true);
  EXPECT_NE(r.find("Content-Length: 3\r\n"), std::string::npos) << r;
  c.send(get("/healthz"));  // a body after HEAD would show up here as garbage
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST_F(StatusServerTest, ClosesAfterAnswerWhenTheClientAsksForIt) {
  start();
  RawClient c(port());
  c.send(get("/healthz", "Connection: close\r\n"));
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_TRUE(c.closed_by_server(2s));
}

TEST_F(StatusServerTest, OversizedHeadersGet431AndTheConnectionCloses) {
  StatusServerLimits limits;
  limits.header_limit = 1024;
  start(limits);
  RawClient c(port());
  c.send(get("/metrics", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  const auto r = c.read_response();
  EXPECT_EQ(r.rfind("HTTP/1.1 431 ", 0), 0u) << r;
  EXPECT_TRUE(c.closed_by_server(2s));
}

TEST_F(StatusServerTest, ARequestBodyGets400AndTheConnectionCloses) {
  start();
  RawClient c(port());
  c.send("GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_TRUE(c.closed_by_server(2s));
}

TEST_F(StatusServerTest, MalformedRequestGets400) {
  start();
  RawClient c(port());
  c.send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 400 ", 0), 0u);
}

TEST_F(StatusServerTest, ASilentClientIsDisconnectedAtTheReadDeadline) {
  StatusServerLimits limits;
  limits.read_timeout = 200ms;
  start(limits);
  RawClient c(port());
  c.send("GET /metr");  // half a request, then nothing (slow-loris)
  EXPECT_TRUE(c.closed_by_server(3s));
}

TEST_F(StatusServerTest, ConnectionsBeyondTheLimitAreClosedAndCounted) {
  StatusServerLimits limits;
  limits.max_connections = 1;
  start(limits);
  RawClient first(port());
  first.send(get("/healthz"));
  ASSERT_EQ(first.read_response().rfind("HTTP/1.1 200 ", 0), 0u);  // accepted and open (keep-alive)
  RawClient second(port());
  EXPECT_TRUE(second.closed_by_server(2s));
  first.send(get("/metrics"));
  const auto r = first.read_response();
  EXPECT_NE(r.find("crawler_status_rejected_connections_total 1\n"), std::string::npos) << r;
}

TEST_F(StatusServerTest, StopClosesOpenConnectionsSoTheLoopCanReturn) {
  start();
  RawClient idle(port());
  idle.send(get("/healthz"));
  ASSERT_EQ(idle.read_response().rfind("HTTP/1.1 200 ", 0),
            0u);  // a keep-alive connection stays open
  EXPECT_TRUE(stop_and_wait_for_loop());
  EXPECT_TRUE(idle.closed_by_server(1s));
}

TEST(StatusServer, RefusesAnAddressItCannotBind) {
  boost::asio::io_context io;
  MetricsRegistry metrics;
  StatusServer taken(io, "127.0.0.1:0", metrics);
  const std::string busy = "127.0.0.1:" + std::to_string(taken.port());
  try {
    StatusServer again(io, busy, metrics);
    FAIL() << "bound a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(busy), std::string::npos) << e.what();
  }
  EXPECT_THROW(StatusServer(io, "localhost:9090", metrics), std::runtime_error);
}

TEST(ParseListenEndpoint, AcceptsNumericAddressesWithPorts) {
  EXPECT_EQ(parse_listen_endpoint("0.0.0.0:9090").port(), 9090);
  EXPECT_EQ(parse_listen_endpoint("127.0.0.1:0").address().to_string(), "127.0.0.1");
  EXPECT_TRUE(parse_listen_endpoint("[::]:9090").address().is_v6());
  for (const char* bad :
       {"9090", ":9090", "0.0.0.0:", "0.0.0.0:99999", "0.0.0.0:90x", "example.com:80", "[::1:80"}) {
    EXPECT_THROW(parse_listen_endpoint(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace crawler
