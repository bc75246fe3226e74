// The worker protocol in one process: a WorkerPool and WorkerClients (with a fake engine) or raw
// DEALER peers over real ZeroMQ sockets on 127.0.0.1, driven by one io_context. Every wait is a
// condition with a deadline.
#include "coordinator/worker_pool.hpp"

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
#include "worker/worker_client.hpp"

namespace crawler {
namespace {

using namespace std::chrono_literals;

std::string host_of(const std::string& url) {
  const auto start = url.find("://") + 3;
  return url.substr(start, url.find('/', start) - start);
}

/// What the fake engines saw, across all workers.
struct Recorder {
  std::map<std::string, std::set<std::string>> workers_by_host;  ///< who ran each host
  std::map<std::string, std::map<std::string, int>> open;        ///< host -> worker -> tasks held
  std::size_t max_held = 0;  ///< largest outstanding() of one engine
  bool host_on_two_workers_at_once = false;
  std::map<std::string, int> tasks_by_worker;
};

/// A TaskSink that "fetches" a task after `delay` (or never when `hang`), with one link.
class FakeEngine : public TaskSink {
 public:
  FakeEngine(boost::asio::io_context& io, Recorder& recorder, std::string name,
             std::chrono::milliseconds delay, bool hang)
      : io_(io), recorder_(recorder), name_(std::move(name)), delay_(delay), hang_(hang) {}

  void submit(FetchTask task, Callback done) override {
    const std::string host = host_of(task.url);
    recorder_.workers_by_host[host].insert(name_);
    ++recorder_.tasks_by_worker[name_];
    auto& open = recorder_.open[host];
    ++open[name_];
    int holders = 0;
    for (const auto& [w, n] : open) holders += n > 0;
    if (holders > 1) recorder_.host_on_two_workers_at_once = true;
    const std::uint64_t id = task.id;
    tasks_.emplace(id, Held{std::move(task), std::move(done), nullptr});
    recorder_.max_held = std::max(recorder_.max_held, tasks_.size());
    if (hang_) return;
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay_);
    tasks_.at(id).timer = timer;
    timer->async_wait([this, id, timer](boost::system::error_code ec) {
      if (ec) return;
      PageRecord r;
      r.task_id = id;
      r.url = tasks_.at(id).task.url;
      r.final_url = r.url;
      r.status = 200;
      r.links = {r.url + "/next"};
      complete(id, std::move(r));
    });
  }
  std::size_t outstanding() const override { return tasks_.size(); }
  std::size_t in_flight() const override { return tasks_.size(); }
  void cancel_all() override {
    while (!tasks_.empty()) {
      const auto id = tasks_.begin()->first;
      if (tasks_.at(id).timer) tasks_.at(id).timer->cancel();
      PageRecord r;
      r.task_id = id;
      r.error = FetchError::kCancelled;
      complete(id, std::move(r));
    }
  }

 private:
  struct Held {
    FetchTask task;
    Callback done;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  void complete(std::uint64_t id, PageRecord r) {
    auto node = tasks_.extract(id);
    --recorder_.open[host_of(node.mapped().task.url)][name_];
    node.mapped().done(std::move(r));
  }

  boost::asio::io_context& io_;
  Recorder& recorder_;
  std::string name_;
  std::chrono::milliseconds delay_;
  bool hang_;
  std::map<std::uint64_t, Held> tasks_;
};

/// A DEALER driven by hand, to play a worker that misbehaves.
class RawPeer {
 public:
  RawPeer(zmq::context_t& context, const std::string& endpoint, const std::string& routing_id)
      : socket_(context, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::routing_id, routing_id);
    socket_.connect(endpoint);
  }
  void send_raw(const std::string& bytes) {
    socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  }
  void send(wire::Envelope& envelope) { send_raw(encode_frame(envelope)); }
  void hello(const std::string& worker_id, std::uint32_t capacity) {
    wire::Envelope e;
    e.mutable_hello()->set_worker_id(worker_id);
    e.mutable_hello()->set_capacity(capacity);
    e.mutable_hello()->set_heartbeat_ms(20);
    send(e);
  }
  void credit(std::uint64_t up_to) {
    wire::Envelope e;
    e.mutable_credit()->set_up_to(up_to);
    send(e);
  }
  void heartbeat() {
    wire::Envelope e;
    e.mutable_heartbeat();
    send(e);
  }
  void result(std::uint64_t task_id, const std::string& url) {
    wire::Envelope e;
    e.mutable_result()->set_task_id(task_id);
    e.mutable_result()->set_url(url);
    e.mutable_result()->set_status(200);
    e.mutable_result()->add_links(url + "/x");
    send(e);
  }
  /// The next message, if one is there.
  std::optional<wire::Envelope> poll() {
    zmq::message_t m;
    if (!socket_.recv(m, zmq::recv_flags::dontwait)) return std::nullopt;
    wire::Envelope e;
    if (decode_frame(std::string_view(m.data<char>(), m.size()), kDefaultMaxFrameBytes, e) !=
        FrameError::kNone) {
      return std::nullopt;
    }
    return e;
  }
  zmq::socket_t& socket() { return socket_; }

 private:
  zmq::socket_t socket_;
};

class WorkerPoolTest : public ::testing::Test {
 protected:
  void make_pool(WorkerPoolOptions o = {}) {
    o.listen = "tcp://127.0.0.1:*";
    if (o.heartbeat_ms == WorkerPoolOptions{}.heartbeat_ms) o.heartbeat_ms = 20;
    pool_ = std::make_unique<WorkerPool>(io_, o, FetchOptions{});
  }

  std::unique_ptr<WorkerClient> make_worker(const std::string& name,
                                            std::chrono::milliseconds delay = 2ms,
                                            bool hang = false, int liveness_ms = 5000) {
    WorkerClientOptions o;
    o.connect = pool_->endpoint();
    o.worker_id = name;
    o.heartbeat_ms = 20;
    o.liveness_ms = liveness_ms;
    o.handle_signals = false;
    o.fetch.concurrency = 2;  // capacity 8
    auto client = std::make_unique<WorkerClient>(
        io_, o, [this, name, delay, hang](boost::asio::io_context& io, const FetchOptions&) {
          return std::make_unique<FakeEngine>(io, recorder_, name, delay, hang);
        });
    client->start();
    return client;
  }

  void submit(int n, int hosts, std::uint64_t first_id = 1) {
    for (int i = 0; i < n; ++i) {
      FetchTask t;
      t.id = first_id + static_cast<std::uint64_t>(i);
      t.url = "http://h" + std::to_string(i % hosts) + ".test/p-" + std::to_string(i);
      pool_->submit(t, [this, id = t.id](PageRecord r) {
        ++reported_[id];
        EXPECT_EQ(r.task_id, id);
        if (r.ok()) ++ok_;
        records_.push_back(std::move(r));
      });
    }
  }

  /// Runs the loop until `done()` holds; false at the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 30s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      if (io_.stopped()) io_.restart();
      io_.run_for(5ms);
    }
    return true;
  }

  /// Registers `peer` with credit 4, submits one task and returns it as the peer received it.
  std::optional<wire::Task> one_task_to(RawPeer& peer) {
    peer.hello("peer", 4);
    peer.credit(4);
    submit(1, 1);
    std::optional<wire::Task> task;
    run_until([&] {
      while (auto e = peer.poll()) {
        if (e->has_tasks() && e->tasks().tasks_size() > 0) task = e->tasks().tasks(0);
      }
      return task.has_value();
    });
    return task;
  }

  void expect_each_reported_once(std::size_t n) {
    EXPECT_EQ(reported_.size(), n);
    for (const auto& [id, count] : reported_) EXPECT_EQ(count, 1) << "task " << id;
  }

  boost::asio::io_context io_;
  Recorder recorder_;
  std::unique_ptr<WorkerPool> pool_;
  std::map<std::uint64_t, int> reported_;
  std::size_t ok_ = 0;
  std::vector<PageRecord> records_;
  zmq::context_t raw_context_{1};
};

TEST_F(WorkerPoolTest, EveryTaskIsReportedExactlyOnceAndHostsStayOnOneWorker) {
  WorkerPoolOptions o;
  o.min_workers = 2;
  make_pool(o);
  auto a = make_worker("a");
  auto b = make_worker("b");
  submit(300, 30);
  ASSERT_TRUE(run_until([&] { return reported_.size() == 300; })) << reported_.size();
  expect_each_reported_once(300);
  EXPECT_EQ(ok_, 300u);
  EXPECT_EQ(records_.front().links.size(), 1u);
  EXPECT_GT(recorder_.tasks_by_worker["a"], 0);
  EXPECT_GT(recorder_.tasks_by_worker["b"], 0);
  for (const auto& [host, workers] : recorder_.workers_by_host)
    EXPECT_EQ(workers.size(), 1u) << host;
  EXPECT_LE(recorder_.max_held, 8u) << "a worker held more than its capacity";
  EXPECT_EQ(pool_->counters().joined, 2u);
  EXPECT_EQ(pool_->counters().dropped_results, 0u);

  pool_->shutdown();
  ASSERT_TRUE(run_until([&] { return a->done() && b->done(); }));
  EXPECT_EQ(a->exit_code(), 0);
  EXPECT_EQ(b->exit_code(), 0);
}

TEST_F(WorkerPoolTest, TasksWaitForAWorkerToJoin) {
  make_pool();
  submit(20, 5);
  EXPECT_FALSE(run_until([&] { return !reported_.empty(); }, 200ms));
  EXPECT_EQ(pool_->outstanding(), 20u);
  auto a = make_worker("a");
  ASSERT_TRUE(run_until([&] { return reported_.size() == 20; }));
  expect_each_reported_once(20);
}

TEST_F(WorkerPoolTest, CancelAllReportsEveryTaskCancelledOnce) {
  make_pool();
  submit(10, 3);
  pool_->cancel_all();
  EXPECT_EQ(pool_->outstanding(), 0u);
  expect_each_reported_once(10);
  for (const auto& r : records_) EXPECT_EQ(r.error, FetchError::kCancelled);
}

TEST_F(WorkerPoolTest, ALostWorkersTasksGoToTheOthers) {
  WorkerPoolOptions o;
  o.min_workers = 2;
  make_pool(o);
  auto a = make_worker("a", 2ms, /*hang=*/true);
  auto b = make_worker("b");
  submit(100, 20);
  // a takes as many as its capacity and never answers.
  ASSERT_TRUE(run_until([&] { return recorder_.tasks_by_worker["a"] == 8; }));
  a.reset();  // the process dies: its connection closes
  ASSERT_TRUE(run_until([&] { return reported_.size() == 100; })) << reported_.size();
  expect_each_reported_once(100);
  EXPECT_EQ(ok_, 100u);
  EXPECT_EQ(pool_->counters().lost, 1u);
  EXPECT_EQ(pool_->counters().resent_after_loss, 8u);
}

TEST_F(WorkerPoolTest, ADrainingWorkerFinishesWhatItHoldsAndLeaves) {
  WorkerPoolOptions o;
  o.min_workers = 2;
  make_pool(o);
  auto a = make_worker("a", 20ms);
  auto b = make_worker("b", 2ms);
  submit(200, 20);
  ASSERT_TRUE(run_until([&] { return recorder_.tasks_by_worker["a"] >= 8; }));
  a->drain();
  ASSERT_TRUE(run_until([&] {
    return reported_.size() == 200 && a->done() && pool_->counters().left == 1;
  })) << reported_.size();
  expect_each_reported_once(200);
  EXPECT_EQ(ok_, 200u);
  EXPECT_EQ(a->exit_code(), 0);
  EXPECT_EQ(pool_->counters().left, 1u);
  EXPECT_EQ(pool_->counters().lost, 0u);
  EXPECT_FALSE(recorder_.host_on_two_workers_at_once);
}

TEST_F(WorkerPoolTest, AHostMovesToANewWorkerOnlyWhenItsTasksAreAnswered) {
  make_pool();  // min_workers 1: a starts alone and owns every host
  auto a = make_worker("a", 15ms);
  submit(400, 12);
  ASSERT_TRUE(run_until([&] { return reported_.size() >= 40; }));
  auto b = make_worker("b", 15ms);  // takes over about half the hosts
  ASSERT_TRUE(run_until([&] { return reported_.size() == 400; })) << reported_.size();
  expect_each_reported_once(400);
  EXPECT_GT(recorder_.tasks_by_worker["b"], 0);
  EXPECT_FALSE(recorder_.host_on_two_workers_at_once);
}

TEST_F(WorkerPoolTest, ASilentWorkerIsLostAfterTheLivenessDeadline) {
  WorkerPoolOptions o;
  o.liveness_ms = 300;
  make_pool(o);
  RawPeer silent(raw_context_, pool_->endpoint(), "silent/1");
  silent.hello("silent", 4);
  silent.credit(4);
  submit(4, 1);
  int received = 0;
  ASSERT_TRUE(run_until([&] {
    while (auto e = silent.poll()) {
      if (e->has_tasks()) received += e->tasks().tasks_size();
    }
    return received == 4;
  }));
  // It says nothing more (its ZeroMQ connection stays up): after 300 ms it is lost.
  ASSERT_TRUE(run_until([&] { return pool_->counters().lost == 1; }, 10s));
  auto b = make_worker("b");
  ASSERT_TRUE(run_until([&] { return reported_.size() == 4; }));
  expect_each_reported_once(4);
  EXPECT_EQ(ok_, 4u);
}

TEST_F(WorkerPoolTest, DuplicateAndUnknownResultsAreDroppedAndCounted) {
  make_pool();
  RawPeer peer(raw_context_, pool_->endpoint(), "peer/1");
  const std::optional<wire::Task> task = one_task_to(peer);
  ASSERT_TRUE(task.has_value());
  peer.result(task->id(), task->url());
  peer.result(task->id(), task->url());
  peer.result(999'999, "http://nowhere.test/");
  ASSERT_TRUE(run_until([&] { return pool_->counters().dropped_results == 2; }));
  expect_each_reported_once(1);
  EXPECT_EQ(records_.front().links, std::vector<std::string>{task->url() + "/x"});
}

// A worker that served a coordinator killed and restarted may report a task id that now names
// another URL: that result is dropped, and the task waits for its own.
TEST_F(WorkerPoolTest, AResultForAnotherUrlUnderTheSameTaskIdIsDropped) {
  make_pool();
  RawPeer peer(raw_context_, pool_->endpoint(), "peer/1");
  const std::optional<wire::Task> task = one_task_to(peer);
  ASSERT_TRUE(task.has_value());
  peer.result(task->id(), "http://other.test/from-an-earlier-coordinator");
  ASSERT_TRUE(run_until([&] { return pool_->counters().dropped_results == 1; }));
  EXPECT_TRUE(reported_.empty());
  peer.result(task->id(), task->url());
  ASSERT_TRUE(run_until([&] { return reported_.size() == 1; }));
  expect_each_reported_once(1);
  EXPECT_EQ(records_.front().links, std::vector<std::string>{task->url() + "/x"});
}

TEST_F(WorkerPoolTest, MetricsShowWorkersCreditAndTasksSent) {
  make_pool();
  MetricsRegistry metrics;
  pool_->add_metrics(metrics);
  RawPeer peer(raw_context_, pool_->endpoint(), "peer/1");
  peer.hello("peer", 8);
  peer.credit(5);
  ASSERT_TRUE(run_until([&] { return pool_->live_workers() == 1; }));
  ASSERT_TRUE(run_until([&] { return metrics.render().find("crawler_worker_credit 5\n") != std::string::npos; }))
      << metrics.render();
  submit(2, 1);
  ASSERT_TRUE(run_until([&] { return metrics.render().find("crawler_tasks_sent 2\n") != std::string::npos; }))
      << metrics.render();
  const std::string text = metrics.render();
  EXPECT_NE(text.find("crawler_workers 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_worker_credit 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("crawler_workers_joined_total 1\n"), std::string::npos) << text;
}

TEST_F(WorkerPoolTest, AnUnansweredTaskIsSentAgainAfterTheDeadline) {
  WorkerPoolOptions o;
  o.task_deadline_ms = 200;
  make_pool(o);
  RawPeer peer(raw_context_, pool_->endpoint(), "peer/1");
  peer.hello("peer", 4);
  peer.credit(10);
  submit(1, 1);
  int copies = 0;
  std::optional<wire::Task> task;
  ASSERT_TRUE(run_until([&] {
    peer.heartbeat();
    while (auto e = peer.poll()) {
      for (const auto& t : e->tasks().tasks()) {
        task = t;
        ++copies;
      }
    }
    return copies >= 2;
  }));
  EXPECT_GE(pool_->counters().resent_after_deadline, 1u);
  peer.result(task->id(), task->url());
  ASSERT_TRUE(run_until([&] { return reported_.size() == 1; }));
  expect_each_reported_once(1);
}

TEST_F(WorkerPoolTest, NothingIsSentBeyondTheCreditGranted) {
  make_pool();
  RawPeer peer(raw_context_, pool_->endpoint(), "peer/1");
  peer.hello("peer", 100);
  peer.credit(3);
  submit(10, 2);
  int received = 0;
  // Wait for 3, then make sure no 4th comes while the pool has every chance to send it.
  ASSERT_TRUE(run_until([&] {
    while (auto e = peer.poll()) received += e->tasks().tasks_size();
    return received == 3;
  }));
  EXPECT_FALSE(run_until(
      [&] {
        peer.heartbeat();
        while (auto e = peer.poll()) received += e->tasks().tasks_size();
        return received > 3;
      },
      300ms));
  EXPECT_EQ(pool_->in_flight(), 3u);
  peer.credit(10);  // cumulative: 7 more
  ASSERT_TRUE(run_until([&] {
    while (auto e = peer.poll()) received += e->tasks().tasks_size();
    return received == 10;
  }));
}

TEST_F(WorkerPoolTest, BadFramesAreRefusedAndCountedAndTheCrawlGoesOn) {
  WorkerPoolOptions o;
  o.max_frame_bytes = 4096;
  make_pool(o);
  RawPeer rogue(raw_context_, pool_->endpoint(), "rogue/1");
  rogue.send_raw("\xff\xfe garbage frame");
  rogue.send_raw(std::string(5000, 'x'));
  wire::Envelope v99;
  v99.mutable_hello()->set_worker_id("rogue");
  v99.set_version(99);
  rogue.send_raw(v99.SerializeAsString());
  rogue.credit(100);  // before any Hello
  const std::array<zmq::const_buffer, 2> parts = {zmq::buffer(std::string_view("one")),
                                                  zmq::buffer(std::string_view("two"))};
  zmq::send_multipart(rogue.socket(), parts);
  ASSERT_TRUE(run_until([&] { return pool_->refused_frames().total() == 5; }));
  const auto& refused = pool_->refused_frames();
  EXPECT_EQ(refused.of(FrameError::kUnparsable), 1u);
  EXPECT_EQ(refused.of(FrameError::kTooLarge), 1u);
  EXPECT_EQ(refused.of(FrameError::kBadVersion), 1u);
  EXPECT_EQ(refused.of(FrameError::kUnexpected), 1u);
  EXPECT_EQ(refused.of(FrameError::kBadFraming), 1u);
  EXPECT_EQ(pool_->counters().joined, 0u);

  auto a = make_worker("a");
  submit(30, 4);
  ASSERT_TRUE(run_until([&] { return reported_.size() == 30; }));
  expect_each_reported_once(30);
  EXPECT_NE(pool_->summary().find("frames refused: 5"), std::string::npos) << pool_->summary();
}

TEST_F(WorkerPoolTest, StopDispatchingCancelsWhatWasNotSentAndAwaitsTheRest) {
  make_pool();
  auto a = make_worker("a", 50ms);
  submit(40, 2);
  ASSERT_TRUE(run_until([&] { return pool_->in_flight() == 8; }));
  pool_->stop_dispatching();
  EXPECT_EQ(reported_.size(), 32u);
  ASSERT_TRUE(run_until([&] { return reported_.size() == 40; }));
  expect_each_reported_once(40);
  std::size_t cancelled = 0;
  for (const auto& r : records_) cancelled += r.error == FetchError::kCancelled;
  EXPECT_GE(ok_, 8u);  // the 8 in flight at the stop, and any answered before it
  EXPECT_EQ(ok_ + cancelled, 40u);
}

// A coordinator restarted without a journal used to refuse its workers as unregistered until
// they noticed its silence (a whole liveness period): now it answers them with Rejoin at once.
TEST_F(WorkerPoolTest, ARestartedPoolHasItsWorkersSayHelloAgainAtOnce) {
  make_pool();
  const std::string endpoint = pool_->endpoint();
  auto a = make_worker("a", 2ms, false, /*liveness_ms=*/120'000);
  submit(10, 2);
  ASSERT_TRUE(run_until([&] { return reported_.size() == 10; }));
  pool_.reset();  // as if killed: the worker is told nothing
  WorkerPoolOptions o;
  o.listen = endpoint;  // the new coordinator, on the same endpoint
  o.heartbeat_ms = 20;
  pool_ = std::make_unique<WorkerPool>(io_, o, FetchOptions{});
  // Far inside the worker's 120 s liveness, which it used to wait out.
  ASSERT_TRUE(run_until([&] { return pool_->live_workers() == 1; }, 20s))
      << "asked to rejoin " << pool_->counters().asked_to_rejoin << " times";
  EXPECT_GE(pool_->counters().asked_to_rejoin, 1u);
  EXPECT_EQ(pool_->counters().joined, 1u);
  EXPECT_EQ(pool_->counters().lost, 0u);
  EXPECT_EQ(a->counters().rejoins, 1u);
  submit(10, 2, /*first_id=*/100);
  ASSERT_TRUE(run_until([&] { return reported_.size() == 20; }));
  expect_each_reported_once(20);
  EXPECT_EQ(ok_, 20u);
}

}  // namespace
}  // namespace crawler
