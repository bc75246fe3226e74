#include "common/charset_detector.hpp"

#include <myencoding/encoding.h>

#include <string>
#include <vector>

namespace crawler {
namespace {

// myencoding_prescan_stream_to_determine_encoding() is not used: it reads <meta> inside
// comments ("<!-- <meta charset=big5> -->" gives Big5), stops at the first unknown label and
// does not trim labels. The prescan below follows the HTML standard step by step.

bool is_ws(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

bool is_http_ws(char c) { return c == '\t' || c == '\n' || c == '\r' || c == ' '; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool istarts_with(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[pos + i]) != prefix[i]) return false;
  }
  return true;
}

struct Attribute {
  std::string name;
  std::string value;
};

enum class AttributeResult { kFound, kNone, kEndOfInput };

// The standard's "get an attribute". Running out of bytes ends the whole prescan.
AttributeResult get_attribute(std::string_view s, std::size_t& pos, Attribute& attr) {
  const std::size_t n = s.size();
  attr.name.clear();
  attr.value.clear();
  while (pos < n && (is_ws(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= n) return AttributeResult::kEndOfInput;
  if (s[pos] == '>') return AttributeResult::kNone;
  // Name.
  bool spaces = false;
  while (true) {
    if (pos >= n) return AttributeResult::kEndOfInput;
    const char c = s[pos];
    if (c == '=' && !attr.name.empty()) {
      ++pos;
      break;
    }
    if (is_ws(c)) {
      spaces = true;
      break;
    }
    if (c == '/' || c == '>') return AttributeResult::kFound;
    attr.name += lower(c);
    ++pos;
  }
  if (spaces) {
    while (pos < n && is_ws(s[pos])) ++pos;
    if (pos >= n) return AttributeResult::kEndOfInput;
    if (s[pos] != '=') return AttributeResult::kFound;
    ++pos;
  }
  // Value.
  while (pos < n && is_ws(s[pos])) ++pos;
  if (pos >= n) return AttributeResult::kEndOfInput;
  const char first = s[pos];
  if (first == '"' || first == '\'') {
    ++pos;
    while (true) {
      if (pos >= n) return AttributeResult::kEndOfInput;
      if (s[pos] == first) {
        ++pos;
        return AttributeResult::kFound;
      }
      attr.value += lower(s[pos++]);
    }
  }
  if (first == '>') return AttributeResult::kFound;
  attr.value += lower(first);
  ++pos;
  while (true) {
    if (pos >= n) return AttributeResult::kEndOfInput;
    if (is_ws(s[pos]) || s[pos] == '>') return AttributeResult::kFound;
    attr.value += lower(s[pos++]);
  }
}

// Applies the prescan's post-processing of a declared encoding.
Charset for_html(Charset charset) {
  if (charset.id == MyENCODING_UTF_16LE || charset.id == MyENCODING_UTF_16BE) {
    return Charset::utf8();
  }
  if (charset.id == MyENCODING_X_USER_DEFINED) return *Charset::from_id(MyENCODING_WINDOWS_1252);
  return charset;
}

enum class MetaResult { kFound, kNotFound, kEndOfInput };

// The <meta> branch of the prescan; `pos` is just past "<meta".
MetaResult prescan_meta(std::string_view s, std::size_t& pos, Charset& out) {
  std::vector<std::string> seen;
  bool got_pragma = false;
  enum class Need { kNull, kFalse, kTrue } need_pragma = Need::kNull;
  enum class State { kNull, kFailure, kSet } charset_state = State::kNull;
  Charset charset;
  Attribute attr;
  while (true) {
    const AttributeResult r = get_attribute(s, pos, attr);
    if (r == AttributeResult::kEndOfInput) return MetaResult::kEndOfInput;
    if (r == AttributeResult::kNone) break;
    bool duplicate = false;
    for (const auto& name : seen) duplicate = duplicate || name == attr.name;
    if (duplicate) continue;
    seen.push_back(attr.name);
    if (attr.name == "http-equiv") {
      if (attr.value == "content-type") got_pragma = true;
    } else if (attr.name == "content") {
      if (charset_state == State::kNull) {
        if (auto c = CharsetDetector::from_meta_content(attr.value)) {
          charset = *c;
          charset_state = State::kSet;
          need_pragma = Need::kTrue;
        }
      }
    } else if (attr.name == "charset") {
      auto c = Charset::from_label(attr.value);
      charset_state = c ? State::kSet : State::kFailure;
      if (c) charset = *c;
      need_pragma = Need::kFalse;
    }
  }
  if (need_pragma == Need::kNull) return MetaResult::kNotFound;
  if (need_pragma == Need::kTrue && !got_pragma) return MetaResult::kNotFound;
  if (charset_state != State::kSet) return MetaResult::kNotFound;
  out = for_html(charset);
  return MetaResult::kFound;
}

}  // namespace

std::optional<Charset> CharsetDetector::from_meta_content(std::string_view s) {
  std::size_t pos = 0;
  while (true) {
    std::size_t found = std::string_view::npos;
    for (std::size_t i = pos; i + 7 <= s.size(); ++i) {
      if (istarts_with(s, i, "charset")) {
        found = i;
        break;
      }
    }
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 7;
    while (pos < s.size() && is_ws(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    if (s[pos] != '=') continue;
    ++pos;
    while (pos < s.size() && is_ws(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    if (s[pos] == '"' || s[pos] == '\'') {
      const std::size_t end = s.find(s[pos], pos + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return Charset::from_label(s.substr(pos + 1, end - pos - 1));
    }
    std::size_t end = pos;
    while (end < s.size() && !is_ws(s[end]) && s[end] != ';') ++end;
    return Charset::from_label(s.substr(pos, end - pos));
  }
}

std::optional<Charset> CharsetDetector::prescan(std::string_view s) {
  const std::size_t n = s.size();
  // UTF-16 XML declarations without a BOM: "<?x" in UTF-16LE or BE.
  if (s.substr(0, 6) == std::string_view("<\0?\0x\0", 6))
    return Charset::from_id(MyENCODING_UTF_16LE);
  if (s.substr(0, 6) == std::string_view("\0<\0?\0x", 6))
    return Charset::from_id(MyENCODING_UTF_16BE);
  std::size_t pos = 0;
  Attribute attr;
  while (pos < n) {
    if (s[pos] != '<') {
      ++pos;
      continue;
    }
    if (s.substr(pos, 4) == "<!--") {
      // The '>' of the first "-->" after "<!", whose dashes may be those of "<!--".
      const std::size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 3;
      continue;
    }
    if (istarts_with(s, pos, "<meta") && pos + 5 < n && (is_ws(s[pos + 5]) || s[pos + 5] == '/')) {
      pos += 5;
      Charset charset;
      switch (prescan_meta(s, pos, charset)) {
        case MetaResult::kFound:
          return charset;
        case MetaResult::kEndOfInput:
          return std::nullopt;
        case MetaResult::kNotFound:
          break;
      }
      ++pos;
      continue;
    }
    const bool tag = pos + 1 < n && is_alpha(s[pos + 1]);
    const bool end_tag = pos + 2 < n && s[pos + 1] == '/' && is_alpha(s[pos + 2]);
    if (tag || end_tag) {
      while (pos < n && !is_ws(s[pos]) && s[pos] != '>') ++pos;
      AttributeResult r;
      while ((r = get_attribute(s, pos, attr)) == AttributeResult::kFound) {
      }
      if (r == AttributeResult::kEndOfInput) return std::nullopt;
      ++pos;
      continue;
    }
    if (pos + 1 < n && (s[pos + 1] == '!' || s[pos + 1] == '/' || s[pos + 1] == '?')) {
      const std::size_t end = s.find('>', pos + 1);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 1;
      continue;
    }
    ++pos;
  }
  return std::nullopt;
}

std::optional<Charset> CharsetDetector::from_content_type(std::string_view s) {
  std::size_t pos = s.find(';');
  if (pos == std::string_view::npos) return std::nullopt;
  while (pos < s.size()) {
    ++pos;  // the ';'
    while (pos < s.size() && is_http_ws(s[pos])) ++pos;
    std::string name;
    while (pos < s.size() && s[pos] != ';' && s[pos] != '=') name += lower(s[pos++]);
    if (pos >= s.size()) break;
    if (s[pos] == ';') continue;
    ++pos;  // the '='
    std::string value;
    if (pos < s.size() && s[pos] == '"') {
      ++pos;
      while (pos < s.size() && s[pos] != '"') {
        if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
        value += s[pos++];
      }
      while (pos < s.size() && s[pos] != ';') ++pos;
    } else {
      while (pos < s.size() && s[pos] != ';') value += s[pos++];
      while (!value.empty() && is_http_ws(value.back())) value.pop_back();
      if (value.empty()) continue;
    }
    if (name == "charset") return Charset::from_label(value);
  }
  return std::nullopt;
}

DetectedCharset CharsetDetector::detect(std::string_view body, std::string_view content_type) {
  DetectedCharset result;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    result.source = DetectedCharset::Source::kBom;
    result.bom_length = 3;
    return result;
  }
  if (body.substr(0, 2) == "\xFE\xFF" || body.substr(0, 2) == "\xFF\xFE") {
    result.charset =
        *Charset::from_id(body[0] == '\xFE' ? MyENCODING_UTF_16BE : MyENCODING_UTF_16LE);
    result.source = DetectedCharset::Source::kBom;
    result.bom_length = 2;
    return result;
  }
  if (auto c = from_content_type(content_type)) {
    result.charset = *c;
    result.source = DetectedCharset::Source::kContentType;
    return result;
  }
  if (auto c = prescan(body.substr(0, kPrescanBytes))) {
    result.charset = *c;
    result.source = DetectedCharset::Source::kMeta;
    return result;
  }
  return result;
}

}  // namespace crawler
