#pragma once
/// Finds the links in an HTML document, with the HTML5 parsing rules (myhtml from libmodest).

#include <string>
#include <string_view>
#include <vector>

namespace crawler {

/// What one document yielded.
struct ExtractedLinks {
  std::vector<std::string> links;  ///< resolved, normalised, http/https only, unique, document order
  std::string base_url;            ///< the base used for resolution (after <base href>)
  std::string encoding;            ///< the encoding the document was decoded with ("utf-8", ...)
  std::size_t hrefs_seen = 0;      ///< candidate href attributes looked at
  bool truncated = false;          ///< parsing stopped early: nesting deeper than 512 elements
};

/// Extracts links from HTML. Thread-safe: each thread gets its own parser (created on first use).
/// Rules: href of <a> and <area> only (first href attribute wins, names case-insensitive); nothing
/// inside comments, <script>, <style>, <textarea>, <title>; <noscript> is parsed. Character
/// references decoded; leading/trailing ASCII whitespace stripped; tab/newline removed; empty
/// and fragment-only values skipped; fragments removed. The first <base href> in the document
/// applies, resolved against `final_url`, even when it comes after the links.
/// Encoding (the WHATWG order): BOM, then charset of `content_type`, then <meta charset>/http-equiv
/// prescan of the first 1024 bytes, then UTF-8. The query of each link is encoded in it.
/// Never throws on hostile input; a body that cannot be parsed yields no links; a document nested
/// deeper than 512 elements yields the links before that point (`truncated`).
class LinkExtractor {
 public:
  /// `final_url`: the page's URL after redirects (absolute). `content_type`: the header value.
  static ExtractedLinks extract(std::string_view body, std::string_view content_type,
                                std::string_view final_url);

  /// True when a Content-Type header value names an HTML document (text/html, xhtml).
  static bool is_html(std::string_view content_type);
};

}  // namespace crawler
