#pragma once
/// The link candidates of a UTF-8 HTML document found by the HTML5 tokenizer alone, without
/// building a tree: ~10x cheaper than myhtml's full parse, for the documents where the tree
/// builder cannot change the answer.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/href_scanner.hpp"

namespace crawler {

/// Hand-written because myhtml's tree construction was 45% of a crawl's CPU (0.28 ms of a
/// 19 KB page; bench/fetch_bench.sh). It follows the WHATWG tokenizer for what decides where
/// links are: tags and their attributes (quoted, unquoted, duplicates: first wins), comments
/// (with the `<!-->`, `--!>` forms), doctype and bogus comments, and the text-only content of
/// <script>, <style>, <xmp>, <iframe>, <noembed>, <noframes> (raw text), <title>, <textarea>
/// (RCDATA) and <plaintext>. It gives up, and the caller uses myhtml (HrefScanner), on what
/// only the tree builder decides: <svg> and <math> (foreign content: their <a> is not HTML and
/// their <style> is markup), <template>, <select> and <frameset> (whose <a> tags are ignored or
/// kept apart); on a tag cut by the end of input (the standard drops it, myhtml keeps it: the
/// two paths must agree); and on inputs it does not decode: a NUL byte, a <script> holding `<!--` (the
/// escaped script states), a named character reference other than amp, lt, gt, quot, apos,
/// nbsp, and an href that is not valid UTF-8. myhtml stays the oracle: tests compare the two on
/// every document where this one answers (tests/fast_href_scanner_test.cpp).
/// Not thread-safe: one per thread.
class FastHrefScanner {
 public:
  /// Scans `html` (UTF-8, BOM removed). True: `doc.hrefs` holds the href of every <a> and
  /// <area> start tag in document order (first href attribute, character references decoded,
  /// CR and CRLF as LF, not trimmed) and `doc.base_href` the first <base> href; the views point
  /// into this object until its next scan(). False: use the full parser; `doc` is unchanged.
  bool scan(std::string_view html, ScannedDocument& doc);

 private:
  enum class TagResult { kOk, kEof, kGiveUp };
  TagResult read_tag(std::size_t& pos, bool end_tag);
  bool append_value(std::size_t begin, std::size_t end);

  std::string_view html_;
  std::string arena_;  ///< decoded href values, back to back
  std::vector<std::pair<std::size_t, std::size_t>> hrefs_;  ///< (offset, length) in arena_
  std::optional<std::pair<std::size_t, std::size_t>> base_;
  std::string tag_;        ///< lower-case name of the tag being read
  std::string attribute_;  ///< lower-case name of the attribute being read
  int text_mode_ = 0;      ///< what the tag just read switched the tokenizer to (see .cpp)
};

}  // namespace crawler
