// zmq_endpoint_problem: the endpoints --connect and --listen take, checked before ZeroMQ sees
// them (libzmq took tcp://127.0.0.1:99999 for a connect and retried it for ever).
#include "proto/zmq_endpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crawler {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ZmqEndpoint, AcceptsTcpWithAPortIpcAndInproc) {
  for (const auto use : {EndpointUse::kBind, EndpointUse::kConnect}) {
    EXPECT_THAT(zmq_endpoint_problem("tcp://127.0.0.1:5555", use), IsEmpty());
    EXPECT_THAT(zmq_endpoint_problem("tcp://coordinator.crawl.svc:1", use), IsEmpty());
    EXPECT_THAT(zmq_endpoint_problem("tcp://[::1]:65535", use), IsEmpty());
    EXPECT_THAT(zmq_endpoint_problem("ipc:///tmp/crawl.sock", use), IsEmpty());
    EXPECT_THAT(zmq_endpoint_problem("inproc://pool", use), IsEmpty());
  }
  EXPECT_THAT(zmq_endpoint_problem("tcp://0.0.0.0:*", EndpointUse::kBind), IsEmpty());
  EXPECT_THAT(zmq_endpoint_problem("tcp://*:5555", EndpointUse::kBind), IsEmpty());
}

TEST(ZmqEndpoint, RefusesPortsOutside1To65535WithOneLineNamingIt) {
  for (const auto use : {EndpointUse::kBind, EndpointUse::kConnect}) {
    for (const char* bad : {"tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536",
                            "tcp://127.0.0.1:-1", "tcp://127.0.0.1:55x",
                            "tcp://127.0.0.1:", "tcp://127.0.0.1:0000005555"}) {
      const std::string problem = zmq_endpoint_problem(bad, use);
      EXPECT_THAT(problem, HasSubstr(std::string("'") + bad + "'")) << bad;
      EXPECT_THAT(problem, HasSubstr("is not a port (1-65535")) << bad;
      EXPECT_EQ(problem.find('\n'), std::string::npos) << problem;
    }
  }
}

TEST(ZmqEndpoint, AnyPortIsForBindingOnly) {
  EXPECT_THAT(zmq_endpoint_problem("tcp://127.0.0.1:*", EndpointUse::kConnect),
              HasSubstr("a connect needs a port"));
}

TEST(ZmqEndpoint, RefusesWhatIsNotAnEndpoint) {
  EXPECT_THAT(zmq_endpoint_problem("127.0.0.1:5555", EndpointUse::kConnect),
              HasSubstr("expected tcp://HOST:PORT"));
  EXPECT_THAT(zmq_endpoint_problem("tcp://127.0.0.1", EndpointUse::kConnect),
              HasSubstr("expected tcp://HOST:PORT"));
  EXPECT_THAT(zmq_endpoint_problem("tcp://:5555", EndpointUse::kConnect),
              HasSubstr("expected tcp://HOST:PORT"));
  EXPECT_THAT(zmq_endpoint_problem("udp://127.0.0.1:5555", EndpointUse::kBind),
              HasSubstr("transport 'udp' is not supported"));
  EXPECT_THAT(zmq_endpoint_problem("ipc://", EndpointUse::kBind),
              HasSubstr("nothing after ipc://"));
  EXPECT_THAT(zmq_endpoint_problem("", EndpointUse::kConnect),
              HasSubstr("expected tcp://HOST:PORT"));
}

}  // namespace
}  // namespace crawler
