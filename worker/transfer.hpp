#pragma once
/// One HTTP GET with libcurl: the easy-handle options and the result mapping, shared by the async
/// and the sync engine so that both produce the same PageRecord for the same response.

#include <curl/curl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"
#include "worker/address_guard.hpp"

namespace crawler {

/// An easy handle plus what one transfer collects (body, error text). Reusable: configure() resets
/// everything. Neither copyable nor movable (curl keeps pointers to it); hold it by unique_ptr.
class Transfer {
 public:
  /// What is being fetched; decides the limits.
  enum class Purpose {
    kPage,    ///< options.max_body (abort past it), options.timeout_ms
    kRobots,  ///< 512 KiB kept and the rest ignored (RFC 9309), at most 10 s
  };

  /// robots.txt bytes kept; RFC 9309 asks for at least 500 KiB.
  static constexpr std::uint64_t kRobotsMaxBytes = 512 * 1024;
  /// Whole-transfer timeout of a robots.txt fetch (or options.timeout_ms when shorter).
  static constexpr int kRobotsTimeoutMs = 10'000;

  /// Throws std::runtime_error if curl_easy_init fails.
  Transfer();
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  /// What a transfer borrows from its engine; everything must outlive the transfer.
  struct Network {
    const curl_slist* resolve = nullptr;     ///< CURLOPT_RESOLVE (ResolveList)
    const curl_slist* connect_to = nullptr;  ///< CURLOPT_CONNECT_TO (ConnectToList)
    const AddressGuard* guard = nullptr;     ///< nullptr: every address may be connected to
    /// `+HOST:PORT:ADDR,...` for the URL's own host, from the engine's resolver: handed to curl
    /// after `resolve`'s entries (curl then asks no resolver of its own). Empty: curl resolves.
    std::string resolved;
    /// CURLOPT_DNS_CACHE_TIMEOUT in seconds. -1: curl neither expires nor prunes its DNS cache
    /// for this transfer (a prune walks the whole cache, at the end of every transfer).
    long dns_cache_timeout_s = 60;
  };

  /// Resets the handle and sets every option to GET `url` (an absolute http(s) URL): http/https
  /// only (redirects too), redirects followed up to options.max_redirects, any encoding curl
  /// decodes, connect/total/low-speed timeouts, body and header caps, user agent, `network`'s
  /// lists, no signals, TCP keepalive. TLS: options.ca_file / ca_path / insecure; the
  /// system CA path libcurl was built with is unset (a CA path turns off libcurl's CA cache, so
  /// every connection would re-read the whole bundle: one load per multi handle instead); https
  /// transfers wait for a connection being set up to the same host (CURLOPT_PIPEWAIT) so that
  /// HTTP/2 multiplexes them on it instead of opening more. Proxy: options.proxy / no_proxy,
  /// else libcurl's environment variables. With a guard, every socket curl opens (for the URL and
  /// for each redirect) is checked before it connects; `host_named_by_user` lets the URL's own
  /// host connect anywhere (FetchTask::host_named_by_user).
  void configure(const std::string& url, const FetchOptions& options, const Network& network,
                 Purpose purpose, bool host_named_by_user = false);

  /// Fills status, final_url, content_type, bytes, fetch_ms, error and error_detail of `record`
  /// from the finished transfer (`code` is curl's result). A non-2xx final status is kHttpStatus.
  /// A failure after a redirect, before the redirect's target answered (TLS, connect, DNS, ...),
  /// has status 0 and "redirect to URL: " before its detail: no status of the target is known.
  void finish(CURLcode code, PageRecord& record) const;

  /// Retry-After of the last response in seconds (delay-seconds or HTTP-date), 0 when absent.
  std::int64_t retry_after_s() const;

  /// The body received so far (decompressed); leaves the transfer without a buffer.
  std::string take_body() { return std::move(body_); }
  /// Gives the transfer a buffer to reuse (its contents are dropped, its capacity kept).
  void give_buffer(std::string&& buffer);
  /// Capacity of the body buffer (the pool bounds what it keeps).
  std::size_t buffer_capacity() const { return body_.capacity(); }

  CURL* easy() const { return easy_; }

  /// Host (canonical, see AddressGuard) and port (the scheme's default when none) of `url`, as
  /// curl's own URL parser reads them: the same parser that decides where curl connects.
  static std::optional<std::pair<std::string, int>> host_and_port(const char* url);

  /// Maps a curl result to a FetchError. `redirected`: at least one redirect was followed.
  /// `over_cap`: the write callback refused bytes past the body cap. `header_over_cap`: the
  /// header callback refused headers past the header cap. `refused`: the guard refused a socket.
  static FetchError map_error(CURLcode code, bool redirected, bool over_cap,
                              bool header_over_cap = false, bool refused = false);

 private:
  void configure_tls(const std::string& url, const FetchOptions& options);
  static std::size_t on_write(char* data, std::size_t size, std::size_t count,
                              void* userp) noexcept;
  static std::size_t on_header(char* data, std::size_t size, std::size_t count,
                               void* userp) noexcept;
  static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose,
                                      curl_sockaddr* address) noexcept;
  static int on_prereq(void* clientp, char* primary_ip, char* local_ip, int primary_port,
                       int local_port) noexcept;
  /// Empty when the guard lets this transfer's current request use a connection to `address`
  /// (a sockaddr before connecting, or the connected address as text and its port).
  template <typename... Address>
  std::string refusal(const Address&... address) const;

  CURL* easy_ = nullptr;
  curl_slist* resolve_ = nullptr;  ///< this transfer's CURLOPT_RESOLVE when Network::resolved is set
  std::string body_;
  std::uint64_t max_body_ = 0;
  bool truncate_ = false;  ///< past the cap: stop and keep what came (robots) instead of failing
  bool over_cap_ = false;
  std::uint64_t max_header_bytes_ = 0;
  std::uint64_t header_bytes_ = 0;  ///< of the current response (reset at each status line)
  bool header_over_cap_ = false;
  long final_responses_ = 0;  ///< responses with a final (non-1xx) status line, redirects included
  const AddressGuard* guard_ = nullptr;
  std::string named_host_;  ///< the URL's host when the user named it (canonical), else empty
  std::string refused_;     ///< why the guard refused a socket, empty when it did not
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace crawler
