#include "worker/address_guard.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "common/connect_to.hpp"
#include "common/url_host.hpp"
#include "worker/resolve_list.hpp"

namespace crawler {
namespace {

std::string key(std::string_view host, int port) { return std::string(host) + ' ' + std::to_string(port); }

/// HOST and PORT of a well-formed `[+]HOST:PORT:ADDR...` entry; false otherwise.
bool resolve_host_port(const std::string& entry, std::string& host, int& port) {
  if (!ResolveList::check(entry).empty()) return false;
  std::string_view rest = entry;
  if (rest.front() == '+') rest.remove_prefix(1);
  std::size_t host_end = rest.front() == '[' ? rest.find(']') + 1 : rest.find(':');
  host = AddressGuard::canonical_host(rest.substr(0, host_end));
  rest.remove_prefix(host_end + 1);
  port = std::stoi(std::string(rest.substr(0, rest.find(':'))));
  return true;
}

std::string allow_host_error(std::string_view entry) {
  return "bad --allow-host '" + std::string(entry) +
         "': not a host name or IP literal (or a name IDNA cannot convert to ASCII)";
}

}  // namespace

std::string AddressGuard::canonical_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AddressGuard::add_proxy(const std::string& proxy) {
  // libcurl's reading of a proxy string: no scheme means http://; no port means 1080, or 443
  // for an HTTPS proxy (CURLOPT_PROXY).
  const std::string url = proxy.find("://") == std::string::npos ? "http://" + proxy : proxy;
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  char* host = nullptr;
  char* scheme = nullptr;
  char* port = nullptr;
  std::string shown = "given";  // never the string itself: it may hold a password
  if (u != nullptr &&
      curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
    const bool has_port = curl_url_get(u.get(), CURLUPART_PORT, &port, 0) == CURLUE_OK;
    const std::string port_text = has_port ? port : std::string(scheme) == "https" ? "443" : "1080";
    shown = std::string(scheme) + "://" + host + ":" + port_text;
    // A name is resolved once, here: its addresses at start are the proxy's (numeric hosts are
    // only parsed, never looked up).
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(canonical_host(host).c_str(), port_text.c_str(), &hints, &found) == 0) {
      for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const std::string text = address_text(a->ai_addr);
        if (!text.empty()) proxy_addresses_.insert(key(text, std::atoi(port_text.c_str())));
      }
      ::freeaddrinfo(found);
    } else {
      shown += " (did not resolve at start)";
    }
  }
  curl_free(host);
  curl_free(scheme);
  curl_free(port);
  if (!proxy_names_.empty()) proxy_names_ += ", ";
  proxy_names_ += shown;
}

AddressGuard::AddressGuard(const FetchOptions& options) : enabled_(!options.allow_private) {
  if (!enabled_) {
    // No guard, no proxy to exempt.
  } else {
    for (const auto& proxy : proxies(options)) add_proxy(proxy);
  }
  for (const auto& entry : options.allow_hosts) {
    // The URL parser's own host parser: an internationalised name becomes the punycode that
    // URLs carry, so that "bücher.example" matches "xn--bcher-kva.example".
    const auto host = UrlHost::parse_user_host(entry);
    if (!host || host->size() > 255) throw std::runtime_error(allow_host_error(entry));
    hosts_.insert(canonical_host(*host));
  }
  for (const auto& entry : options.resolve) {
    std::string host;
    int port = 0;
    if (resolve_host_port(entry, host, port)) host_ports_.insert(key(host, port));
  }
  for (const auto& entry : options.connect_to) {
    std::string why;
    const ConnectToEntry parsed = parse_connect_to(entry, why);
    if (why.empty()) host_ports_.insert(key(parsed.host.empty() ? "*" : parsed.host, parsed.port));
  }
}

std::vector<std::string> AddressGuard::proxies(const FetchOptions& options) {
  if (!options.proxy.empty()) return {options.proxy};
  std::vector<std::string> found;
  // The variables libcurl reads when no proxy is set (http_proxy only in lower case).
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') found.emplace_back(value);
  }
  return found;
}

bool AddressGuard::named(std::string_view host, int port) const {
  return hosts_.count(canonical_host(host)) != 0 || mapped(host, port);
}

bool AddressGuard::mapped(std::string_view host, int port) const {
  const std::string h = canonical_host(host);
  return host_ports_.count(key(h, port)) != 0 || host_ports_.count(key(h, 0)) != 0 ||
         host_ports_.count(key("*", port)) != 0 || host_ports_.count(key("*", 0)) != 0;
}

bool AddressGuard::is_proxy(std::string_view address, int address_port) const {
  return address_port != 0 && proxy_addresses_.count(key(address, address_port)) != 0;
}

std::string AddressGuard::refusal(std::string_view host, int port, const sockaddr* address) const {
  if (!enabled_ || named(host, port)) return {};
  int address_port = 0;
  if (address->sa_family == AF_INET) {
    address_port = ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port);
  } else if (address->sa_family == AF_INET6) {
    address_port = ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
  }
  return refusal(host, port, address_text(address), address_port, classify_address(address));
}

std::string AddressGuard::refusal(std::string_view host, int port, std::string_view address,
                                  int address_port) const {
  if (!enabled_ || named(host, port)) return {};
  return refusal(host, port, address, address_port, classify_address(address));
}

std::string AddressGuard::refusal(std::string_view host, int port, std::string_view text,
                                  int address_port, std::optional<AddressClass> cls) const {
  const std::string unnamed =
      std::string(host) + ":" + std::to_string(port) +
      " is not named by the user (seed, --resolve, --connect-to, --allow-host)";
  if (is_proxy(text, address_port)) {
    // The proxy resolves the destination: only a destination written as an IP literal is known.
    const auto destination = classify_address(host);
    if (!destination || *destination == AddressClass::kPublic) return {};
    return "destination " + std::string(host) + " is " + std::string(to_string(*destination)) +
           " (an IP literal, sent to the proxy at " + std::string(text) + ":" +
           std::to_string(address_port) + "); " + unnamed;
  }
  if (cls == AddressClass::kPublic) return {};
  // Anything that is not a classifiable IPv4 or IPv6 address is refused too: fail closed.
  std::string why =
      (text.empty() ? std::string("an address of an unknown family") : std::string(text)) + " is " +
      std::string(cls ? to_string(*cls) : "not IPv4 or IPv6");
  if (!proxy_names_.empty()) {
    why += " (not an address of the proxy " + proxy_names_ + ", so judged as the destination's)";
  }
  return why + "; " + unnamed;
}

}  // namespace crawler
