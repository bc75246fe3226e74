#pragma once
/// Renders the HTML of simweb pages on demand, deterministically, from (seed, page index).

#include <string>
#include <string_view>

#include "simweb/site.hpp"

namespace simweb {

/// Turns a Site's link table into realistic HTML: 8-30 KB of text, headings, <script>,
/// <style>, comments and <noscript>, every canonical target written at least once in some
/// equivalent href form (see HrefWriter), and decoys a correct HTML5 link extractor must not
/// report (hrefs in comments, <script>, <style>, <textarea>, <title>, on <link> and <div>,
/// javascript:, mailto:, empty and fragment-only hrefs, a second href attribute).
/// Holds a reference to the site, which must outlive it. Thread-safe (const, no state).
class PageRenderer {
 public:
  explicit PageRenderer(const Site& site) : site_(site) {}

  /// HTML of a regular page; the same page always gives the same bytes. With `gzip`, the
  /// same HTML as one gzip member. `page` must be in [0, site.page_count()).
  std::string render_page(int page, bool gzip = false) const;

  /// HTML of a page under /private/ on `host` (every such path exists). Its links are not part
  /// of any expected output: a robots-obeying crawler never fetches it.
  std::string render_private(int host, std::string_view target, bool gzip = false) const;

  /// A small HTML 404 page.
  static std::string render_not_found(std::string_view target);

 private:
  const Site& site_;
};

}  // namespace simweb
