#pragma once
/// The result of fetching one URL: what the results writer turns into output lines.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

/// Why a fetch produced no page. Expected failures are values, never exceptions.
enum class FetchError : std::uint8_t {
  kNone = 0,
  kBadUrl,            ///< the URL could not be parsed, or its scheme is not http/https
  kDns,               ///< host name did not resolve
  kConnect,           ///< TCP connect refused or failed
  kTimeout,           ///< connect, total or low-speed timeout
  kTls,               ///< TLS handshake or certificate failure
  kReset,             ///< connection reset or closed before a full response
  kProtocol,          ///< malformed HTTP or a decoding failure
  kTooManyRedirects,  ///< more redirects than allowed, or a redirect loop
  kBadRedirect,       ///< redirect to a non-http(s) scheme or an unparsable location
  kBodyTooLarge,      ///< body (after decompression) exceeded --max-body
  kHttpStatus,        ///< final response was not 2xx (status holds the code)
  kRobots,            ///< disallowed by robots.txt
  kCancelled,         ///< the crawl stopped before this fetch finished
  kOther,
  // Appended after kOther: the values travel on the wire (proto FetchError), value for value.
  kForbiddenAddress,  ///< the SSRF guard refused the address a link or redirect led to
  kHeaderTooLarge,    ///< response headers exceeded --max-header-bytes
};

/// Number of FetchError values (for tables indexed by it).
inline constexpr std::size_t kFetchErrorCount = static_cast<std::size_t>(FetchError::kHeaderTooLarge) + 1;

/// Short stable name used in output and summaries: "dns", "timeout", "http_status", ...
std::string_view to_string(FetchError e);

/// One fetched (or failed) page.
struct PageRecord {
  std::uint64_t task_id = 0;
  std::string url;           ///< as written in the seed file, or as discovered (source column)
  std::string final_url;     ///< after redirects; empty if nothing was fetched
  int status = 0;            ///< final HTTP status, 0 if none
  std::string content_type;  ///< final Content-Type header value, as sent
  std::uint64_t bytes = 0;   ///< body bytes received (after decompression)
  double fetch_ms = 0;       ///< wall time of the last attempt
  std::uint32_t depth = 0;
  std::uint32_t attempts = 0;  ///< 1 + retries used
  FetchError error = FetchError::kNone;
  std::string error_detail;  ///< human-readable detail (curl message, status text), may be empty
  std::vector<std::string> links;  ///< resolved, normalised, unique within this page, in document order
  std::uint32_t links_too_long = 0;  ///< links dropped for being longer than --max-url-length
  std::uint32_t links_over_cap = 0;  ///< links dropped past --max-links-per-page

  bool ok() const { return error == FetchError::kNone; }
};

}  // namespace crawler
