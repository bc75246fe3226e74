#include "common/url_parser.hpp"

#include <curl/curl.h>

#include <memory>

#include "common/percent_encoder.hpp"
#include "common/url_host.hpp"

namespace crawler {
namespace {

bool is_slash(char c) { return c == '/' || c == '\\'; }

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_scheme_char(char c) {
  return is_ascii_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x | 0x20);
    if (x != b[i]) return false;
  }
  return true;
}

// The URL Standard's input clean-up: strip leading/trailing C0 control or space, remove every
// ASCII tab or newline.
std::string clean_input(std::string_view in) {
  while (!in.empty() && static_cast<unsigned char>(in.front()) <= 0x20) in.remove_prefix(1);
  while (!in.empty() && static_cast<unsigned char>(in.back()) <= 0x20) in.remove_suffix(1);
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

bool is_single_dot(std::string_view s) { return s == "." || iequals(s, "%2e"); }

bool is_double_dot(std::string_view s) {
  return s == ".." || iequals(s, ".%2e") || iequals(s, "%2e.") || iequals(s, "%2e%2e");
}

// Percent-encodes a path (or relative path) with the path set, '\' read as '/', and "%2e" dot
// segments turned into plain ones so that the dot-segment removal sees them. Sets `has_dots`.
std::string encode_path(std::string_view path, bool& has_dots) {
  std::string out;
  out.reserve(path.size() + 8);
  has_dots = false;
  std::size_t start = 0;
  while (true) {
    std::size_t end = start;
    while (end < path.size() && !is_slash(path[end])) ++end;
    const std::string_view segment = path.substr(start, end - start);
    if (is_single_dot(segment)) {
      out += '.';
      has_dots = true;
    } else if (is_double_dot(segment)) {
      out += "..";
      has_dots = true;
    } else {
      PercentEncoder::append(out, segment, PercentEncoder::Set::kPath);
    }
    if (end == path.size()) break;
    out += '/';
    start = end + 1;
  }
  return out;
}

struct CurlUrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};

// Removes the dot segments of an encoded absolute path with libcurl's RFC 3986 resolver, which
// matches the URL Standard for special URLs once backslashes and "%2e" forms are dealt with. A
// placeholder host keeps curl's host rules out of it. nullopt if curl refuses the path.
std::optional<std::string> curl_remove_dot_segments(std::string_view path) {
  thread_local std::unique_ptr<CURLU, CurlUrlDeleter> handle(curl_url());
  CURLU* h = handle.get();
  if (h == nullptr) return std::nullopt;
  std::string url = "http://h";
  url += path;
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  char* result = nullptr;
  if (curl_url_get(h, CURLUPART_PATH, &result, 0) != CURLUE_OK || result == nullptr) {
    return std::nullopt;
  }
  std::string out(result);
  curl_free(result);
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

// Sets url.path from an encoded absolute path.
bool set_encoded_path(ParsedUrl& url, std::string encoded, bool has_dots) {
  if (!has_dots) {
    url.path = std::move(encoded);
    return true;
  }
  auto resolved = curl_remove_dot_segments(encoded);
  if (!resolved) return false;
  url.path = std::move(*resolved);
  return true;
}

// The path of `url` from an absolute path as written (may be empty: then "/").
bool set_absolute_path(ParsedUrl& url, std::string_view path) {
  if (path.empty()) {
    url.path = "/";
    return true;
  }
  bool has_dots = false;
  std::string encoded = encode_path(path, has_dots);
  return set_encoded_path(url, std::move(encoded), has_dots);
}

// The path of `url` from a path relative to the base's path (not starting with a slash). The
// merge is RFC 3986's (base up to its last '/', then the reference); curl's own relative
// resolution is not used because it loses a slash in "..//x" (it gives "/a/x" for "/a/b/c").
bool set_relative_path(ParsedUrl& url, std::string_view base_path, std::string_view path) {
  bool has_dots = false;
  std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
  if (merged.empty()) merged = "/";
  merged += encode_path(path, has_dots);
  return set_encoded_path(url, std::move(merged), has_dots);
}

// Splits "path?query" and fills the query.
std::string_view take_query(std::string_view rest, ParsedUrl& url, std::string_view encoding) {
  const std::size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    url.query.reset();
    return rest;
  }
  std::string query;
  PercentEncoder::append_query(query, rest.substr(q + 1), encoding);
  url.query = std::move(query);
  return rest.substr(0, q);
}

// Parses "userinfo@host:port" and what follows it (the path and query).
bool parse_authority(std::string_view rest, ParsedUrl& url, std::string_view encoding) {
  std::size_t end = 0;
  while (end < rest.size() && !is_slash(rest[end]) && rest[end] != '?') ++end;
  std::string_view authority = rest.substr(0, end);
  const std::size_t at = authority.rfind('@');
  url.username.clear();
  url.password.clear();
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    PercentEncoder::append(url.username, userinfo.substr(0, colon), PercentEncoder::Set::kUserinfo);
    if (colon != std::string_view::npos) {
      PercentEncoder::append(url.password, userinfo.substr(colon + 1),
                             PercentEncoder::Set::kUserinfo);
    }
    authority.remove_prefix(at + 1);
  }
  // The port starts at the first ':' outside brackets.
  std::size_t colon = std::string_view::npos;
  bool in_brackets = false;
  for (std::size_t i = 0; i < authority.size(); ++i) {
    if (authority[i] == '[') in_brackets = true;
    if (authority[i] == ']') in_brackets = false;
    if (authority[i] == ':' && !in_brackets) {
      colon = i;
      break;
    }
  }
  const std::string_view host_text = authority.substr(0, colon);
  if (host_text.empty()) return false;
  url.port = -1;
  if (colon != std::string_view::npos) {
    const std::string_view port_text = authority.substr(colon + 1);
    long port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return false;
      port = port * 10 + (c - '0');
      if (port > 65535) return false;
    }
    const int default_port = url.scheme == "https" ? 443 : 80;
    if (!port_text.empty() && port != default_port) url.port = static_cast<int>(port);
  }
  auto host = UrlHost::parse(host_text);
  if (!host) return false;
  url.host = std::move(*host);
  const std::string_view path = take_query(rest.substr(end), url, encoding);
  return set_absolute_path(url, path);
}

}  // namespace

std::string ParsedUrl::href() const {
  std::string out;
  out.reserve(scheme.size() + host.size() + path.size() + (query ? query->size() + 1 : 0) + 16);
  out += scheme;
  out += "://";
  if (!username.empty() || !password.empty()) {
    out += username;
    if (!password.empty()) {
      out += ':';
      out += password;
    }
    out += '@';
  }
  out += host;
  if (port >= 0) {
    out += ':';
    out += std::to_string(port);
  }
  out += path;
  if (query) {
    out += '?';
    out += *query;
  }
  return out;
}

std::optional<ParsedUrl> UrlParser::parse(std::string_view raw, const ParsedUrl* base,
                                          std::string_view encoding) {
  const std::string cleaned = clean_input(raw);
  std::string_view input = cleaned;
  // Fragments are dropped, and '#' ends every other component.
  input = input.substr(0, input.find('#'));

  ParsedUrl url;
  std::size_t scheme_end = 0;
  if (!input.empty() && is_ascii_alpha(input[0])) {
    std::size_t i = 1;
    while (i < input.size() && is_scheme_char(input[i])) ++i;
    if (i < input.size() && input[i] == ':') scheme_end = i;
  }
  std::string_view rest = input;
  if (scheme_end > 0) {
    const std::string_view scheme = input.substr(0, scheme_end);
    if (iequals(scheme, "http")) {
      url.scheme = "http";
    } else if (iequals(scheme, "https")) {
      url.scheme = "https";
    } else {
      return std::nullopt;
    }
    rest = input.substr(scheme_end + 1);
    const bool two_slashes = rest.size() >= 2 && is_slash(rest[0]) && is_slash(rest[1]);
    // "http:x" against an http base is relative; against anything else, "https:x" means
    // "https://x" (the URL Standard skips any run of slashes, even none, before the host).
    if (base == nullptr || base->scheme != url.scheme || two_slashes) {
      while (!rest.empty() && is_slash(rest.front())) rest.remove_prefix(1);
      if (!parse_authority(rest, url, encoding)) return std::nullopt;
      return url;
    }
  } else {
    if (base == nullptr) return std::nullopt;
    url.scheme = base->scheme;
  }

  // A reference relative to `base` (which has url's scheme).
  if (rest.size() >= 2 && is_slash(rest[0]) && is_slash(rest[1])) {
    while (!rest.empty() && is_slash(rest.front())) rest.remove_prefix(1);
    if (!parse_authority(rest, url, encoding)) return std::nullopt;
    return url;
  }
  url.username = base->username;
  url.password = base->password;
  url.host = base->host;
  url.port = base->port;
  if (rest.empty()) {
    url.path = base->path;
    url.query = base->query;
    return url;
  }
  if (rest.front() == '?') {
    url.path = base->path;
    take_query(rest, url, encoding);
    return url;
  }
  const std::string_view path = take_query(rest, url, encoding);
  if (is_slash(path.front())) {
    if (!set_absolute_path(url, path)) return std::nullopt;
  } else {
    if (!set_relative_path(url, base->path, path)) return std::nullopt;
  }
  return url;
}

}  // namespace crawler
