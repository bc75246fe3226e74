#include "common/fast_href_scanner.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace crawler {
namespace {

// What the start tag just read switches the tokenizer to (WHATWG "tree construction" rules
// for those elements in the HTML namespace).
enum TextMode { kData = 0, kRawText, kRcdata, kScript, kPlaintext, kTreeOnly };

constexpr std::size_t npos = std::string_view::npos;

bool is_ws(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }
bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// `word` (lower case) at html[pos...], ASCII case-insensitively.
bool starts_with_ci(std::string_view html, std::size_t pos, std::string_view word) {
  if (pos > html.size() || html.size() - pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(html[pos + i]) != word[i]) return false;
  }
  return true;
}

bool equals_ci(std::string_view s, std::string_view word) {
  return s.size() == word.size() && starts_with_ci(s, 0, word);
}

// Where `<` + `slash` + `name` starts at or after pos, followed by whitespace, '/' or '>' (the
// tokenizer's "appropriate end tag", or a nested start tag when slash is empty); npos if none.
std::size_t find_tag(std::string_view html, std::size_t pos, std::string_view slash, std::string_view name,
                     std::size_t limit = npos) {
  const std::size_t prefix = 1 + slash.size();
  while ((pos = html.find('<', pos)) != npos && pos < limit) {
    const std::size_t after = pos + prefix + name.size();
    if (after < html.size() && html.compare(pos + 1, slash.size(), slash) == 0 &&
        starts_with_ci(html, pos + prefix, name) &&
        (is_ws(html[after]) || html[after] == '/' || html[after] == '>')) {
      return pos;
    }
    ++pos;
  }
  return npos;
}

TextMode mode_of(std::string_view tag) {
  switch (tag.size()) {
    case 3:
      if (tag == "svg" || tag == "xmp") return tag == "svg" ? kTreeOnly : kRawText;
      break;
    case 4:
      if (tag == "math") return kTreeOnly;
      break;
    case 5:
      if (tag == "style") return kRawText;
      if (tag == "title") return kRcdata;
      break;
    case 6:
      if (tag == "script") return kScript;
      if (tag == "iframe") return kRawText;
      if (tag == "select") return kTreeOnly;
      break;
    case 7:
      if (tag == "noembed") return kRawText;
      break;
    case 8:
      if (tag == "noframes") return kRawText;
      if (tag == "textarea") return kRcdata;
      if (tag == "template" || tag == "frameset") return kTreeOnly;
      break;
    case 9:
      if (tag == "plaintext") return kPlaintext;
      break;
  }
  return kData;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The standard's "numeric character reference end state": what a number decodes to.
std::uint32_t numeric_reference(std::uint32_t n) {
  static constexpr std::uint16_t kC1[32] = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  if (n == 0 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) return 0xFFFD;
  if (n >= 0x80 && n <= 0x9F) return kC1[n - 0x80];
  return n;
}

// True when bytes [b, e) are well-formed UTF-8.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

}  // namespace

bool FastHrefScanner::append_value(std::size_t begin, std::size_t end) {
  const std::string_view raw = html_.substr(begin, end - begin);
  if (!valid_utf8(raw)) return false;
  for (std::size_t i = 0; i < raw.size();) {
    const char c = raw[i];
    if (c == '\r') {  // input stream preprocessing: CRLF and CR become LF
      arena_ += '\n';
      i += i + 1 < raw.size() && raw[i + 1] == '\n' ? 2 : 1;
      continue;
    }
    if (c != '&' || i + 1 >= raw.size()) {
      arena_ += c;
      ++i;
      continue;
    }
    if (raw[i + 1] == '#') {
      std::size_t j = i + 2;
      const bool hex = j < raw.size() && (raw[j] == 'x' || raw[j] == 'X');
      if (hex) ++j;
      const std::size_t digits = j;
      std::uint32_t n = 0;
      for (; j < raw.size(); ++j) {
        const char d = raw[j];
        int v = -1;
        if (is_digit(d)) {
          v = d - '0';
        } else if (hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f') {
          v = (d | 0x20) - 'a' + 10;
        }
        if (v < 0) break;
        n = std::min<std::uint32_t>(n * (hex ? 16 : 10) + static_cast<std::uint32_t>(v), 0x110000);
      }
      if (j == digits) {  // "&#" or "&#x" with no digits: not a reference
        arena_ += '&';
        ++i;
        continue;
      }
      if (j < raw.size() && raw[j] == ';') ++j;
      append_utf8(arena_, numeric_reference(n));
      i = j;
      continue;
    }
    if (!is_alnum(raw[i + 1])) {
      arena_ += '&';
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < raw.size() && is_alnum(raw[j])) ++j;
    const std::string_view name = raw.substr(i + 1, j - i - 1);
    const char next = j < raw.size() ? raw[j] : '\0';
    if (next == '=') {  // in an attribute, "&name=" is never a reference
      arena_.append(raw.substr(i, j - i));
      i = j;
      continue;
    }
    // The few references this scanner knows; any other name might be one of the standard's
    // 2,231, so the full parser decides.
    static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"nbsp", "\xC2\xA0"}, {"apos", "'"}};
    const auto* found = std::find_if(std::begin(kNamed), std::end(kNamed), [&](const auto& e) { return e.first == name; });
    // Without ';' only the legacy names decode (apos is not one).
    if (found == std::end(kNamed) || (next != ';' && found->first == "apos")) return false;
    arena_.append(found->second);
    i = next == ';' ? j + 1 : j;
  }
  return true;
}

FastHrefScanner::TagResult FastHrefScanner::read_tag(std::size_t& pos, bool end_tag) {
  const std::string_view h = html_;
  const std::size_t n = h.size();
  std::size_t i = pos;
  const std::size_t name_begin = i;
  while (i < n && !is_ws(h[i]) && h[i] != '/' && h[i] != '>') ++i;
  const std::string_view name = h.substr(name_begin, i - name_begin);
  bool have_href = false;
  std::size_t href_begin = 0, href_end = 0;
  auto attribute = [&](std::size_t name_b, std::size_t name_e, std::size_t value_b, std::size_t value_e) {
    if (!have_href && equals_ci(h.substr(name_b, name_e - name_b), "href")) {  // the first one wins
      have_href = true;
      href_begin = value_b;
      href_end = value_e;
    }
  };
  for (;;) {
    // Before attribute name ('/' not followed by '>' is skipped like whitespace).
    while (i < n && (is_ws(h[i]) || h[i] == '/')) ++i;
    if (i >= n) return TagResult::kEof;
    if (h[i] == '>') break;
    const std::size_t attr_b = i++;  // the first character may be '='
    while (i < n && !is_ws(h[i]) && h[i] != '/' && h[i] != '>' && h[i] != '=') ++i;
    const std::size_t attr_e = i;
    while (i < n && is_ws(h[i])) ++i;
    if (i >= n) return TagResult::kEof;
    if (h[i] != '=') {
      attribute(attr_b, attr_e, i, i);
      continue;
    }
    ++i;
    while (i < n && is_ws(h[i])) ++i;
    if (i >= n) return TagResult::kEof;
    if (h[i] == '"' || h[i] == '\'') {
      const std::size_t close = h.find(h[i], i + 1);
      if (close == npos) return TagResult::kEof;
      attribute(attr_b, attr_e, i + 1, close);
      i = close + 1;
    } else if (h[i] == '>') {
      attribute(attr_b, attr_e, i, i);
      break;
    } else {
      const std::size_t value_b = i;
      while (i < n && !is_ws(h[i]) && h[i] != '>') ++i;
      if (i >= n) return TagResult::kEof;
      attribute(attr_b, attr_e, value_b, i);
    }
  }
  pos = i + 1;  // past '>': the tag is emitted
  text_mode_ = kData;
  if (end_tag) return TagResult::kOk;
  tag_.assign(name.size(), '\0');
  std::transform(name.begin(), name.end(), tag_.begin(), lower);
  const bool link = tag_ == "a" || tag_ == "area";
  if (have_href && (link || (tag_ == "base" && !base_))) {
    const std::size_t offset = arena_.size();
    if (!append_value(href_begin, href_end)) return TagResult::kGiveUp;
    (link ? hrefs_.emplace_back() : base_.emplace()) = {offset, arena_.size() - offset};
  }
  text_mode_ = mode_of(tag_);
  return text_mode_ == kTreeOnly ? TagResult::kGiveUp : TagResult::kOk;
}

bool FastHrefScanner::scan(std::string_view html, ScannedDocument& doc) {
  if (std::memchr(html.data(), '\0', html.size()) != nullptr) return false;
  html_ = html;
  arena_.clear();
  hrefs_.clear();
  base_.reset();
  const std::size_t n = html.size();
  std::size_t pos = 0;
  // Skips a comment-like construct to the next '>' from `from`; false at end of input.
  auto skip_to_gt = [&](std::size_t from) {
    const std::size_t gt = html.find('>', from);
    pos = gt == npos ? n : gt + 1;
    return gt != npos;
  };
  while (pos < n) {
    const std::size_t lt = html.find('<', pos);
    if (lt == npos || lt + 1 >= n) break;
    const char c = html[lt + 1];
    if (c == '!') {
      if (html.compare(lt, 4, "<!--") == 0) {
        const std::size_t body = lt + 4;
        if (html.compare(body, 1, ">") == 0) {
          pos = body + 1;  // "<!-->"
        } else if (html.compare(body, 2, "->") == 0) {
          pos = body + 2;  // "<!--->"
        } else {
          const std::size_t a = html.find("-->", body), b = html.find("--!>", body);
          if (a == npos && b == npos) break;
          pos = a < b ? a + 3 : b + 4;
        }
      } else if (!skip_to_gt(lt + 2)) {  // doctype, and "<![CDATA[" outside foreign content
        break;
      }
      continue;
    }
    if (c == '?') {
      if (!skip_to_gt(lt + 1)) break;
      continue;
    }
    if (c == '/') {
      if (lt + 2 >= n) break;
      if (is_alpha(html[lt + 2])) {
        pos = lt + 2;
        if (read_tag(pos, /*end_tag=*/true) == TagResult::kEof) return false;
      } else if (html[lt + 2] == '>') {
        pos = lt + 3;  // "</>" is dropped
      } else if (!skip_to_gt(lt + 2)) {
        break;
      }
      continue;
    }
    if (!is_alpha(c)) {
      pos = lt + 1;  // '<' as text
      continue;
    }
    pos = lt + 1;
    const auto r = read_tag(pos, /*end_tag=*/false);
    if (r != TagResult::kOk) return false;
    if (text_mode_ == kPlaintext) break;
    if (text_mode_ == kData) continue;
    // Text until the matching end tag, which is then read as a tag.
    const std::size_t end = find_tag(html, pos, "/", tag_);
    if (text_mode_ == kScript) {
      // After "<!--" a nested "<script" starts the double-escaped state, where "</script>" does
      // not end the script: left to the full parser.
      const std::size_t escape = html.find("<!--", pos);
      if (escape < end && find_tag(html, escape, "", "script", end) != npos) return false;
    }
    if (end == npos) break;
    pos = end + 2;
    if (read_tag(pos, /*end_tag=*/true) == TagResult::kEof) return false;
  }
  for (const auto& [offset, length] : hrefs_) doc.hrefs.emplace_back(arena_.data() + offset, length);
  if (base_) doc.base_href = std::string_view(arena_.data() + base_->first, base_->second);
  return true;
}

}  // namespace crawler
