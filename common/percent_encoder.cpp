#include "common/percent_encoder.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/charset.hpp"

namespace crawler {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

struct SetTable {
  std::array<bool, 128> path{};
  std::array<bool, 128> query{};
  std::array<bool, 128> userinfo{};

  constexpr SetTable() {
    for (int c = 0; c < 0x20; ++c) path[c] = query[c] = userinfo[c] = true;
    path[0x7f] = query[0x7f] = userinfo[0x7f] = true;
    for (char c : std::string_view(" \"#<>")) path[c] = query[c] = userinfo[c] = true;
    query['\''] = true;
    for (char c : std::string_view("?`{}")) path[c] = userinfo[c] = true;
    for (char c : std::string_view("?`{}/:;=@[\\]^|")) userinfo[c] = true;
  }
};
constexpr SetTable kSets;

void append_escaped(std::string& out, unsigned char byte) {
  out.push_back('%');
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xf]);
}

// iconv descriptors are costly to open: keep one per encoding per thread.
class IconvCache {
 public:
  ~IconvCache() {
    for (auto& [name, cd] : open_) iconv_close(cd);
  }
  iconv_t get(std::string_view name) {
    for (auto& [n, cd] : open_) {
      if (n == name) return cd;
    }
    iconv_t cd = iconv_open(std::string(name).c_str(), "UTF-8");
    if (cd == reinterpret_cast<iconv_t>(-1)) return cd;
    open_.emplace_back(std::string(name), cd);
    return cd;
  }

 private:
  std::vector<std::pair<std::string, iconv_t>> open_;
};

// Encodes one code point (as UTF-8 in `utf8`) with `cd`; false when it is unmappable.
bool iconv_one(iconv_t cd, std::string_view utf8, std::string& bytes) {
  char buffer[32];
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* outp = buffer;
  std::size_t out_left = sizeof buffer;
  if (iconv(cd, &in, &in_left, &outp, &out_left) == static_cast<std::size_t>(-1)) return false;
  bytes.append(buffer, outp);
  return true;
}

void iconv_flush(iconv_t cd, std::string& bytes) {
  char buffer[32];
  char* outp = buffer;
  std::size_t out_left = sizeof buffer;
  iconv(cd, nullptr, nullptr, &outp, &out_left);
  bytes.append(buffer, outp);
}

void append_query_bytes(std::string& out, std::string_view bytes) {
  for (unsigned char b : bytes) {
    if (b >= 0x80 || kSets.query[b] || b == '\'') {
      append_escaped(out, b);
    } else {
      out.push_back(static_cast<char>(b));
    }
  }
}

void append_unmappable(std::string& out, char32_t cp) {
  out += "%26%23";
  out += std::to_string(static_cast<std::uint32_t>(cp));
  out += "%3B";
}

}  // namespace

bool PercentEncoder::in_set(unsigned char c, Set set) {
  if (c >= 0x80) return true;
  switch (set) {
    case Set::kPath:
      return kSets.path[c];
    case Set::kSpecialQuery:
      return kSets.query[c] || c == '\'';
    case Set::kUserinfo:
      return kSets.userinfo[c];
  }
  return true;
}

char32_t PercentEncoder::next_code_point(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b = byte(pos++);
  if (b < 0x80) return b;
  int needed = 0;
  char32_t cp = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    needed = 1;
    cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    if (b == 0xe0) lower = 0xa0;
    if (b == 0xed) upper = 0x9f;
    needed = 2;
    cp = b & 0xf;
  } else if (b >= 0xf0 && b <= 0xf4) {
    if (b == 0xf0) lower = 0x90;
    if (b == 0xf4) upper = 0x8f;
    needed = 3;
    cp = b & 0x7;
  } else {
    return 0xfffd;
  }
  for (int i = 0; i < needed; ++i) {
    // A byte out of range ends the sequence without being consumed (maximal subpart).
    if (pos >= text.size() || byte(pos) < lower || byte(pos) > upper) return 0xfffd;
    cp = (cp << 6) | (byte(pos++) & 0x3f);
    lower = 0x80;
    upper = 0xbf;
  }
  return cp;
}

void PercentEncoder::append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

void PercentEncoder::append_valid_utf8(std::string& out, std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(text, pos);
    if (cp == 0xfffd && !(pos - start == 3 && text.substr(start, 3) == "\xEF\xBF\xBD")) {
      append_utf8(out, cp);
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
}

void PercentEncoder::append(std::string& out, std::string_view text, Set set) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {
      if (in_set(b, set)) {
        append_escaped(out, b);
      } else {
        out.push_back(static_cast<char>(b));
      }
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    const char32_t cp = next_code_point(text, pos);
    if (cp == 0xfffd) {
      out += "%EF%BF%BD";
    } else {
      for (std::size_t i = start; i < pos; ++i)
        append_escaped(out, static_cast<unsigned char>(text[i]));
    }
  }
}

void PercentEncoder::append_query(std::string& out, std::string_view text,
                                  std::string_view encoding) {
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  const std::optional<Charset> charset = Charset::from_label(encoding);
  if (ascii || !charset || charset->iconv_name.empty()) {
    append(out, text, Set::kSpecialQuery);
    return;
  }
  if (charset->iconv_name == "x-user-defined") {
    std::size_t pos = 0;
    while (pos < text.size()) {
      const char32_t cp = next_code_point(text, pos);
      if (cp < 0x80) {
        const char c = static_cast<char>(cp);
        append_query_bytes(out, std::string_view(&c, 1));
      } else if (cp >= 0xf780 && cp <= 0xf7ff) {
        append_escaped(out, static_cast<unsigned char>(cp - 0xf780 + 0x80));
      } else {
        append_unmappable(out, cp);
      }
    }
    return;
  }
  thread_local IconvCache cache;
  iconv_t cd = cache.get(charset->iconv_name);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    append(out, text, Set::kSpecialQuery);
    return;
  }
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  std::string bytes;
  std::string utf8;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = next_code_point(text, pos);
    utf8.clear();
    append_utf8(utf8, cp);
    bytes.clear();
    if (iconv_one(cd, utf8, bytes)) {
      append_query_bytes(out, bytes);
    } else {
      // Back to the initial shift state first, as the ISO-2022-JP encoder does on an error.
      iconv_flush(cd, bytes);
      append_query_bytes(out, bytes);
      append_unmappable(out, cp);
    }
  }
  bytes.clear();
  iconv_flush(cd, bytes);
  append_query_bytes(out, bytes);
}

}  // namespace crawler
