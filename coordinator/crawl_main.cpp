// `crawl`: fetch the seeds' pages and write every link on them: with N worker processes
// (--workers N, default one per core), or in this process (--workers 0).
#include <CLI/CLI.hpp>

#include "common/check_config.hpp"
#include "common/fetch_cli.hpp"
#include "coordinator/crawl_runner.hpp"
#include "coordinator/distributed_crawl.hpp"
#include "worker/crawl_engine.hpp"

int main(int argc, char** argv) {
  crawler::CrawlOptions options;
  crawler::WorkerPoolOptions pool;
  CLI::App app{
      "crawl: fetch URLs concurrently and write source<TAB>link lines for every link found"};
  crawler::add_crawl_options(app, options);
  crawler::add_worker_pool_options(app, pool, /*standalone=*/false);
  // Only here, not in crawl-coordinator: the fetching process's guard (passed to --workers N).
  crawler::add_guard_options(app, options.fetch);
  crawler::add_network_options(app, options.fetch);  // likewise
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  if (options.check_config) return crawler::check_config(app, [&] { options.frontier_options(); });
  if (options.workers > 0) return crawler::run_with_local_workers(options, pool);
  return crawler::run_crawl(options,
                            [&](boost::asio::io_context& io) -> std::unique_ptr<crawler::TaskSink> {
                              return crawler::CrawlEngine::create(io, options.fetch);
                            });
}
