#include "worker/address_guard.hpp"

#include <cctype>
#include <stdexcept>

#include "common/connect_to.hpp"
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

}  // namespace

std::string AddressGuard::canonical_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

AddressGuard::AddressGuard(const FetchOptions& options) : enabled_(!options.allow_private) {
  for (const auto& entry : options.allow_hosts) {
    const std::string host = canonical_host(entry);
    const bool plausible = !host.empty() && host.size() <= 253 &&
                           host.find_first_of(" \t/?#@") == std::string::npos;
    if (!plausible) throw std::runtime_error("bad --allow-host '" + entry + "': not a host name or IP literal");
    hosts_.insert(host);
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

bool AddressGuard::named(std::string_view host, int port) const {
  const std::string h = canonical_host(host);
  return hosts_.count(h) != 0 || host_ports_.count(key(h, port)) != 0 || host_ports_.count(key(h, 0)) != 0 ||
         host_ports_.count(key("*", port)) != 0 || host_ports_.count(key("*", 0)) != 0;
}

std::string AddressGuard::refusal(std::string_view host, int port, const sockaddr* address) const {
  if (!enabled_ || named(host, port)) return {};
  return refusal(host, port, address_text(address), classify_address(address));
}

std::string AddressGuard::refusal(std::string_view host, int port, std::string_view address) const {
  if (!enabled_ || named(host, port)) return {};
  return refusal(host, port, address, classify_address(address));
}

std::string AddressGuard::refusal(std::string_view host, int port, std::string_view text,
                                  std::optional<AddressClass> cls) const {
  if (cls == AddressClass::kPublic) return {};
  // Anything that is not a classifiable IPv4 or IPv6 address is refused too: fail closed.
  return (text.empty() ? std::string("an address of an unknown family") : std::string(text)) + " is " +
         std::string(cls ? to_string(*cls) : "not IPv4 or IPv6") + "; " + std::string(host) + ":" +
         std::to_string(port) + " is not named by the user (seed, --resolve, --connect-to, --allow-host)";
}

}  // namespace crawler
