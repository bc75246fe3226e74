#include "bench/bench_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/process_tree_rss.hpp"

namespace crawler::bench {
namespace {

int open_output(const std::string& path) {
  const int fd = ::open(path.empty() ? "/dev/null" : path.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) { g_interrupted = 1; }

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

BenchProcess::BenchProcess(std::vector<std::string> argv, const std::string& stdout_path,
                           const std::string& stderr_path) {
  if (argv.empty()) throw std::runtime_error("BenchProcess: empty command");
  const int out = open_output(stdout_path);
  const int err = open_output(stderr_path);
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  started_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Child: async-signal-safe calls only until exec.
    ::setpgid(0, 0);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execvp(args[0], args.data());
    const int e = errno;
    [[maybe_unused]] const auto n = ::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(report[1]);
  ::close(out);
  ::close(err);
  ::close(in);
  if (pid_ < 0) {
    ::close(report[0]);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(fork_errno));
  }
  ::setpgid(pid_, pid_);  // also here: no race with a kill of the group before the child ran
  int exec_errno = 0;
  const ssize_t n = ::read(report[0], &exec_errno, sizeof exec_errno);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(exec_errno));
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

BenchProcess::~BenchProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

std::string read_output(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool BenchProcess::reap(int options) {
  if (reaped_) return true;
  int status = 0;
  rusage usage{};
  const pid_t r = ::wait4(pid_, &status, options, &usage);
  if (r != pid_) return false;
  reaped_ = true;
  outcome_.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  outcome_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // wait4 reports the child's own use plus that of the descendants it waited for.
  outcome_.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  // Not ru_maxrss: it is a maximum, not a sum, and includes our own image from before exec.
  return true;
}

bool BenchProcess::exited() { return reap(WNOHANG); }

void BenchProcess::install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

ProcessOutcome BenchProcess::wait(std::chrono::milliseconds deadline,
                                  std::chrono::milliseconds sample_every) {
  if (reaped_) return outcome_;
  ProcessTreeRss tree(pid_);
  const auto until = started_ + deadline;
  while (!reap(WNOHANG)) {
    tree.sample();
    outcome_.peak_processes = std::max(outcome_.peak_processes, tree.processes());
    const auto now = std::chrono::steady_clock::now();
    if (g_interrupted != 0) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      reap(0);
      throw Interrupted();
    }
    if (now >= until) {
      outcome_.timed_out = true;
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      reap(0);
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    const int timeout = static_cast<int>(std::min(left, sample_every).count());
    if (pidfd_ >= 0) {
      pollfd fd{pidfd_, POLLIN, 0};
      ::poll(&fd, 1, std::max(1, timeout));
    } else {
      ::usleep(static_cast<useconds_t>(std::max(1, timeout)) * 1000);  // no pidfd: poll by time
    }
  }
  outcome_.peak_rss_kb = std::max(outcome_.peak_rss_kb, tree.peak_kb());
  return outcome_;
}

ProcessOutcome BenchProcess::stop(std::chrono::milliseconds grace) {
  if (!reaped_) {
    ::kill(-pid_, SIGTERM);
    ::kill(pid_, SIGTERM);
    // wait() counts its deadline from the start: give it `grace` from now.
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    try {
      wait(since + grace, std::chrono::milliseconds(50));
    } catch (const Interrupted&) {
      // wait() killed and reaped the child already; stop() runs in destructors: never throw.
    }
  }
  return outcome_;
}

}  // namespace crawler::bench
