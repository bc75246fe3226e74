#pragma once
/// Per-host politeness: which waiting fetch may start now.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace crawler {

/// Per-host FIFOs of waiting fetches (opaque tokens) and the rules for starting them:
///  - at most `per_host` started and not finished per host, at most `concurrency` in total;
///  - at least the host's delay between the *starts* of two requests to one host (a timer);
///  - round-robin over the hosts that may start, so one slow host never takes every slot.
/// Bounds: it holds exactly the tokens pushed and not yet started (the caller bounds those: the
/// engine's outstanding() is the back-pressure signal), plus one entry per host that has waiting
/// or started tokens or whose delay had not yet run out at the last push(); idle hosts are
/// removed by the first push() after their delay has passed, so the host table never outgrows
/// that. Only hosts with waiting tokens keep the timer armed: an idle host's delay is kept
/// without one, so the io_context runs out of work as soon as the last started token finished.
/// Not thread-safe: use only on the io_context's thread.
class HostQueue {
 public:
  using Token = std::uint64_t;
  /// Called when a token may start. It counts as started (holds a slot) until finished().
  /// It may call push()/finished()/pause() re-entrantly.
  using StartHandler = std::function<void(Token)>;

  struct Limits {
    int concurrency = 1;  ///< started tokens at most, all hosts together (>= 1)
    int per_host = 1;     ///< started tokens at most per host (>= 1)
  };

  HostQueue(boost::asio::io_context& io, Limits limits, StartHandler start);
  HostQueue(const HostQueue&) = delete;
  HostQueue& operator=(const HostQueue&) = delete;

  /// Queues `token` for `host` (a host_key). `delay_ms` is the gap to keep between starts on
  /// this host; a host keeps the largest delay it was given. `front` queues ahead of the rest
  /// (robots.txt must come first). May start tokens before returning.
  void push(const std::string& host, Token token, int delay_ms, bool front = false);

  /// A started token of `host` is done: frees its slot. Unknown hosts (after clear()) are ignored.
  void finished(const std::string& host);

  /// Nothing starts on `host` for `ms` from now (a server's Retry-After).
  void pause(const std::string& host, int ms);

  /// Forgets every waiting token, every slot and every host (cancellation).
  void clear();

  /// Removes and returns every waiting token (not started), in no particular order. Started
  /// tokens keep their slots, hosts keep their delays.
  std::vector<Token> take_waiting();

  std::size_t waiting() const { return waiting_; }  ///< pushed, not started
  std::size_t started() const { return started_; }  ///< started, not finished
  std::size_t hosts() const { return hosts_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Where { kNone, kRing, kTimed, kResting };
  struct Host {
    std::deque<Token> waiting;
    int started = 0;
    int delay_ms = 0;
    Clock::time_point next_start{};  ///< earliest start allowed for the next request
    Where where = Where::kNone;
    std::multimap<Clock::time_point, std::string>::iterator timed;  ///< in timed_ or resting_
  };

  void place(const std::string& key, Host& host);
  /// Takes `host` out of timed_ or resting_ (it is then placed afresh).
  void unschedule(Host& host);
  /// Removes the idle hosts whose delay has run out.
  void forget_rested();
  void pump();
  void arm_timer();
  void on_timer();

  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_{};
  Limits limits_;
  StartHandler start_;
  std::unordered_map<std::string, Host> hosts_;
  std::deque<std::string> ring_;                         ///< hosts that may start now
  std::multimap<Clock::time_point, std::string> timed_;  ///< hosts waiting for their delay
  std::multimap<Clock::time_point, std::string> resting_;  ///< idle hosts, delay not yet run out
  std::size_t waiting_ = 0;
  std::size_t started_ = 0;
  bool pumping_ = false;
  bool repump_ = false;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace crawler
