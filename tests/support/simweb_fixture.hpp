#pragma once
/// The real simweb binary on a free port, with its manifest in a temp dir, for end-to-end tests.

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace crawler::test {

/// Starts `simweb --port 0 --out-dir <temp> ARGS...` and reads its port; killed on destruction.
class SimwebFixture {
 public:
  /// Throws std::runtime_error when simweb does not print its `listening` line within 30 s.
  explicit SimwebFixture(std::vector<std::string> args);
  int port() const { return port_; }
  /// A file simweb wrote in its out dir (seeds.txt, expected-depth0.tsv, ...).
  std::string file(const std::string& name) const { return dir_.file(name); }
  /// The crawl flag value that maps every simweb host to it: "*:PORT:127.0.0.1".
  std::string resolve() const { return "*:" + std::to_string(port_) + ":127.0.0.1"; }
  /// "http://hN.sim:PORT".
  std::string origin(int host = 0) const { return "http://h" + std::to_string(host) + ".sim:" + std::to_string(port_); }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

}  // namespace crawler::test
