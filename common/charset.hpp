#pragma once
/// A character encoding of the WHATWG Encoding Standard, as libmodest's myencoding decodes it.

#include <optional>
#include <string_view>

namespace crawler {

/// One encoding: the myencoding id that decodes it, its WHATWG name, and the glibc iconv name
/// that encodes URL queries in it. Plain value, cheap to copy; the views point to static storage.
struct Charset {
  /// myencoding_t value (MyENCODING_UTF_8, ...), or kReplacementId for the WHATWG "replacement"
  /// encoding (iso-2022-kr and friends), which decodes any document to a single U+FFFD.
  int id = 0;
  /// Lower-case WHATWG name, which is also a valid label: "utf-8", "windows-1252", "shift_jis"...
  std::string_view name = "utf-8";
  /// glibc iconv name used to encode URL queries; empty when queries are encoded as UTF-8 (the
  /// URL Standard does so for UTF-8, UTF-16BE/LE and replacement), "x-user-defined" for that one.
  std::string_view iconv_name;

  static constexpr int kReplacementId = -1;

  /// UTF-8, the default.
  static Charset utf8() { return Charset{}; }
  /// The Encoding Standard's "get an encoding": `label` matched ASCII case-insensitively after
  /// trimming ASCII whitespace. nullopt for a label the standard does not know.
  static std::optional<Charset> from_label(std::string_view label);
  /// The encoding with myencoding id `id`; nullopt for an id that names none.
  static std::optional<Charset> from_id(int id);

  /// Same encoding (same myencoding id).
  bool operator==(const Charset& other) const { return id == other.id; }
};

}  // namespace crawler
