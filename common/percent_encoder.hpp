#pragma once
/// Percent-encoding as the WHATWG URL Standard does it (its "percent-encode sets"), including
/// queries encoded in a document's legacy encoding. Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crawler {

class PercentEncoder {
 public:
  /// The encode sets the URL Standard uses for special (http/https) URLs.
  enum class Set : std::uint8_t {
    kPath,          ///< C0 controls, space " # < > ? ` { } and non-ASCII
    kSpecialQuery,  ///< C0 controls, space " # < > ' and non-ASCII
    kUserinfo,      ///< the path set plus / : ; = @ [ \ ] ^ |
  };

  /// Appends `text` to `out` with every byte of `set` written as %XX (upper-case hex) and every
  /// non-ASCII code point as the %XX of its UTF-8 bytes. Invalid UTF-8 counts as U+FFFD, as the
  /// WHATWG decoder would have made it. '%' itself is never encoded: existing escapes stay as-is.
  static void append(std::string& out, std::string_view text, Set set);

  /// Appends a query as the URL Standard does for a document in `encoding` (a WHATWG label):
  /// code points are encoded in that encoding (through glibc iconv), those it cannot represent as
  /// "%26%23<decimal>%3B", and the bytes then percent-encoded with the special-query set. UTF-8,
  /// UTF-16 and unknown labels use UTF-8.
  static void append_query(std::string& out, std::string_view text, std::string_view encoding);

  /// Decodes the code point starting at `text[pos]` with the WHATWG UTF-8 decoder and advances
  /// `pos` past it; an invalid sequence yields U+FFFD and consumes its maximal subpart.
  static char32_t next_code_point(std::string_view text, std::size_t& pos);

  /// Appends the UTF-8 form of `text` with invalid sequences replaced by U+FFFD.
  static void append_valid_utf8(std::string& out, std::string_view text);

  /// Appends the UTF-8 bytes of code point `cp`.
  static void append_utf8(std::string& out, char32_t cp);

  /// True when byte `c` (ASCII) is in `set`.
  static bool in_set(unsigned char c, Set set);
};

}  // namespace crawler
