// End to end over HTTPS: the real `crawl` binary against nginx (tests/support/tls_front.hpp)
// in front of simweb, with a CA made for this run. Trust (--cacert, --capath, --insecure), one
// CA load per process, connection reuse and HTTP/2 multiplexing counted at the server, and the
// reason a page fails when TLS does.

#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/simweb_process.hpp"
#include "tests/support/tls_front.hpp"

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

constexpr int kHosts = 20;
constexpr int kPages = 100;  // 5 per host

std::vector<std::string> host_names(int hosts) {
  std::vector<std::string> names;
  for (int i = 0; i < hosts; ++i) names.push_back("h" + std::to_string(i) + ".sim");
  return names;
}

/// Counts the times any process opens one file (inotify IN_OPEN): the observable of "the CA
/// bundle is read", with no tracing of the crawler. inotify merges an event into the previous
/// one when they are identical and unread, so closes are watched too: one process reading the
/// file N times in a row queues OPEN, CLOSE, OPEN, CLOSE... and is counted N times; two
/// processes opening it at the same instant may be counted once.
class FileOpens {
 public:
  explicit FileOpens(const std::string& path) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, path.c_str(), IN_OPEN | IN_CLOSE_NOWRITE), 0) << path;
  }
  ~FileOpens() { ::close(fd_); }
  FileOpens(const FileOpens&) = delete;
  FileOpens& operator=(const FileOpens&) = delete;

  /// Opens since the last call (events already queued: call after the opener finished).
  int take() {
    int opens = 0;
    alignas(inotify_event) char buffer[4096];
    for (ssize_t n; (n = ::read(fd_, buffer, sizeof buffer)) > 0;) {
      for (char* p = buffer; p < buffer + n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(p);
        if ((event->mask & IN_OPEN) != 0) ++opens;
        p += sizeof(inotify_event) + event->len;
      }
    }
    return opens;
  }

 private:
  int fd_;
};

class TlsE2E : public ::testing::Test {
 protected:
  explicit TlsE2E(bool http2 = false, int hosts = kHosts, int pages = kPages)
      : web_({"--hosts", std::to_string(hosts), "--pages", std::to_string(pages), "--links", "4"}),
        front_({.upstream_port = web_.port(), .names = host_names(hosts), .http2 = http2}) {
    // simweb's seeds, http://hN.sim:SIMWEB/path, as https://hN.sim:FRONT/path.
    std::ifstream in(web_.out_dir() / "seeds.txt");
    std::ofstream out(tmp_.file("seeds.txt"));
    const std::string origin_port = ":" + std::to_string(web_.port());
    for (std::string line; std::getline(in, line);) {
      const auto host_end = line.find(origin_port);
      const std::string host = line.substr(7, host_end - 7);
      out << front_.url(host, line.substr(host_end + origin_port.size())) << "\n";
    }
  }

  ChildResult crawl(const std::vector<std::string>& more,
                    const std::string& seeds_file = std::string()) {
    std::vector<std::string> args = {bin_path("crawl"),
                                     "--seeds",
                                     seeds_file.empty() ? tmp_.file("seeds.txt") : seeds_file,
                                     "--out",
                                     tmp_.file("out.jsonl"),
                                     "--format",
                                     "jsonl",
                                     "--resolve",
                                     front_.resolve(),
                                     "--progress",
                                     "never",
                                     "--retries",
                                     "0"};
    args.insert(args.end(), more.begin(), more.end());
    return run_child(args, 180s);
  }

  std::string output() const {
    std::ifstream in(tmp_.file("out.jsonl"));
    std::string all, line;
    while (std::getline(in, line)) all += line + "\n";
    return all;
  }

  SimwebProcess web_;
  TlsFront front_;
  TempDir tmp_;
};

const std::string kAllOk = std::to_string(kPages) + " ok, 0 failed";

TEST_F(TlsE2E, CacertTrustsThisRunsCa) {
  const auto r = crawl({"--workers", "0", "--cacert", front_.ca_file()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("insecure"), std::string::npos) << r.err;
}

TEST_F(TlsE2E, CapathTrustsAHashedDirectory) {
  const auto r = crawl({"--workers", "0", "--capath", front_.ca_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
}

TEST_F(TlsE2E, WithoutTheCaEveryPageFailsWithATlsReason) {
  const auto r = crawl({"--workers", "0", "--ignore-robots"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 ok, " + std::to_string(kPages) + " failed"), std::string::npos) << r.err;
  const std::string out = output();
  EXPECT_NE(out.find("\"error\":\"tls\""), std::string::npos) << out.substr(0, 2000);
  EXPECT_NE(out.find("certificate"), std::string::npos) << out.substr(0, 2000);
  EXPECT_EQ(out.find("\"error\":null"), std::string::npos);
}

TEST_F(TlsE2E, InsecureFetchesWithoutTheCaAndSaysSoInTheLogAndTheSummary) {
  const auto r = crawl({"--workers", "0", "--insecure"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--insecure: TLS certificates and host names are NOT verified"),
            std::string::npos)
      << r.err;  // the log, when the engine starts
  EXPECT_NE(r.err.find("WARNING     --insecure"), std::string::npos) << r.err;  // the summary
}

TEST_F(TlsE2E, WorkerProcessesGetTheCaAndInsecureFromCrawl) {
  auto r = crawl({"--workers", "2", "--cacert", front_.ca_file()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
  r = crawl({"--workers", "2", "--insecure"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
}

TEST_F(TlsE2E, TheCaBundleIsReadOncePerProcessHoweverManyConnections) {
  FileOpens opens(front_.ca_file());
  // One connection per host at least (20 TLS handshakes): each used to re-read the bundle.
  std::size_t requests = 0;
  for (const char* mode : {"async", "sync"}) {
    const std::size_t before = front_.connections();
    const auto r =
        crawl({"--workers", "0", "--mode", mode, "--per-host", "1", "--cacert", front_.ca_file()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
    requests += kPages;
    ASSERT_TRUE(front_.wait_for_requests(requests, 10s));
    // A host's pages reuse its connection: one per host, no more.
    EXPECT_EQ(front_.connections() - before, static_cast<std::size_t>(kHosts)) << mode;
    EXPECT_EQ(opens.take(), 1) << mode;
  }
  const auto r = crawl({"--workers", "2", "--per-host", "1", "--cacert", front_.ca_file()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kAllOk), std::string::npos) << r.err;
  // One per worker process (two opens at the same instant may count as one, see FileOpens).
  const int worker_opens = opens.take();
  EXPECT_GE(worker_opens, 1);
  EXPECT_LE(worker_opens, 2);
}

TEST_F(TlsE2E, ATlsFailureAfterARedirectIsReportedAsTlsNotAsTheRedirectsStatus) {
  {
    std::ofstream seeds(tmp_.file("redirect-seeds.txt"));
    seeds << front_.url("h0.sim", "/__redirect-to-wrong-name") << "\n";
  }
  const auto r = crawl({"--workers", "0", "--cacert", front_.ca_file(), "--ignore-robots",
                        "--allow-host", "wrong-name.test"},
                       tmp_.file("redirect-seeds.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = output();
  EXPECT_NE(out.find("\"status\":0,"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"status\":302"), std::string::npos) << out;
  EXPECT_NE(out.find("\"error\":\"tls\""), std::string::npos) << out;
  EXPECT_NE(out.find("redirect to https://wrong-name.test:" + std::to_string(front_.port())),
            std::string::npos)
      << out;
}

TEST_F(TlsE2E, EachKindOfBadCertificateIsATlsFailureWithItsReason) {
  // Unknown CA: WithoutTheCaEveryPageFailsWithATlsReason. A name the certificate does not hold:
  const std::string port = std::to_string(front_.port());
  std::ofstream(tmp_.file("wrong-name.txt")) << front_.url("other.test", "/") << "\n";
  auto r = crawl({"--workers", "0", "--cacert", front_.ca_file(), "--resolve",
                  "other.test:" + port + ":127.0.0.1"},
                 tmp_.file("wrong-name.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(output().find("\"error\":\"tls\""), std::string::npos) << output();
  EXPECT_NE(output().find("no alternative certificate subject name matches target host name 'other.test'"), std::string::npos)
      << output();
  // Expired, and self-signed (each on a front of its own, the run's CA trusted).
  const std::pair<TlsFront::Certificate, std::string> kinds[] = {
      {TlsFront::Certificate::kExpired, "certificate has expired"},
      {TlsFront::Certificate::kSelfSigned, "self-signed certificate"}};
  for (const auto& [kind, reason] : kinds) {
    TlsFront bad({.upstream_port = web_.port(), .names = {"h0.sim"}, .certificate = kind});
    std::ofstream(tmp_.file("bad.txt")) << bad.url("h0.sim", "/") << "\n";
    r = crawl({"--workers", "0", "--cacert", bad.ca_file(), "--resolve", bad.resolve()},
              tmp_.file("bad.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("0 ok, 1 failed"), std::string::npos) << r.err;
    const std::string out = output();
    EXPECT_NE(out.find("\"error\":\"tls\""), std::string::npos) << out;
    EXPECT_NE(out.find("SSL certificate problem: " + reason), std::string::npos) << out;
  }
}

class Http2E2E : public TlsE2E {
 protected:
  Http2E2E() : TlsE2E(/*http2=*/true, /*hosts=*/1, /*pages=*/50) {}
};

TEST_F(Http2E2E, AHostsRequestsShareOneConnection) {
  const auto r = crawl(
      {"--workers", "0", "--cacert", front_.ca_file(), "--per-host", "8", "--concurrency", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("50 ok, 0 failed"), std::string::npos) << r.err;
  ASSERT_TRUE(front_.wait_for_requests(50, 10s));
  const auto requests = front_.requests();
  ASSERT_EQ(requests.size(), 50u);  // the 50 seeds (seeds are not checked against robots.txt)
  for (const auto& request : requests) EXPECT_EQ(request.protocol, "HTTP/2.0");
  EXPECT_EQ(front_.connections(), 1u);  // 8 (one per transfer in flight) without PIPEWAIT
}

}  // namespace
}  // namespace crawler::test
