#pragma once
/// Checks a ZeroMQ endpoint given by the user before ZeroMQ sees it: libzmq takes
/// "tcp://127.0.0.1:99999" for a connect and retries it for ever instead of refusing it.

#include <string>
#include <string_view>

namespace crawler {

/// What the endpoint is for: a bind may ask for any free port (`*`), a connect may not.
enum class EndpointUse { kBind, kConnect };

/// Empty when `endpoint` is usable for `use`: tcp://HOST:PORT with a non-empty HOST and a
/// decimal PORT in 1..65535 (or `*` when binding), ipc://PATH or inproc://NAME with a non-empty
/// rest. Otherwise one line saying what is wrong, quoting the endpoint (for a CLI11 check or an
/// exception message). Host names are not resolved here.
std::string zmq_endpoint_problem(std::string_view endpoint, EndpointUse use);

}  // namespace crawler
