#pragma once
/// Settings of the fetch engine; shared by `crawl`, `crawl-worker` and the benchmark.

#include <cstdint>
#include <string>
#include <vector>

namespace crawler {

/// How the engine fetches. Defaults are the documented command-line defaults.
struct FetchOptions {
  enum class Mode { kAsync, kSync };
  Mode mode = Mode::kAsync;          ///< kSync: one blocking transfer at a time (the contrast row)
  int concurrency = 256;             ///< transfers in flight at most
  int per_host = 2;                  ///< connections per host at most
  int delay_ms = 0;                  ///< gap between two requests to one host (robots Crawl-delay may raise it)
  int connect_timeout_ms = 10'000;
  int timeout_ms = 30'000;           ///< whole transfer
  int low_speed_limit = 512;         ///< bytes/s below which ...
  int low_speed_time_s = 15;         ///< ... for this long aborts the transfer (slow-loris)
  int max_redirects = 10;
  std::uint64_t max_body = 8ull << 20;  ///< decompressed body cap in bytes
  int retries = 2;                   ///< extra attempts for transient failures
  int retry_base_ms = 500;           ///< backoff base: base * 2^attempt, with +-50% jitter
  int retry_after_max_ms = 60'000;   ///< a Retry-After longer than this is not waited for
  int parse_threads = 1;
  int think_ms = 0;                  ///< busy CPU per parsed page, where parsing runs (benchmarks only)
  bool obey_robots = true;           ///< fetch and obey robots.txt for tasks that ask for it
  std::string user_agent = "crawler/0.1 (+https://example.invalid/crawler)";
  std::vector<std::string> resolve;  ///< "HOST:PORT:ADDR" entries as curl's --resolve; HOST may be '*'
  std::vector<std::string> connect_to;  ///< "HOST1:PORT1:HOST2:PORT2" entries as curl's --connect-to

  // TLS, proxy, DNS: worker-local like the guard (a CA file or a proxy is a fact of the network and
  // file system the fetching process runs in); the coordinator's Welcome never carries them.
  std::string ca_file;    ///< PEM bundle to trust instead of the system's; empty: libcurl's default
  std::string ca_path;    ///< OpenSSL hashed directory (c_rehash) to trust; empty: none
  bool insecure = false;  ///< true: no certificate or host name verification (loudly warned)
  std::string proxy;      ///< CURLOPT_PROXY; empty: libcurl's *_proxy environment variables.
                          ///< The SSRF guard lets connections to the proxy's address through.
  std::string no_proxy;   ///< CURLOPT_NOPROXY: comma-separated hosts reached without the proxy
  std::string dns_servers;  ///< "ADDR[:PORT],..." asked instead of /etc/resolv.conf's; empty: those
  bool system_resolver = false;  ///< true: libcurl's getaddrinfo (NSS, a thread per lookup, no TTLs)

  // Limits on what one response may cost (see docs/usage.md, "Defences").
  std::uint32_t max_header_bytes = 256 * 1024;  ///< response header bytes, per response
  std::uint32_t max_links_per_page = 10'000;    ///< links kept per page; the rest dropped and counted
  std::uint32_t max_url_length = 2048;          ///< discovered links longer than this dropped and counted

  // The SSRF guard: a task's own seed host, hosts mapped by `resolve`/`connect_to` and
  // `allow_hosts` connect anywhere; any other connection to a loopback, private, link-local,
  // CGNAT, multicast, reserved or metadata address is refused (FetchError::kForbiddenAddress).
  // Worker-local: the coordinator's Welcome never carries these.
  std::vector<std::string> allow_hosts;  ///< host names or IP literals the user trusts (any port)
  bool allow_private = false;            ///< true: no guard at all
};

}  // namespace crawler
