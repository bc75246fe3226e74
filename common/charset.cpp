#include "common/charset.hpp"

#include <myencoding/encoding.h>

#include <array>
#include <cctype>

namespace crawler {
namespace {

struct Entry {
  int id;
  std::string_view name;
  std::string_view iconv_name;
};

// Every encoding myencoding decodes, with its WHATWG name and the iconv name closest to the
// WHATWG encoder (Shift_JIS and EUC-KR are the Windows variants, Big5 is Big5-HKSCS there).
constexpr std::array kEntries{
    Entry{MyENCODING_UTF_8, "utf-8", ""},
    Entry{MyENCODING_UTF_16LE, "utf-16le", ""},
    Entry{MyENCODING_UTF_16BE, "utf-16be", ""},
    Entry{MyENCODING_X_USER_DEFINED, "x-user-defined", "x-user-defined"},
    Entry{MyENCODING_BIG5, "big5", "BIG5-HKSCS"},
    Entry{MyENCODING_EUC_JP, "euc-jp", "EUC-JP"},
    Entry{MyENCODING_EUC_KR, "euc-kr", "CP949"},
    Entry{MyENCODING_GB18030, "gb18030", "GB18030"},
    Entry{MyENCODING_GBK, "gbk", "GBK"},
    Entry{MyENCODING_IBM866, "ibm866", "IBM866"},
    Entry{MyENCODING_ISO_2022_JP, "iso-2022-jp", "ISO-2022-JP"},
    Entry{MyENCODING_ISO_8859_10, "iso-8859-10", "ISO-8859-10"},
    Entry{MyENCODING_ISO_8859_13, "iso-8859-13", "ISO-8859-13"},
    Entry{MyENCODING_ISO_8859_14, "iso-8859-14", "ISO-8859-14"},
    Entry{MyENCODING_ISO_8859_15, "iso-8859-15", "ISO-8859-15"},
    Entry{MyENCODING_ISO_8859_16, "iso-8859-16", "ISO-8859-16"},
    Entry{MyENCODING_ISO_8859_2, "iso-8859-2", "ISO-8859-2"},
    Entry{MyENCODING_ISO_8859_3, "iso-8859-3", "ISO-8859-3"},
    Entry{MyENCODING_ISO_8859_4, "iso-8859-4", "ISO-8859-4"},
    Entry{MyENCODING_ISO_8859_5, "iso-8859-5", "ISO-8859-5"},
    Entry{MyENCODING_ISO_8859_6, "iso-8859-6", "ISO-8859-6"},
    Entry{MyENCODING_ISO_8859_7, "iso-8859-7", "ISO-8859-7"},
    Entry{MyENCODING_ISO_8859_8, "iso-8859-8", "ISO-8859-8"},
    Entry{MyENCODING_ISO_8859_8_I, "iso-8859-8-i", "ISO-8859-8"},
    Entry{MyENCODING_KOI8_R, "koi8-r", "KOI8-R"},
    Entry{MyENCODING_KOI8_U, "koi8-u", "KOI8-U"},
    Entry{MyENCODING_MACINTOSH, "macintosh", "MACINTOSH"},
    Entry{MyENCODING_SHIFT_JIS, "shift_jis", "CP932"},
    Entry{MyENCODING_WINDOWS_1250, "windows-1250", "CP1250"},
    Entry{MyENCODING_WINDOWS_1251, "windows-1251", "CP1251"},
    Entry{MyENCODING_WINDOWS_1252, "windows-1252", "CP1252"},
    Entry{MyENCODING_WINDOWS_1253, "windows-1253", "CP1253"},
    Entry{MyENCODING_WINDOWS_1254, "windows-1254", "CP1254"},
    Entry{MyENCODING_WINDOWS_1255, "windows-1255", "CP1255"},
    Entry{MyENCODING_WINDOWS_1256, "windows-1256", "CP1256"},
    Entry{MyENCODING_WINDOWS_1257, "windows-1257", "CP1257"},
    Entry{MyENCODING_WINDOWS_1258, "windows-1258", "CP1258"},
    Entry{MyENCODING_WINDOWS_874, "windows-874", "CP874"},
    Entry{MyENCODING_X_MAC_CYRILLIC, "x-mac-cyrillic", "MAC-CYRILLIC"},
};

// Labels of the "replacement" encoding, which myencoding does not know.
constexpr std::array<std::string_view, 6> kReplacementLabels{
    "csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr", "replacement"};

bool is_ascii_whitespace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Charset> Charset::from_id(int id) {
  if (id == kReplacementId) return Charset{kReplacementId, "replacement", ""};
  for (const Entry& e : kEntries) {
    if (e.id == id) return Charset{e.id, e.name, e.iconv_name};
  }
  return std::nullopt;
}

std::optional<Charset> Charset::from_label(std::string_view label) {
  while (!label.empty() && is_ascii_whitespace(label.front())) label.remove_prefix(1);
  while (!label.empty() && is_ascii_whitespace(label.back())) label.remove_suffix(1);
  if (label.empty() || label.size() > 64) return std::nullopt;
  for (std::string_view r : kReplacementLabels) {
    if (iequals(label, r)) return from_id(kReplacementId);
  }
  myencoding_t id = MyENCODING_NOT_DETERMINED;
  if (!myencoding_by_name(label.data(), label.size(), &id)) return std::nullopt;
  return from_id(static_cast<int>(id));
}

}  // namespace crawler
