// Tests of the simweb server: pages, gzip, robots.txt, every fault endpoint, /__stats, latency;
// in process (simweb::Server) and as the real binary (SimwebProcess).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "simweb/page_renderer.hpp"
#include "simweb/server.hpp"
#include "simweb/site.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/simweb_process.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using crawler::test::inflate_gzip;

constexpr simweb::SiteConfig kSmallSite{
    .pages = 120, .links = 12, .hosts = 4, .seed = 7, .port = 0};

std::string str(beast::string_view s) { return std::string(s.data(), s.size()); }

/// A keep-alive HTTP/1.1 client for tests. Each call runs a private io_context until the
/// operation ends or its deadline passes, so no call can hang.
class Client {
 public:
  struct Result {
    beast::error_code ec;
    bool header_done = false;
    http::response<http::string_body> res;
    std::chrono::milliseconds took{0};
  };

  explicit Client(std::uint16_t port) {
    stream_.expires_after(10s);
    stream_.async_connect({net::ip::make_address("127.0.0.1"), port},
                          [this](beast::error_code ec) { connect_ec_ = ec; });
    run();
  }
  beast::error_code connect_error() const { return connect_ec_; }

  Result get(const std::string& host, const std::string& target,
             const std::map<http::field, std::string>& fields = {},
             http::verb verb = http::verb::get, std::chrono::milliseconds deadline = 10s) {
    http::request<http::empty_body> req{verb, target, 11};
    req.set(http::field::host, host);
    for (const auto& [f, v] : fields) req.set(f, v);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(verb == http::verb::head);
    Result r;
    const auto start = Clock::now();
    stream_.expires_after(deadline);
    http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) {
      r.ec = ec;
      if (!ec)
        http::async_read(stream_, buffer_, parser,
                         [&](beast::error_code e, std::size_t) { r.ec = e; });
    });
    run();
    r.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    r.header_done = parser.is_header_done();
    if (r.header_done) r.res = parser.release();
    return r;
  }

 private:
  void run() { ioc_.restart(), ioc_.run(); }
  net::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code connect_ec_;
};

// ---------------------------------------------------------------- the in-process server

class Simweb : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(simweb::ServerConfig config) {
    server_.reset();
    server_ = std::make_unique<simweb::Server>(config, kSmallSite);
    port_ = server_->start();
  }
  Client::Result get(const std::string& host, const std::string& target,
                     const std::map<http::field, std::string>& fields = {}) {
    Client client(port_);
    return client.get(host, target, fields);
  }
  std::unique_ptr<simweb::Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(Simweb, ServesRootPageWithLinks) {
  const auto r = get("h1.sim:" + std::to_string(port_), "/");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200);
  EXPECT_EQ(str(r.res[http::field::content_type]), "text/html; charset=utf-8");
  EXPECT_NE(r.res.body().find("<a "), std::string::npos);
  EXPECT_EQ(r.res.body(), simweb::PageRenderer(server_->site()).render_page(1));
  EXPECT_TRUE(r.res.keep_alive());
}

TEST_F(Simweb, ServesEverySeedPageOnOneKeepAliveConnection) {
  Client client(port_);
  const auto& site = server_->site();
  for (int page = 0; page < site.page_count(); ++page) {
    const auto r = client.get(site.host_name(site.host_of(page)), site.page_target(page));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 200) << site.page_url(page);
  }
  const auto head = client.get("h0.sim", "/", {}, http::verb::head);
  ASSERT_FALSE(head.ec) << head.ec.message();
  EXPECT_EQ(head.res.body(), "");
  EXPECT_EQ(str(head.res[http::field::content_length]),
            std::to_string(simweb::PageRenderer(site).render_page(0).size()));
  EXPECT_EQ(server_->stats().connections, 1u);
}

TEST_F(Simweb, AnswersUnknownHostsAndPathsWith404) {
  EXPECT_EQ(get("h99.sim", "/").res.result_int(), 404);
  EXPECT_EQ(get("localhost", "/").res.result_int(), 404);
  EXPECT_EQ(get("h0.sim", "/nope.html").res.result_int(), 404);
  EXPECT_EQ(get("h0.sim", "/page-1.html").res.result_int(), 404);  // page 1 lives on h1.sim
}

TEST_F(Simweb, GzipsPagesOnlyWhenAsked) {
  const auto plain = get("h2.sim", "/");
  const auto gz = get("h2.sim", "/", {{http::field::accept_encoding, "br, gzip, deflate"}});
  const auto refused = get("h2.sim", "/", {{http::field::accept_encoding, "gzip;q=0, identity"}});
  EXPECT_EQ(str(gz.res[http::field::content_encoding]), "gzip");
  EXPECT_EQ(inflate_gzip(gz.res.body()), plain.res.body());
  EXPECT_EQ(str(plain.res[http::field::content_encoding]), "");
  EXPECT_EQ(str(refused.res[http::field::content_encoding]), "");
  EXPECT_EQ(refused.res.body(), plain.res.body());
}

TEST_F(Simweb, ServesRobotsTxtAndPrivatePages) {
  const auto robots = get("h3.sim", "/robots.txt");
  EXPECT_EQ(robots.res.result_int(), 200);
  EXPECT_EQ(robots.res.body(), "User-agent: *\nDisallow: /private/\n");
  const auto secret = get("h3.sim", "/private/p-12.html");
  EXPECT_EQ(secret.res.result_int(), 200);
  EXPECT_NE(secret.res.body().find("<a href="), std::string::npos);
}

TEST_F(Simweb, FaultStatusAnswersThatStatus) {
  const auto r404 = get("h0.sim", "/fault/status/404");
  EXPECT_EQ(r404.res.result_int(), 404);
  EXPECT_NE(r404.res.body().find("<a href=\"/should-not-be-extracted\">"), std::string::npos);
  const auto r503 = get("h0.sim", "/fault/status/503");
  EXPECT_EQ(r503.res.result_int(), 503);
  EXPECT_EQ(str(r503.res[http::field::retry_after]), "1");
  EXPECT_EQ(get("h0.sim", "/fault/status/599").res.result_int(), 599);
}

TEST_F(Simweb, FaultFlakyFailsNTimesPerKeyThenSucceeds) {
  for (int i = 0; i < 2; ++i) {
    const auto r = get("h1.sim", "/fault/flaky/key-a/2/429");
    EXPECT_EQ(r.res.result_int(), 429);
    EXPECT_EQ(str(r.res[http::field::retry_after]), "1");
  }
  const auto ok = get("h1.sim", "/fault/flaky/key-a/2/429");
  EXPECT_EQ(ok.res.result_int(), 200);
  EXPECT_NE(ok.res.body().find("<a href=\"/flaky-ok\">ok</a>"), std::string::npos);
  EXPECT_EQ(get("h1.sim", "/fault/flaky/key-b/1/500").res.result_int(), 500);  // own counter
  EXPECT_EQ(str(get("h1.sim", "/fault/flaky/key-c/1/500").res[http::field::retry_after]), "");
}

TEST_F(Simweb, FaultRetryAfterSendsTheHeader) {
  const auto r = get("h0.sim", "/fault/retry-after/7");
  EXPECT_EQ(r.res.result_int(), 429);
  EXPECT_EQ(str(r.res[http::field::retry_after]), "7");
}

TEST_F(Simweb, FaultRedirectChainEndsAtZeroWithRelativeLinks) {
  Client client(port_);
  std::string target = "/fault/redirect/3";
  std::vector<std::string> chain;
  Client::Result r;
  for (int hops = 0; hops < 5; ++hops) {
    r = client.get("h0.sim", target);
    ASSERT_FALSE(r.ec) << r.ec.message();
    if (r.res.result_int() != 302) break;
    target = str(r.res[http::field::location]);
    chain.push_back(target);
  }
  EXPECT_EQ(chain, (std::vector<std::string>{"/fault/redirect/2", "/fault/redirect/1",
                                             "/fault/redirect/0"}));
  EXPECT_EQ(r.res.result_int(), 200);
  for (const char* href :
       {"<a href=\"target-a.html\">", "<a href=\"../up.html\">", "<a href=\"/root.html\">"})
    EXPECT_NE(r.res.body().find(href), std::string::npos) << href;
}

TEST_F(Simweb, FaultLoopAndSchemeRedirects) {
  const auto loop = get("h0.sim", "/fault/loop");
  EXPECT_EQ(loop.res.result_int(), 302);
  EXPECT_EQ(str(loop.res[http::field::location]), "/fault/loop");
  const auto ftp = get("h0.sim", "/fault/to-scheme/ftp");
  EXPECT_EQ(ftp.res.result_int(), 302);
  EXPECT_EQ(str(ftp.res[http::field::location]), "ftp://h0.sim/x");
}

TEST_F(Simweb, FaultTypeSetsTheContentType) {
  const auto r = get("h0.sim", "/fault/type/image/png");
  EXPECT_EQ(r.res.result_int(), 200);
  EXPECT_EQ(str(r.res[http::field::content_type]), "image/png");
  EXPECT_NE(r.res.body().find("<a href="), std::string::npos);
}

TEST_F(Simweb, FaultResetGivesAReadError) {
  const auto r = get("h0.sim", "/fault/reset");
  EXPECT_EQ(r.ec, net::error::connection_reset) << r.ec.message();
  EXPECT_FALSE(r.header_done);
}

TEST_F(Simweb, FaultBigIsChunkedAndExactlyThatLong) {
  const auto r = get("h0.sim", "/fault/big/1000000");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.res.chunked());
  EXPECT_EQ(r.res.body().size(), 1000000u);
  EXPECT_LT(r.res.body().find("<a href="), 200u);
}

TEST_F(Simweb, FaultBombIsGzipEvenUnasked) {
  const auto r = get("h0.sim", "/fault/bomb/3000000");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(str(r.res[http::field::content_encoding]), "gzip");
  EXPECT_LT(r.res.body().size(), 10'000u);
  EXPECT_EQ(inflate_gzip(r.res.body()), std::string(3000000, ' '));
}

TEST_F(Simweb, FaultSlowDripsAtTheRate) {
  const auto r = get("h0.sim", "/fault/slow/100000");  // 64 KiB at 100 kB/s: 7 ticks of 100 ms
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.body().size(), 65536u);
  EXPECT_GE(r.took, 600ms);
}

TEST_F(Simweb, FaultStallSendsHeadersAndNoBody) {
  Client client(port_);
  const auto r = client.get("h0.sim", "/fault/stall", {}, http::verb::get, 500ms);
  EXPECT_EQ(r.ec, beast::error::timeout);
  ASSERT_TRUE(r.header_done);
  EXPECT_EQ(str(r.res[http::field::content_length]), "100000");
  EXPECT_EQ(r.res.body().size(), 0u);
}

TEST_F(Simweb, MalformedFaultParametersAre400) {
  for (const char* target : {"/fault/status/99", "/fault/status/abc", "/fault/flaky/k/101/503",
                             "/fault/flaky/bad key/1/503", "/fault/retry-after/-1", "/fault/slow/0",
                             "/fault/redirect/101", "/fault/big/1073741825", "/fault/bomb/x",
                             "/fault/to-scheme/Ftp", "/fault/status/404/extra"})
    EXPECT_EQ(get("h0.sim", target).res.result_int(), 400) << target;
  EXPECT_EQ(get("h0.sim", "/fault/no-such-fault").res.result_int(), 404);
}

TEST_F(Simweb, FaultsAnswerOnAnyHostAndPointAtAnyAddress) {
  // IP-literal and unknown Host headers get faults too (pages stay 404 there).
  const auto redirect = get("127.0.0.2:8080", "/fault/redirect-to/127.0.0.3/9000");
  EXPECT_EQ(redirect.res.result_int(), 302);
  EXPECT_EQ(str(redirect.res[http::field::location]), "http://127.0.0.3:9000/fault/redirect/0");
  const auto v6 = get("unknown.example", "/fault/redirect-to/::1/81");
  EXPECT_EQ(str(v6.res[http::field::location]), "http://[::1]:81/fault/redirect/0");
  const auto link = get("h0.sim", "/fault/link-to/intranet.example/80");
  EXPECT_EQ(link.res.result_int(), 200);
  EXPECT_NE(link.res.body().find("<a href=\"http://intranet.example:80/fault/redirect/0\">"), std::string::npos);
  EXPECT_EQ(get("127.0.0.2", "/").res.result_int(), 404);
  for (const char* target : {"/fault/redirect-to/a%20b/80", "/fault/link-to/x/0", "/fault/link-to/x",
                             "/fault/headers/16777217", "/fault/links/100001/10", "/fault/links/1/7"})
    EXPECT_EQ(get("h0.sim", target).res.result_int(), 400) << target;
}

TEST_F(Simweb, FaultHeadersAndLinksSizeTheirResponses) {
  const auto headers = get("h0.sim", "/fault/headers/4000");
  EXPECT_EQ(headers.res.result_int(), 200);
  std::size_t bytes = 0;
  for (const auto& field : headers.res) {
    if (field.name_string().starts_with("X-Filler-")) bytes += field.name_string().size() + field.value().size() + 4;
  }
  EXPECT_GE(bytes, 4000u);
  EXPECT_LE(bytes, 4030u);
  const auto links = get("h0.sim", "/fault/links/3/12");
  EXPECT_NE(links.res.body().find("<a href=\"/l0-aaaaaaaa\">"), std::string::npos) << links.res.body();
  EXPECT_NE(links.res.body().find("<a href=\"/l2-aaaaaaaa\">"), std::string::npos);
  EXPECT_EQ(links.res.body().find("/l3-"), std::string::npos);
}

TEST_F(Simweb, AnswersOnlyGetAndHead) {
  const auto r = Client(port_).get("h0.sim", "/", {}, http::verb::post);
  EXPECT_EQ(r.res.result_int(), 405);
}

TEST_F(Simweb, StatsCountRequestsAndPeakConnectionsPerHost) {
  std::vector<std::unique_ptr<Client>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<Client>(port_));
    EXPECT_EQ(open.back()->get("h1.sim", "/").res.result_int(), 200);
  }
  EXPECT_EQ(open[0]->get("h1.sim", "/robots.txt").res.result_int(), 200);
  EXPECT_EQ(get("h2.sim", "/").res.result_int(), 200);
  const auto stats = get("127.0.0.1", "/__stats");
  EXPECT_EQ(str(stats.res[http::field::content_type]), "application/json");
  EXPECT_EQ(stats.res.body(),
            "{\"requests\":5,\"connections\":5,\"absolute_form_requests\":0,\"hosts\":{"
            "\"h1.sim\":{\"requests\":4,\"max_concurrent_connections\":3},"
            "\"h2.sim\":{\"requests\":1,\"max_concurrent_connections\":1}}}\n");
  const auto s = server_->stats();
  EXPECT_EQ(s.requests, 5u);
  EXPECT_EQ(s.max_concurrent_conns_by_host.at("h1.sim"), 3u);
  EXPECT_EQ(s.requests_by_host.at("h1.sim"), 4u);
}

TEST_F(Simweb, LatencyDelaysEveryResponse) {
  start({.latency_ms = 150, .jitter_ms = 20});
  Client client(port_);
  for (const char* target : {"/", "/robots.txt", "/fault/status/500"}) {
    const auto r = client.get("h0.sim", target);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_GE(r.took, 130ms) << target;  // a lower bound: the timer cannot fire early
  }
}

TEST_F(Simweb, StopClosesOpenConnections) {
  Client client(port_);
  ASSERT_EQ(client.get("h0.sim", "/").res.result_int(), 200);
  server_->stop();
  server_->stop();
  EXPECT_TRUE(client.get("h0.sim", "/").ec);
}

// ---------------------------------------------------------------- the real binary

TEST(SimwebProcess, StartsTheBinaryAndReportsItsPort) {
  crawler::test::SimwebProcess simweb({"--pages", "50", "--hosts", "3", "--seed", "9"});
  ASSERT_GT(simweb.port(), 0);
  EXPECT_EQ(simweb.resolve_arg(), "*:" + std::to_string(simweb.port()) + ":127.0.0.1");
  const auto seeds = crawler::test::read_sorted_lines(simweb.out_dir() / "seeds.txt");
  EXPECT_EQ(seeds.size(), 50u);
  EXPECT_TRUE(std::binary_search(seeds.begin(), seeds.end(), simweb.url("h2.sim", "/")));
  std::ifstream json_in(simweb.out_dir() / "manifest.json");
  const std::string json(std::istreambuf_iterator<char>(json_in), {});
  EXPECT_NE(json.find("\"port\":" + std::to_string(simweb.port()) + ","), std::string::npos)
      << json;
  EXPECT_EQ(simweb.stats_json(),
            "{\"requests\":0,\"connections\":1,\"absolute_form_requests\":0,\"hosts\":{}}\n");
  Client client(simweb.port());
  EXPECT_EQ(client.get("h2.sim", "/").res.result_int(), 200);
  EXPECT_NE(simweb.stats_json().find("\"h2.sim\":{\"requests\":1,"), std::string::npos);
  EXPECT_EQ(simweb.stop(), 0);  // SIGTERM is a clean exit
}

TEST(SimwebProcess, ReportsABadArgumentInsteadOfListening) {
  EXPECT_THROW(crawler::test::SimwebProcess({"--pages", "0"}), std::runtime_error);
}

// What deploy/k8s/check.sh runs on the demo overlay's simweb container.
TEST(SimwebProcess, CheckConfigPrintsTheSettingsOrWhatIsWrong) {
  using crawler::test::bin_path;
  const auto ok = crawler::test::run_child({bin_path("simweb"), "--pages", "300", "--hosts", "3", "--check-config"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("pages=300"), std::string::npos) << ok.out;
  const auto bad = crawler::test::run_child({bin_path("simweb"), "--pages", "2", "--hosts", "3", "--check-config"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("hosts (3) must not exceed pages (2)"), std::string::npos) << bad.err;
}

}  // namespace
