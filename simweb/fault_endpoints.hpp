#pragma once
/// The fault-injection endpoints under /fault/ (a fixed contract other parts test against).

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "simweb/flaky_counters.hpp"
#include "simweb/reply.hpp"

namespace simweb {

/// Routes /fault/... paths (every site host serves them):
///   status/{code}                 that status; HTML body with <a href="/should-not-be-extracted">
///   flaky/{key}/{n}/{code}        first n requests per key: {code} (Retry-After: 1 for 429 and
///                                 503); later: 200 HTML with <a href="/flaky-ok">
///   retry-after/{seconds}         429 with Retry-After: {seconds}
///   reset                         no response; RST
///   slow/{bytes_per_sec}          200, 64 KiB HTML dripped at that rate, dropped after 60 s
///   stall                         200, Content-Length 100000, no body; dropped after 60 s
///   redirect/{n}                  302 to /fault/redirect/{n-1}; n=0: 200 HTML with relative links
///   loop                          302 to /fault/loop
///   to-scheme/{scheme}            302 to {scheme}://h0.sim/x
///   redirect-to/{host}/{port}     302 to http://{host}:{port}/fault/redirect/0 ({host} any host
///                                 name or IP literal, IPv6 without brackets)
///   link-to/{host}/{port}         200 HTML with one link to http://{host}:{port}/fault/redirect/0
///   headers/{bytes}               200 HTML with filler headers X-Filler-N: at least {bytes}
///                                 bytes of header lines (at most ~20 more)
///   links/{n}/{length}            200 HTML with n distinct links /l{i}-aaa... each {length} bytes
///   type/{type}/{subtype}         200, HTML body with a link, Content-Type {type}/{subtype}
///   big/{bytes}                   200 HTML, chunked, exactly {bytes} bytes
///   bomb/{bytes}                  200 HTML, Content-Encoding gzip, inflates to {bytes} spaces
/// Limits: code 200-599; n <= 100; key 1-64 of [A-Za-z0-9._-]; seconds <= 86400;
/// bytes_per_sec 1-100000000; bytes <= 1 GiB (headers: 16 MiB); host 1-253 of
/// [A-Za-z0-9.-_:]; port 1-65535; links n <= 100000, length 8-65536; scheme 1-32 of [a-z0-9+.-] starting with a
/// letter; type and subtype 1-64 token characters. Anything else under /fault/ is 400 when
/// the endpoint exists and a parameter is malformed, else 404.
class FaultEndpoints {
 public:
  using Done = std::function<void(Reply)>;

  /// Keeps a reference to `flaky`, which must outlive this object.
  explicit FaultEndpoints(FlakyCounters& flaky) : flaky_(flaky) {}

  /// `path`: the request path without its query, starting with "/fault/". Calls `done` exactly
  /// once: before returning, or later on `executor` (flaky keys are counted on a strand).
  void route(std::string_view path, const boost::asio::any_io_executor& executor, Done done) const;

  /// A decimal number in [min, max] with no sign, space or leading '+'; nullopt otherwise.
  static std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t min,
                                                   std::uint64_t max);

 private:
  FlakyCounters& flaky_;
};

}  // namespace simweb
