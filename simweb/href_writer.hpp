#pragma once
/// Writes a canonical link target as an href value in one of the many equivalent forms real
/// pages use (absolute, scheme-relative, root-relative, ./ and ../, fragments, odd case,
/// whitespace), each of which a correct extractor resolves back to the canonical URL.

#include <string>
#include <string_view>

#include "simweb/rng.hpp"
#include "simweb/site.hpp"

namespace simweb {

/// One page's href writer. Cheap; holds a reference to the site, which must outlive it.
class HrefWriter {
 public:
  /// `source_host`: host of the page being written. `base_dir`: the directory relative
  /// references resolve against ("/a1/b2/"), i.e. the page's own directory, or the directory of
  /// its <base href> when it has one. Must start and end with '/'.
  HrefWriter(const Site& site, int source_host, std::string base_dir);

  /// An href attribute value (already HTML-escaped: '&' as "&amp;", no quotes around it) for
  /// `target` (path and query, as Site::page_target writes it) on `target_host`. The value
  /// resolves against the page's base to exactly origin(target_host) + target.
  std::string write(int target_host, std::string_view target, Rng& rng) const;

  /// The shortest relative reference from `base_dir` to `target`: "../b2/page-5.html",
  /// "page-5.html", "./" ... (`target` must start with '/').
  static std::string relative(std::string_view base_dir, std::string_view target);

  /// Replaces '&' with "&amp;" (the only character our URLs need escaped in an attribute).
  static std::string escape(std::string_view value);

 private:
  std::string absolute(int host, std::string_view target, bool odd_case) const;
  static std::string with_dot_segments(std::string_view target, Rng& rng);

  const Site& site_;
  int source_host_;
  std::string base_dir_;
};

}  // namespace simweb
