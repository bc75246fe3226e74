// Differential fuzzing of HrefScanner (myhtml) against gumbo, Google's HTML5 parser, as the
// oracle: on the same document both must find the same set of raw href values of HTML <a> and
// <area> elements (tabs and newlines removed, as LinkExtractor removes them). A mismatch aborts
// with both sets printed.
//
// Compared only where the two are meant to agree (the rest is skipped, not compared):
// - valid UTF-8 under "charset=utf-8": decoding is CharsetDetector's job, fuzzed elsewhere;
// - no <noscript>: gumbo parses it with scripting on, HrefScanner with scripting off;
// - not cut at HrefScanner::kMaxDepth (gumbo has no such cap);
// - none of the places where gumbo 0.10.1 itself departs from the standard
//   (test::gumbo_is_unreliable_on says which);
// - no "&name" without ';' right before a quote, '>' or whitespace: myhtml's known, accepted
//   bug on a partial named reference at the end of an attribute value
//   (LinkExtractor.KnownMyhtmlBugAtTheEndOfAnAttributeValue pins it);
// - in a document with <svg> or <math>, a '/' inside a start tag after an attribute and not
//   right before '>' (`<mi x/y>`): myhtml's known, accepted bug, it makes the element
//   self-closing, which matters only in foreign content
//   (LinkExtractor.KnownMyhtmlBugWithASolidusAfterAnAttribute pins it).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/href_scanner.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/gumbo_oracle.hpp"

using crawler::fuzz::check;

namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool has_unterminated_named_reference_at_a_value_end(std::string_view s) {
  const auto is_alnum = [](char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  };
  for (std::size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i + 1)) {
    std::size_t end = i + 1;
    while (end < s.size() && is_alnum(s[end])) ++end;
    if (end == i + 1) continue;
    if (end == s.size()) return true;
    const char c = s[end];
    if (c == '"' || c == '\'' || c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\f' ||
        c == '\r') {
      return true;
    }
  }
  return false;
}

bool contains_ignoring_case(std::string_view s, std::string_view lower_word) {
  for (std::size_t i = 0; i + lower_word.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < lower_word.size() && (s[i + k] | 0x20) == lower_word[k]) ++k;
    if (k == lower_word.size()) return true;
  }
  return false;
}

// A start tag with a '/' outside attribute values, not right after the tag name, and not followed
// by '>': the tokenizer's "self-closing start tag" state left again. A small walk over the
// tokenizer's tag states (names, quoted and unquoted values) from every '<' followed by a letter,
// each on its own: comments, scripts and the rest are not told apart, and a '<' inside what
// looks like an attribute value is tried as a tag too (`<!<a x="<svg :/">` is a comment, then
// an <svg> tag), so it only ever skips more documents.
bool has_solidus_after_an_attribute(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
  };
  const auto is_alpha = [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
  // True when the start tag whose name begins at `i` has such a '/'.
  const auto solidus_in_tag_at = [&](std::size_t i) {
    while (i < s.size() && !is_space(s[i]) && s[i] != '/' && s[i] != '>') ++i;  // tag name
    bool right_after_tag_name = true;  // `<mi/x>` is handled right by myhtml
    bool after_attribute_name = false;  // where '=' starts a value (elsewhere it is a name)
    while (i < s.size() && s[i] != '>') {
      const char c = s[i];
      if (c == '/') {
        if (!right_after_tag_name && i + 1 < s.size() && s[i + 1] != '>') return true;
        right_after_tag_name = after_attribute_name = false;
        ++i;
      } else if (is_space(c)) {
        right_after_tag_name = false;  // `<mi /x>` is wrong in myhtml too
        ++i;
      } else if (c == '=' && after_attribute_name) {  // quoted, or unquoted up to space or '>'
        ++i;
        while (i < s.size() && is_space(s[i])) ++i;
        if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
          const std::size_t close = s.find(s[i], i + 1);
          if (close == std::string_view::npos) return false;
          i = close + 1;
        } else {
          while (i < s.size() && !is_space(s[i]) && s[i] != '>') ++i;
        }
        after_attribute_name = false;
      } else {  // an attribute name; its first character may be '=' (a parse error)
        ++i;
        while (i < s.size() && !is_space(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=') ++i;
        right_after_tag_name = false;
        after_attribute_name = true;
      }
    }
    return false;
  };
  for (std::size_t lt = s.find('<'); lt != std::string_view::npos; lt = s.find('<', lt + 1)) {
    if (lt + 1 < s.size() && is_alpha(s[lt + 1]) && solidus_in_tag_at(lt + 1)) return true;
  }
  return false;
}

// LinkExtractor removes tabs and newlines from an href (WHATWG URL parsing does), so they are
// compared without them: myhtml keeps one newline where "&\n\r" should give two.
std::string without_tabs_and_newlines(std::string_view href) {
  std::string out;
  for (const char c : href) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

std::string describe(const std::set<std::string>& want, const std::set<std::string>& got) {
  std::string diff;
  for (const auto& h : want)
    if (!got.count(h)) diff += " missing[" + h + "]";
  for (const auto& h : got)
    if (!want.count(h)) diff += " extra[" + h + "]";
  return diff;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  const bool foreign = contains_ignoring_case(html, "<svg") || contains_ignoring_case(html, "<math");
  if (!valid_utf8(html) || contains_ignoring_case(html, "noscript") ||
      crawler::test::gumbo_is_unreliable_on(html) ||
      has_unterminated_named_reference_at_a_value_end(html) ||
      (foreign && has_solidus_after_an_attribute(html))) {
    return 0;
  }
  const crawler::ScannedDocument& doc =
      crawler::HrefScanner::scan(html, "text/html; charset=utf-8");
  if (doc.truncated) return 0;
  std::set<std::string> got;
  for (const auto& href : doc.hrefs) got.insert(without_tabs_and_newlines(href));
  std::set<std::string> want;
  for (const auto& href : crawler::test::gumbo_hrefs(html)) {
    want.insert(without_tabs_and_newlines(href));
  }
  check(got == want, "HrefScanner and gumbo disagree", describe(want, got));
  return 0;
}
