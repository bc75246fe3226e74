#include "coordinator/worker_pool.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "common/url.hpp"
#include "coordinator/rendezvous.hpp"

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
  const bool text = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
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
  task_deadline_ = std::chrono::milliseconds(options_.task_deadline_ms > 0 ? options_.task_deadline_ms
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
      spdlog::warn("only {} of {} workers joined after {} ms: starting with them", live_ids_.size(),
                   options_.min_workers, options_.min_workers_wait_ms);
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
}

// ---- TaskSink ----

void WorkerPool::submit(FetchTask task, Callback done) {
  if (closed_ || stopped_ || tasks_.count(task.id) != 0) {
    const char* why = tasks_.count(task.id) != 0 ? "duplicate task id" : "the pool has stopped";
    boost::asio::post(io_, [record = record_for(task, FetchError::kCancelled, why), done = std::move(done)]() mutable {
      done(std::move(record));
    });
    return;
  }
  const std::uint64_t id = task.id;
  Entry entry;
  entry.host = host_key(task.url);
  entry.task = std::move(task);
  entry.done = std::move(done);
  tasks_.emplace(id, std::move(entry));
  assign({id}, false);
}

void WorkerPool::cancel_all() {
  std::vector<std::uint64_t> ids;
  ids.reserve(tasks_.size());
  for (auto& [id, entry] : tasks_) {
    entry.sent = false;
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (auto& [identity, worker] : workers_) {
    worker.pending.clear();
    worker.in_flight.clear();
  }
  hosts_.clear();
  unassigned_.clear();
  sent_ = 0;
  for (const auto id : ids) {
    const auto it = tasks_.find(id);
    if (it != tasks_.end()) report(id, record_for(it->second.task, FetchError::kCancelled, "crawl aborted"));
  }
}

void WorkerPool::stop_dispatching() {
  if (stopped_) return;
  stopped_ = true;
  cancel_unsent();
}

void WorkerPool::cancel_unsent() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, entry] : tasks_) {
    if (!entry.sent) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (auto& [identity, worker] : workers_) worker.pending.clear();
  unassigned_.clear();
  for (const auto id : ids) {
    const auto it = tasks_.find(id);
    if (it != tasks_.end()) report(id, record_for(it->second.task, FetchError::kCancelled, "not sent before the stop"));
  }
}

void WorkerPool::shutdown() {
  if (closed_) return;
  if (!tasks_.empty()) cancel_all();
  for (const auto& [identity, worker] : workers_) {
    wire::Envelope envelope;
    envelope.mutable_shutdown();
    send_to(identity, envelope);  // best effort: a worker that misses it stops on silence
  }
  closed_ = true;
  spdlog::info("sent Shutdown to {} workers", workers_.size());
  tick_.cancel();
  gate_timer_.cancel();
  watch_.reset();
  socket_.set(zmq::sockopt::linger, kShutdownLingerMs);
  socket_.close();
}

std::string WorkerPool::summary() const {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "workers     %llu joined, %llu lost, %llu left; tasks re-sent: %llu after a loss, %llu after "
                "the deadline; %llu failed after %d losses\n"
                "wire        %llu duplicate or unknown results dropped; frames refused: %s\n",
                static_cast<unsigned long long>(counters_.joined), static_cast<unsigned long long>(counters_.lost),
                static_cast<unsigned long long>(counters_.left),
                static_cast<unsigned long long>(counters_.resent_after_loss),
                static_cast<unsigned long long>(counters_.resent_after_deadline),
                static_cast<unsigned long long>(counters_.failed_after_losses), options_.max_losses,
                static_cast<unsigned long long>(counters_.dropped_results), refused_.summary().c_str());
  return buf;
}

// ---- receiving ----

void WorkerPool::on_socket_ready() {
  for (int i = 0; i < kMaxMessagesPerRound; ++i) {
    if (closed_) return;
    if ((socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) == 0) return;
    zmq::message_t identity;
    if (!socket_.recv(identity, zmq::recv_flags::dontwait)) return;
    // A ROUTER message is [routing id, payload]; anything else is drained and refused.
    zmq::message_t payload;
    int frames = 1;
    bool more = identity.more();
    while (more) {
      zmq::message_t part;
      if (!socket_.recv(part, zmq::recv_flags::dontwait)) break;  // not possible: parts arrive together
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
  // More may be queued: carry on from a fresh handler, after others had their turn.
  if (!closed_ && watch_) watch_->kick();
}

void WorkerPool::on_frame(const std::string& identity, const zmq::message_t& payload) {
  wire::Envelope envelope;
  const FrameError error =
      decode_frame(std::string_view(payload.data<char>(), payload.size()), options_.max_frame_bytes, envelope);
  if (error != FrameError::kNone) {
    refused_.count(error);
    // Bounded logging: a flood of garbage must not become a flood of log lines.
    if (refused_.total() <= 20 || refused_.total() % 1000 == 0) {
      spdlog::warn("refused a frame of {} bytes from {}: {} ({} refused so far)", payload.size(), printable(identity),
                   to_string(error), refused_.total());
    }
    return;
  }
  const auto it = workers_.find(identity);
  if (it != workers_.end()) it->second.last_seen = Clock::now();
  switch (envelope.body_case()) {
    case wire::Envelope::kHello:
      on_hello(identity, envelope.hello());
      return;
    case wire::Envelope::kResult:
      // Accepted from anyone: a worker declared lost may still deliver useful work.
      on_result(identity, envelope.result());
      return;
    default:
      break;
  }
  if (it == workers_.end()) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused a message from unregistered {} (it must say Hello first)", printable(identity));
    return;
  }
  Worker& worker = it->second;
  const auto grant = [&](std::uint64_t up_to) {
    // A worker never holds more than its capacity: clamp a claim beyond that.
    up_to = std::min(up_to, worker.sent_seq + worker.capacity);
    if (up_to > worker.credit_up_to) {
      worker.credit_up_to = up_to;
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
    case wire::Envelope::kDrain: {
      if (worker.draining) return;
      spdlog::info("worker {} drains ({} tasks in flight)", worker.id, worker.in_flight.size());
      worker.draining = true;
      std::vector<std::uint64_t> ids;
      for (const auto id : worker.pending) {
        const auto t = tasks_.find(id);
        if (t != tasks_.end() && !t->second.sent && t->second.worker == identity) {
          t->second.worker.clear();
          ids.push_back(id);
        }
      }
      worker.pending.clear();
      update_live();
      assign(ids, true);
      return;
    }
    case wire::Envelope::kShutdown:
      ++counters_.left;
      lose_worker(identity, "left", false);
      return;
    default:
      refused_.count(FrameError::kUnexpected);
      spdlog::warn("refused a coordinator-bound message of the wrong kind from {}", worker.id);
      return;
  }
}

void WorkerPool::on_hello(const std::string& identity, const wire::Hello& hello) {
  if (hello.worker_id().empty() || hello.worker_id().size() > kMaxWorkerIdBytes || hello.capacity() == 0 ||
      hello.capacity() > kMaxCapacity) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused a Hello from {}: bad worker_id or capacity", printable(identity));
    return;
  }
  if (workers_.count(identity) != 0) lose_worker(identity, "said Hello again", true);
  // One live registration per worker id: a new one means the old connection is dead to it.
  std::string previous;
  for (const auto& [other, worker] : workers_) {
    if (worker.id == hello.worker_id()) previous = other;
  }
  if (!previous.empty()) lose_worker(previous, "replaced by a new registration", true);

  Worker worker;
  worker.identity = identity;
  worker.id = hello.worker_id();
  worker.capacity = hello.capacity();
  worker.last_seen = Clock::now();
  worker.liveness = std::max<Clock::duration>(std::chrono::milliseconds(options_.liveness_ms),
                                              std::chrono::milliseconds(hello.heartbeat_ms()) * 5);
  workers_.emplace(identity, std::move(worker));

  wire::Envelope envelope;
  auto* welcome = envelope.mutable_welcome();
  to_wire(fetch_, *welcome);
  welcome->set_heartbeat_ms(static_cast<std::uint32_t>(options_.heartbeat_ms));
  welcome->set_max_frame_bytes(options_.max_frame_bytes);
  if (send_to(identity, envelope) != SendStatus::kSent) {
    workers_.erase(identity);
    spdlog::warn("could not welcome worker {}", hello.worker_id());
    return;
  }
  ++counters_.joined;
  spdlog::info("worker {} joined (pid {} on {}, capacity {})", hello.worker_id(), hello.pid(), hello.hostname(),
               hello.capacity());
  update_live();
  // Reshard before opening the gate: nothing may go out under the old sharding.
  reshard_pending();
  if (!gate_open_ && live_ids_.size() >= static_cast<std::size_t>(options_.min_workers)) open_gate();
}

void WorkerPool::on_result(const std::string& identity, const wire::PageResult& result) {
  const auto it = tasks_.find(result.task_id());
  if (it == tasks_.end()) {
    ++counters_.dropped_results;
    spdlog::debug("dropped a result for task {} from {}: already reported or unknown", result.task_id(),
                  printable(identity));
    return;
  }
  Entry& entry = it->second;
  const bool was_sent = entry.sent;
  const std::string host = entry.host;
  const std::string finished_on = entry.worker;
  PageRecord record = from_wire(result);
  // The coordinator's own copy of what was asked is authoritative.
  record.task_id = entry.task.id;
  record.url = entry.task.url;
  record.depth = entry.task.depth;
  unsend(entry);
  report(result.task_id(), std::move(record));

  // A host that just went idle may unblock the worker that owns it now (after a join or drain).
  if (was_sent && hosts_.count(host) == 0 && !live_ids_.empty()) {
    const auto owner = rendezvous_owner(live_ids_, host);
    if (owner && live_identities_[*owner] != finished_on) dispatch(live_identities_[*owner]);
  }
}

// ---- sending ----

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
  const auto it = workers_.find(identity);
  if (it == workers_.end() || it->second.draining) return;
  Worker& worker = it->second;
  std::vector<std::uint64_t> blocked;
  const std::size_t batch_bytes = std::min(kMaxBatchBytes, options_.max_frame_bytes / 2);
  const auto put_back = [&](const std::vector<std::uint64_t>& picked) {
    worker.pending.insert(worker.pending.begin(), blocked.begin(), blocked.end());
    worker.pending.insert(worker.pending.begin(), picked.begin(), picked.end());
    blocked.clear();
  };
  while (!worker.pending.empty() && worker.sent_seq < worker.credit_up_to) {
    wire::Envelope envelope;
    auto* batch = envelope.mutable_tasks();
    batch->set_first_seq(worker.sent_seq);
    std::vector<std::uint64_t> picked;
    std::size_t bytes = 0;
    const std::uint64_t room = worker.credit_up_to - worker.sent_seq;
    while (!worker.pending.empty() && picked.size() < room && picked.size() < kMaxBatchTasks && bytes < batch_bytes) {
      const std::uint64_t id = worker.pending.front();
      worker.pending.pop_front();
      const auto t = tasks_.find(id);
      if (t == tasks_.end() || t->second.sent || t->second.worker != identity) continue;  // stale
      const auto host = hosts_.find(t->second.host);
      if (host != hosts_.end() && host->second.worker != identity) {
        blocked.push_back(id);  // its host is still in flight elsewhere: politeness first
        continue;
      }
      picked.push_back(id);
      to_wire(t->second.task, *batch->add_tasks());
      bytes += t->second.task.url.size() + 16;
    }
    if (picked.empty()) break;
    const SendStatus status = send_to(identity, envelope);
    if (status == SendStatus::kUnreachable) {
      put_back(picked);
      lose_worker(identity, "unreachable", true);
      return;
    }
    if (status == SendStatus::kWouldBlock) {
      // At the send high-water mark: keep the tasks; the next tick or credit tries again.
      put_back(picked);
      return;
    }
    const auto now = Clock::now();
    for (const auto id : picked) {
      Entry& entry = tasks_.at(id);
      entry.sent = true;
      entry.sent_at = now;
      ++sent_;
      worker.in_flight.insert(id);
      HostLoad& load = hosts_[entry.host];
      load.worker = identity;
      ++load.in_flight;
    }
    worker.sent_seq += picked.size();
  }
  worker.pending.insert(worker.pending.begin(), blocked.begin(), blocked.end());
}

void WorkerPool::dispatch_all() {
  std::vector<std::string> identities;
  for (const auto& [identity, worker] : workers_) identities.push_back(identity);
  for (const auto& identity : identities) dispatch(identity);
}

void WorkerPool::assign(const std::vector<std::uint64_t>& ids, bool front) {
  if (ids.empty()) return;
  if (stopped_) {
    for (const auto id : ids) {
      const auto it = tasks_.find(id);
      if (it != tasks_.end()) report(id, record_for(it->second.task, FetchError::kCancelled, "not sent before the stop"));
    }
    return;
  }
  if (live_ids_.empty()) {
    if (front) {
      unassigned_.insert(unassigned_.begin(), ids.begin(), ids.end());
    } else {
      unassigned_.insert(unassigned_.end(), ids.begin(), ids.end());
    }
    if (!waiting_logged_) {
      // Expected before the first worker joins; worth a warning once workers were lost.
      if (counters_.joined == 0) {
        spdlog::info("waiting for a worker to join");
      } else {
        spdlog::warn("no live worker: tasks wait for one to join");
      }
      waiting_logged_ = true;
    }
    return;
  }
  std::map<std::string, std::vector<std::uint64_t>> by_owner;
  for (const auto id : ids) {
    const auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second.sent) continue;
    const std::string& owner = live_identities_[*rendezvous_owner(live_ids_, it->second.host)];
    it->second.worker = owner;
    by_owner[owner].push_back(id);
  }
  for (const auto& [owner, list] : by_owner) {
    auto& pending = workers_.at(owner).pending;
    pending.insert(front ? pending.begin() : pending.end(), list.begin(), list.end());
  }
  for (const auto& [owner, list] : by_owner) dispatch(owner);
}

void WorkerPool::reshard_pending() {
  std::vector<std::uint64_t> moved;
  for (const auto id : unassigned_) {
    if (tasks_.count(id) != 0) moved.push_back(id);
  }
  unassigned_.clear();
  if (!live_ids_.empty()) {
    for (auto& [identity, worker] : workers_) {
      std::deque<std::uint64_t> keep;
      for (const auto id : worker.pending) {
        const auto t = tasks_.find(id);
        if (t == tasks_.end() || t->second.sent || t->second.worker != identity) continue;
        const auto owner = rendezvous_owner(live_ids_, t->second.host);
        if (live_identities_[*owner] == identity) {
          keep.push_back(id);
        } else {
          t->second.worker.clear();
          moved.push_back(id);
        }
      }
      worker.pending = std::move(keep);
    }
  }
  assign(moved, true);
}

// ---- membership and time ----

void WorkerPool::update_live() {
  live_ids_.clear();
  live_identities_.clear();
  for (const auto& [identity, worker] : workers_) {
    if (worker.draining) continue;
    live_ids_.push_back(worker.id);
    live_identities_.push_back(identity);
  }
  if (!live_ids_.empty()) waiting_logged_ = false;
}

void WorkerPool::unsend(Entry& entry) {
  if (!entry.sent) return;
  entry.sent = false;
  --sent_;
  const auto w = workers_.find(entry.worker);
  if (w != workers_.end()) w->second.in_flight.erase(entry.task.id);
  const auto h = hosts_.find(entry.host);
  if (h != hosts_.end() && h->second.worker == entry.worker && --h->second.in_flight == 0) hosts_.erase(h);
}

void WorkerPool::report(std::uint64_t id, PageRecord record) {
  const auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  unsend(it->second);
  Callback done = std::move(it->second.done);
  tasks_.erase(it);
  done(std::move(record));
}

void WorkerPool::lose_worker(const std::string& identity, const std::string& reason, bool counts_as_loss) {
  const auto it = workers_.find(identity);
  if (it == workers_.end()) return;
  const std::string name = it->second.id;
  const std::vector<std::uint64_t> in_flight(it->second.in_flight.begin(), it->second.in_flight.end());
  const std::deque<std::uint64_t> pending = std::move(it->second.pending);
  if (counts_as_loss) {
    ++counters_.lost;
    spdlog::warn("worker {} lost ({}): {} tasks in flight go to the others", name, reason, in_flight.size());
  } else {
    spdlog::info("worker {} {}", name, reason);
  }
  std::vector<std::uint64_t> requeue;
  std::vector<std::uint64_t> failed;
  for (const auto id : in_flight) {
    const auto t = tasks_.find(id);
    if (t == tasks_.end()) continue;
    unsend(t->second);
    t->second.worker.clear();
    if (counts_as_loss && ++t->second.losses >= options_.max_losses) {
      failed.push_back(id);
      continue;
    }
    if (counts_as_loss) ++counters_.resent_after_loss;
    requeue.push_back(id);
  }
  for (const auto id : pending) {
    const auto t = tasks_.find(id);
    if (t == tasks_.end() || t->second.sent || t->second.worker != identity) continue;
    t->second.worker.clear();
    requeue.push_back(id);
  }
  workers_.erase(identity);
  update_live();
  assign(requeue, true);
  for (const auto id : failed) {
    const auto t = tasks_.find(id);
    if (t == tasks_.end()) continue;
    ++counters_.failed_after_losses;
    PageRecord record = record_for(t->second.task, FetchError::kOther,
                                   "no result: " + std::to_string(t->second.losses) + " workers were lost running it");
    record.attempts = static_cast<std::uint32_t>(t->second.losses);
    report(id, std::move(record));
  }
}

void WorkerPool::open_gate() {
  gate_open_ = true;
  gate_timer_.cancel();
  dispatch_all();
}

void WorkerPool::on_tick() {
  if (closed_) return;
  const auto now = Clock::now();
  std::vector<std::string> silent;
  for (const auto& [identity, worker] : workers_) {
    if (now - worker.last_seen > worker.liveness) silent.push_back(identity);
  }
  for (const auto& identity : silent) {
    const auto it = workers_.find(identity);
    if (it == workers_.end()) continue;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.last_seen).count();
    lose_worker(identity, "silent for " + std::to_string(ms) + " ms", true);
  }
  std::vector<std::string> identities;
  for (const auto& [identity, worker] : workers_) identities.push_back(identity);
  for (const auto& identity : identities) {
    if (workers_.count(identity) == 0) continue;
    wire::Envelope envelope;
    envelope.mutable_heartbeat();
    if (send_to(identity, envelope) == SendStatus::kUnreachable) lose_worker(identity, "unreachable", true);
  }
  std::vector<std::uint64_t> late;
  for (const auto& [id, entry] : tasks_) {
    if (entry.sent && now - entry.sent_at > task_deadline_) late.push_back(id);
  }
  if (!late.empty()) {
    std::sort(late.begin(), late.end());
    spdlog::warn("{} tasks without a result after {} ms: sending them again", late.size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(task_deadline_).count());
    for (const auto id : late) {
      Entry& entry = tasks_.at(id);
      unsend(entry);
      entry.worker.clear();
      ++counters_.resent_after_deadline;
    }
    assign(late, true);
  }
  dispatch_all();
  tick_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

}  // namespace crawler
