#include "proto/zmq_endpoint.hpp"

#include "common/port.hpp"

namespace crawler {

std::string zmq_endpoint_problem(std::string_view endpoint, EndpointUse use) {
  const std::string quoted = "'" + std::string(endpoint) + "'";
  const auto scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos) {
    return quoted + ": expected tcp://HOST:PORT (or ipc://PATH, inproc://NAME)";
  }
  const std::string_view scheme = endpoint.substr(0, scheme_end);
  const std::string_view rest = endpoint.substr(scheme_end + 3);
  if (scheme == "ipc" || scheme == "inproc") {
    return rest.empty() ? quoted + ": nothing after " + std::string(scheme) + "://" : std::string();
  }
  if (scheme != "tcp") {
    return quoted + ": transport '" + std::string(scheme) + "' is not supported (tcp, ipc, inproc)";
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return quoted + ": expected tcp://HOST:PORT";
  }
  const std::string_view port = rest.substr(colon + 1);
  const char* const range =
      use == EndpointUse::kBind ? " (1-65535, or * for any free port)" : " (1-65535)";
  if (port == "*") {
    return use == EndpointUse::kBind
               ? std::string()
               : quoted + ": port * picks a free port when binding; a connect needs a port" + range;
  }
  if (!parse_port(port)) {
    return quoted + ": '" + std::string(port) + "' is not a port" + range;
  }
  return {};
}

}  // namespace crawler
