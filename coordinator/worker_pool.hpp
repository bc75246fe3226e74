#pragma once
/// The coordinator's side of the worker protocol: a TaskSink whose fetches run in worker
/// processes connected over ZeroMQ (ROUTER here, DEALER there). See proto/crawler.proto.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/metrics.hpp"
#include "common/fetch_options.hpp"
#include "common/task_sink.hpp"
#include "coordinator/task_ledger.hpp"
#include "coordinator/worker_authenticator.hpp"
#include "coordinator/worker_pool_options.hpp"
#include "proto/wire_codec.hpp"
#include "proto/zmq_socket_watch.hpp"

namespace crawler {

/// Dispatches tasks to the workers that join, and reports each task's record exactly once.
///
/// - Sharding: a task goes to the live worker that owns its host by rendezvous hashing over the
///   live workers' ids, so a join or a leave moves only the hosts concerned. A host is in flight
///   on one worker at a time: a task whose host still has tasks in flight on another worker
///   (just after a join or a drain) waits until they are answered, so politeness stays local.
/// - Flow control: a worker grants credit (cumulative); nothing is sent beyond it. Tasks beyond
///   the credit wait in that worker's pending queue, which the crawl bounds (it keeps at most
///   max_outstanding tasks in the pool). With no live worker, tasks wait (logged once).
/// - Loss: a worker silent past its liveness deadline, or to which a send fails (ROUTER_MANDATORY:
///   EHOSTUNREACH), is lost: its sent and pending tasks go, at the front, to the remaining
///   workers. A task lost with `max_losses` workers fails (FetchError::kOther): a poison page
///   cannot crash workers forever. A task unanswered after the task deadline is sent again
///   (to the same worker if it still owns the host: it ignores a task it already holds).
/// - The first result for a task wins; a later one (duplicate dispatch) or one for an unknown
///   task is dropped and counted.
/// - Bounds: at most send_hwm messages queued per worker (ZMQ_SNDHWM; with credits the queue
///   stays far below it); at the bound a send would block, so it is not made and the tasks
///   stay pending until the next heartbeat tick or credit. Received frames over max_frame_bytes
///   are refused and counted; over 4 x max_frame_bytes ZeroMQ drops the connection
///   (ZMQ_MAXMSGSIZE).
/// - Bad frames (unparsable, oversized, other protocol version, wrong framing, unexpected
///   message) are logged and counted, never fatal.
/// - A message other than Hello from a connection with no registration (this coordinator was
///   restarted, or lost that worker) is answered at once with Rejoin, so the worker says Hello
///   again instead of waiting out its liveness period. Its result, if it was one, still counts.
/// - With options.curve, the socket is a CURVE server: traffic is encrypted and only workers
///   with an authorized key get through the handshake (WorkerAuthenticator counts the others).
///
/// Single-threaded: call only from the io_context's thread; callbacks run there too.
class WorkerPool : public TaskSink {
 public:
  /// Binds a ROUTER socket to options.listen (a CURVE server with options.curve). Throws
  /// std::runtime_error naming the endpoint when it cannot, or when it is malformed (see
  /// zmq_endpoint_problem: a tcp port outside 1..65535 or `*`). `fetch` holds the crawl-wide
  /// settings sent to every worker in its Welcome.
  WorkerPool(boost::asio::io_context& io, WorkerPoolOptions options, FetchOptions fetch);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// The bound endpoint, e.g. "tcp://127.0.0.1:41234" (the real port when listen used '*').
  const std::string& endpoint() const { return endpoint_; }

  void submit(FetchTask task, Callback done) override;
  std::size_t outstanding() const override { return ledger_.size(); }
  /// Tasks sent to a worker and not yet answered.
  std::size_t in_flight() const override { return ledger_.sent(); }
  /// Reports every outstanding task as kCancelled now. Workers may still send their results:
  /// those are dropped as unknown.
  void cancel_all() override;

  /// For a graceful stop while workers drain: reports every task not yet sent as kCancelled
  /// (later submits too), and keeps waiting for the results of tasks already sent.
  void stop_dispatching();
  /// The crawl's first signal (Crawl::stop): stop_dispatching().
  void cancel_waiting() override { stop_dispatching(); }

  /// The crawl is over: cancels what is left, sends Shutdown to every worker, then closes the
  /// socket (its queued messages get up to 1 s, at destruction). Afterwards the pool holds no
  /// work on the io_context. Idempotent.
  void shutdown();

  /// What happened, for tests and the summary.
  struct Counters {
    std::uint64_t joined = 0;  ///< Hellos accepted
    std::uint64_t lost = 0;    ///< workers declared lost (silence, failed send, replaced)
    std::uint64_t left = 0;    ///< workers that said goodbye after a drain
    std::uint64_t resent_after_loss = 0;  ///< sent tasks given to another worker after a loss
    std::uint64_t resent_after_deadline = 0;
    std::uint64_t failed_after_losses = 0;  ///< tasks failed after max_losses losses
    std::uint64_t dropped_results = 0;      ///< duplicate or unknown results
    std::uint64_t asked_to_rejoin = 0;      ///< Rejoin sent to a connection with no registration
  };
  const Counters& counters() const { return counters_; }
  const RefusedFrames& refused_frames() const { return refused_; }
  /// Refused and accepted connections; null without CURVE.
  const WorkerAuthenticator* authenticator() const { return authenticator_.get(); }
  /// Workers registered and not draining.
  std::size_t live_workers() const { return ledger_.live_workers(); }
  /// Summary lines ("workers ...", "wire ...", with CURVE "auth ..."), each ending with a newline.
  std::string summary() const;
  /// Adds the pool's gauges and counters (workers, credit, tasks sent, results dropped, frames
  /// refused; with CURVE, worker connections by outcome) to `metrics`; they read this pool, which must outlive the registry's last render.
  void add_metrics(MetricsRegistry& metrics) const;

 private:
  using Clock = std::chrono::steady_clock;

  /// The protocol state of one registered worker (its tasks are in the ledger).
  struct Peer {
    std::string id;  ///< Hello.worker_id
    std::uint32_t capacity = 0;
    std::uint64_t sent_seq = 0;      ///< tasks sent on this registration
    std::uint64_t credit_up_to = 0;  ///< may send while sent_seq < credit_up_to
    Clock::time_point last_seen;
    Clock::duration liveness{};
    bool draining = false;
  };
  enum class SendStatus { kSent, kWouldBlock, kUnreachable };

  void on_socket_ready();
  void on_frame(const std::string& identity, const zmq::message_t& payload);
  void on_hello(const std::string& identity, const wire::Hello& hello);
  void on_result(const std::string& identity, const wire::PageResult& result);
  void on_tick();
  void open_gate();

  SendStatus send_to(const std::string& identity, wire::Envelope& envelope);
  void dispatch(const std::string& identity);
  void dispatch_to(const std::vector<std::string>& identities);
  /// Queues tasks on their owners (at the front when `front`) and dispatches; cancels them
  /// after stop_dispatching().
  void assign(const std::vector<std::uint64_t>& ids, bool front);
  void lose_worker(const std::string& identity, const std::string& reason, bool counts_as_loss);
  /// Tells a connection with no registration to say Hello again (wire::Rejoin); best effort.
  void ask_to_rejoin(const std::string& identity);
  /// A send found no connection to `identity`. Its last messages (results, Goodbye) may still
  /// wait in the socket: it is lost only once they are read (lose_unreachable), so a worker
  /// that left is not taken for a lost one. Nothing more is sent to it meanwhile.
  void mark_unreachable(const std::string& identity);
  void lose_unreachable();
  void log_waiting();

  boost::asio::io_context& io_;
  WorkerPoolOptions options_;
  FetchOptions fetch_;
  Clock::duration task_deadline_{};
  zmq::context_t context_;
  /// Before socket_: it must be bound before the socket and outlive it (see its header).
  std::unique_ptr<WorkerAuthenticator> authenticator_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::unique_ptr<ZmqSocketWatch> watch_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer gate_timer_;

  TaskLedger ledger_;
  std::map<std::string, Peer> peers_;  ///< by routing id
  std::set<std::string> unreachable_;  ///< peers a send could not reach, lost once drained
  bool gate_open_ = false;             ///< min_workers joined, or waited long enough
  bool stopped_ = false;               ///< stop_dispatching() was called
  bool closed_ = false;                ///< shutdown() was called
  bool waiting_logged_ = false;        ///< "no live worker" logged since the last worker was seen
  Counters counters_;
  RefusedFrames refused_;
};

}  // namespace crawler
