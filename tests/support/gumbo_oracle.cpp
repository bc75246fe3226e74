#include "tests/support/gumbo_oracle.hpp"

#include <gumbo.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace crawler::test {

std::set<std::string> gumbo_hrefs(std::string_view html) {
  std::set<std::string> hrefs;
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  std::vector<const GumboNode*> stack{output->document};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
      const GumboElement& el = node->v.element;
      if ((el.tag == GUMBO_TAG_A || el.tag == GUMBO_TAG_AREA) &&
          el.tag_namespace == GUMBO_NAMESPACE_HTML) {
        if (const GumboAttribute* href = gumbo_get_attribute(&el.attributes, "href")) {
          hrefs.insert(href->value);
        }
      }
      children = &el.children;
    }
    if (children == nullptr) continue;
    for (unsigned i = 0; i < children->length; ++i) {
      stack.push_back(static_cast<const GumboNode*>(children->data[i]));
    }
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return hrefs;
}

namespace {

// The code points gumbo's UTF-8 reader replaces with U+FFFD (its utf8.c, is_invalid_code_point),
// and U+0000, which its tokenizer mishandles in names.
bool gumbo_replaces(std::uint32_t c) {
  return c == 0 || (c >= 0x1 && c <= 0x8) || c == 0xB || (c >= 0xE && c <= 0x1F) ||
         (c >= 0x7F && c <= 0x9F) || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFF) == 0xFFFE ||
         (c & 0xFFFF) == 0xFFFF;
}

bool has_code_point_gumbo_replaces(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    std::uint32_t c = n == 0 ? b : n == 1 ? (b & 0x1F) : n == 2 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k <= n && i + k < s.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (gumbo_replaces(c)) return true;
    i += n + 1;
  }
  return false;
}

bool contains_ignoring_case(std::string_view s, std::string_view lower_word) {
  for (std::size_t i = 0; i + lower_word.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < lower_word.size() &&
           std::tolower(static_cast<unsigned char>(s[i + k])) == lower_word[k]) {
      ++k;
    }
    if (k == lower_word.size()) return true;
  }
  return false;
}

}  // namespace

// A numeric character reference longer than any code point: "&#" then 8+ digits (7+ decimal).
bool has_overlong_numeric_reference(std::string_view s) {
  for (std::size_t i = s.find("&#"); i != std::string_view::npos; i = s.find("&#", i + 2)) {
    std::size_t p = i + 2;
    const bool hex = p < s.size() && (s[p] | 0x20) == 'x';
    if (hex) ++p;
    std::size_t digits = 0;
    while (p < s.size() && (std::isdigit(static_cast<unsigned char>(s[p])) ||
                            (hex && std::isxdigit(static_cast<unsigned char>(s[p]))))) {
      ++p, ++digits;
    }
    if (digits > (hex ? 6u : 7u)) return true;
  }
  return false;
}

bool gumbo_is_unreliable_on(std::string_view html) {
  if (has_code_point_gumbo_replaces(html) || has_overlong_numeric_reference(html)) return true;
  const bool may_have_foreign_content = contains_ignoring_case(html, "<svg") ||
                                        contains_ignoring_case(html, "<math");
  // The same with "</>" (ignored by the standard) before an end tag: `</></svg>` keeps it open.
  if (may_have_foreign_content && html.find("</>") != std::string_view::npos) return true;
  const auto is_alpha = [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
  for (std::size_t i = html.find("</"); i != std::string_view::npos; i = html.find("</", i + 2)) {
    if (i + 2 >= html.size() || !is_alpha(html[i + 2])) continue;
    // The tokenizer's tag name: up to whitespace, '/' or '>'.
    std::size_t end = i + 2;
    while (end < html.size() && html[end] != '\t' && html[end] != '\n' && html[end] != '\f' &&
           html[end] != '\r' && html[end] != ' ' && html[end] != '/' && html[end] != '>') {
      ++end;
    }
    // In foreign content gumbo ignores an end tag with anything between its name and '>'
    // (`</svg x>`, `</svg >`, `</g/>`): the svg stays open. It compares the token's text.
    if (may_have_foreign_content && end < html.size() && html[end] != '>') return true;
    const std::string name(html.substr(i + 2, end - i - 2));
    if (gumbo_tagn_enum(name.data(), static_cast<unsigned>(name.size())) == GUMBO_TAG_UNKNOWN) {
      return true;
    }
  }
  return false;
}

}  // namespace crawler::test
