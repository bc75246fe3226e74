#include "coordinator/worker_supervisor.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace crawler {
namespace {

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

WorkerSupervisor::WorkerSupervisor(boost::asio::io_context& io, WorkerSupervisorOptions options)
    : io_(io), options_(std::move(options)), sigchld_(io), grace_timer_(io) {
  slots_.resize(static_cast<std::size_t>(std::max(0, options_.workers)));
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].index = static_cast<int>(i);
    slots_[i].restart_timer = std::make_unique<boost::asio::steady_timer>(io_);
  }
}

WorkerSupervisor::~WorkerSupervisor() {
  for (auto& slot : slots_) {
    if (slot.pid <= 0) continue;
    ::kill(slot.pid, SIGKILL);
    ::waitpid(slot.pid, nullptr, 0);
  }
}

void WorkerSupervisor::start() {
  if (::access(options_.program.c_str(), X_OK) != 0) {
    throw std::runtime_error("cannot run " + options_.program + ": " + std::strerror(errno));
  }
  // Before the first fork: a child that dies at once must not be missed.
  sigchld_.add(SIGCHLD);
  wait_sigchld();
  for (auto& slot : slots_) spawn(slot);
}

void WorkerSupervisor::spawn(Slot& slot) {
  std::vector<std::string> args = {options_.program};
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  args.push_back("--worker-id");
  args.push_back("w" + std::to_string(slot.index));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment is built here: between fork and exec only async-signal-safe calls.
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool unset = std::any_of(options_.unset_env.begin(), options_.unset_env.end(), [&](const std::string& name) {
      return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=';
    });
    if (!unset) envp.push_back(*e);
  }
  envp.push_back(nullptr);

  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
    }
    ::close_range(3, ~0U, 0);  // the coordinator's sockets and results file are not the worker's
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);  // the coordinator ignores it; an exec keeps an ignore
    ::execve(argv[0], argv.data(), envp.data());
    static const char kMessage[] = "crawl: exec crawl-worker failed\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(127);
  }
  if (devnull >= 0) ::close(devnull);
  if (pid < 0) {
    spdlog::error("cannot start worker w{}: fork: {}; trying again in {} ms", slot.index,
                  std::strerror(errno), options_.backoff_max.count());
    slot.pid = -1;
    slot.restart_timer->expires_after(options_.backoff_max);
    slot.restart_timer->async_wait([this, &slot](boost::system::error_code ec) {
      if (ec || !restarting_ || stopping_) return;
      spawn(slot);
    });
    return;
  }
  slot.pid = pid;
  slot.started_at = std::chrono::steady_clock::now();
  ++started_;
  spdlog::info("started worker w{} (pid {})", slot.index, pid);
}

void WorkerSupervisor::wait_sigchld() {
  sigchld_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reap();
    if (!stopping_ ||
        std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.pid > 0; })) {
      wait_sigchld();
    }
  });
}

void WorkerSupervisor::reap() {
  // Signals coalesce: look at every child of ours.
  for (auto& slot : slots_) {
    if (slot.pid <= 0) continue;
    int status = 0;
    const pid_t r = ::waitpid(slot.pid, &status, WNOHANG);
    if (r == slot.pid) on_exit(slot, status);
  }
  finish_if_all_reaped();
}

void WorkerSupervisor::on_exit(Slot& slot, int status) {
  const pid_t pid = slot.pid;
  slot.pid = -1;
  if (!restarting_ || stopping_) {
    spdlog::info("worker w{} (pid {}) ended: {}", slot.index, pid, describe(status));
    return;
  }
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 2 || WEXITSTATUS(status) == 127)) {
    slot.refused = true;
    spdlog::error(
        "worker w{} (pid {}) exited with status {} (configuration refused or not executable): not "
        "restarting it",
        slot.index, pid, WEXITSTATUS(status));
    if (std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.refused; })) {
      throw std::runtime_error("no crawl-worker could start (see its message above)");
    }
    return;
  }
  const auto ran = std::chrono::steady_clock::now() - slot.started_at;
  slot.quick_deaths = ran >= options_.healthy_after ? 0 : slot.quick_deaths + 1;
  auto delay = options_.backoff_base;
  for (int i = 1; i < slot.quick_deaths && delay < options_.backoff_max; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_max);
  ++restarts_;
  if (deaths_.size() < 200) {
    deaths_ += (deaths_.empty() ? "" : ", ") + ("w" + std::to_string(slot.index)) + ": " +
               describe(status);
  }
  spdlog::warn("worker w{} (pid {}) died ({}): restarting it in {} ms", slot.index, pid,
               describe(status), delay.count());
  slot.restart_timer->expires_after(delay);
  slot.restart_timer->async_wait([this, &slot](boost::system::error_code ec) {
    if (ec || !restarting_ || stopping_) return;
    spawn(slot);
  });
}

void WorkerSupervisor::forward(int signo) {
  restarting_ = false;
  for (auto& slot : slots_) {
    slot.restart_timer->cancel();
    if (slot.pid > 0) ::kill(slot.pid, signo);
  }
}

void WorkerSupervisor::stop(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  restarting_ = false;
  done_ = std::move(done);
  for (auto& slot : slots_) slot.restart_timer->cancel();
  grace_timer_.expires_after(options_.grace);
  grace_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    for (auto& slot : slots_) {
      if (slot.pid <= 0) continue;
      spdlog::warn("worker w{} (pid {}) still running {} ms after the end: killing it", slot.index,
                   slot.pid, options_.grace.count());
      ::kill(slot.pid, SIGKILL);
    }
  });
  // Some may have exited already (between SIGCHLDs).
  reap();
}

void WorkerSupervisor::finish_if_all_reaped() {
  if (!stopping_ || !done_) return;
  if (std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.pid > 0; })) return;
  grace_timer_.cancel();
  sigchld_.cancel();
  auto done = std::move(done_);
  done_ = nullptr;
  boost::asio::post(io_, std::move(done));
}

std::string WorkerSupervisor::summary() const {
  std::string out = "processes   " + std::to_string(started_) + " started, " +
                    std::to_string(restarts_) + " restarted";
  if (!deaths_.empty()) out += " (" + deaths_ + ")";
  return out + "\n";
}

}  // namespace crawler
