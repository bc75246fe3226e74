#include "common/fetch_cli.hpp"

#include "common/connect_to.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/dns_servers.hpp"
#include "common/resolve_entry.hpp"
#include "common/url_host.hpp"

namespace crawler {

std::string env_name(const std::string& flag_name) {
  std::string out = "CRAWL_";
  for (char c : flag_name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

namespace {

// `--name`, bound to `value`, settable from CRAWL_<NAME>, default shown in --help.
CLI::Option* flag(CLI::App& app, const std::string& name, auto& value, const std::string& help) {
  return app.add_option("--" + name, value, help)->envname(env_name(name))->capture_default_str();
}

}  // namespace

void add_local_fetch_options(CLI::App& app, FetchOptions& o, const std::string& group) {
  app.add_option("--mode", o.mode,
                 "async: C transfers in flight on one event loop; sync: one blocking transfer at a time")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, FetchOptions::Mode>{{"async", FetchOptions::Mode::kAsync},
                                                     {"sync", FetchOptions::Mode::kSync}},
          CLI::ignore_case))
      ->envname("CRAWL_MODE")
      ->default_str("async")
      ->group(group);
  flag(app, "concurrency", o.concurrency, "transfers in flight at most")->check(CLI::Range(1, 100000))->group(group);
  flag(app, "per-host", o.per_host, "connections to one host at most")->check(CLI::Range(1, 1000))->group(group);
  flag(app, "parse-threads", o.parse_threads, "HTML parsing threads")->check(CLI::Range(1, 256))->group(group);
  flag(app, "think-ms", o.think_ms,
       "benchmark: burn this much CPU per parsed page where parsing runs (the parse pool; inline in sync mode)")
      ->check(CLI::Range(0, 60000))->group(group);
}

void add_fetch_options(CLI::App& app, FetchOptions& o) {
  const auto flag = [&](const std::string& name, auto& value, const std::string& help) {
    return crawler::flag(app, name, value, help);
  };
  const std::string group = "Fetching";
  add_local_fetch_options(app, o, group);
  flag("delay-ms", o.delay_ms, "gap between two requests to one host (robots.txt Crawl-delay may raise it)")
      ->check(CLI::Range(0, 3600000))->group(group);
  flag("connect-timeout-ms", o.connect_timeout_ms, "TCP+TLS connect timeout")->check(CLI::Range(1, 3600000))->group(group);
  flag("timeout-ms", o.timeout_ms, "whole-transfer timeout")->check(CLI::Range(1, 86400000))->group(group);
  flag("low-speed-limit", o.low_speed_limit, "bytes/s below which, for --low-speed-time, a transfer is aborted")
      ->check(CLI::Range(0, 1 << 30))->group(group);
  flag("low-speed-time", o.low_speed_time_s, "seconds (see --low-speed-limit)")->check(CLI::Range(0, 3600))->group(group);
  flag("max-redirects", o.max_redirects, "redirects followed at most")->check(CLI::Range(0, 100))->group(group);
  flag("max-body", o.max_body, "body bytes (after decompression) at most; larger pages fail with body_too_large")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 34))->group(group);
  flag("retries", o.retries, "extra attempts for transient failures (connect, timeout, reset, 429, 5xx)")
      ->check(CLI::Range(0, 20))->group(group);
  flag("retry-base-ms", o.retry_base_ms, "backoff base: base*2^attempt with +-50% jitter, or Retry-After")
      ->check(CLI::Range(1, 3600000))->group(group);
  flag("retry-after-max-ms", o.retry_after_max_ms, "a longer Retry-After is not waited for")
      ->check(CLI::Range(0, 86400000))->group(group);
  flag("user-agent", o.user_agent, "User-Agent header; its product token is matched in robots.txt")->group(group);
  app.add_flag("--ignore-robots{false}", o.obey_robots, "do not fetch or obey robots.txt")
      ->envname("CRAWL_IGNORE_ROBOTS")->group(group);
  // Checked here, so that a bad entry stops `crawl --workers N` before any worker starts.
  const CLI::Validator resolve_syntax(
      [](std::string& entry) {
        const std::string why = resolve_entry_error(entry);
        return why.empty() ? std::string() : "bad --resolve entry '" + entry + "': " + why;
      },
      "HOST:PORT:ADDR");
  app.add_option("--resolve", o.resolve, "HOST:PORT:ADDR, as curl's --resolve; HOST may be '*' (repeatable)")
      ->envname("CRAWL_RESOLVE")->delimiter(',')->check(resolve_syntax)->group(group);
  app.add_option("--connect-to", o.connect_to,
                 "HOST1:PORT1:HOST2:PORT2, as curl's --connect-to: requests for HOST1:PORT1 connect to "
                 "HOST2:PORT2 (empty parts match any; repeatable)")
      ->envname("CRAWL_CONNECT_TO")->delimiter(',')->group(group)
      ->check([](const std::string& entry) {
        std::string why;
        parse_connect_to(entry, why);
        return why.empty() ? std::string() : "'" + entry + "': " + why;
      });
  const std::string limits = "Limits";
  flag("max-header-bytes", o.max_header_bytes, "response header bytes at most; more fails with header_too_large")
      ->check(CLI::Range(std::uint32_t{1024}, std::uint32_t{64} << 20))->group(limits);
  flag("max-links-per-page", o.max_links_per_page, "links kept per page; the rest are dropped and counted")
      ->check(CLI::Range(std::uint32_t{1}, std::uint32_t{10'000'000}))->group(limits);
  flag("max-url-length", o.max_url_length, "discovered links longer than this (bytes) are dropped and counted")
      ->check(CLI::Range(std::uint32_t{64}, std::uint32_t{1} << 20))->group(limits);
}

void add_guard_options(CLI::App& app, FetchOptions& o) {
  const std::string group = "SSRF guard";
  app.add_option("--allow-host", o.allow_hosts,
                 "a host name or IP literal whose connections may reach any address, loopback and private "
                 "included (repeatable; an internationalised name is converted to punycode)")
      ->envname("CRAWL_ALLOW_HOST")->delimiter(',')->group(group)
      // To the ASCII form URLs carry (IDN as punycode), by the URL parser's own host parser.
      ->transform(CLI::Validator(
          [](std::string& entry) {
            const auto host = UrlHost::parse_user_host(entry);
            if (host && host->size() <= 255) {
              entry = *host;
              return std::string();
            }
            return "bad --allow-host '" + entry +
                   "': not a host name or IP literal (or a name IDNA cannot convert to ASCII)";
          },
          "HOST"));
  app.add_flag("--allow-private", o.allow_private,
               "turn the guard off: links and redirects may lead to loopback, private, link-local, CGNAT, "
               "multicast, reserved and cloud metadata addresses")
      ->envname("CRAWL_ALLOW_PRIVATE")->group(group);
}

void add_network_options(CLI::App& app, FetchOptions& o) {
  const std::string group = "TLS, proxy and DNS";
  flag(app, "cacert", o.ca_file,
       "PEM file of the CAs to trust instead of the system's bundle (read once per process)")
      ->group(group);
  flag(app, "capath", o.ca_path,
       "directory of CA certificates in OpenSSL's hashed layout (c_rehash) to trust; without "
       "--cacert, instead of the system's bundle")
      ->group(group);
  app.add_flag("--insecure", o.insecure,
               "do not verify certificates or host names (warned in the log and the summary)")
      ->envname(env_name("insecure"))
      ->group(group);
  flag(app, "proxy", o.proxy,
       "proxy for every request, as curl's --proxy (http://HOST:PORT, socks5h://...); default: "
       "the http_proxy/https_proxy environment variables. The SSRF guard lets connections to the "
       "proxy through and cannot see destinations' addresses behind it (IP literals excepted)")
      ->group(group);
  flag(app, "noproxy", o.no_proxy,
       "comma-separated hosts (and domains under them) reached without the proxy, as curl's "
       "--noproxy; '*' for all")
      ->group(group);
  flag(app, "dns-servers", o.dns_servers,
       "DNS servers to ask instead of /etc/resolv.conf's, as curl's --dns-servers: ADDR[:PORT],... "
       "(IPv6 as [ADDR]:PORT). Names are resolved by the crawler (c-ares, cached for their TTL), "
       "except behind a proxy, with --system-resolver and in --mode sync (libcurl resolves them)")
      ->check(CLI::Validator(
          [](const std::string& servers) {
            const std::string why = dns_servers_error(servers);
            return why.empty() ? why : "bad --dns-servers '" + servers + "': " + why;
          },
          "LIST"))
      ->group(group);
  app.add_flag("--system-resolver", o.system_resolver,
               "resolve names with the system's getaddrinfo through libcurl instead (what "
               "/etc/nsswitch.conf names, e.g. mDNS or LDAP; a thread per lookup, TTLs not known)")
      ->envname(env_name("system-resolver"))
      ->excludes("--dns-servers")
      ->group(group);
}

}  // namespace crawler
