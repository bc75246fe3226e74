#pragma once
/// A small authoritative DNS server over UDP on 127.0.0.1, for tests that resolve names for real.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace crawler::test {

/// Answers A queries for the names it is given (one IPv4 address each, with a TTL), AAAA
/// queries for them with no records (NODATA), every other name with NXDOMAIN, and names told to
/// be silent with nothing at all (the client times out). Counts the queries per name and type.
/// Serves on its own thread from construction to destruction; names are case-insensitive.
class TestDnsServer {
 public:
  static constexpr std::uint16_t kA = 1;
  static constexpr std::uint16_t kAaaa = 28;

  /// Binds 127.0.0.1 on a free UDP port. Throws std::runtime_error when it cannot.
  TestDnsServer();
  ~TestDnsServer();
  TestDnsServer(const TestDnsServer&) = delete;
  TestDnsServer& operator=(const TestDnsServer&) = delete;

  /// `name` resolves to `ipv4` for `ttl_s` seconds.
  void add(const std::string& name, const std::string& ipv4, std::uint32_t ttl_s);
  /// Queries for `name` are read and never answered.
  void silence(const std::string& name);

  int port() const { return port_; }
  /// The --dns-servers value naming this server: "127.0.0.1:PORT".
  std::string servers() const { return "127.0.0.1:" + std::to_string(port_); }
  /// Queries received for `name` of `type` so far.
  int queries(const std::string& name, std::uint16_t type = kA) const;

 private:
  void serve();
  std::string reply(const unsigned char* query, std::size_t size);

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::uint32_t>> records_;  ///< name → (ipv4, ttl)
  std::map<std::string, bool> silent_;
  std::map<std::pair<std::string, std::uint16_t>, int> queries_;
  std::thread thread_;
};

}  // namespace crawler::test
