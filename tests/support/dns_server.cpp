#include "tests/support/dns_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace crawler::test {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

}  // namespace

TestDnsServer::TestDnsServer() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("TestDnsServer: socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd_);
    throw std::runtime_error("TestDnsServer: cannot bind 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TestDnsServer::~TestDnsServer() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void TestDnsServer::add(const std::string& name, const std::string& ipv4, std::uint32_t ttl_s) {
  std::lock_guard lock(mutex_);
  records_[lower(name)] = {ipv4, ttl_s};
}

void TestDnsServer::silence(const std::string& name) {
  std::lock_guard lock(mutex_);
  silent_[lower(name)] = true;
}

int TestDnsServer::queries(const std::string& name, std::uint16_t type) const {
  std::lock_guard lock(mutex_);
  auto it = queries_.find({lower(name), type});
  return it == queries_.end() ? 0 : it->second;
}

void TestDnsServer::serve() {
  unsigned char buffer[1500];
  while (!stop_) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 20) <= 0) continue;  // wakes every 20 ms to see stop_
    sockaddr_in from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from),
                                 &from_length);
    if (n <= 0) continue;
    const std::string answer = reply(buffer, static_cast<std::size_t>(n));
    if (!answer.empty()) {
      ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
    }
  }
}

std::string TestDnsServer::reply(const unsigned char* query, std::size_t size) {
  if (size < 12 || ((query[4] << 8) | query[5]) != 1) return {};  // one question, as resolvers ask
  std::string name;
  std::size_t at = 12;
  while (at < size && query[at] != 0) {
    const std::size_t label = query[at];
    if (label > 63 || at + 1 + label >= size) return {};
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(query) + at + 1, label);
    at += 1 + label;
  }
  if (at + 5 > size) return {};
  const std::size_t question_end = at + 5;  // the root label, QTYPE, QCLASS
  const std::uint16_t type = static_cast<std::uint16_t>((query[at + 1] << 8) | query[at + 2]);
  name = lower(name);

  std::lock_guard lock(mutex_);
  ++queries_[{name, type}];
  if (silent_.count(name) != 0) return {};
  const auto record = records_.find(name);
  const bool exists = record != records_.end();
  const bool answers = exists && type == kA;

  std::string out(reinterpret_cast<const char*>(query), 2);  // the query's ID
  // QR, AA, the query's RD, RA; RCODE 0 (NOERROR) or 3 (NXDOMAIN).
  put16(out, static_cast<std::uint16_t>(0x8400 | ((query[2] & 0x01) << 8) | 0x0080 | (exists ? 0 : 3)));
  put16(out, 1);
  put16(out, answers ? 1 : 0);
  put16(out, 0);
  put16(out, 0);
  out.append(reinterpret_cast<const char*>(query) + 12, question_end - 12);
  if (answers) {
    put16(out, 0xC00C);  // the name: a pointer to the question's
    put16(out, kA);
    put16(out, 1);  // IN
    const std::uint32_t ttl = record->second.second;
    put16(out, static_cast<std::uint16_t>(ttl >> 16));
    put16(out, static_cast<std::uint16_t>(ttl & 0xffff));
    put16(out, 4);
    in_addr address{};
    ::inet_pton(AF_INET, record->second.first.c_str(), &address);
    out.append(reinterpret_cast<const char*>(&address), 4);
  }
  return out;
}

}  // namespace crawler::test
