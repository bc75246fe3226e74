// Encoding detection (common/charset_detector.hpp, charset.hpp) on arbitrary bytes. Input:
// "CONTENT-TYPE\nBODY". Properties: nothing crashes; the BOM length fits the body; a detected
// charset's name is a label that maps back to it; prescan never reads past what it is given.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <string_view>

#include "common/charset.hpp"
#include "common/charset_detector.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using crawler::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view content_type = nl == std::string_view::npos ? "" : input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const crawler::DetectedCharset d = crawler::CharsetDetector::detect(body, content_type);
  check(d.bom_length <= body.size() && d.bom_length <= 3, "BOM longer than the body");
  const auto by_name = crawler::Charset::from_label(d.charset.name);
  check(by_name && *by_name == d.charset, "detected name is not its own label", d.charset.name);

  // The prescan on an exact-size heap copy, so ASan sees any read past the end.
  const std::size_t head_size = std::min(body.size(), crawler::CharsetDetector::kPrescanBytes);
  auto head = std::make_unique<char[]>(head_size);
  std::copy_n(body.data(), head_size, head.get());
  (void)crawler::CharsetDetector::prescan(std::string_view(head.get(), head_size));
  (void)crawler::CharsetDetector::from_meta_content(body);
  (void)crawler::CharsetDetector::from_content_type(content_type);
  if (const auto c = crawler::Charset::from_label(content_type)) {
    check(crawler::Charset::from_id(c->id) == c, "from_id disagrees with from_label");
  }
  return 0;
}
