#include "common/url.hpp"

#include <libpsl.h>

#include "common/url_host.hpp"
#include "common/url_parser.hpp"

namespace crawler {

std::optional<std::string> normalize_url(std::string_view url) {
  auto parsed = UrlParser::parse(url);
  if (!parsed) return std::nullopt;
  return parsed->href();
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view ref,
                                       std::string_view query_encoding) {
  const auto parsed_base = UrlParser::parse(base);
  if (!parsed_base) return std::nullopt;
  auto parsed = UrlParser::parse(ref, &*parsed_base, query_encoding);
  if (!parsed) return std::nullopt;
  return parsed->href();
}

std::optional<UrlParts> parse_url(std::string_view url) {
  auto parsed = UrlParser::parse(url);
  if (!parsed) return std::nullopt;
  UrlParts parts;
  parts.scheme = std::move(parsed->scheme);
  parts.host = std::move(parsed->host);
  parts.port = parsed->port < 0 ? 0 : parsed->port;
  parts.path = std::move(parsed->path);
  parts.query = parsed->query.value_or("");
  return parts;
}

std::string host_key(std::string_view url) {
  const auto parsed = UrlParser::parse(url);
  if (!parsed) return {};
  if (parsed->port < 0) return parsed->host;
  return parsed->host + ':' + std::to_string(parsed->port);
}

std::string registrable_domain(std::string_view host) {
  if (host.empty() || UrlHost::is_ip_address(host)) return std::string(host);
  // psl_latest() takes the newer of the built-in list and the system's publicsuffix file; the
  // context is read-only afterwards, so one per process is shared by every thread.
  static psl_ctx_t* const psl = [] {
    psl_ctx_t* ctx = psl_latest(nullptr);
    return ctx != nullptr ? ctx : const_cast<psl_ctx_t*>(psl_builtin());
  }();
  std::string name(host);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  // A fully-qualified "example.com." has the registrable domain of "example.com".
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  const char* domain = psl != nullptr ? psl_registrable_domain(psl, name.c_str()) : nullptr;
  if (domain == nullptr) return name;
  return std::string(domain);
}

}  // namespace crawler
