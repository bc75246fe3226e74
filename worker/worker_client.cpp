#include "worker/worker_client.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>

#include "proto/zmq_endpoint.hpp"
#include "worker/crawl_engine.hpp"

namespace crawler {
namespace {

constexpr int kMaxMessagesPerRound = 256;  // then yield to the engine's handlers
constexpr int kGoodbyeLingerMs = 2000;     // results queued at exit get this long to leave

/// A routing id unique to one connection: the worker id and a random suffix.
std::string new_routing_id(const std::string& worker_id) {
  static std::mt19937_64 rng{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "/%012llx",
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return worker_id.substr(0, 200) + suffix;
}

}  // namespace

WorkerClient::WorkerClient(boost::asio::io_context& io, WorkerClientOptions options,
                           EngineFactory make_engine, std::function<void()> on_exit)
    : io_(io),
      options_(std::move(options)),
      make_engine_(std::move(make_engine)),
      on_exit_(std::move(on_exit)),
      capacity_(options_.capacity()),
      context_(1),
      tick_(io),
      signals_(io),
      self_(std::make_shared<WorkerClient*>(this)) {
  if (!make_engine_) {
    make_engine_ = [](boost::asio::io_context& io,
                      const FetchOptions& o) -> std::unique_ptr<TaskSink> {
      return CrawlEngine::create(io, o);
    };
  }
  if (options_.worker_id.empty()) options_.worker_id = default_worker_id();
}

WorkerClient::~WorkerClient() {
  self_.reset();
  ++generation_;
  held_.clear();
  if (engine_) engine_->cancel_all();
  close_socket();
}

void WorkerClient::start() {
  options_.check_curve_flags();
  if (const std::string problem = zmq_endpoint_problem(options_.connect, EndpointUse::kConnect);
      !problem.empty()) {
    throw std::runtime_error("cannot connect to " + problem);
  }
  if (!options_.curve && !options_.curve_server_key_file.empty()) {
    options_.curve =
        load_curve_client_keys(options_.curve_server_key_file, options_.curve_secret_key_file);
  }
  if (options_.handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    wait_signal();
  }
  open_socket();
  tick_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void WorkerClient::wait_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec || state_ == State::kDone) return;
    if (state_ == State::kDraining) {
      spdlog::warn("signal {} again: exiting with {} tasks in hand", signo, held_.size());
      finish(held_.empty() ? 0 : 1, 0);
      return;
    }
    spdlog::info("signal {}: draining ({} tasks in hand)", signo, held_.size());
    drain();
    if (state_ != State::kDone) wait_signal();
  });
}

// ---- connection ----

void WorkerClient::open_socket() {
  ++generation_;
  socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  const std::string routing_id = new_routing_id(options_.worker_id);
  socket_->set(zmq::sockopt::routing_id, routing_id);
  socket_->set(zmq::sockopt::linger, 0);
  socket_->set(zmq::sockopt::sndhwm, options_.send_hwm);
  socket_->set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_frame_bytes) * 4);
  socket_->set(zmq::sockopt::heartbeat_ivl, options_.heartbeat_ms);
  socket_->set(zmq::sockopt::heartbeat_timeout, options_.liveness_ms);
  socket_->set(zmq::sockopt::heartbeat_ttl, std::min(options_.liveness_ms, 6'553'500));
  socket_->set(zmq::sockopt::reconnect_ivl, 100);
  socket_->set(zmq::sockopt::reconnect_ivl_max, 2000);
  if (options_.curve) {
    socket_->set(zmq::sockopt::curve_serverkey, options_.curve->server_key);
    socket_->set(zmq::sockopt::curve_publickey, options_.curve->own.public_key);
    socket_->set(zmq::sockopt::curve_secretkey, options_.curve->own.secret_key);
  }
  handshake_monitor_ = std::make_unique<ZmqHandshakeMonitor>(
      io_, context_, *socket_,
      [this](const ZmqHandshakeMonitor::Failure& failure) { on_handshake_failed(failure); });
  try {
    socket_->connect(options_.connect);
  } catch (const zmq::error_t& e) {
    handshake_monitor_.reset();
    socket_.reset();
    throw std::runtime_error("cannot connect to " + options_.connect + ": " + e.what());
  }
  watch_ = std::make_unique<ZmqSocketWatch>(io_, *socket_, [this] { on_socket_ready(); });
  watch_->start();

  state_ = State::kConnecting;
  connected_at_ = Clock::now();
  received_seq_ = 0;
  granted_up_to_ = 0;
  wire::Envelope envelope;
  auto* hello = envelope.mutable_hello();
  hello->set_worker_id(options_.worker_id);
  hello->set_capacity(static_cast<std::uint32_t>(capacity_));
  hello->set_pid(static_cast<std::uint32_t>(::getpid()));
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  hello->set_hostname(host);
  hello->set_heartbeat_ms(static_cast<std::uint32_t>(options_.heartbeat_ms));
  send_control(envelope);
  spdlog::info("{} connecting to {} as {}", options_.worker_id, options_.connect, routing_id);
}

void WorkerClient::close_socket() {
  watch_.reset();
  handshake_monitor_.reset();
  if (socket_) socket_->close();
  socket_.reset();
}

void WorkerClient::reconnect(const std::string& why) {
  ++counters_.reconnects;
  spdlog::warn("{}: connecting afresh, abandoning {} tasks (the coordinator sends them again)", why,
               held_.size());
  ++generation_;  // before cancel_all: its cancelled records must be dropped
  held_.clear();
  outbox_.clear();
  if (engine_) engine_->cancel_all();
  close_socket();
  open_socket();
}

void WorkerClient::finish(int code, int linger_ms) {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  exit_code_ = code;
  ++generation_;
  held_.clear();
  if (engine_) engine_->cancel_all();
  tick_.cancel();
  signals_.clear();
  if (socket_) socket_->set(zmq::sockopt::linger, linger_ms);
  close_socket();
  spdlog::info(
      "{} done: {} tasks, {} results, {} duplicate tasks, {} over credit, {} reconnects, {} "
      "failed handshakes, frames refused {}",
      options_.worker_id, counters_.tasks, counters_.results, counters_.duplicate_tasks,
      counters_.over_credit, counters_.reconnects, counters_.failed_handshakes, refused_.summary());
  if (on_exit_) on_exit_();
}

void WorkerClient::drain() {
  switch (state_) {
    case State::kIdle:
    case State::kConnecting:
      finish(0, 0);  // nothing held, nobody to tell
      return;
    case State::kWorking: {
      state_ = State::kDraining;
      wire::Envelope envelope;
      envelope.mutable_drain();
      send_control(envelope);
      finish_drain_if_idle();
      return;
    }
    case State::kDraining:
    case State::kDone:
      return;
  }
}

void WorkerClient::finish_drain_if_idle() {
  if (state_ != State::kDraining || !held_.empty() || !outbox_.empty()) return;
  wire::Envelope envelope;
  envelope.mutable_shutdown();  // goodbye: the coordinator forgets this worker
  send_control(envelope);
  finish(0, kGoodbyeLingerMs);
}

// ---- receiving ----

void WorkerClient::on_handshake_failed(const ZmqHandshakeMonitor::Failure& failure) {
  ++counters_.failed_handshakes;
  // ZeroMQ retries by itself: bounded logging.
  if (counters_.failed_handshakes > 5 && counters_.failed_handshakes % 100 != 0) return;
  spdlog::error("handshake with the coordinator at {} failed: {} ({} so far){}", failure.endpoint,
                ZmqHandshakeMonitor::describe(failure), counters_.failed_handshakes,
                options_.curve ? "; is this worker's public key authorized there, and "
                                 "--curve-server-key-file the coordinator's public key?"
                               : "; does the coordinator require CURVE (--curve-server-key-file)?");
}

void WorkerClient::on_socket_ready() {
  const std::uint64_t generation = generation_;
  for (int i = 0; i < kMaxMessagesPerRound; ++i) {
    if (!socket_ || generation != generation_) return;
    const int events = socket_->get(zmq::sockopt::events);
    if ((events & ZMQ_POLLOUT) != 0 && !outbox_.empty()) flush();
    if (!socket_ || generation != generation_) return;
    if ((events & ZMQ_POLLIN) == 0) return;
    zmq::message_t frame;
    if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return;
    if (frame.more()) {
      // A DEALER sees single-frame messages from the coordinator; drain and refuse the rest.
      while (frame.more() && socket_->recv(frame, zmq::recv_flags::dontwait)) {
      }
      refused_.count(FrameError::kBadFraming);
      spdlog::warn("refused a multi-frame message from the coordinator");
      continue;
    }
    on_frame(frame);
  }
  if (socket_ && generation == generation_ && watch_) watch_->kick();
}

void WorkerClient::on_frame(const zmq::message_t& frame) {
  wire::Envelope envelope;
  const FrameError error = decode_frame(std::string_view(frame.data<char>(), frame.size()),
                                        options_.max_frame_bytes, envelope);
  if (error != FrameError::kNone) {
    refused_.count(error);
    if (refused_.total() <= 20)
      spdlog::warn("refused a frame of {} bytes: {}", frame.size(), to_string(error));
    return;
  }
  last_heard_ = Clock::now();
  switch (envelope.body_case()) {
    case wire::Envelope::kWelcome:
      on_welcome(envelope.welcome());
      return;
    case wire::Envelope::kTasks:
      on_tasks(envelope.tasks());
      return;
    case wire::Envelope::kHeartbeat:
      return;
    case wire::Envelope::kShutdown:
      spdlog::info("the coordinator says the crawl is over");
      finish(0, 0);
      return;
    case wire::Envelope::kRejoin:
      on_rejoin();
      return;
    default:
      refused_.count(FrameError::kUnexpected);
      spdlog::warn("refused a worker-bound message of the wrong kind");
      return;
  }
}

void WorkerClient::on_welcome(const wire::Welcome& welcome) {
  if (state_ != State::kConnecting) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused a second Welcome");
    return;
  }
  FetchOptions merged = options_.fetch;
  if (const auto problem = apply_welcome(welcome, merged)) {
    spdlog::error("the coordinator imposes settings this worker refuses: {}", *problem);
    finish(2, 0);
    return;
  }
  wire::Welcome settings;
  to_wire(merged, settings);
  const std::string serialised = settings.SerializeAsString();
  if (!engine_ || serialised != engine_settings_) {
    if (engine_) retired_engines_.push_back(std::move(engine_));
    try {
      engine_ = make_engine_(io_, merged);
    } catch (const std::exception& e) {
      spdlog::error("cannot start the fetch engine: {}", e.what());
      finish(2, 0);
      return;
    }
    engine_settings_ = serialised;
  }
  coordinator_heartbeat_ms_ =
      static_cast<int>(std::min<std::uint32_t>(welcome.heartbeat_ms(), 3'600'000));
  coordinator_max_frame_ =
      welcome.max_frame_bytes() != 0 ? welcome.max_frame_bytes() : kDefaultMaxFrameBytes;
  state_ = State::kWorking;
  spdlog::info("{} welcomed (capacity {})", options_.worker_id, capacity_);
  grant_credit();
}

void WorkerClient::on_rejoin() {
  switch (state_) {
    case State::kWorking:
      ++counters_.rejoins;
      reconnect("the coordinator does not know this worker (was it restarted?)");
      return;
    case State::kDraining:
      // Results for a registration the coordinator no longer has are dropped there.
      spdlog::warn(
          "the coordinator no longer knows this worker while it drains: exiting with {} "
          "tasks in hand",
          held_.size());
      finish(held_.empty() ? 0 : 1, 0);
      return;
    case State::kIdle:
    case State::kConnecting:  // on a fresh connection nothing but the Hello was sent
    case State::kDone:
      refused_.count(FrameError::kUnexpected);
      spdlog::warn("refused a Rejoin before a Welcome");
      return;
  }
}

void WorkerClient::on_tasks(const wire::TaskBatch& batch) {
  if (state_ != State::kWorking && state_ != State::kDraining) {
    refused_.count(FrameError::kUnexpected);
    spdlog::warn("refused tasks before a Welcome");
    return;
  }
  const std::uint64_t first = batch.first_seq();
  std::uint64_t over = 0;
  for (int i = 0; i < batch.tasks_size(); ++i) {
    if (first + static_cast<std::uint64_t>(i) >= granted_up_to_) {
      ++over;  // never hold more than granted: the coordinator re-sends it after its deadline
      continue;
    }
    FetchTask task = from_wire(batch.tasks(i));
    if (!held_.insert(task.id).second) {
      ++counters_.duplicate_tasks;  // sent again after a deadline while still running here
      continue;
    }
    ++counters_.tasks;
    const std::uint64_t id = task.id;
    engine_->submit(std::move(task),
                    [this, generation = generation_, id,
                     weak = std::weak_ptr<WorkerClient*>(self_)](PageRecord record) {
                      if (weak.expired()) return;
                      on_record(generation, id, std::move(record));
                    });
  }
  received_seq_ = std::max(received_seq_, first + static_cast<std::uint64_t>(batch.tasks_size()));
  if (over != 0) {
    counters_.over_credit += over;
    spdlog::warn("refused {} tasks sent beyond the granted credit", over);
  }
  grant_credit();  // duplicates and refusals free their slots at once
}

void WorkerClient::on_record(std::uint64_t generation, std::uint64_t task_id, PageRecord record) {
  if (generation != generation_ || held_.erase(task_id) == 0) return;
  record.task_id = task_id;
  wire::Envelope envelope;
  auto* result = envelope.mutable_result();
  to_wire(record, *result);
  if (const std::size_t dropped = fit_links(*result, coordinator_max_frame_)) {
    ++counters_.truncated_results;
    spdlog::warn("{}: {} links dropped so the result fits the coordinator's {} byte frame cap",
                 record.url, dropped, coordinator_max_frame_);
  }
  outbox_.push_back(encode_frame(envelope));
  // The engine may call back from inside submit() or cancel_all(): send from a fresh handler.
  schedule_flush();
}

// ---- sending ----

bool WorkerClient::try_send(const std::string& frame) {
  if (!socket_) return false;
  try {
    const auto sent = socket_->send(zmq::buffer(frame), zmq::send_flags::dontwait);
    if (watch_) watch_->kick();  // a send may consume the fd's edge: look at ZMQ_EVENTS again
    return sent.has_value();
  } catch (const zmq::error_t& e) {
    spdlog::error("send failed: {}", e.what());
    return false;
  }
}

void WorkerClient::send_control(wire::Envelope& envelope) {
  if (!try_send(encode_frame(envelope))) spdlog::debug("control message dropped: send queue full");
}

void WorkerClient::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(io_, [weak = std::weak_ptr<WorkerClient*>(self_)] {
    const auto self = weak.lock();
    if (!self) return;
    (*self)->flush_posted_ = false;
    (*self)->flush();
  });
}

void WorkerClient::flush() {
  if (state_ == State::kDone || !socket_) return;
  while (!outbox_.empty() && try_send(outbox_.front())) {
    outbox_.pop_front();
    ++counters_.results;
  }
  grant_credit();
  finish_drain_if_idle();
}

void WorkerClient::grant_credit() {
  if (state_ != State::kWorking) return;
  const std::size_t used = held_.size() + outbox_.size();
  const std::uint64_t up_to = received_seq_ + (capacity_ > used ? capacity_ - used : 0);
  if (up_to <= granted_up_to_) return;
  granted_up_to_ = up_to;
  wire::Envelope envelope;
  envelope.mutable_credit()->set_up_to(up_to);
  send_control(envelope);
}

void WorkerClient::on_tick() {
  if (state_ == State::kDone) return;
  const auto now = Clock::now();
  const auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  if (state_ == State::kConnecting) {
    if (now - connected_at_ > std::chrono::milliseconds(options_.liveness_ms)) {
      reconnect("no Welcome from " + options_.connect + " after " +
                std::to_string(ms(now - connected_at_)) + " ms");
    }
  } else {
    const auto deadline =
        std::max<Clock::duration>(std::chrono::milliseconds(options_.liveness_ms),
                                  std::chrono::milliseconds(coordinator_heartbeat_ms_) * 5);
    if (now - last_heard_ > deadline) {
      const std::string why =
          "the coordinator is silent for " + std::to_string(ms(now - last_heard_)) + " ms";
      if (state_ == State::kDraining) {
        spdlog::warn("{} while draining: exiting", why);
        finish(1, 0);
        return;
      }
      reconnect(why);
    } else {
      wire::Envelope envelope;
      auto* heartbeat = envelope.mutable_heartbeat();
      // Re-sent with every heartbeat: a lost Credit is repaired here.
      heartbeat->set_credit_up_to(state_ == State::kWorking ? granted_up_to_ : 0);
      heartbeat->set_held(static_cast<std::uint32_t>(held_.size()));
      send_control(envelope);
      flush();
    }
  }
  if (state_ == State::kDone) return;
  tick_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

}  // namespace crawler
