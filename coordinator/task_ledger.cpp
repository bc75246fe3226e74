#include "coordinator/task_ledger.hpp"

#include <algorithm>

#include "coordinator/rendezvous.hpp"

namespace crawler {

// ---- tasks ----

bool TaskLedger::add(FetchTask task, TaskSink::Callback done, std::string host) {
  const std::uint64_t id = task.id;
  if (tasks_.count(id) != 0) return false;
  Entry entry;
  entry.task = std::move(task);
  entry.done = std::move(done);
  entry.host = std::move(host);
  tasks_.emplace(id, std::move(entry));
  return true;
}

std::optional<TaskLedger::Entry> TaskLedger::take(std::uint64_t id) {
  const auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  Entry& entry = it->second;
  const bool was_sent = entry.sent;
  unsend(entry);
  entry.sent = was_sent;  // returned as it was: sent or not, on which worker
  Entry out = std::move(entry);
  tasks_.erase(it);
  return out;
}

std::vector<TaskLedger::Entry> TaskLedger::take_all() {
  return take_if([](const Entry&) { return true; });
}

std::vector<TaskLedger::Entry> TaskLedger::take_unsent() {
  return take_if([](const Entry& entry) { return !entry.sent; });
}

std::vector<TaskLedger::Entry> TaskLedger::take_if(const std::function<bool(const Entry&)>& pick) {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, entry] : tasks_) {
    if (pick(entry)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<Entry> out;
  for (const auto id : ids) out.push_back(*take(id));
  // Queues hold only unsent ids (or stale ones), and every unsent task has just been taken.
  unassigned_.clear();
  for (auto& [identity, worker] : workers_) worker.queue.clear();
  return out;
}

const TaskLedger::Entry* TaskLedger::find(std::uint64_t id) const {
  const auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second;
}

std::vector<std::uint64_t> TaskLedger::sent_before(Clock::time_point cutoff) const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, entry] : tasks_) {
    if (entry.sent && entry.sent_at < cutoff) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void TaskLedger::unsend(std::uint64_t id) {
  const auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  unsend(it->second);
  it->second.worker.clear();
}

void TaskLedger::unsend(Entry& entry) {
  if (!entry.sent) return;
  entry.sent = false;
  --sent_;
  const auto w = workers_.find(entry.worker);
  if (w != workers_.end()) w->second.sent.erase(entry.task.id);
  const auto h = hosts_.find(entry.host);
  if (h != hosts_.end() && h->second.worker == entry.worker && --h->second.in_flight == 0) {
    hosts_.erase(h);
  }
}

int TaskLedger::count_loss(std::uint64_t id) {
  const auto it = tasks_.find(id);
  return it == tasks_.end() ? 0 : ++it->second.losses;
}

// ---- workers ----

void TaskLedger::add_worker(const std::string& identity, const std::string& name) {
  Worker& worker = workers_[identity];
  worker.name = name;
  worker.draining = false;
  update_live();
}

std::vector<std::uint64_t> TaskLedger::drain_worker(const std::string& identity) {
  const auto it = workers_.find(identity);
  if (it == workers_.end()) return {};
  std::vector<std::uint64_t> ids;
  for (const auto id : it->second.queue) {
    if (queued_on(id, identity)) {
      tasks_.at(id).worker.clear();
      ids.push_back(id);
    }
  }
  it->second.queue.clear();
  it->second.draining = true;
  update_live();
  return ids;
}

TaskLedger::Removed TaskLedger::remove_worker(const std::string& identity) {
  const auto it = workers_.find(identity);
  if (it == workers_.end()) return {};
  Removed removed;
  removed.sent.assign(it->second.sent.begin(), it->second.sent.end());
  for (const auto id : removed.sent) unsend(id);
  for (const auto id : it->second.queue) {
    if (queued_on(id, identity)) {
      tasks_.at(id).worker.clear();
      removed.queued.push_back(id);
    }
  }
  workers_.erase(it);
  update_live();
  return removed;
}

std::size_t TaskLedger::sent_to(const std::string& identity) const {
  const auto it = workers_.find(identity);
  return it == workers_.end() ? 0 : it->second.sent.size();
}

void TaskLedger::update_live() {
  live_names_.clear();
  live_identities_.clear();
  for (const auto& [identity, worker] : workers_) {
    if (worker.draining) continue;
    live_names_.push_back(worker.name);
    live_identities_.push_back(identity);
  }
}

// ---- sharding and dispatch ----

std::optional<std::string> TaskLedger::owner(const std::string& host) const {
  const auto i = rendezvous_owner(live_names_, host);
  if (!i) return std::nullopt;
  return live_identities_[*i];
}

bool TaskLedger::queued_on(std::uint64_t id, const std::string& identity) const {
  const auto it = tasks_.find(id);
  return it != tasks_.end() && !it->second.sent && it->second.worker == identity;
}

std::vector<std::string> TaskLedger::assign(const std::vector<std::uint64_t>& ids, bool front) {
  std::vector<std::uint64_t> valid;
  for (const auto id : ids) {
    const auto it = tasks_.find(id);
    if (it != tasks_.end() && !it->second.sent) valid.push_back(id);
  }
  if (live_names_.empty()) {
    for (const auto id : valid) tasks_.at(id).worker.clear();
    unassigned_.insert(front ? unassigned_.begin() : unassigned_.end(), valid.begin(), valid.end());
    return {};
  }
  std::map<std::string, std::vector<std::uint64_t>> by_owner;
  for (const auto id : valid) {
    Entry& entry = tasks_.at(id);
    entry.worker = *owner(entry.host);
    by_owner[entry.worker].push_back(id);
  }
  std::vector<std::string> grown;
  for (const auto& [identity, list] : by_owner) {
    auto& queue = workers_.at(identity).queue;
    queue.insert(front ? queue.begin() : queue.end(), list.begin(), list.end());
    grown.push_back(identity);
  }
  return grown;
}

std::vector<std::string> TaskLedger::reshard() {
  if (live_names_.empty()) return {};
  std::vector<std::uint64_t> moved;
  for (const auto id : unassigned_) {
    if (tasks_.count(id) != 0) moved.push_back(id);
  }
  unassigned_.clear();
  for (auto& [identity, worker] : workers_) {
    std::deque<std::uint64_t> keep;
    for (const auto id : worker.queue) {
      if (!queued_on(id, identity)) continue;  // stale
      Entry& entry = tasks_.at(id);
      if (*owner(entry.host) == identity) {
        keep.push_back(id);
      } else {
        entry.worker.clear();
        moved.push_back(id);
      }
    }
    worker.queue = std::move(keep);
  }
  return assign(moved, true);
}

std::vector<std::uint64_t> TaskLedger::next_batch(const std::string& identity,
                                                  std::size_t max_tasks, std::size_t max_bytes) {
  const auto it = workers_.find(identity);
  if (it == workers_.end()) return {};
  auto& queue = it->second.queue;
  std::vector<std::uint64_t> batch;
  std::vector<std::uint64_t> blocked;
  std::size_t bytes = 0;
  while (!queue.empty() && batch.size() < max_tasks && bytes < max_bytes) {
    const std::uint64_t id = queue.front();
    queue.pop_front();
    if (!queued_on(id, identity)) continue;  // stale
    const Entry& entry = tasks_.at(id);
    const auto host = hosts_.find(entry.host);
    if (host != hosts_.end() && host->second.worker != identity) {
      blocked.push_back(id);  // its host is still in flight elsewhere: politeness first
      continue;
    }
    batch.push_back(id);
    bytes += entry.task.url.size() + 16;
  }
  queue.insert(queue.begin(), blocked.begin(), blocked.end());
  return batch;
}

void TaskLedger::put_back(const std::string& identity, const std::vector<std::uint64_t>& ids) {
  const auto it = workers_.find(identity);
  if (it == workers_.end()) return;
  it->second.queue.insert(it->second.queue.begin(), ids.begin(), ids.end());
}

void TaskLedger::mark_sent(const std::string& identity, const std::vector<std::uint64_t>& ids,
                           Clock::time_point now) {
  const auto w = workers_.find(identity);
  if (w == workers_.end()) return;
  for (const auto id : ids) {
    const auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second.sent) continue;
    Entry& entry = it->second;
    entry.worker = identity;
    entry.sent = true;
    entry.sent_at = now;
    ++sent_;
    w->second.sent.insert(id);
    HostLoad& load = hosts_[entry.host];
    load.worker = identity;
    ++load.in_flight;
  }
}

}  // namespace crawler
