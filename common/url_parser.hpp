#pragma once
/// The WHATWG URL Standard's "basic URL parser", for URLs whose result is http or https. libcurl's
/// URL API removes dot segments; ICU (through UrlHost) maps international hosts. Pure functions,
/// thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace crawler {

/// An absolute http(s) URL split into WHATWG components, each already normalised.
struct ParsedUrl {
  std::string scheme;                ///< "http" or "https"
  std::string username;              ///< percent-encoded, may be empty
  std::string password;              ///< percent-encoded, may be empty
  std::string host;                  ///< serialised: lower-case ASCII, dotted IPv4 or [IPv6]
  int port = -1;                     ///< -1 when absent or the scheme's default
  std::string path;                  ///< starts with '/', percent-encoded, no dot segments
  std::optional<std::string> query;  ///< percent-encoded, without '?'; engaged even when empty

  /// The URL Standard's serialisation with the fragment excluded (Node's `href` minus '#...').
  std::string href() const;
};

class UrlParser {
 public:
  /// Parses `input` (an absolute URL, or a reference relative to `base` when `base` is given) as
  /// the URL Standard does, and returns the result only when its scheme is http or https:
  /// leading/trailing C0 and spaces stripped, tab/CR/LF removed, '\' read as '/', any number of
  /// slashes after "http:", "//host" taking the base's scheme, "http:path" relative to a
  /// same-scheme base, host per UrlHost, default port dropped, dot segments (also "%2e" forms)
  /// removed, path/query/userinfo percent-encoded with the URL Standard's sets, the query in
  /// `query_encoding` (a WHATWG label), fragment dropped. nullopt when the URL Standard fails or
  /// gives another scheme (mailto:, javascript:, ftp:, data:, ...).
  static std::optional<ParsedUrl> parse(std::string_view input, const ParsedUrl* base = nullptr,
                                        std::string_view query_encoding = "utf-8");
};

}  // namespace crawler
