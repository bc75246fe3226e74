#pragma once
/// `crawl-worker`: the worker's side of the protocol (proto/crawler.proto). Connects a DEALER to
/// the coordinator, runs the tasks it is sent on a CrawlEngine, and sends back their results.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>
#include <zmq.hpp>

#include "common/fetch_options.hpp"
#include "common/task_sink.hpp"
#include "proto/curve_keys.hpp"
#include "proto/wire_codec.hpp"
#include "proto/zmq_handshake_monitor.hpp"
#include "worker/worker_client_options.hpp"
#include "proto/zmq_socket_watch.hpp"

namespace crawler {

/// One worker's connection to the coordinator, on one io_context thread.
///
/// Lifecycle: start() connects and says Hello; the Welcome creates the engine with the merged
/// settings; credit is granted as capacity frees; each task runs on the engine and its result
/// goes back. If the coordinator is silent past the deadline (or sends no Welcome), the worker
/// connects afresh (new socket, new routing id, new Hello) and abandons the tasks it held: the
/// coordinator sends them again. So does a Rejoin from the coordinator (it has no registration
/// for this connection: it was restarted, or lost this worker), at once; while draining, a
/// Rejoin ends the worker (exit 1 with tasks in hand). Shutdown from the coordinator: exit 0.
/// SIGTERM/SIGINT: stop granting credit (Drain), finish the tasks held, send their results, say
/// goodbye, exit 0.
///
/// Bounds: the worker holds at most capacity() tasks, counting results not yet handed to
/// ZeroMQ, and grants credit only for free slots; so its result queue is bounded by capacity()
/// and, when ZeroMQ's queue (send_hwm) is full, the worker simply stops granting credit until
/// it drains (back-pressure, nothing dropped). Tasks sent beyond the granted credit and frames
/// over max_frame_bytes are refused and counted. Heartbeats and credits that meet a full queue
/// are dropped: the next tick repeats them.
class WorkerClient {
 public:
  using EngineFactory =
      std::function<std::unique_ptr<TaskSink>(boost::asio::io_context&, const FetchOptions&)>;

  /// `make_engine` defaults to CrawlEngine::create. `on_exit` runs once when the worker is done
  /// (main stops the io_context with it, whatever work the engine still holds).
  WorkerClient(boost::asio::io_context& io, WorkerClientOptions options,
               EngineFactory make_engine = nullptr, std::function<void()> on_exit = nullptr);
  ~WorkerClient();
  WorkerClient(const WorkerClient&) = delete;
  WorkerClient& operator=(const WorkerClient&) = delete;

  /// Reads the CURVE key files (when given), connects and says Hello. Throws
  /// std::runtime_error on a malformed endpoint, or naming a key file that is unreadable or
  /// holds no valid key.
  void start();
  /// As on SIGTERM: stop asking for work, finish what is held, then exit.
  void drain();
  /// 0 after Shutdown or a completed drain; 1 when stopped with tasks in hand; 2 on a bad Welcome.
  int exit_code() const { return exit_code_; }
  bool done() const { return state_ == State::kDone; }

  struct Counters {
    std::uint64_t tasks = 0;            ///< tasks run
    std::uint64_t results = 0;          ///< results handed to ZeroMQ
    std::uint64_t duplicate_tasks = 0;  ///< tasks already held (sent again by the coordinator)
    std::uint64_t over_credit = 0;      ///< tasks beyond the granted credit, refused
    std::uint64_t reconnects = 0;
    std::uint64_t rejoins = 0;            ///< reconnects because the coordinator said Rejoin
    std::uint64_t truncated_results = 0;  ///< results whose links were cut to fit the frame cap
    std::uint64_t failed_handshakes = 0;  ///< e.g. CURVE keys the coordinator refused
  };
  const Counters& counters() const { return counters_; }
  const RefusedFrames& refused_frames() const { return refused_; }

 private:
  enum class State { kIdle, kConnecting, kWorking, kDraining, kDone };
  using Clock = std::chrono::steady_clock;

  void open_socket();
  void close_socket();
  void reconnect(const std::string& why);
  void finish(int code, int linger_ms);

  void on_socket_ready();
  void on_handshake_failed(const ZmqHandshakeMonitor::Failure& failure);
  void on_frame(const zmq::message_t& frame);
  void on_welcome(const wire::Welcome& welcome);
  void on_rejoin();
  void on_tasks(const wire::TaskBatch& batch);
  void on_record(std::uint64_t generation, std::uint64_t task_id, PageRecord record);
  void on_tick();
  void wait_signal();

  /// Sends now or reports false (queue full); never blocks.
  bool try_send(const std::string& frame);
  /// Sends a control message (Hello, Credit, Heartbeat, Drain, goodbye); dropped when the queue
  /// is full (each is repeated or repaired later).
  void send_control(wire::Envelope& envelope);
  void flush();
  void schedule_flush();
  void grant_credit();
  void finish_drain_if_idle();

  boost::asio::io_context& io_;
  WorkerClientOptions options_;
  EngineFactory make_engine_;
  std::function<void()> on_exit_;
  std::size_t capacity_;

  zmq::context_t context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<ZmqSocketWatch> watch_;
  std::unique_ptr<ZmqHandshakeMonitor> handshake_monitor_;  ///< logs refusals by the coordinator
  boost::asio::steady_timer tick_;
  boost::asio::signal_set signals_;

  std::unique_ptr<TaskSink> engine_;
  std::string
      engine_settings_;  ///< the crawl-wide settings engine_ runs with (a serialised Welcome)
  std::vector<std::unique_ptr<TaskSink>>
      retired_engines_;  ///< replaced after a re-Welcome; kept to exit

  State state_ = State::kIdle;
  std::uint64_t generation_ = 0;  ///< one per connection; results of an older one are dropped
  std::uint64_t received_seq_ = 0;
  std::uint64_t granted_up_to_ = 0;
  std::unordered_set<std::uint64_t> held_;  ///< task ids in the engine
  std::deque<std::string> outbox_;          ///< encoded results not yet accepted by ZeroMQ
  bool flush_posted_ = false;
  Clock::time_point connected_at_;
  Clock::time_point last_heard_;
  int coordinator_heartbeat_ms_ = 0;
  std::size_t coordinator_max_frame_ = kDefaultMaxFrameBytes;
  int exit_code_ = 0;
  Counters counters_;
  RefusedFrames refused_;
  std::shared_ptr<WorkerClient*> self_;  ///< posted handlers hold a weak_ptr to it
};

}  // namespace crawler
