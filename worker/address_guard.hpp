#pragma once
/// The SSRF guard: which connections a fetch may make. Pages are untrusted, the user is not.

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/address_class.hpp"
#include "common/fetch_options.hpp"

namespace crawler {

/// Decides, for each connection curl is about to open, whether its address may be reached.
/// Hosts named by the user reach any address: those in options.allow_hosts (any port), and the
/// HOST:PORT pairs mapped by options.resolve (HOST '*' is every host) and options.connect_to
/// (empty HOST1 or PORT1 match all). A task's own seed host is named too, but that is the
/// transfer's to know (FetchTask::host_named_by_user). Every other connection is refused when
/// its address is not AddressClass::kPublic. options.allow_private turns the guard off.
///
/// A proxy the user chose (options.proxy, else the *_proxy environment variables libcurl reads)
/// is named too: a connection to its address and port is allowed, whatever the address. The
/// proxy, not the crawler, then resolves and reaches the destination, so the guard cannot judge
/// the destination's address; it still refuses a destination given as an IP literal that is not
/// public (unless named). Refusals say which was judged: the proxy's address or the destination.
/// Immutable after construction; thread-safe to read.
class AddressGuard {
 public:
  /// Throws std::runtime_error on a malformed allow_hosts entry. Malformed resolve and
  /// connect_to entries are ignored here (ResolveList and ConnectToList refuse them).
  explicit AddressGuard(const FetchOptions& options);

  /// False when options.allow_private switched the guard off.
  bool enabled() const { return enabled_; }

  /// True when `host` (lower-case; IPv6 without brackets) on `port` is named by the user.
  bool named(std::string_view host, int port) const;
  /// True when options.resolve or options.connect_to map `host` on `port` (HOST '*': any host):
  /// curl, not a resolver of ours, must then find the address.
  bool mapped(std::string_view host, int port) const;

  /// The proxies libcurl will use: options.proxy, else the *_proxy variables it reads.
  static std::vector<std::string> proxies(const FetchOptions& options);

  /// Empty when a connection for `host`:`port` to `address` may be made; otherwise why not, as
  /// one line naming the address, the rule it broke and the host.
  std::string refusal(std::string_view host, int port, const sockaddr* address) const;
  /// The same for an address given as text ("127.0.0.2", "::1") and its port, as curl reports a
  /// connection's (`address_port` 0: unknown, so never the proxy's).
  std::string refusal(std::string_view host, int port, std::string_view address,
                      int address_port = 0) const;

  /// True when `address` (numeric text) and `address_port` are those of a proxy the user chose.
  bool is_proxy(std::string_view address, int address_port) const;

  /// `host` as the guard compares it: lower-case, IPv6 brackets and one trailing dot removed.
  static std::string canonical_host(std::string_view host);

 private:
  std::string refusal(std::string_view host, int port, std::string_view text, int address_port,
                      std::optional<AddressClass> cls) const;
  void add_proxy(const std::string& proxy);

  bool enabled_ = true;
  std::unordered_set<std::string> hosts_;       ///< any port
  std::unordered_set<std::string> host_ports_;  ///< "host port"; host "*" any host, port 0 any port
  std::unordered_set<std::string> proxy_addresses_;  ///< "address port" of each proxy (numeric)
  std::string proxy_names_;  ///< the proxies as the user gave them, for messages
};

}  // namespace crawler
