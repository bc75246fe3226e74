#pragma once
/// The worker pool's bookkeeping, without any I/O: every outstanding task, the worker it is
/// queued on or sent to, the live workers that hosts are sharded over, and the worker each host
/// is in flight on. Pure and single-threaded; WorkerPool drives it and talks to the sockets.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/task_sink.hpp"

namespace crawler {

/// Outstanding tasks and where they are.
///
/// A task is unassigned, queued on one worker, or sent to one worker. Queued tasks are assigned
/// to the live worker that owns their host by rendezvous hashing over the live workers' names.
/// Politeness across workers: a host is in flight on at most one worker at a time, so
/// next_batch() skips (and keeps queued) a task whose host still has tasks in flight on another
/// worker, as happens for a while after a join or a drain moves the host.
class TaskLedger {
 public:
  using Clock = std::chrono::steady_clock;

  /// One outstanding task.
  struct Entry {
    FetchTask task;
    TaskSink::Callback done;
    std::string host;    ///< sharding key (host_key of the URL)
    std::string worker;  ///< routing id it is queued on or sent to; empty: unassigned
    bool sent = false;
    Clock::time_point sent_at;
    int losses = 0;  ///< workers lost while it was sent to them
  };

  // ---- tasks ----

  /// Adds an unassigned task; false (and nothing added) when its id is already outstanding.
  bool add(FetchTask task, TaskSink::Callback done, std::string host);
  /// Removes a task and returns it as it was (sent or not, on which worker); nullopt if unknown.
  std::optional<Entry> take(std::uint64_t id);
  /// Removes every task (or every task not sent), sorted by id; queues are emptied accordingly.
  std::vector<Entry> take_all();
  std::vector<Entry> take_unsent();
  const Entry* find(std::uint64_t id) const;
  std::size_t size() const { return tasks_.size(); }
  /// Tasks sent and not yet taken back.
  std::size_t sent() const { return sent_; }
  /// Ids of sent tasks sent before `cutoff`, sorted.
  std::vector<std::uint64_t> sent_before(Clock::time_point cutoff) const;
  /// Takes a sent task back from its worker: it becomes unsent and unassigned.
  void unsend(std::uint64_t id);
  /// Counts one more lost worker for a task and returns the new count.
  int count_loss(std::uint64_t id);

  // ---- workers ----

  /// Registers a live worker: `identity` its routing id, `name` its rendezvous name.
  void add_worker(const std::string& identity, const std::string& name);
  /// The worker takes no new tasks (it drains); returns its queued tasks, now unassigned.
  std::vector<std::uint64_t> drain_worker(const std::string& identity);
  /// What a removed worker held: sent tasks (now unsent) and queued ones, all unassigned.
  struct Removed {
    std::vector<std::uint64_t> sent;
    std::vector<std::uint64_t> queued;
  };
  /// Forgets a worker. Unknown identities give nothing.
  Removed remove_worker(const std::string& identity);
  std::size_t live_workers() const { return live_names_.size(); }
  std::size_t sent_to(const std::string& identity) const;

  // ---- sharding and dispatch ----

  /// The live worker (routing id) that owns `host` now; nullopt with no live worker.
  std::optional<std::string> owner(const std::string& host) const;
  /// Queues unassigned tasks on the owners of their hosts, at the front of the queues when
  /// `front`; with no live worker they wait unassigned (at the front or back likewise). Returns
  /// the workers whose queue grew.
  std::vector<std::string> assign(const std::vector<std::uint64_t>& ids, bool front);
  /// After a join: moves unassigned tasks, and queued ones whose host now has another owner,
  /// to the front of their owners' queues. Returns the workers whose queue grew.
  std::vector<std::string> reshard();
  /// Takes up to `max_tasks` queued tasks of a worker, in queue order, about `max_bytes` of URLs
  /// at most, skipping those whose host is in flight on another worker (they stay queued).
  std::vector<std::uint64_t> next_batch(const std::string& identity, std::size_t max_tasks,
                                        std::size_t max_bytes);
  /// Puts a batch that could not be sent back at the front of the worker's queue.
  void put_back(const std::string& identity, const std::vector<std::uint64_t>& ids);
  /// Records a batch as sent to the worker at `now`.
  void mark_sent(const std::string& identity, const std::vector<std::uint64_t>& ids,
                 Clock::time_point now);
  /// True when no task of `host` is in flight anywhere.
  bool host_idle(const std::string& host) const { return hosts_.count(host) == 0; }
  std::size_t unassigned() const { return unassigned_.size(); }

 private:
  struct Worker {
    std::string name;
    bool draining = false;
    std::deque<std::uint64_t> queue;  ///< may hold stale ids (taken or moved since): skipped
    std::set<std::uint64_t> sent;
  };
  /// The worker a host is in flight on, and how many of its tasks.
  struct HostLoad {
    std::string worker;
    std::uint32_t in_flight = 0;
  };

  void update_live();
  /// Whether `id` is queued on `identity` (and not stale).
  bool queued_on(std::uint64_t id, const std::string& identity) const;
  void unsend(Entry& entry);
  /// Removes the tasks `pick` selects (all unsent ones at least), sorted by id; empties the queues.
  std::vector<Entry> take_if(const std::function<bool(const Entry&)>& pick);

  std::unordered_map<std::uint64_t, Entry> tasks_;
  std::map<std::string, Worker> workers_;
  std::deque<std::uint64_t> unassigned_;
  std::unordered_map<std::string, HostLoad> hosts_;
  std::vector<std::string> live_names_;       ///< rendezvous names of live workers
  std::vector<std::string> live_identities_;  ///< their routing ids, index for index
  std::size_t sent_ = 0;
};

}  // namespace crawler
