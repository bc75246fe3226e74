#include "common/href_scanner.hpp"

#include "common/fast_href_scanner.hpp"

#include <iconv.h>
#include <malloc.h>
#include <myhtml/api.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>

namespace crawler {
namespace {

// Encodings decoded by glibc iconv rather than by myhtml (see ThreadParser::predecode), and the
// bytes skipped after an undecodable unit.
struct Predecoded {
  int id;
  const char* iconv_name;
  std::size_t unit;
};
constexpr Predecoded kPredecoded[] = {
    {MyENCODING_SHIFT_JIS, "CP932", 1},
    {MyENCODING_UTF_16LE, "UTF-16LE", 2},
    {MyENCODING_UTF_16BE, "UTF-16BE", 2},
    {MyENCODING_ISO_2022_JP, "ISO-2022-JP", 1},
};

// One myhtml instance and tree per thread, reused across documents.
class ThreadParser {
 public:
  ThreadParser() {
    myhtml_ = myhtml_create();
    if (myhtml_ != nullptr &&
        myhtml_init(myhtml_, MyHTML_OPTIONS_PARSE_MODE_SINGLE, 1, 0) != MyHTML_STATUS_OK) {
      myhtml_destroy(myhtml_);
      myhtml_ = nullptr;
    }
  }
  ~ThreadParser() {
    release_tree();
    if (myhtml_ != nullptr) myhtml_destroy(myhtml_);
    for (iconv_t cd : decoders_) {
      if (cd != kNoIconv) iconv_close(cd);
    }
  }
  ThreadParser(const ThreadParser&) = delete;
  ThreadParser& operator=(const ThreadParser&) = delete;

  // A clean tree for the next document, or nullptr if myhtml could not make one.
  myhtml_tree_t* fresh_tree() {
    if (myhtml_ == nullptr) return nullptr;
    if (tree_ != nullptr && last_size_ > HrefScanner::kKeepTreeBytes) {
      release_tree();
      // A large tree takes ~40 bytes per byte of tag soup; give it back to the system rather
      // than keep it in this thread's malloc arena for the life of the process.
      malloc_trim(0);
    }
    if (tree_ == nullptr) {
      tree_ = myhtml_tree_create();
      if (tree_ == nullptr) return nullptr;
      if (myhtml_tree_init(tree_, myhtml_) != MyHTML_STATUS_OK) {
        myhtml_tree_destroy(tree_);
        tree_ = nullptr;
        return nullptr;
      }
    } else {
      myhtml_tree_clean(tree_);
    }
    return tree_;
  }

  void set_last_size(std::size_t size) { last_size_ = size; }
  ScannedDocument& document() { return document_; }

  // myhtml's own Shift_JIS decoder drops characters after the first double-byte one, its
  // UTF-16 path crashes on a recycled tree, and ISO-2022-JP is stateful (a '>' byte can sit
  // inside a character, so chunks could not end there): glibc iconv decodes those into UTF-8.
  // Returns the UTF-8 text (valid until the next call), or nullopt when myhtml can decode.
  std::optional<std::string_view> predecode(std::string_view body, int encoding_id) {
    for (std::size_t i = 0; i < std::size(kPredecoded); ++i) {
      if (kPredecoded[i].id != encoding_id) continue;
      if (decoders_[i] == kNoIconv) decoders_[i] = iconv_open("UTF-8", kPredecoded[i].iconv_name);
      if (decoders_[i] == kNoIconv) return std::nullopt;
      transcode(decoders_[i], body, kPredecoded[i].unit);
      return std::string_view(decoded_);
    }
    return std::nullopt;
  }

 private:
  void release_tree() {
    if (tree_ != nullptr) myhtml_tree_destroy(tree_);
    tree_ = nullptr;
  }

  // Decodes `in` into decoded_; an undecodable unit becomes U+FFFD and `unit` bytes are skipped.
  void transcode(iconv_t cd, std::string_view in, std::size_t unit) {
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    decoded_.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    std::size_t used = 0;
    while (src_left > 0) {
      if (decoded_.size() - used < 16) decoded_.resize(decoded_.size() * 2);
      char* dst = decoded_.data() + used;
      std::size_t dst_left = decoded_.size() - used;
      const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
      used = decoded_.size() - dst_left;
      if (rc != static_cast<std::size_t>(-1)) break;
      if (errno == E2BIG) continue;
      // EILSEQ, or EINVAL for a truncated sequence at the end.
      if (decoded_.size() - used < 3) decoded_.resize(decoded_.size() * 2);
      std::memcpy(decoded_.data() + used, "\xEF\xBF\xBD", 3);
      used += 3;
      const std::size_t skip = std::min(unit, src_left);
      src += skip;
      src_left -= skip;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
    decoded_.resize(used);
  }

  static inline const iconv_t kNoIconv = reinterpret_cast<iconv_t>(-1);

  myhtml_t* myhtml_ = nullptr;
  myhtml_tree_t* tree_ = nullptr;
  iconv_t decoders_[std::size(kPredecoded)] = {kNoIconv, kNoIconv, kNoIconv, kNoIconv};
  std::string decoded_;
  std::size_t last_size_ = 0;
  ScannedDocument document_;
};

// The value of the first attribute named "href" (names are lower-cased by the tokenizer).
bool first_href(myhtml_tree_node_t* node, std::string_view& value) {
  for (myhtml_tree_attr_t* attr = myhtml_node_attribute_first(node); attr != nullptr;
       attr = myhtml_attribute_next(attr)) {
    std::size_t key_length = 0;
    const char* key = myhtml_attribute_key(attr, &key_length);
    if (key_length != 4 || key == nullptr || std::memcmp(key, "href", 4) != 0) continue;
    std::size_t value_length = 0;
    const char* v = myhtml_attribute_value(attr, &value_length);
    value = v != nullptr ? std::string_view(v, value_length) : std::string_view();
    return true;
  }
  return false;
}

// True when `node`'s start tag runs to the end of `input` without its closing '>'. The HTML
// standard drops such a tag (an eof-in-tag parse error); myhtml still makes the element.
bool unterminated_at_end(myhtml_tree_node_t* node, std::string_view input) {
  const myhtml_position_t pos = myhtml_node_element_position(node);
  return pos.length > 0 && pos.begin + pos.length == input.size() && input.back() != '>';
}

// Depth-first, document order, without recursion (trees can be a million levels deep).
// `input` is what myhtml was given.
void collect(myhtml_tree_t* tree, std::string_view input, ScannedDocument& doc) {
  myhtml_tree_node_t* root = myhtml_tree_get_document(tree);
  if (root == nullptr) return;
  myhtml_tree_node_t* node = myhtml_node_child(root);
  while (node != nullptr) {
    const myhtml_tag_id_t tag = myhtml_node_tag_id(node);
    if ((tag == MyHTML_TAG_A || tag == MyHTML_TAG_AREA || tag == MyHTML_TAG_BASE) &&
        myhtml_node_namespace(node) == MyHTML_NAMESPACE_HTML) {
      std::string_view href;
      if (first_href(node, href) && !unterminated_at_end(node, input)) {
        if (tag != MyHTML_TAG_BASE) {
          doc.hrefs.push_back(href);
        } else if (!doc.base_href) {
          doc.base_href = href;
        }
      }
    }
    if (myhtml_tree_node_t* child = myhtml_node_child(node)) {
      node = child;
      continue;
    }
    while (node != nullptr && node != root && myhtml_node_next(node) == nullptr) {
      node = myhtml_node_parent(node);
    }
    if (node == nullptr || node == root) break;
    node = myhtml_node_next(node);
  }
}

// Records each node's depth in its user data and notes when a branch grows too deep. Entered
// from myhtml's C code: must not throw.
void on_node_insert(myhtml_tree_t*, myhtml_tree_node_t* node, void* ctx) noexcept {
  myhtml_tree_node_t* parent = myhtml_node_parent(node);
  const auto depth =
      (parent != nullptr ? reinterpret_cast<std::uintptr_t>(myhtml_node_get_data(parent)) : 0) + 1;
  myhtml_node_set_data(node, reinterpret_cast<void*>(depth));
  if (depth > HrefScanner::kMaxDepth) *static_cast<bool*>(ctx) = true;
}

ThreadParser& thread_parser() {
  thread_local ThreadParser parser;
  return parser;
}

}  // namespace

const ScannedDocument& HrefScanner::scan(std::string_view body, std::string_view content_type) {
  return scan(body, content_type, /*tokenizer_first=*/true);
}

const ScannedDocument& HrefScanner::scan_full(std::string_view body, std::string_view content_type) {
  return scan(body, content_type, /*tokenizer_first=*/false);
}

const ScannedDocument& HrefScanner::scan(std::string_view body, std::string_view content_type,
                                         bool tokenizer_first) {
  ScannedDocument& doc = thread_parser().document();
  doc.hrefs.clear();
  doc.base_href.reset();
  doc.truncated = false;
  doc.charset = CharsetDetector::detect(body, content_type);
  body.remove_prefix(doc.charset.bom_length);
  // The replacement encoding decodes any document to one U+FFFD: nothing to find.
  if (doc.charset.charset.id == Charset::kReplacementId || body.empty()) return doc;
  if (tokenizer_first && doc.charset.charset.id == MyENCODING_UTF_8) {
    thread_local FastHrefScanner fast;
    if (fast.scan(body, doc)) return doc;
  }
  return scan_with_tree(body, doc);
}

const ScannedDocument& HrefScanner::scan_with_tree(std::string_view body, ScannedDocument& doc) {
  ThreadParser& parser = thread_parser();
  myhtml_tree_t* tree = parser.fresh_tree();
  if (tree == nullptr) return doc;
  parser.set_last_size(body.size());
  int encoding = doc.charset.charset.id;
  if (auto utf8 = parser.predecode(body, encoding)) {
    body = *utf8;
    encoding = MyENCODING_UTF_8;
  }
  // Tree construction costs O(depth) per tag (scope checks walk the stack of open elements), so
  // a page of nested tags is quadratic: 40,000 <div>s take 10 s. The body goes in chunks that
  // end after a '>' (never inside a character in the ASCII-compatible encodings myhtml decodes
  // itself), and parsing stops after the chunk in which the tree got deeper than kMaxDepth.
  bool too_deep = false;
  myhtml_callback_tree_node_insert_set(tree, &on_node_insert, &too_deep);
  myhtml_encoding_set(tree, static_cast<myencoding_t>(encoding));
  // myhtml finds token text by walking its list of chunks from the first one, so more chunks
  // cost more per token: at most ~kMaxChunks of them, at least kChunkBytes each.
  const std::size_t chunk = std::max(kChunkBytes, body.size() / kMaxChunks);
  std::size_t pos = 0;
  while (pos < body.size() && !too_deep) {
    std::size_t end = std::min(body.size(), pos + chunk);
    if (end < body.size()) {
      const std::size_t gt = body.find('>', end - 1);
      end = gt == std::string_view::npos ? body.size() : gt + 1;
    }
    if (myhtml_parse_chunk(tree, body.data() + pos, end - pos) != MyHTML_STATUS_OK) return doc;
    pos = end;
  }
  doc.truncated = too_deep;
  if (myhtml_parse_chunk_end(tree) != MyHTML_STATUS_OK) return doc;
  myhtml_callback_tree_node_insert_set(tree, nullptr, nullptr);
  collect(tree, body, doc);
  return doc;
}

}  // namespace crawler
