// LinkExtractor::extract (common/link_extractor.hpp: encoding detection, HTML5 tree building,
// <base>, URL resolution) on arbitrary bodies under a Content-Type and page URL the input picks.
// Properties: nothing crashes or leaks; every link is normalised (a fixed point of
// normalize_url), http(s), without a fragment, and appears once.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/link_extractor.hpp"
#include "common/url.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using crawler::fuzz::check;

namespace {

constexpr std::string_view kContentTypes[] = {
    "text/html", "text/html; charset=utf-8", "text/html; charset=windows-1252",
    "text/html; charset=shift_jis", "text/html; charset=utf-16le", "text/html; charset=utf-16be",
    "text/html; charset=iso-2022-jp", "text/html; charset=euc-jp", "text/html; charset=gb18030",
    "text/html; charset=big5", "text/html; charset=iso-2022-kr", "text/html; charset=x-user-defined",
    "application/xhtml+xml", "", "text/html; charset=\"koi8-r\"", "text/html;charset=bogus"};
constexpr std::string_view kPageUrls[] = {"http://example.com/dir/page.html",
                                          "https://xn--nxasmq6b.example/a/b?c=d",
                                          "http://[::1]:8080/", "http://10.0.0.1/x/../y/"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view content_type = kContentTypes[data[0] % std::size(kContentTypes)];
  const std::string_view page = kPageUrls[(data[0] >> 4) % std::size(kPageUrls)];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  const crawler::ExtractedLinks out = crawler::LinkExtractor::extract(body, content_type, page);
  check(out.links.size() <= out.hrefs_seen, "more links than hrefs");
  std::set<std::string_view> seen;
  for (const std::string& link : out.links) {
    check(link.starts_with("http://") || link.starts_with("https://"), "not http(s)", link);
    check(link.find('#') == std::string::npos, "fragment kept", link);
    check(seen.insert(link).second, "duplicate link", link);
    const auto again = crawler::normalize_url(link);
    check(again && *again == link, "link is not normalised", link);
  }
  return 0;
}
