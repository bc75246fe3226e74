// The worker's side of the protocol, against a hand-driven ROUTER playing the coordinator.
// One io_context runs the WorkerClient; every wait is a condition with a deadline.
#include "worker/worker_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "proto/wire_codec.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;

/// A TaskSink that answers each task after `delay`, or never when `hang`.
class FakeEngine : public TaskSink {
 public:
  FakeEngine(boost::asio::io_context& io, std::chrono::milliseconds delay, bool hang, int& cancels)
      : io_(io), delay_(delay), hang_(hang), cancels_(cancels) {}
  void submit(FetchTask task, Callback done) override {
    const auto id = task.id;
    held_[id] = {std::move(task), std::move(done)};
    if (hang_) return;
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay_);
    timer->async_wait([this, id, timer](boost::system::error_code ec) {
      if (ec || held_.count(id) == 0) return;
      auto node = held_.extract(id);
      PageRecord r;
      r.task_id = id;
      r.url = node.mapped().first.url;
      r.status = 200;
      r.links = {r.url + "/l"};
      node.mapped().second(std::move(r));
    });
  }
  std::size_t outstanding() const override { return held_.size(); }
  std::size_t in_flight() const override { return held_.size(); }
  void cancel_all() override {
    ++cancels_;
    while (!held_.empty()) {
      auto node = held_.extract(held_.begin());
      PageRecord r;
      r.task_id = node.key();
      r.error = FetchError::kCancelled;
      node.mapped().second(std::move(r));
    }
  }

 private:
  boost::asio::io_context& io_;
  std::chrono::milliseconds delay_;
  bool hang_;
  int& cancels_;
  std::map<std::uint64_t, std::pair<FetchTask, Callback>> held_;
};

/// A ROUTER driven by hand: the coordinator.
class FakeCoordinator {
 public:
  FakeCoordinator() : socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }

  /// The next message: [routing id, envelope], if one is there (bad frames are skipped).
  std::optional<std::pair<std::string, wire::Envelope>> poll() {
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait))
      return std::nullopt;
    wire::Envelope e;
    if (parts.size() != 2 || decode_frame(std::string_view(parts[1].data<char>(), parts[1].size()),
                                          kDefaultMaxFrameBytes, e) != FrameError::kNone) {
      return std::nullopt;
    }
    return std::make_pair(parts[0].to_string(), std::move(e));
  }
  void send_raw(const std::string& to, const std::string& bytes) {
    const std::array<zmq::const_buffer, 2> parts = {zmq::buffer(to), zmq::buffer(bytes)};
    zmq::send_multipart(socket_, parts);
  }
  void send(const std::string& to, wire::Envelope& e) { send_raw(to, encode_frame(e)); }
  void welcome(const std::string& to) {
    wire::Envelope e;
    to_wire(FetchOptions{}, *e.mutable_welcome());
    e.mutable_welcome()->set_heartbeat_ms(20);
    send(to, e);
  }
  void tasks(const std::string& to, std::uint64_t first_seq, std::uint64_t first_id, int n) {
    wire::Envelope e;
    e.mutable_tasks()->set_first_seq(first_seq);
    for (int i = 0; i < n; ++i) {
      auto* t = e.mutable_tasks()->add_tasks();
      t->set_id(first_id + static_cast<std::uint64_t>(i));
      t->set_url("http://h.test/p-" + std::to_string(first_id + static_cast<std::uint64_t>(i)));
    }
    send(to, e);
  }
  void heartbeat(const std::string& to) {
    wire::Envelope e;
    e.mutable_heartbeat();
    send(to, e);
  }
  void shutdown(const std::string& to) {
    wire::Envelope e;
    e.mutable_shutdown();
    send(to, e);
  }
  void rejoin(const std::string& to) {
    wire::Envelope e;
    e.mutable_rejoin();
    send(to, e);
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
};

class WorkerClientTest : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds delay = 5ms, bool hang = false, int liveness_ms = 5000) {
    WorkerClientOptions o;
    o.connect = coordinator_.endpoint();
    o.worker_id = "w7";
    o.heartbeat_ms = 20;
    o.liveness_ms = liveness_ms;
    o.handle_signals = false;
    o.fetch.concurrency = 2;  // capacity 8
    client_ = std::make_unique<WorkerClient>(
        io_, o, [this, delay, hang](boost::asio::io_context& io, const FetchOptions&) {
          ++engines_;
          return std::make_unique<FakeEngine>(io, delay, hang, cancels_);
        });
    client_->start();
  }

  /// Runs the loop, handing every message the coordinator receives to `seen`, until `done()`.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 20s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (true) {
      while (auto m = coordinator_.poll()) messages_.push_back(std::move(*m));
      if (done()) return true;
      if (std::chrono::steady_clock::now() > until) return false;
      if (io_.stopped()) io_.restart();
      io_.run_for(5ms);
    }
  }

  /// Messages of one kind received so far.
  std::vector<std::pair<std::string, wire::Envelope>> received(
      wire::Envelope::BodyCase kind) const {
    std::vector<std::pair<std::string, wire::Envelope>> out;
    for (const auto& m : messages_) {
      if (m.second.body_case() == kind) out.push_back(m);
    }
    return out;
  }
  std::uint64_t credit() const {
    std::uint64_t up_to = 0;
    for (const auto& [id, e] : received(wire::Envelope::kCredit))
      up_to = std::max(up_to, e.credit().up_to());
    return up_to;
  }
  /// True once the connection `who` (a routing id) has been given credit up to `up_to`.
  bool credited(const std::string& who, std::uint64_t up_to) const {
    for (const auto& [id, e] : received(wire::Envelope::kCredit)) {
      if (id == who && e.credit().up_to() == up_to) return true;
    }
    return false;
  }

  /// Waits for the Hello, welcomes the worker and returns its routing id.
  std::string hello_and_welcome() {
    EXPECT_TRUE(run_until([&] { return !received(wire::Envelope::kHello).empty(); }));
    const auto hello = received(wire::Envelope::kHello).back();
    coordinator_.welcome(hello.first);
    return hello.first;
  }

  FakeCoordinator coordinator_;
  boost::asio::io_context io_;
  std::unique_ptr<WorkerClient> client_;
  std::vector<std::pair<std::string, wire::Envelope>> messages_;
  int engines_ = 0;
  int cancels_ = 0;
};

TEST_F(WorkerClientTest, SaysHelloThenGrantsItsCapacityOnceWelcomed) {
  start();
  ASSERT_TRUE(run_until([&] { return !received(wire::Envelope::kHello).empty(); }));
  const auto hello = received(wire::Envelope::kHello).front();
  EXPECT_EQ(hello.second.hello().worker_id(), "w7");
  EXPECT_EQ(hello.second.hello().capacity(), 8u);
  EXPECT_EQ(hello.first.rfind("w7/", 0), 0u) << hello.first;
  EXPECT_EQ(credit(), 0u) << "no credit before the Welcome";
  coordinator_.welcome(hello.first);
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  EXPECT_EQ(engines_, 1);
}

TEST_F(WorkerClientTest, RunsTasksAndGrantsCreditAsTheyFinish) {
  start();
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 100, 8);
  ASSERT_TRUE(
      run_until([&] { return received(wire::Envelope::kResult).size() == 8 && credit() == 16; }));
  std::set<std::uint64_t> ids;
  for (const auto& [who, e] : received(wire::Envelope::kResult)) {
    ids.insert(e.result().task_id());
    EXPECT_EQ(e.result().links_size(), 1);
  }
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(client_->counters().results, 8u);
}

TEST_F(WorkerClientTest, RefusesTasksBeyondItsCreditAndIgnoresOnesItHolds) {
  start(5ms, /*hang=*/true);
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 1, 10);  // seq 8 and 9 are beyond the credit
  ASSERT_TRUE(run_until([&] { return client_->counters().over_credit == 2; }));
  EXPECT_EQ(client_->counters().tasks, 8u);
  coordinator_.tasks(id, 10, 3, 1);  // task 3 again, still held; but no credit for seq 10 either
  ASSERT_TRUE(run_until([&] { return client_->counters().over_credit == 3; }));
  EXPECT_EQ(client_->counters().tasks, 8u);
}

TEST_F(WorkerClientTest, IgnoresATaskItAlreadyHoldsAndFreesItsSlot) {
  start(5ms, /*hang=*/true);
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 1, 4);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 4; }));
  coordinator_.tasks(id, 4, 2, 1);  // task 2 again (sent after a deadline)
  ASSERT_TRUE(run_until([&] { return client_->counters().duplicate_tasks == 1 && credit() == 9; }));
  EXPECT_EQ(client_->counters().tasks, 4u);
}

TEST_F(WorkerClientTest, ConnectsAfreshWhenTheCoordinatorFallsSilent) {
  start(5ms, /*hang=*/true, /*liveness_ms=*/300);
  const auto first = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(first, 0, 1, 3);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 3; }));
  // Silence: no heartbeat from here on. A new socket says Hello under a new routing id.
  ASSERT_TRUE(run_until([&] { return received(wire::Envelope::kHello).size() == 2; }, 10s));
  const auto second = received(wire::Envelope::kHello).back();
  EXPECT_NE(second.first, first);
  EXPECT_EQ(second.second.hello().worker_id(), "w7");
  EXPECT_EQ(client_->counters().reconnects, 1u);
  EXPECT_GE(cancels_, 1) << "the tasks it held are abandoned";
  // Registered afresh: the new connection starts its credit from zero.
  coordinator_.welcome(second.first);
  ASSERT_TRUE(run_until([&] { return credited(second.first, 8); }));
  EXPECT_EQ(engines_, 1) << "same settings: the engine is kept";
}

TEST_F(WorkerClientTest, StaysConnectedWhileTheCoordinatorHeartbeats) {
  start(5ms, false, /*liveness_ms=*/300);
  const auto id = hello_and_welcome();
  // Three liveness periods of coordinator heartbeats.
  const auto until = std::chrono::steady_clock::now() + 900ms;
  ASSERT_TRUE(run_until([&] {
    coordinator_.heartbeat(id);
    return std::chrono::steady_clock::now() > until;
  }));
  EXPECT_EQ(client_->counters().reconnects, 0u);
  EXPECT_EQ(received(wire::Envelope::kHello).size(), 1u);
  EXPECT_FALSE(received(wire::Envelope::kHeartbeat).empty()) << "it heartbeats too";
}

TEST_F(WorkerClientTest, RefusesBadFramesFromTheCoordinatorAndGoesOn) {
  start();
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.send_raw(id, "\xff\xfe garbage frame");
  wire::Envelope v99;
  v99.mutable_heartbeat();
  v99.set_version(99);
  coordinator_.send_raw(id, v99.SerializeAsString());
  wire::Envelope hello;  // a coordinator never sends a Hello
  hello.mutable_hello()->set_worker_id("x");
  coordinator_.send(id, hello);
  ASSERT_TRUE(run_until([&] { return client_->refused_frames().total() == 3; }));
  EXPECT_EQ(client_->refused_frames().of(FrameError::kUnparsable), 1u);
  EXPECT_EQ(client_->refused_frames().of(FrameError::kBadVersion), 1u);
  EXPECT_EQ(client_->refused_frames().of(FrameError::kUnexpected), 1u);
  coordinator_.tasks(id, 0, 1, 2);
  ASSERT_TRUE(run_until([&] { return received(wire::Envelope::kResult).size() == 2; }));
}

TEST_F(WorkerClientTest, DrainFinishesWhatItHoldsThenSaysGoodbye) {
  start(50ms);
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 1, 3);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 3; }));
  client_->drain();
  ASSERT_TRUE(run_until([&] { return !received(wire::Envelope::kShutdown).empty(); }));
  EXPECT_TRUE(client_->done());
  EXPECT_EQ(client_->exit_code(), 0);
  EXPECT_EQ(received(wire::Envelope::kDrain).size(), 1u);
  EXPECT_EQ(received(wire::Envelope::kResult).size(), 3u);
  EXPECT_EQ(credit(), 8u) << "no credit granted once draining";
  // Order: Drain, the three results, then goodbye.
  std::vector<int> kinds;
  for (const auto& [who, e] : messages_) {
    if (e.has_drain() || e.has_result() || e.has_shutdown()) kinds.push_back(e.body_case());
  }
  EXPECT_EQ(kinds.front(), wire::Envelope::kDrain);
  EXPECT_EQ(kinds.back(), wire::Envelope::kShutdown);
}

TEST_F(WorkerClientTest, ExitsOnShutdown) {
  start(5ms, /*hang=*/true);
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 1, 2);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 2; }));
  coordinator_.shutdown(id);
  ASSERT_TRUE(run_until([&] { return client_->done(); }));
  EXPECT_EQ(client_->exit_code(), 0);
  EXPECT_GE(cancels_, 1);
}

TEST_F(WorkerClientTest, SaysHelloAgainAtOnceWhenTheCoordinatorAsksToRejoin) {
  start(5ms, /*hang=*/true, /*liveness_ms=*/120'000);
  const auto first = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(first, 0, 1, 3);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 3; }));
  coordinator_.rejoin(first);  // e.g. a restarted coordinator that has never heard of it
  ASSERT_TRUE(run_until([&] { return received(wire::Envelope::kHello).size() == 2; }, 10s));
  const auto second = received(wire::Envelope::kHello).back();
  EXPECT_NE(second.first, first) << "a new connection, so its sequence numbers start afresh";
  EXPECT_EQ(second.second.hello().worker_id(), "w7");
  EXPECT_EQ(client_->counters().rejoins, 1u);
  EXPECT_GE(cancels_, 1) << "the tasks it held are abandoned";
  coordinator_.welcome(second.first);
  ASSERT_TRUE(run_until([&] { return credited(second.first, 8); }));
}

TEST_F(WorkerClientTest, ARejoinWhileDrainingEndsTheWorker) {
  start(5ms, /*hang=*/true, /*liveness_ms=*/120'000);
  const auto id = hello_and_welcome();
  ASSERT_TRUE(run_until([&] { return credit() == 8; }));
  coordinator_.tasks(id, 0, 1, 2);
  ASSERT_TRUE(run_until([&] { return client_->counters().tasks == 2; }));
  client_->drain();
  ASSERT_TRUE(run_until([&] { return !received(wire::Envelope::kDrain).empty(); }));
  coordinator_.rejoin(id);  // nobody wants the results it still owes
  ASSERT_TRUE(run_until([&] { return client_->done(); }, 10s));
  EXPECT_EQ(client_->exit_code(), 1) << "it stopped with tasks in hand";
  EXPECT_EQ(received(wire::Envelope::kHello).size(), 1u);
}

}  // namespace
}  // namespace crawler
