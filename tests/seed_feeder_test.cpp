// The seeds of a file reach the frontier while the crawl runs; a crawl killed halfway through
// them resumes from the journal's record of how far they were queued: every seed is fetched,
// none twice.
#include "coordinator/seed_feeder.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/crawl_stats.hpp"
#include "common/result_writer.hpp"
#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

/// Holds every task until complete_all(); records what it was given.
class HoldingSink : public TaskSink {
 public:
  void submit(FetchTask task, Callback done) override {
    urls.push_back(task.url);
    held_.emplace_back(std::move(task), std::move(done));
  }
  std::size_t outstanding() const override { return held_.size(); }
  std::size_t in_flight() const override { return held_.size(); }
  void cancel_all() override {
    auto held = std::move(held_);
    held_.clear();
    for (auto& [task, done] : held) {
      PageRecord r;
      r.url = task.url;
      r.error = FetchError::kCancelled;
      done(std::move(r));
    }
  }
  /// Answers every held task with a page of no links.
  void complete_all() {
    auto held = std::move(held_);
    held_.clear();
    for (auto& [task, done] : held) {
      PageRecord r;
      r.url = r.final_url = task.url;
      r.depth = task.depth;
      r.status = 200;
      done(std::move(r));
    }
  }
  std::vector<std::string> urls;

 private:
  std::vector<std::pair<FetchTask, Callback>> held_;
};

constexpr int kSeeds = 10'000;

/// Seed `i` as the file would give it, on line i + 1; every tenth repeats an earlier one.
SeedFeeder::Source seeds(int& next) {
  return [&next]() -> std::optional<Seed> {
    if (next == kSeeds) return std::nullopt;
    const int i = next++;
    const int n = i % 10 == 9 ? i - 5 : i;
    const std::string url = "http://h" + std::to_string(n % 37) + ".test/" + std::to_string(n);
    return Seed{url, url, static_cast<std::size_t>(i + 1)};
  };
}

/// One run of a journaled crawl, as run_crawl wires it, fed by a HoldingSink.
struct JournaledRun {
  JournaledRun(const FrontierOptions& options, const std::string& state, const std::string& out, bool resume)
      : frontier(options), journal(state, resume, "id"), writer(out, OutputFormat::kJsonl, true),
        crawl(io, frontier, sink, writer, stats, 64, &journal) {
    if (resume) {
      journal.for_each([&](const JournalEntry& e) { frontier.restore(e.key, e.url, e.depth, e.check_robots, e.done); });
      frontier.end_restore();
    }
    frontier.on_queued([this](const std::string& key, const std::string& url, std::uint32_t depth, bool robots) {
      journal.add(key, url, depth, robots);
    });
  }
  boost::asio::io_context io;
  Frontier frontier;
  Journal journal;
  ResultWriter writer;
  CrawlStats stats;
  HoldingSink sink;
  Crawl crawl;
};

TEST(SeedFeeder, AKillHalfwayThroughTheSeedsResumesWithEverySeedOnce) {
  test::TempDir tmp;
  const std::string state = tmp.file("state");
  const std::string out = tmp.file("results.txt");
  FrontierOptions options;
  options.store.dir = tmp.file("store");
  {
    // The first run: the seeds are fed a batch per turn; a few turns in, the journal commits,
    // and then the process dies (nothing more is committed, nothing completes).
    JournaledRun run(options, state, out, false);
    int next = 0;
    SeedFeeder feeder(run.io, run.frontier, run.crawl, &run.journal, seeds(next));
    feeder.start();
    run.crawl.start([] {});
    while (feeder.added() < 4000) ASSERT_EQ(run.io.run_one(), 1u);
    run.crawl.checkpoint();
    for (int i = 0; i < 3; ++i) run.io.run_one();  // fed further, not committed
    ASSERT_FALSE(feeder.done()) << "every seed was fed before the kill: the test tests nothing";
    EXPECT_EQ(run.sink.urls.size(), 64u);
  }
  {
    // --resume: the journal's URLs are restored, the feeder skips the seeds queued before.
    JournaledRun run(options, state, out, true);
    ASSERT_GT(run.journal.seeds_queued(), 0u);
    ASSERT_LT(run.journal.seeds_queued(), static_cast<std::uint64_t>(kSeeds));
    int next = 0;
    SeedFeeder feeder(run.io, run.frontier, run.crawl, &run.journal, seeds(next), run.journal.seeds_queued());
    feeder.start();
    bool finished = false;
    run.crawl.start([&] { finished = true; });
    for (int turns = 0; !finished && turns < 1'000'000; ++turns) {
      if (run.io.poll() == 0) run.sink.complete_all();
    }
    ASSERT_TRUE(finished);
    EXPECT_TRUE(feeder.done());
    std::map<std::string, int> fetched;
    for (const auto& url : run.sink.urls) ++fetched[url];
    EXPECT_EQ(fetched.size(), static_cast<std::size_t>(kSeeds - kSeeds / 10));
    for (const auto& [url, count] : fetched) EXPECT_EQ(count, 1) << url;
  }
  // The finished feed is on record: a later --resume reads no seeds again.
  Journal journal(state, true, "id");
  EXPECT_EQ(journal.seeds_queued(), Journal::kAllSeeds);
}

}  // namespace
}  // namespace crawler
