// `crawl --check-config`: parses flags and CRAWL_* variables, prints the effective settings,
// exits 0; a bad flag, a bad value, a bad regex or an unknown CRAWL_* variable exits 2.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/child_process.hpp"

namespace crawler::test {
namespace {

/// Sets an environment variable for one scope (children inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(CheckConfig, PrintsTheEffectiveSettingsFromFlagsAndEnvironment) {
  ScopedEnv env("CRAWL_PER_HOST", "7");
  // The seed file need not exist: --check-config reads no files and opens no sockets.
  const auto r =
      run_child({bin_path("crawl"), "--check-config", "--seeds", "/nonexistent/seeds.txt",
                 "--concurrency", "33", "--metrics-listen", "0.0.0.0:9090"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("concurrency=33"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per-host=7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("metrics-listen=\"0.0.0.0:9090\""), std::string::npos) << r.out;
}

TEST(CheckConfig, ShowsConnectToAndTheGuardFromFlagsAndEnvironment) {
  ScopedEnv env("CRAWL_CONNECT_TO", "h0.sim:80:crawl-simweb:8080,h1.sim:80:crawl-simweb:8080");
  const auto r = run_child({bin_path("crawl"), "--check-config", "--seeds", "s.txt", "--allow-host",
                            "intranet.example", "--max-url-length", "4096"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("connect-to=[\"h0.sim:80:crawl-simweb:8080\", \"h1.sim:80:crawl-simweb:8080\"]"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allow-host=\"intranet.example\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allow-private=false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max-url-length=4096"), std::string::npos) << r.out;
}

TEST(CheckConfig, AllowHostShowsAnInternationalisedNameAsPunycodeAndRefusesABadOne) {
  const auto ok = run_child({bin_path("crawl-worker"), "--check-config", "--connect",
                             "tcp://c:5555", "--allow-host", "Bücher.example,[FD00::5]"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("allow-host=[\"xn--bcher-kva.example\", \"[fd00::5]\"]"), std::string::npos)
      << ok.out;
  const auto bad = run_child(
      {bin_path("crawl"), "--check-config", "--seeds", "s.txt", "--allow-host", "xn--a.example"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("bad --allow-host 'xn--a.example'"), std::string::npos) << bad.err;
}

TEST(CheckConfig, CrawlAndWorkerTakeTheTlsAndProxyFlagsAndTheCoordinatorDoesNot) {
  // Files are not read: the CA file need not exist where the manifests are checked.
  const auto crawl = run_child({bin_path("crawl"), "--check-config", "--seeds", "s.txt", "--cacert",
                                "/etc/crawler/ca/ca.pem", "--capath", "/etc/crawler/ca",
                                "--insecure", "--noproxy", "intranet.example,.corp"});
  EXPECT_EQ(crawl.exit_code, 0) << crawl.err;
  EXPECT_NE(crawl.out.find("cacert=\"/etc/crawler/ca/ca.pem\""), std::string::npos) << crawl.out;
  EXPECT_NE(crawl.out.find("capath=\"/etc/crawler/ca\""), std::string::npos) << crawl.out;
  EXPECT_NE(crawl.out.find("insecure=true"), std::string::npos) << crawl.out;
  EXPECT_NE(crawl.out.find("noproxy=\"intranet.example,.corp\""), std::string::npos) << crawl.out;
  {
    ScopedEnv env("CRAWL_PROXY", "http://proxy.example:3128");
    const auto worker =
        run_child({bin_path("crawl-worker"), "--check-config", "--connect", "tcp://c:5555"});
    EXPECT_EQ(worker.exit_code, 0) << worker.err;
    EXPECT_NE(worker.out.find("proxy=\"http://proxy.example:3128\""), std::string::npos)
        << worker.out;
    // A proxy is the fetching process's network, which the coordinator does not choose.
    const auto coordinator =
        run_child({bin_path("crawl-coordinator"), "--check-config", "--seeds", "s.txt"});
    EXPECT_EQ(coordinator.exit_code, 2) << coordinator.out;
    EXPECT_NE(coordinator.err.find("CRAWL_PROXY"), std::string::npos) << coordinator.err;
  }
}

TEST(CheckConfig, WorkerTakesTheGuardFlagsAndTheCoordinatorDoesNot) {
  {
    ScopedEnv env("CRAWL_ALLOW_PRIVATE", "true");
    const auto worker = run_child({bin_path("crawl-worker"), "--check-config", "--connect", "tcp://c:5555"});
    EXPECT_EQ(worker.exit_code, 0) << worker.err;
    EXPECT_NE(worker.out.find("allow-private=true"), std::string::npos) << worker.out;
    // The coordinator cannot widen a worker's guard, so it refuses the setting outright.
    const auto coordinator = run_child({bin_path("crawl-coordinator"), "--check-config", "--seeds", "s.txt"});
    EXPECT_EQ(coordinator.exit_code, 2) << coordinator.out;
    EXPECT_NE(coordinator.err.find("CRAWL_ALLOW_PRIVATE"), std::string::npos) << coordinator.err;
  }
  const auto coordinator = run_child({bin_path("crawl-coordinator"), "--check-config", "--seeds", "s.txt",
                                      "--connect-to", "h0.sim:80:crawl-simweb:8080"});
  EXPECT_EQ(coordinator.exit_code, 0) << coordinator.err;
  EXPECT_NE(coordinator.out.find("connect-to=\"h0.sim:80:crawl-simweb:8080\""), std::string::npos) << coordinator.out;
}

TEST(CheckConfig, RefusesAnUnknownCrawlVariable) {
  ScopedEnv env("CRAWL_CONCURENCY", "5");  // misspelt: would be ignored silently without the check
  const auto r = run_child({bin_path("crawl"), "--check-config", "--seeds", "s.txt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CRAWL_CONCURENCY"), std::string::npos) << r.err;
}

TEST(CheckConfig, RefusesBadValuesFlagsAndRegexes) {
  EXPECT_EQ(run_child({bin_path("crawl"), "--check-config", "--seeds", "s", "--concurrency", "0"})
                .exit_code,
            2);
  EXPECT_EQ(
      run_child({bin_path("crawl"), "--check-config", "--seeds", "s", "--no-such-flag"}).exit_code,
      2);
  EXPECT_EQ(run_child({bin_path("crawl"), "--check-config"}).exit_code, 2);  // --seeds is required
  EXPECT_EQ(run_child({bin_path("crawl"), "--check-config", "--seeds", "s", "--metrics-listen",
                       "nowhere"})
                .exit_code,
            2);
  const auto r =
      run_child({bin_path("crawl"), "--check-config", "--seeds", "s", "--include", "(unclosed"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--include"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace crawler::test
