#pragma once
/// One HTTP GET with libcurl: the easy-handle options and the result mapping, shared by the async
/// and the sync engine so that both produce the same PageRecord for the same response.

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"

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

  /// Resets the handle and sets every option to GET `url` (an absolute http(s) URL): http/https
  /// only (redirects too), redirects followed up to options.max_redirects, any encoding curl
  /// decodes, connect/total/low-speed timeouts, body cap, user agent, `resolve` (curl keeps the
  /// pointer: the list must outlive the transfer), no signals, TCP keepalive.
  void configure(const std::string& url, const FetchOptions& options, const curl_slist* resolve,
                 Purpose purpose);

  /// Fills status, final_url, content_type, bytes, fetch_ms, error and error_detail of `record`
  /// from the finished transfer (`code` is curl's result). A non-2xx final status is kHttpStatus.
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

  /// Maps a curl result to a FetchError. `redirected`: at least one redirect was followed.
  /// `over_cap`: the write callback refused bytes past the body cap.
  static FetchError map_error(CURLcode code, bool redirected, bool over_cap);

 private:
  static std::size_t on_write(char* data, std::size_t size, std::size_t count,
                              void* userp) noexcept;

  CURL* easy_ = nullptr;
  std::string body_;
  std::uint64_t max_body_ = 0;
  bool truncate_ = false;  ///< past the cap: stop and keep what came (robots) instead of failing
  bool over_cap_ = false;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace crawler
