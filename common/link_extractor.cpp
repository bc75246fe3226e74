#include "common/link_extractor.hpp"

#include <string>
#include <unordered_set>

#include "common/href_scanner.hpp"
#include "common/url_parser.hpp"

namespace crawler {
namespace {

bool is_http_ws(char c) { return c == '\t' || c == '\n' || c == '\r' || c == ' '; }

// Empty and fragment-only values (after the URL parser's clean-up) point at the page itself.
bool points_at_same_page(std::string_view href) {
  for (char c : href) {
    if (static_cast<unsigned char>(c) > 0x20) return c == '#';
  }
  return true;
}

}  // namespace

ExtractedLinks LinkExtractor::extract(std::string_view body, std::string_view content_type,
                                      std::string_view final_url) {
  ExtractedLinks out;
  const ScannedDocument& doc = HrefScanner::scan(body, content_type);
  out.encoding = std::string(doc.charset.charset.name);
  out.hrefs_seen = doc.hrefs.size();
  out.truncated = doc.truncated;

  std::optional<ParsedUrl> base = UrlParser::parse(final_url);
  if (!base) return out;
  if (doc.base_href) {
    if (auto b = UrlParser::parse(*doc.base_href, &*base, out.encoding)) base = std::move(b);
  }
  out.base_url = base->href();

  // Reserved up front so that the views in `seen` never move.
  out.links.reserve(doc.hrefs.size());
  std::unordered_set<std::string_view> seen;
  seen.reserve(doc.hrefs.size());
  for (std::string_view href : doc.hrefs) {
    if (points_at_same_page(href)) continue;
    auto url = UrlParser::parse(href, &*base, out.encoding);
    if (!url) continue;
    out.links.push_back(url->href());
    if (!seen.insert(out.links.back()).second) out.links.pop_back();
  }
  return out;
}

bool LinkExtractor::is_html(std::string_view content_type) {
  std::string_view essence = content_type.substr(0, content_type.find(';'));
  while (!essence.empty() && is_http_ws(essence.front())) essence.remove_prefix(1);
  while (!essence.empty() && is_http_ws(essence.back())) essence.remove_suffix(1);
  std::string lower(essence);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  return lower == "text/html" || lower == "application/xhtml+xml";
}

}  // namespace crawler
