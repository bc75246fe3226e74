#include "coordinator/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <zmq_addon.hpp>

#include "common/url.hpp"
#include "proto/zmq_endpoint.hpp"

namespace crawler {
namespace {

constexpr std::size_t kMaxBatchTasks = 256;
constexpr std::size_t kMaxBatchBytes = std::size_t{1} << 20;
constexpr int kMaxMessagesPerRound = 256;  // then yield to other handlers (fairness)
constexpr int kShutdownLingerMs = 1000;
constexpr std::size_t kMaxWorkerIdBytes = 200;
constexpr std::uint32_t kMaxCapacity = 1'000'000;

/// A routing id for logs: our workers use text; ZeroMQ's generated ids are binary.
std::string printable(std::string_view id) {
  const bool text = !id.empty() &&
                    std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (text) return std::string(id);
  std::string out = "0x";
  char buf[3];
  for (unsigned char c : id) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

PageRecord record_for(const FetchTask& task, FetchError error, std::string detail) {
  PageRecord r;
  r.task_id = task.id;
  r.url = task.url;
  r.depth = task.depth;
  r.error = error;
  r.error_detail = std::move(detail);
  return r;
}

}  // namespace

WorkerPool::WorkerPool(boost::asio::io_context& io, WorkerPoolOptions options, FetchOptions fetch)
    : io_(io),
      options_(std::move(options)),
      fetch_(std::move(fetch)),
      context_(1),
      socket_(context_, zmq::socket_type::router),
      tick_(io),
      gate_timer_(io) {
  task_deadline_ = std::chrono::milliseconds(options_.task_deadline_ms > 0
                                                 ? options_.task_deadline_ms
                                                 : options_.auto_task_deadline_ms(fetch_));
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::router_mandatory, true);
  // A worker whose connection dropped and came back (same routing id) takes its place again.
  socket_.set(zmq::sockopt::router_handover, true);
  socket_.set(zmq::sockopt::sndhwm, options_.send_hwm);
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_frame_bytes) * 4);
  socket_.set(zmq::sockopt::heartbeat_ivl, options_.heartbeat_ms);
  socket_.set(zmq::sockopt::heartbeat_timeout, options_.liveness_ms);
  socket_.set(zmq::sockopt::heartbeat_ttl, std::min(options_.liveness_ms, 6'553'500));
  if (options_.curve) {
    authenticator_ = std::make_unique<WorkerAuthenticator>(io_, context_, *options_.curve);
    authenticator_->secure(socket_);
  }
  if (const std::string problem = zmq_endpoint_problem(options_.listen, EndpointUse::kBind);
      !problem.empty()) {
    throw std::runtime_error("cannot listen on " + problem);
  }
  try {
    socket_.bind(options_.listen);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + options_.listen + ": " + e.what());
  }
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  watch_ = std::make_unique<ZmqSocketWatch>(io_, socket_, [this] { on_socket_ready(); });
  watch_->start();

  gate_open_ = options_.min_workers <= 1;
  if (!gate_open_) {
    gate_timer_.expires_after(std::chrono::milliseconds(options_.min_workers_wait_ms));
    gate_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || gate_open_) return;
      spdlog::warn("only {} of {} workers joined after {} ms: starting with them",
                   ledger_.live_workers(), options_.min_workers, options_.min_workers_wait_ms);
      open_gate();
    });
  }
  tick_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

WorkerPool::~WorkerPool() {
  watch_.reset();
  if (socket_) socket_.close();
  authenticator_.reset();  // after the socket: no handshake may find the ZAP handler gone
}

// ---- TaskSink ----

void WorkerPool::submit(FetchTask task, Callback done) {
  if (closed_ || stopped_ || ledger_.find(task.id) != nullptr) {
    const char* why =
        ledger_.find(task.id) != nullptr ? "duplicate task id" : "the pool has stopped";
    boost::asio::post(io_, [record = record_for(task, FetchError::kCancelled, why),
                            done = std::move(done)]() mutable { done(std::move(record)); });
    return;
  }
  const std::uint64_t id = task.id;
  std::string host = host_key(task.url);
  ledger_.add(std::move(task), std::move(done), std::move(host));
  assign({id}, false);
}

void WorkerPool::cancel_all() {
  for (auto& entry : ledger_.take_all()) {
    entry.done(record_for(entry.task, FetchError::kCancelled, "crawl aborted"));
  }
}

void WorkerPool::stop_dispatching() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& entry : ledger_.take_unsent()) {
    entry.done(record_for(entry.task, FetchError::kCancelled, "not sent before the stop"));
  }
}

void WorkerPool::shutdown() {
  if (closed_) return;
  if (ledger_.size() != 0) cancel_all();
  for (const auto& [identity, peer] : peers_) {
    wire::Envelope envelope;
    envelope.mutable_shutdown();
    send_to(identity, envelope);  // best effort: a worker that misses it stops on silence
  }
  closed_ = true;
  spdlog::info("sent Shutdown to {} workers", peers_.size());
  tick_.cancel();
  gate_timer_.cancel();
  watch_.reset();
  socket_.set(zmq::sockopt::linger, kShutdownLingerMs);
  socket_.close();
  if (authenticator_) authenticator_->stop();  // its counters stay for the summary
}

std::string WorkerPool::summary() const {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "workers     %llu joined, %llu lost, %llu left; tasks re-sent: %llu after a loss, %llu after "
      "the deadline; %llu failed after %d losses; %llu unregistered asked to rejoin\n"
      "wire        %llu duplicate or unknown results dropped; frames refused: %s\n",
      static_cast<unsigned long long>(counters_.joined),
      static_cast<unsigned long long>(counters_.lost),
      static_cast<unsigned long long>(counters_.left),
      static_cast<unsigned long long>(counters_.resent_after_loss),
      static_cast<unsigned long long>(counters_.resent_after_deadline),
      static_cast<unsigned long long>(counters_.failed_after_losses), options_.max_losses,
      static_cast<unsigned long long>(counters_.asked_to_rejoin),
      static_cast<unsigned long long>(counters_.dropped_results), refused_.summary().c_str());
  return authenticator_ ? buf + authenticator_->summary() : std::string(buf);
}

// ---- receiving ----

void WorkerPool::on_socket_ready() {
  bool drained = false;
  for (int i = 0; i < kMaxMessagesPerRound && !closed_; ++i) {
    if ((socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) == 0) {
      drained = true;
      break;
    }
    zmq::message_t identity;
    if (!socket_.recv(identity, zmq::recv_flags::dontwait)) {
      drained = true;
      break;
    }
    // A ROUTER message is [routing id, payload]; anything else is drained and refused.
    zmq::message_t payload;
    int frames = 1;
    bool more = identity.more();
    while (more) {
      zmq::message_t part;
      if (!socket_.recv(part, zmq::recv_flags::dontwait)) break;  // parts arrive together
      more = part.more();
      if (++frames == 2) payload = std::move(part);
    }
    const std::string id = identity.to_string();
    if (frames != 2) {
      refused_.count(FrameError::kBadFraming);
      spdlog::warn("refused a message from {}: {} frames instead of 1", printable(id), frames - 1);
      continue;
    }
    on_frame(id, payload);
  }
  if (closed_) return;
  if (drained) {
    lose_unreachable();
  } else if (watch_) {
    watch_->kick();  // more may be queued: carry on from a fresh handler, after others had their turn
  }
}

void WorkerPool::mark_unreachable(const std::string& identity) {
  unreachable_.insert(identity);
  if (watch_) watch_->kick();
}

void WorkerPool::lose_unreachable() {
  // Everything they sent before their connection went has been read by now: one that said
  // Goodbye has left (and is no longer a peer); the others are lost.
  const std::set<std::string> gone = std::move(unreachable_);
  unreachable_.clear();
  for (const auto& identity : gone) lose_worker(identity, "unreachable", true);
}

void WorkerPool::add_metrics(MetricsRegistry& metrics) const {
  metrics.gauge_fn("crawler_workers", "workers registered and taking tasks",
                   [this] { return static_cast<double>(ledger_.live_workers()); });
  metrics.gauge_fn("crawler_worker_credit", "tasks the workers have asked for and not yet been sent",
                   [this] {
                     std::uint64_t credit = 0;
                     for (const auto& [identity, peer] : peers_) {
                       if (peer.credit_up_to > peer.sent_seq) credit += peer.credit_up_to - peer.sent_seq;
                     }
                     return static_cast<double>(credit);
                   });
  metrics.gauge_fn("crawler_tasks_sent", "tasks sent to workers and not yet answered",
                   [this] { return static_cast<double>(ledger_.sent()); });
  metrics.counter_fn("crawler_workers_joined_total", "workers registered (Hello accepted)",
                     [this] { return static_cast<double>(counters_.joined); });
  metrics.counter_fn("crawler_workers_lost_total", "workers lost (silent, unreachable or replaced)",
                     [this] { return static_cast<double>(counters_.lost); });
  metrics.counter_fn("crawler_results_dropped_total", "duplicate, unknown or mismatched results dropped",
                     [this] { return static_cast<double>(counters_.dropped_results); });
  metrics.counter_fn("crawler_frames_refused_total", "frames refused (too large, unparsable, bad version, unexpected)",
                     [this] { return static_cast<double>(refused_.total()); });
  if (const WorkerAuthenticator* auth = authenticator_.get()) {
    const auto outcome = [&](const char* name, std::uint64_t WorkerAuthenticator::Counters::*n) {
      metrics.counter_fn(
          "crawler_worker_connections_total",
          "worker connections by CURVE outcome: accepted, unauthorized_key, failed_handshake",
          [auth, n] { return static_cast<double>(auth->counters().*n); }, {{"outcome", name}});
    };
    outcome("accepted", &WorkerAuthenticator::Counters::accepted);
    outcome("unauthorized_key", &WorkerAuthenticator::Counters::refused_key);
    outcome("failed_handshake", &WorkerAuthenticator::Counters::failed_handshakes);
  }
}

void WorkerPool::on_frame(const std::string& identity, const zmq::message_t& payload) {
  wire::Envelope envelope;
  const FrameError error = decode_frame(std::string_view(payload.data<char>(), payload.size()),
                                        options_.max_frame_bytes, envelope);
  if (error != FrameError::kNone) {
    refused_.count(error);
    // Bounded logging: a flood of garbage must not become a flood of log lines.
    if (refused_.total() <= 20 || refused_.total() % 1000 == 0) {
      spdlog::warn("refused a frame of {} bytes from {}: {} ({} refused so far)", payload.size(),
                   printable(identity), to_string(error), refused_.total());
    }
    return;
  }
  const auto it = peers_.find(identity);
  if (it != peers_.end()) it->second.last_seen = Clock::now();
  switch (envelope.body_case()) {
    case wire::Envelope::kHello:
      on_hello(identity, envelope.hello());
      return;
    case wire::Envelope::kResult: {
      // Accepted from anyone: a worker declared lost may still deliver useful work.
      const bool registered = it != peers_.end();
      on_result(identity, envelope.result());
      if (!registered) ask_to_rejoin(identity);
      return;
    }
    default:
      break;
  }
  if (it == peers_.end()) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused a message from unregistered {}: asking it to say Hello again",
                 printable(identity));
    ask_to_rejoin(identity);
    return;
  }
  Peer& peer = it->second;
  const auto grant = [&](std::uint64_t up_to) {
    // A worker never holds more than its capacity: clamp a claim beyond that.
    up_to = std::min(up_to, peer.sent_seq + peer.capacity);
    if (up_to > peer.credit_up_to) {
      peer.credit_up_to = up_to;
      dispatch(identity);
    }
  };
  switch (envelope.body_case()) {
    case wire::Envelope::kCredit:
      grant(envelope.credit().up_to());
      return;
    case wire::Envelope::kHeartbeat:
      grant(envelope.heartbeat().credit_up_to());
      return;
    case wire::Envelope::kDrain:
      if (peer.draining) return;
      spdlog::info("worker {} drains ({} tasks in flight)", peer.id, ledger_.sent_to(identity));
      peer.draining = true;
      assign(ledger_.drain_worker(identity), true);
      return;
    case wire::Envelope::kShutdown:
      ++counters_.left;
      lose_worker(identity, "left", false);
      return;
    default:
      refused_.count(FrameError::kUnexpected);
      spdlog::warn("refused a coordinator-bound message of the wrong kind from {}", peer.id);
      return;
  }
}

void WorkerPool::on_hello(const std::string& identity, const wire::Hello& hello) {
  unreachable_.erase(identity);  // it speaks again: the connection is back
  if (hello.worker_id().empty() || hello.worker_id().size() > kMaxWorkerIdBytes ||
      hello.capacity() == 0 || hello.capacity() > kMaxCapacity) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused a Hello from {}: bad worker_id or capacity", printable(identity));
    return;
  }
  if (peers_.count(identity) != 0) lose_worker(identity, "said Hello again", true);
  // One live registration per worker id: a new one means the old connection is dead to it.
  std::string previous;
  for (const auto& [other, peer] : peers_) {
    if (peer.id == hello.worker_id()) previous = other;
  }
  if (!previous.empty()) lose_worker(previous, "replaced by a new registration", true);

  wire::Envelope envelope;
  auto* welcome = envelope.mutable_welcome();
  to_wire(fetch_, *welcome);
  welcome->set_heartbeat_ms(static_cast<std::uint32_t>(options_.heartbeat_ms));
  welcome->set_max_frame_bytes(options_.max_frame_bytes);
  if (send_to(identity, envelope) != SendStatus::kSent) {
    spdlog::warn("could not welcome worker {}", hello.worker_id());
    return;
  }
  Peer peer;
  peer.id = hello.worker_id();
  peer.capacity = hello.capacity();
  peer.last_seen = Clock::now();
  peer.liveness = std::max<Clock::duration>(std::chrono::milliseconds(options_.liveness_ms),
                                            std::chrono::milliseconds(hello.heartbeat_ms()) * 5);
  peers_.emplace(identity, std::move(peer));
  ledger_.add_worker(identity, hello.worker_id());
  waiting_logged_ = false;
  ++counters_.joined;
  spdlog::info("worker {} joined (pid {} on {}, capacity {})", hello.worker_id(), hello.pid(),
               hello.hostname(), hello.capacity());
  // Reshard before opening the gate: nothing may go out under the old sharding.
  dispatch_to(ledger_.reshard());
  if (!gate_open_ && ledger_.live_workers() >= static_cast<std::size_t>(options_.min_workers)) {
    open_gate();
  }
}

void WorkerPool::on_result(const std::string& identity, const wire::PageResult& result) {
  // A task id names a task of this coordinator process only: a worker that still holds work of
  // a coordinator that was killed and restarted (--resume) may report an id that now means
  // another URL. The URL the worker echoes must be the one asked for.
  const TaskLedger::Entry* asked = ledger_.find(result.task_id());
  if (asked != nullptr && asked->task.url != result.url()) {
    ++counters_.dropped_results;
    spdlog::info("dropped a result for task {} from {}: it is for {}, the task is {}", result.task_id(),
                 printable(identity), result.url(), asked->task.url);
    return;
  }
  auto entry = ledger_.take(result.task_id());
  if (!entry) {
    ++counters_.dropped_results;
    spdlog::debug("dropped a result for task {} from {}: already reported or unknown",
                  result.task_id(), printable(identity));
    return;
  }
  PageRecord record = from_wire(result);
  // The coordinator's own copy of what was asked is authoritative.
  record.task_id = entry->task.id;
  record.url = entry->task.url;
  record.depth = entry->task.depth;
  entry->done(std::move(record));

  // A host that just went idle may unblock the worker that owns it now (after a join or drain).
  if (entry->sent && ledger_.host_idle(entry->host)) {
    const auto owner = ledger_.owner(entry->host);
    if (owner && *owner != entry->worker) dispatch(*owner);
  }
}

// ---- sending ----

void WorkerPool::ask_to_rejoin(const std::string& identity) {
  if (closed_) return;
  wire::Envelope envelope;
  envelope.mutable_rejoin();
  // Best effort: a peer that has gone cannot be reached, and one that missed it asks again
  // with its next message (a heartbeat at the latest).
  if (send_to(identity, envelope) == SendStatus::kSent) ++counters_.asked_to_rejoin;
}

WorkerPool::SendStatus WorkerPool::send_to(const std::string& identity, wire::Envelope& envelope) {
  const std::string bytes = encode_frame(envelope);
  const std::array<zmq::const_buffer, 2> parts = {zmq::buffer(identity), zmq::buffer(bytes)};
  try {
    const auto sent = zmq::send_multipart(socket_, parts, zmq::send_flags::dontwait);
    if (watch_) watch_->kick();  // a send may consume the fd's edge: look at ZMQ_EVENTS again
    return sent ? SendStatus::kSent : SendStatus::kWouldBlock;
  } catch (const zmq::error_t& e) {
    if (watch_) watch_->kick();
    if (e.num() == EHOSTUNREACH) return SendStatus::kUnreachable;
    throw;
  }
}

void WorkerPool::dispatch(const std::string& identity) {
  if (closed_ || stopped_ || !gate_open_) return;
  const auto it = peers_.find(identity);
  if (it == peers_.end() || it->second.draining || unreachable_.count(identity) != 0) return;
  Peer& peer = it->second;
  const std::size_t batch_bytes = std::min(kMaxBatchBytes, options_.max_frame_bytes / 2);
  while (peer.sent_seq < peer.credit_up_to) {
    const auto room = static_cast<std::size_t>(
        std::min<std::uint64_t>(peer.credit_up_to - peer.sent_seq, kMaxBatchTasks));
    const std::vector<std::uint64_t> batch = ledger_.next_batch(identity, room, batch_bytes);
    if (batch.empty()) return;
    wire::Envelope envelope;
    auto* tasks = envelope.mutable_tasks();
    tasks->set_first_seq(peer.sent_seq);
    for (const auto id : batch) to_wire(ledger_.find(id)->task, *tasks->add_tasks());
    switch (send_to(identity, envelope)) {
      case SendStatus::kSent:
        ledger_.mark_sent(identity, batch, Clock::now());
        peer.sent_seq += batch.size();
        break;
      case SendStatus::kWouldBlock:
        // At the send high-water mark: keep the tasks; the next tick or credit tries again.
        ledger_.put_back(identity, batch);
        return;
      case SendStatus::kUnreachable:
        ledger_.put_back(identity, batch);
        mark_unreachable(identity);
        return;
    }
  }
}

void WorkerPool::dispatch_to(const std::vector<std::string>& identities) {
  for (const auto& identity : identities) dispatch(identity);
}

void WorkerPool::assign(const std::vector<std::uint64_t>& ids, bool front) {
  if (ids.empty()) return;
  if (stopped_) {
    for (const auto id : ids) {
      if (auto entry = ledger_.take(id)) {
        entry->done(record_for(entry->task, FetchError::kCancelled, "not sent before the stop"));
      }
    }
    return;
  }
  dispatch_to(ledger_.assign(ids, front));
  if (ledger_.live_workers() == 0) log_waiting();
}

void WorkerPool::log_waiting() {
  if (waiting_logged_) return;
  waiting_logged_ = true;
  // Expected before the first worker joins; worth a warning once workers were lost.
  if (counters_.joined == 0) {
    spdlog::info("waiting for a worker to join");
  } else {
    spdlog::warn("no live worker: tasks wait for one to join");
  }
}

// ---- membership and time ----

void WorkerPool::lose_worker(const std::string& identity, const std::string& reason,
                             bool counts_as_loss) {
  const auto it = peers_.find(identity);
  if (it == peers_.end()) return;
  const std::string name = it->second.id;
  peers_.erase(it);
  const TaskLedger::Removed removed = ledger_.remove_worker(identity);
  if (counts_as_loss) {
    ++counters_.lost;
    spdlog::warn("worker {} lost ({}): {} tasks in flight go to the others", name, reason,
                 removed.sent.size());
  } else {
    spdlog::info("worker {} {}", name, reason);
  }
  std::vector<std::uint64_t> requeue;
  std::vector<std::uint64_t> failed;
  for (const auto id : removed.sent) {
    if (counts_as_loss && ledger_.count_loss(id) >= options_.max_losses) {
      failed.push_back(id);
      continue;
    }
    if (counts_as_loss) ++counters_.resent_after_loss;
    requeue.push_back(id);
  }
  requeue.insert(requeue.end(), removed.queued.begin(), removed.queued.end());
  assign(requeue, true);
  for (const auto id : failed) {
    auto entry = ledger_.take(id);
    if (!entry) continue;
    ++counters_.failed_after_losses;
    PageRecord record =
        record_for(entry->task, FetchError::kOther,
                   "no result: " + std::to_string(entry->losses) + " workers were lost running it");
    record.attempts = static_cast<std::uint32_t>(entry->losses);
    entry->done(std::move(record));
  }
}

void WorkerPool::open_gate() {
  gate_open_ = true;
  gate_timer_.cancel();
  std::vector<std::string> identities;
  for (const auto& [identity, peer] : peers_) identities.push_back(identity);
  dispatch_to(identities);
}

void WorkerPool::on_tick() {
  if (closed_) return;
  const auto now = Clock::now();
  std::vector<std::string> silent;
  for (const auto& [identity, peer] : peers_) {
    if (now - peer.last_seen > peer.liveness) silent.push_back(identity);
  }
  for (const auto& identity : silent) {
    const auto it = peers_.find(identity);
    if (it == peers_.end()) continue;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.last_seen).count();
    lose_worker(identity, "silent for " + std::to_string(ms) + " ms", true);
  }
  std::vector<std::string> identities;
  for (const auto& [identity, peer] : peers_) identities.push_back(identity);
  for (const auto& identity : identities) {
    if (peers_.count(identity) == 0) continue;
    wire::Envelope envelope;
    envelope.mutable_heartbeat();
    if (send_to(identity, envelope) == SendStatus::kUnreachable) mark_unreachable(identity);
  }
  const std::vector<std::uint64_t> late = ledger_.sent_before(now - task_deadline_);
  if (!late.empty()) {
    spdlog::warn("{} tasks without a result after {} ms: sending them again", late.size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(task_deadline_).count());
    for (const auto id : late) ledger_.unsend(id);
    counters_.resent_after_deadline += late.size();
    assign(late, true);
  }
  // Also retries sends that met the high-water mark.
  identities.clear();
  for (const auto& [identity, peer] : peers_) identities.push_back(identity);
  dispatch_to(identities);
  tick_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

}  // namespace crawler
