#include "tests/support/simweb_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <zlib.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace crawler::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

/// Waits until `pid` exits or `timeout` passes (pidfd + poll: no sleep loop). True if exited.
bool wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  int rc = 0;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  ::close(fd);
  return rc > 0;
}

}  // namespace

SimwebProcess::SimwebProcess(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  const std::string binary = std::string(CRAWLER_BIN_DIR) + "/simweb";
  if (::access(binary.c_str(), X_OK) != 0) throw std::runtime_error("no executable " + binary);
  std::string pattern = (std::filesystem::temp_directory_path() / "simweb-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  temp_dir_ = pattern;
  out_dir_ = temp_dir_ / "out";
  const auto stderr_path = temp_dir_ / "stderr.txt";

  args.insert(args.begin(), binary);
  for (const char* a : {"--port", "0", "--out-dir"}) args.emplace_back(a);
  args.push_back(out_dir_.string());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    if (::getppid() != parent) ::_exit(127);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
    ::syscall(SYS_close_range, 3u, ~0u, 0u);  // no inherited sockets of the test process
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  if (err_fd >= 0) ::close(err_fd);
  stdout_fd_ = pipe_fds[0];
  if (pid_ < 0) {
    pid_ = 0;
    throw std::runtime_error("fork failed");
  }

  // Read stdout up to the first newline, within the deadline.
  const auto deadline = Clock::now() + timeout;
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{stdout_fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    char buf[256];
    const ssize_t n = rc > 0 ? ::read(stdout_fd_, buf, sizeof(buf)) : 0;
    if (n <= 0) {
      stop(std::chrono::milliseconds(2000));
      const std::string why = rc == 0 ? "no listening line within the deadline" : "simweb exited";
      throw std::runtime_error(why + "; stderr: " + read_text(stderr_path));
    }
    line.append(buf, static_cast<std::size_t>(n));
  }
  line.resize(line.find('\n'));
  const auto colon = line.rfind(':');
  if (!line.starts_with("listening ") || colon == std::string::npos) {
    stop(std::chrono::milliseconds(2000));
    throw std::runtime_error("unexpected first line from simweb: " + line);
  }
  port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

SimwebProcess::~SimwebProcess() {
  stop();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  std::error_code ec;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ec);
}

int SimwebProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  if (!wait_exit(pid_, grace)) ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = 0;
  return exit_code_;
}

std::string SimwebProcess::resolve_arg() const {
  return "*:" + std::to_string(port_) + ":127.0.0.1";
}

std::string SimwebProcess::url(std::string_view host, std::string_view target) const {
  return "http://" + std::string(host) + ":" + std::to_string(port_) + std::string(target);
}

std::string SimwebProcess::stats_json(std::chrono::milliseconds timeout) const {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  // On Linux SO_SNDTIMEO also bounds a blocking connect().
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  const std::string request =
      "GET /__stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ok = ok && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(request.size());
  const auto deadline = Clock::now() + timeout;
  bool eof = false;
  while (ok && !eof) {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR && Clock::now() < deadline) continue;
    eof = n == 0;                            // EOF ends the response (Connection: close)
    ok = n >= 0 && Clock::now() < deadline;  // an error or SO_RCVTIMEO (EAGAIN) fails
    if (n > 0) response.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  if (!ok || !response.starts_with("HTTP/1.1 200") || body == std::string::npos)
    throw std::runtime_error("GET /__stats failed: " + response.substr(0, 200));
  return response.substr(body + 4);
}

std::vector<std::string> read_sorted_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string inflate_gzip(const std::string& in) {
  std::string out(in.size() * 1100 + 1024, '\0');  // deflate cannot expand more than 1032:1
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(zs.avail_in, 0u);
  out.resize(out.size() - zs.avail_out);
  inflateEnd(&zs);
  return out;
}

std::uint64_t stats_number(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const auto at = json.find(needle);
  EXPECT_NE(at, std::string::npos) << key << " not in " << json;
  if (at == std::string::npos) return 0;
  return std::stoull(json.substr(at + needle.size()));
}

}  // namespace crawler::test
