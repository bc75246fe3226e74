#pragma once
/// Finds the link candidates of an HTML document with the HTML5 parsing rules (myhtml from
/// libmodest): the raw href values, before any URL resolution.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "common/charset_detector.hpp"

namespace crawler {

/// What the tree builder found in one document. The views point into the calling thread's
/// parser: they stay valid until that thread's next HrefScanner::scan().
struct ScannedDocument {
  /// href of every HTML <a> and <area> element that has one (the first href attribute when
  /// repeated), in document order, as UTF-8 with character references decoded, not trimmed.
  std::vector<std::string_view> hrefs;
  /// href of the first <base> element (in document order) that has one.
  std::optional<std::string_view> base_href;
  /// The encoding the document was decoded with.
  DetectedCharset charset;
  /// Parsing stopped early because the tree got deeper than HrefScanner::kMaxDepth; what came
  /// before was scanned.
  bool truncated = false;
};

class HrefScanner {
 public:
  /// Parses `body` as a browser would (encoding per CharsetDetector, HTML5 tree construction
  /// with scripting disabled, so <noscript> content is markup) and collects the candidates.
  /// Input nested deeper than kMaxDepth is scanned up to the chunk where that happened.
  /// Nothing is taken from comments or from raw-text elements (<script>, <style>, <textarea>,
  /// <title>, ...), since the tokenizer never makes elements there. Thread-safe: each thread
  /// has its own parser, created on first use. Never throws; a body myhtml cannot parse yields
  /// no candidates. Memory: about the size of the parsed tree, kept until the thread's next call
  /// (released then when the document was larger than kKeepTreeBytes).
  /// UTF-8 documents go through FastHrefScanner first, which answers for most of them.
  static const ScannedDocument& scan(std::string_view body, std::string_view content_type);
  /// The same, always by myhtml's full parse: the oracle FastHrefScanner is tested against.
  static const ScannedDocument& scan_full(std::string_view body, std::string_view content_type);

  /// Documents larger than this have their tree freed rather than recycled.
  static constexpr std::size_t kKeepTreeBytes = 4u << 20;
  /// Deepest element nesting parsed; deeper documents are cut (see ScannedDocument::truncated).
  /// Tree construction is O(depth) per tag, so this bounds the cost of hostile nesting; real
  /// pages stay far below it (browsers cap DOM depth near the same figure).
  static constexpr std::size_t kMaxDepth = 512;
  /// Bytes handed to myhtml at a time (then up to the next '>'), unless that makes more than
  /// kMaxChunks chunks.
  static constexpr std::size_t kChunkBytes = 16u << 10;
  static constexpr std::size_t kMaxChunks = 128;

 private:
  static const ScannedDocument& scan(std::string_view body, std::string_view content_type, bool tokenizer_first);
  static const ScannedDocument& scan_with_tree(std::string_view body, ScannedDocument& doc);
};

}  // namespace crawler
