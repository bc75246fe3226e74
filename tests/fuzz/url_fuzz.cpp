// URL parsing and resolution (common/url.hpp, url_parser.hpp, url_host.hpp) on arbitrary bytes.
// Input: "BASE\nREF" (no newline: the whole input is both). Properties: nothing crashes; a
// normalised URL is a fixed point of normalize_url; what resolve_url returns is normalised.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/url.hpp"
#include "common/url_host.hpp"
#include "common/url_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using crawler::fuzz::check;

namespace {

// The query encodings a page may declare; which one is used comes from the input's length.
constexpr std::string_view kEncodings[] = {"utf-8", "windows-1252", "shift_jis", "euc-kr",
                                           "gb18030", "iso-2022-jp", "utf-16le", "x-user-defined",
                                           "replacement", "koi8-r"};

void check_normalised(const std::string& url, const char* what) {
  const auto again = crawler::normalize_url(url);
  check(again.has_value(), what, url);
  check(*again == url, what, url + "\n -> " + *again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view base = nl == std::string_view::npos ? input : input.substr(0, nl);
  const std::string_view ref = nl == std::string_view::npos ? input : input.substr(nl + 1);
  const std::string_view encoding = kEncodings[size % std::size(kEncodings)];

  if (const auto n = crawler::normalize_url(input)) {
    check_normalised(*n, "normalize_url is not idempotent");
    const auto parts = crawler::parse_url(*n);
    check(parts.has_value(), "parse_url refuses a normalised URL", *n);
    check(parts->path.starts_with('/'), "path does not start with '/'", *n);
    check(crawler::UrlHost::parse(parts->host) == parts->host, "host is not a fixed point", *n);
    (void)crawler::registrable_domain(parts->host);
    check(!crawler::host_key(*n).empty(), "host_key empty for a valid URL", *n);
  }
  if (const auto r = crawler::resolve_url(base, ref, encoding)) {
    check_normalised(*r, "resolve_url result is not normalised");
  }
  (void)crawler::UrlHost::parse(ref);
  (void)crawler::UrlHost::ends_in_number(ref);
  (void)crawler::UrlHost::parse_ipv4(ref);
  (void)crawler::registrable_domain(ref);
  return 0;
}
