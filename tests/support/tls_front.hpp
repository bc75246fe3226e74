#pragma once
/// An HTTPS (and HTTP/2) front to a simweb for end-to-end tests: Debian's nginx on 127.0.0.1,
/// with a CA and a server certificate made for this run by the `openssl` command.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace crawler::test {

/// nginx in the foreground (no daemon, no master process) under a fresh temporary directory:
/// its config, certificates, logs and temp files live there, nothing outside is written. It
/// listens on a free port of 127.0.0.1 with TLS (and h2 by ALPN when asked), and passes each
/// request to simweb on 127.0.0.1 with the request's host name as Host (keep-alive upstream).
/// `/__redirect-to-wrong-name` answers 302 to https://wrong-name.test:PORT/, a name the
/// certificate does not hold. The access log records, per request, the connection's serial
/// number: connections opened by the client are counted at the server. Stopped (SIGKILL) and
/// reaped by the destructor; not copyable.
class TlsFront {
 public:
  /// The server certificate: what a client trusting ca_file() should make of it.
  enum class Certificate {
    kValid,       ///< issued by the run's CA, valid for 2 days
    kExpired,     ///< issued by the run's CA, valid only in January 2020
    kSelfSigned,  ///< signed by its own key, no CA
  };

  struct Options {
    int upstream_port = 0;           ///< simweb's port on 127.0.0.1
    std::vector<std::string> names;  ///< DNS names the server certificate holds (at least one)
    bool http2 = false;              ///< offer h2 by ALPN (else HTTP/1.1 only)
    Certificate certificate = Certificate::kValid;
  };

  /// One request as nginx logged it.
  struct Request {
    std::string connection;  ///< nginx's connection serial number
    std::string protocol;    ///< "HTTP/1.1" or "HTTP/2.0"
    std::string host;
    std::string uri;
    int status = 0;
  };

  /// Throws std::runtime_error (with what openssl or nginx said) when a certificate cannot be
  /// made or nginx does not accept connections within 30 s; a port taken in between is retried.
  explicit TlsFront(Options options);
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  int port() const { return port_; }
  /// The PEM file of this run's CA (which signed the server certificate).
  std::string ca_file() const { return dir_.file("ca.pem"); }
  /// A directory holding a copy of the CA under its OpenSSL subject hash, for --capath.
  std::string ca_dir() const { return dir_.file("ca-dir"); }
  /// "*:PORT:127.0.0.1": maps every name to this front (crawl's --resolve).
  std::string resolve() const { return "*:" + std::to_string(port_) + ":127.0.0.1"; }
  /// "https://HOST:PORT" + target.
  std::string url(const std::string& host, const std::string& target) const {
    return "https://" + host + ":" + std::to_string(port_) + target;
  }
  /// Every request logged so far (nginx writes a line when a request ends).
  std::vector<Request> requests() const;
  /// Waits until at least `count` requests are logged (nginx logs a request just after its
  /// last byte is sent, so a client may finish first); false at the deadline.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds deadline);
  /// Distinct connections among requests().
  std::size_t connections() const;

 private:
  void make_certificates(const Options& options);
  bool start_nginx(const Options& options);

  TempDir dir_;
  std::unique_ptr<ChildProcess> nginx_;
  int port_ = 0;
};

/// Where a program is on PATH or in /usr/sbin; empty when nowhere.
std::string find_program(const std::string& name);

}  // namespace crawler::test
