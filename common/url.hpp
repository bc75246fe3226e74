#pragma once
/// URL parsing, resolution and normalisation, following the WHATWG URL rules that browsers use,
/// built on UrlParser (common/url_parser.hpp). Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace crawler {

/// Parts of an absolute, normalised http(s) URL.
struct UrlParts {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< lower-case; IDN as punycode; IPv6 in brackets
  int port = 0;        ///< explicit port, 0 when default
  std::string path;    ///< starts with "/"
  std::string query;   ///< without '?', empty when none
};

/// Parses and normalises an absolute URL. Returns nullopt when it is not a valid http/https URL.
/// Normalisation: scheme and host lower-case, default port dropped, empty path "/", dot segments
/// removed, '\' treated as '/', leading/trailing C0 and space stripped, tab/newline removed,
/// non-ASCII and spaces percent-encoded (UTF-8), fragment removed.
std::optional<std::string> normalize_url(std::string_view url);

/// Resolves `ref` (an href as written, after character-reference decoding) against the absolute
/// `base`, then normalises as above. `query_encoding` is the document's encoding name as WHATWG
/// labels it ("utf-8", "windows-1252", ...): non-ASCII in the query is encoded in it.
/// Returns nullopt when the result is not http/https or cannot be parsed.
std::optional<std::string> resolve_url(std::string_view base, std::string_view ref,
                                       std::string_view query_encoding = "utf-8");

/// Splits an absolute URL (normalised or not) into parts; nullopt when not http/https.
std::optional<UrlParts> parse_url(std::string_view url);

/// "host" or "host:port" of an http(s) URL (the politeness and sharding key); empty on failure.
std::string host_key(std::string_view url);

/// Registrable domain (eTLD+1, by the Public Suffix List) of a host; the host itself when it has
/// none (an IP address, "localhost", a bare suffix).
std::string registrable_domain(std::string_view host);

}  // namespace crawler
