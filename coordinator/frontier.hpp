#pragma once
/// The frontier: URLs known and not yet dispatched, in per-host queues, with the seen-set and
/// the crawl's limits (depth, scope, include/exclude, max pages).

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/page_record.hpp"
#include "common/task_sink.hpp"
#include "coordinator/fingerprint_set.hpp"
#include "coordinator/host_backoff.hpp"
#include "coordinator/queue_store.hpp"
#include "coordinator/url_queue.hpp"

namespace crawler {

/// Which discovered links may be followed, relative to the page they were found on.
enum class Scope { kHost, kDomain, kAny };

/// Limits of a crawl.
struct FrontierOptions {
  std::uint32_t max_depth = 0;      ///< 0: fetch the seeds only
  Scope scope = Scope::kHost;
  std::vector<std::regex> include;  ///< a discovered URL must match one (when any are given)
  std::vector<std::regex> exclude;  ///< a discovered URL matching any is not followed
  std::uint64_t max_pages = 0;      ///< pages dispatched at most; 0 = no limit
  /// RAM for queued URLs (their packed bytes, as allocated); the rest waits in the store.
  std::size_t memory_bytes = std::size_t{256} << 20;
  /// Pauses of hosts that answer 429 or 503 or time out (base_ms 0: none).
  HostBackoffOptions backoff;
  /// Wall-clock milliseconds (the pauses' clock; tests give their own).
  std::function<std::int64_t()> now_ms;
  /// The store's place and size bound. Only when both the RAM budget and the store are full
  /// are new links dropped (and counted); seeds and restored URLs never are.
  QueueStoreOptions store;
  /// Breadth-first in whole levels (see Frontier::done()). Off: a URL's depth is that of the
  /// path it was first found through, which depends on the order results arrive in.
  bool strict_levels = false;
};

/// Per-host FIFO queues served round-robin, so one host never fills every slot and, within a
/// host, pages go out in the order found (breadth first). Seeds are never filtered by scope,
/// include/exclude or robots; discovered links are. Single-threaded.
///
/// RAM holds the seen-set, one small record per host with queued URLs, and the packed entries
/// of at most `memory_bytes`: the front of each host's queue. When the entries pass that budget,
/// every host's queue is cut to its first `window` entries and the rest goes to the QueueStore
/// on disk (the window halves until the entries fit in three quarters of the budget); a host
/// whose entries are on disk takes its next pushes there too, and reads its next window back
/// when its turn comes. So a host's queue is, in order: entries in RAM, entries on disk,
/// entries pushed since (gathered in RAM, written in batches). The order of dispatch is the
/// same whatever the budget; a store error (a full disk) is thrown by the call that met it.
class Frontier {
 public:
  explicit Frontier(FrontierOptions options);

  /// Adds a seed at depth 0. `url` is kept as written (it is the source column of its lines);
  /// `normalized` is the dedup key. Returns false for a duplicate.
  bool add_seed(const std::string& url, const std::string& normalized);

  /// Offers the links of a fetched page; queues those within depth, scope and filters that were
  /// never seen. Returns how many were queued.
  std::size_t add_links(const PageRecord& page);

  /// Restores a URL from the journal on resume: marks it seen, and queues it unless done.
  /// `key` is its normalised form, `url` as written.
  void restore(const std::string& key, const std::string& url, std::uint32_t depth, bool check_robots, bool done);
  /// After the last restore(): queues the restored URLs, shallowest first. Past the RAM budget
  /// they are sorted in the store, so a resume needs no more RAM than the crawl.
  void end_restore();

  /// Who holds the level back while URLs may still arrive (see hold()).
  enum class Holder { kSeeds, kResume };
  /// Says that `holder` may still queue URLs of depth `depth` or deeper: seeds streaming in
  /// (depth 0), or a resume feeding the journal's queue back shallowest first (its depth so
  /// far; call again as it goes deeper). Until release(), the level does not pass `depth` (see
  /// done()), and with strict levels new links deeper than the shallowest hold wait in the
  /// store: a host's queue must stay in depth order, for a deeper URL at its front would hold
  /// back the level forever.
  void hold(Holder holder, std::uint32_t depth);
  /// Ends `holder`'s hold; after the last one, the links that waited are queued, in depth order.
  void release(Holder holder);

  /// A resume that streams the journal while the crawl runs (see ResumeFeeder), instead of
  /// restore(): begin_resume() first; then, in any interleaving, restore_known() for every URL
  /// the journal knows and restore_queued() for each it has queued, shallowest first (each
  /// holds the level at its depth, see hold()); end_known() and end_resume() after the last.
  /// Until end_known(), a link not in the seen-set is asked of `known_elsewhere` (the journal),
  /// so no URL is queued twice. `done`: pages the journal counts as done (for max_pages).
  void begin_resume(std::uint64_t done, std::function<bool(const std::string&)> known_elsewhere);
  void restore_seed_host(std::string_view host) { seed_hosts_.insert(FingerprintSet::fingerprint(host)); }
  void restore_known(std::string_view key) { seen_.insert(FingerprintSet::fingerprint(key)); }
  void end_known() { known_elsewhere_ = nullptr; }
  void restore_queued(std::string_view key, std::string_view url, std::uint32_t depth, bool check_robots);
  void end_resume() { release(Holder::kResume); }

  /// Called for every URL queued from now on (seeds and links): key, url as written, depth,
  /// check_robots. The coordinator journals them with it.
  using QueuedHook = std::function<void(const std::string&, const std::string&, std::uint32_t, bool)>;
  void on_queued(QueuedHook hook) { on_queued_ = std::move(hook); }

  /// The next task, round-robin over hosts; nullopt when nothing is queued, max_pages is
  /// reached, or every queued URL is deeper than a task still running (see done()).
  /// Its host_named_by_user is set when its host is a seed's host (the SSRF guard trusts those).
  std::optional<FetchTask> next();
  /// Reports that a task next() returned (at `depth`) has its result, whatever it was. With
  /// strict_levels the crawl goes in breadth-first levels: no URL of depth d+1 is handed out
  /// while one of depth d is queued or running. So every URL is first found, and kept, at its
  /// shortest distance from the seeds, whatever order results arrive in, and a --depth limit
  /// gives the same pages with any number of workers. The price: the slowest page of a level
  /// (a stalled server, a host with a long queue and a Crawl-delay) holds up the next one,
  /// the round-based fetching Nutch users complain about; hence off by default.
  void done(std::uint32_t depth);
  /// Reports that `host` (as url_host gives it) answered 429 or 503 or timed out: its queued
  /// URLs wait out a pause (see HostBackoff), on_paused is told. Other hosts go on.
  void host_trouble(std::string_view host);
  /// Puts back a pause recorded by an earlier run (on resume).
  void restore_pause(std::string_view host, const HostBackoff::State& state) { backoff_.restore(host, state); }
  using PausedHook = std::function<void(std::string_view host, const HostBackoff::State&)>;
  void on_paused(PausedHook hook) { on_paused_ = std::move(hook); }
  /// When the first paused host with queued URLs may go again; 0 when none is waiting. While
  /// next() returns nothing for that reason, the caller should ask again then.
  std::int64_t next_wake_ms() const { return snoozed_.empty() ? 0 : snoozed_.begin()->first; }
  std::uint64_t pauses() const { return backoff_.pauses(); }
  std::int64_t now_ms() const;

  /// The dedup key (normalised URL) of a task that next() returned: its URL, normalised again
  /// for a seed (kept as written). Only needed by the journal.
  std::string key_of(const FetchTask& task) const;

  /// True when next() will return nothing: the queues are empty or max_pages is reached.
  bool exhausted() const { return queued_ == 0 || limit_reached(); }
  /// True when max_pages tasks were dispatched: nothing more will be, whatever is added.
  bool limit_reached() const { return options_.max_pages != 0 && dispatched_ >= options_.max_pages; }
  std::size_t queued() const { return queued_; }
  /// Queued URLs whose entries are in RAM (the rest are in the store).
  std::size_t queued_in_memory() const { return ram_entries_; }
  /// Bytes of RAM held by queued entries (what memory_bytes bounds).
  std::size_t queue_memory_bytes() const { return ram_bytes_; }
  /// Bytes of the store on disk (at most a second old; 0 while unused).
  std::uint64_t store_disk_bytes() { return store_.disk_bytes(); }
  /// The store's directory (empty while unused).
  const std::string& store_dir() const { return store_.dir(); }
  /// Hosts with queued URLs.
  std::size_t hosts() const { return hosts_.size(); }
  std::size_t known() const { return seen_.size(); }
  std::uint64_t dispatched() const { return dispatched_; }
  std::uint64_t dropped() const { return dropped_; }  ///< links dropped: RAM budget and store both full
  std::size_t seen_memory_bytes() const { return seen_.memory_bytes(); }

 private:
  bool in_scope(std::string_view page_host, std::string_view page_domain, std::string_view link_host) const;
  bool passes_filters(const std::string& url) const;
  /// One host's queue: entries [popped, popped + ram.size()) in RAM, the next ones in the store
  /// or in pending_, up to pushed. Sequence numbers are the store's keys within the host.
  struct HostQueue {
    UrlQueue ram;
    std::uint64_t id = 0;      ///< the store's key for this host; never reused
    std::uint64_t pushed = 0;  ///< entries ever pushed
    std::uint64_t popped = 0;  ///< entries ever popped
    std::uint32_t front_depth = 0;  ///< depth of the oldest entry (also while it is on disk)
    std::size_t size() const { return pushed - popped; }
    std::size_t beyond_ram() const { return size() - ram.size(); }
  };
  using HostQueues = std::unordered_map<std::string, HostQueue>;
  using Host = HostQueues::value_type;

  /// Queues a URL at the back of its host's queue. `counted`: queued_ and unfinished_ already
  /// count it (a link that waited out a hold).
  void enqueue(std::string_view url, std::string host, std::uint32_t depth, bool check_robots, bool counted = false);
  /// Moves the next entries of `host` from the store into its RAM window.
  void refill(HostQueue& host);
  /// Writes what pushes to spilled hosts gathered.
  void flush_pending();
  /// Brings RAM under the budget by moving entries past each host's window to the store.
  void spill();
  /// Runs `change` on `queue` and accounts for the RAM it gains or frees.
  template <typename F>
  void metered(UrlQueue& queue, F&& change);

  QueuedHook on_queued_;
  /// While a streaming resume reads the seen-set: the journal's answer for URLs not yet in it.
  std::function<bool(const std::string&)> known_elsewhere_;
  /// Marks `key` seen; false when it was already, here or in the journal (see begin_resume()).
  bool first_sight(const std::string& key);
  /// Fingerprints of the seeds' hosts (as url_host gives them): the hosts the user named. (Two
  /// hosts share a fingerprint with probability ~n²/2⁶⁵; see FingerprintSet.)
  FingerprintSet seed_hosts_;

  FrontierOptions options_;
  FingerprintSet seen_;
  HostQueues hosts_;  ///< every host with queued URLs (references to entries stay valid)
  std::deque<Host*> ready_;  ///< the same hosts, in round-robin order
  std::deque<Host*> waiting_;  ///< hosts whose next URL is deeper than the level
  std::multimap<std::int64_t, Host*> snoozed_;  ///< paused hosts with queued URLs, by end of pause
  HostBackoff backoff_;
  PausedHook on_paused_;
  QueueStore store_;
  /// Entries pushed to hosts that have entries in the store, not yet written to it.
  std::unordered_map<HostQueue*, UrlQueue> pending_;
  std::size_t ram_bytes_ = 0;    ///< allocated by the RAM windows and pending_
  std::size_t ram_entries_ = 0;  ///< entries in the RAM windows and pending_
  std::size_t window_ = kMaxWindow;  ///< entries kept per host when spilling, and read back at once
  std::uint64_t next_host_id_ = 0;
  bool store_full_ = false;  ///< as of the last spill()
  static constexpr std::size_t kMaxWindow = 64;
  /// RAM of one entry of pending_ besides its buffer: node, key, queue, bucket, malloc's header.
  static constexpr std::size_t kPendingNodeBytes = 96;
  std::map<std::uint32_t, std::size_t> unfinished_;  ///< by depth: URLs queued or running
  struct Restored {
    std::string url;
    std::string host;
    std::uint32_t depth;
    bool check_robots;
  };
  std::vector<Restored> restored_;  ///< between restore() and end_restore(), while they fit the budget
  std::size_t restored_bytes_ = 0;
  std::uint64_t stashed_ = 0;  ///< restored URLs sorted in the store instead (more than the budget)
  /// Keeps a URL in the store's stash, read back in (depth, then `seq`) order by unstash().
  void stash(std::uint64_t seq, std::string_view url, std::string_view host, std::uint32_t depth, bool check_robots);
  /// Queues the stashed URLs of depth below `below_depth` (all: none left), in order.
  void unstash(bool counted, std::uint32_t below_depth = std::numeric_limits<std::uint32_t>::max());
  /// Queues the links that waited and may go now: those no deeper than every hold.
  void queue_deferred();
  /// The depth of the shallowest hold (the largest depth when none).
  std::uint32_t shallowest_hold() const;
  /// Keeps a URL in the stash until the holds let it go (counted as queued and unfinished).
  void defer(std::string_view url, std::string_view host, std::uint32_t depth, bool check_robots);
  std::optional<std::uint32_t> holds_[2];  ///< by Holder: the depth held
  std::uint64_t deferred_ = 0;      ///< links stashed, waiting for holds to move or end
  std::uint64_t deferred_seq_ = 0;  ///< their order within a depth
  std::size_t queued_ = 0;
  std::uint64_t dispatched_ = 0;
  std::uint64_t next_id_ = 1;
  std::uint64_t dropped_ = 0;
};

/// The host name (lower-case, no port or user info) of an absolute URL; empty when none.
std::string_view url_host(std::string_view url);

}  // namespace crawler
