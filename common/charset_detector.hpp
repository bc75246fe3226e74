#pragma once
/// Picks the character encoding of an HTML document the way browsers do (the WHATWG encoding
/// sniffing algorithm, without the locale-dependent guesses). Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/charset.hpp"

namespace crawler {

/// The encoding chosen for one document and where it came from.
struct DetectedCharset {
  enum class Source : std::uint8_t { kBom, kContentType, kMeta, kDefault };
  Charset charset;
  Source source = Source::kDefault;
  std::size_t bom_length = 0;  ///< bytes of byte order mark at the start of the body (0, 2 or 3)
};

class CharsetDetector {
 public:
  /// Bytes of the body that the <meta> prescan looks at, as browsers do.
  static constexpr std::size_t kPrescanBytes = 1024;

  /// In order: a byte order mark (UTF-8, UTF-16LE/BE); the charset parameter of `content_type`
  /// when it names a known encoding; the <meta charset> / <meta http-equiv=Content-Type> prescan
  /// of the first 1024 bytes; UTF-8. The BOM comes first because it does in the Encoding and
  /// HTML standards: a BOM overrides the transport layer.
  static DetectedCharset detect(std::string_view body, std::string_view content_type);

  /// The charset parameter of a Content-Type value (MIME parameters, quoted strings, first one
  /// wins); nullopt when absent or not a known label.
  static std::optional<Charset> from_content_type(std::string_view content_type);

  /// The HTML standard's "prescan a byte stream to determine its encoding" over `head` (the
  /// caller passes at most kPrescanBytes): skips comments and other markup, reads <meta>
  /// attributes, applies the need-pragma rules; UTF-16 becomes UTF-8 and x-user-defined
  /// windows-1252, as the standard says. nullopt when nothing usable is declared.
  static std::optional<Charset> prescan(std::string_view head);

  /// The HTML standard's "extracting a character encoding from a meta element" on the value of
  /// a content attribute ("text/html; charset=koi8-r"); nullopt when none or unknown.
  static std::optional<Charset> from_meta_content(std::string_view content);
};

}  // namespace crawler
