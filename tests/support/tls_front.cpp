#include "tests/support/tls_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace crawler::test {
namespace {

using namespace std::chrono_literals;

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

/// Runs `argv` and throws with its stderr when it fails.
std::string must_run(std::vector<std::string> argv) {
  const std::string what = argv.size() > 1 ? argv[0] + " " + argv[1] : argv[0];
  const ChildResult r = run_child(std::move(argv), 60s);
  if (r.exit_code != 0) throw std::runtime_error(what + " failed: " + r.err);
  return r.out;
}

}  // namespace

std::string find_program(const std::string& name) {
  std::string path = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

TlsFront::TlsFront(Options options) {
  if (options.names.empty()) throw std::invalid_argument("TlsFront needs at least one name");
  make_certificates(options);
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (start_nginx(options)) return;
  }
  throw std::runtime_error("nginx did not start: " + read_file(dir_.file("error.log")));
}

TlsFront::~TlsFront() = default;

void TlsFront::make_certificates(const Options& options) {
  const std::string openssl = find_program("openssl");
  if (openssl.empty()) throw std::runtime_error("openssl not found (deploy/install-deps.sh)");
  const std::vector<std::string> ec_key = {"-newkey", "ec", "-pkeyopt",
                                           "ec_paramgen_curve:prime256v1", "-nodes"};
  std::vector<std::string> ca = {openssl, "req", "-x509"};
  ca.insert(ca.end(), ec_key.begin(), ec_key.end());
  ca.insert(ca.end(), {"-keyout", dir_.file("ca.key"), "-out", ca_file(), "-days", "2", "-subj",
                       "/CN=crawler test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  must_run(ca);
  std::vector<std::string> csr = {openssl, "req"};
  csr.insert(csr.end(), ec_key.begin(), ec_key.end());
  csr.insert(csr.end(), {"-keyout", dir_.file("server.key"), "-out", dir_.file("server.csr"),
                         "-subj", "/CN=" + options.names.front()});
  must_run(csr);
  std::string san = "subjectAltName=";
  for (std::size_t i = 0; i < options.names.size(); ++i) {
    san += (i ? ",DNS:" : "DNS:") + options.names[i];
  }
  write_file(dir_.file("server.ext"), san +
                                          "\nbasicConstraints=CA:FALSE\n"
                                          "keyUsage=critical,digitalSignature\n"
                                          "extendedKeyUsage=serverAuth\n");
  switch (options.certificate) {
    case Certificate::kValid:
      must_run({openssl, "x509", "-req", "-in", dir_.file("server.csr"), "-CA", ca_file(),
                "-CAkey", dir_.file("ca.key"), "-CAcreateserial", "-out", dir_.file("server.pem"),
                "-days", "2", "-extfile", dir_.file("server.ext")});
      break;
    case Certificate::kExpired:
      // `openssl x509` cannot date a certificate in the past; `openssl ca` can, with a database.
      std::filesystem::create_directory(dir_.file("issued"));
      write_file(dir_.file("index.txt"), "");
      write_file(dir_.file("serial"), "01\n");
      write_file(dir_.file("ca.cnf"), "[ca]\ndefault_ca = run\n[run]\ndatabase = " +
                                          dir_.file("index.txt") + "\nnew_certs_dir = " +
                                          dir_.file("issued") + "\nserial = " + dir_.file("serial") +
                                          "\ndefault_md = sha256\npolicy = any\n"
                                          "[any]\ncommonName = supplied\n");
      must_run({openssl, "ca", "-batch", "-notext", "-config", dir_.file("ca.cnf"), "-cert",
                ca_file(), "-keyfile", dir_.file("ca.key"), "-in", dir_.file("server.csr"),
                "-out", dir_.file("server.pem"), "-startdate", "20200101000000Z", "-enddate",
                "20200201000000Z", "-extfile", dir_.file("server.ext")});
      break;
    case Certificate::kSelfSigned:
      must_run({openssl, "x509", "-req", "-in", dir_.file("server.csr"), "-key",
                dir_.file("server.key"), "-out", dir_.file("server.pem"), "-days", "2",
                "-extfile", dir_.file("server.ext")});
      break;
  }
  // --capath wants certificates under their subject hash (what c_rehash does).
  std::string hash = must_run({openssl, "x509", "-hash", "-noout", "-in", ca_file()});
  while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
  std::filesystem::create_directory(ca_dir());
  std::filesystem::copy_file(ca_file(), ca_dir() + "/" + hash + ".0");
}

bool TlsFront::start_nginx(const Options& options) {
  const std::string nginx = find_program("nginx");
  if (nginx.empty()) throw std::runtime_error("nginx not found (deploy/install-deps.sh)");
  port_ = free_tcp_port();
  const std::string& d = dir_.path();
  for (const char* sub : {"body", "proxy", "fastcgi"}) {
    std::filesystem::create_directories(d + "/tmp/" + sub);
  }
  std::ostringstream conf;
  conf << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << d << "/nginx.pid;\n"
       << "error_log " << d << "/error.log warn;\n"
       << "events { worker_connections 4096; }\n"
       << "http {\n"
       << "  log_format conn '$connection $server_protocol $host $request_uri $status';\n"
       << "  access_log " << d << "/access.log conn;\n"
       << "  client_body_temp_path " << d << "/tmp/body;\n"
       << "  proxy_temp_path " << d << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
       << "  upstream simweb { server 127.0.0.1:" << options.upstream_port << "; keepalive 64; }\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port_ << " ssl" << (options.http2 ? " http2" : "") << ";\n"
       << "    ssl_certificate " << d << "/server.pem;\n"
       << "    ssl_certificate_key " << d << "/server.key;\n"
       << "    ssl_protocols TLSv1.2 TLSv1.3;\n"  // nginx 1.22's default lacks 1.3
       << "    keepalive_requests 100000;\n"
       << "    location = /__redirect-to-wrong-name {\n"
       << "      return 302 https://wrong-name.test:" << port_ << "/;\n"
       << "    }\n"
       << "    location / {\n"
       << "      proxy_pass http://simweb;\n"
       << "      proxy_http_version 1.1;\n"
       << "      proxy_set_header Connection \"\";\n"
       << "      proxy_set_header Host $host;\n"
       << "    }\n"
       << "  }\n"
       << "}\n";
  write_file(d + "/nginx.conf", conf.str());
  std::filesystem::remove(d + "/error.log");
  nginx_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{nginx, "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log"});
  const int port = port_;
  if (nginx_->wait_until([port] { return accepts_connections(port); }, 30s) &&
      accepts_connections(port)) {
    return true;
  }
  nginx_.reset();
  const std::string log = read_file(d + "/error.log");
  if (log.find("Address already in use") != std::string::npos) return false;  // try another port
  throw std::runtime_error("nginx did not start: " + log);
}

std::vector<TlsFront::Request> TlsFront::requests() const {
  std::vector<Request> out;
  std::ifstream in(dir_.file("access.log"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    Request r;
    if (fields >> r.connection >> r.protocol >> r.host >> r.uri >> r.status) out.push_back(r);
  }
  return out;
}

bool TlsFront::wait_for_requests(std::size_t count, std::chrono::milliseconds deadline) {
  return nginx_->wait_until([&] { return requests().size() >= count; }, deadline);
}

std::size_t TlsFront::connections() const {
  std::set<std::string> serials;
  for (const Request& r : requests()) serials.insert(r.connection);
  return serials.size();
}

}  // namespace crawler::test
