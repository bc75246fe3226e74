#pragma once
/// `crawl --workers N`: starts N crawl-worker processes, restarts those that die, and reaps
/// them all at the end.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace crawler {

/// What to run and how to look after it.
struct WorkerSupervisorOptions {
  std::string program;            ///< path of the crawl-worker executable
  std::vector<std::string> args;  ///< its arguments; "--worker-id w<K>" is appended per worker
  std::vector<std::string> unset_env;  ///< environment variables the workers do not inherit
  int workers = 1;
  std::chrono::milliseconds grace{5000};        ///< after stop(): how long before SIGKILL
  std::chrono::milliseconds backoff_base{200};  ///< first restart delay, doubled per quick death
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds healthy_after{
      10'000};  ///< a worker that ran this long restarts at base
};

/// Supervises the worker processes from one io_context thread, driven by SIGCHLD (an asio
/// signal_set): only its own children are reaped (waitpid on their pids). A worker that exits
/// while the crawl runs is restarted under the same id after a backoff, and counted; except
/// one that exits with status 2 (it refused its configuration, e.g. a bad --resolve entry) or
/// 127 (could not be executed): restarting cannot help, so it stays down, and once every worker
/// is down that way the SIGCHLD handler throws std::runtime_error out of io_context::run().
/// Children run in their own process group (a terminal's ^C reaches only `crawl`, which
/// forwards it), with stdin and stdout on /dev/null and stderr shared, and get SIGKILL if
/// `crawl` dies.
class WorkerSupervisor {
 public:
  WorkerSupervisor(boost::asio::io_context& io, WorkerSupervisorOptions options);
  /// SIGKILLs and reaps any worker still running.
  ~WorkerSupervisor();
  WorkerSupervisor(const WorkerSupervisor&) = delete;
  WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

  /// Starts every worker. Throws std::runtime_error when the program is not executable.
  void start();
  /// Sends `signo` to every running worker and stops restarting them (the crawl is stopping).
  void forward(int signo);
  /// No more restarts; waits for the workers to exit (they have been told to), SIGKILLs those
  /// still running after the grace period, and calls `done` once all are reaped.
  void stop(std::function<void()> done);

  std::uint64_t started() const { return started_; }
  std::uint64_t restarts() const { return restarts_; }
  /// "processes   3 started, 1 restarted (w1: signal 9)\n".
  std::string summary() const;

 private:
  struct Slot {
    int index = 0;
    pid_t pid = -1;
    std::chrono::steady_clock::time_point started_at;
    int quick_deaths = 0;
    bool refused = false;  ///< exited with status 2 or 127: not restarted
    std::unique_ptr<boost::asio::steady_timer> restart_timer;
  };

  void spawn(Slot& slot);
  void wait_sigchld();
  void reap();
  void on_exit(Slot& slot, int status);
  void finish_if_all_reaped();

  boost::asio::io_context& io_;
  WorkerSupervisorOptions options_;
  boost::asio::signal_set sigchld_;
  boost::asio::steady_timer grace_timer_;
  std::vector<Slot> slots_;
  bool restarting_ = true;
  bool stopping_ = false;
  std::function<void()> done_;
  std::uint64_t started_ = 0;
  std::uint64_t restarts_ = 0;
  std::string deaths_;  ///< "w1: signal 9, ..." for the summary (first few)
};

}  // namespace crawler
