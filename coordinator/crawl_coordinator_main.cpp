// `crawl-coordinator`: run a crawl whose pages are fetched by crawl-worker processes that
// connect to --listen (see coordinator/worker_pool.hpp).
#include <CLI/CLI.hpp>

#include "common/check_config.hpp"
#include "coordinator/distributed_crawl.hpp"

int main(int argc, char** argv) {
  crawler::CrawlOptions options;
  crawler::WorkerPoolOptions pool;
  CLI::App app{
      "crawl-coordinator: own a crawl (frontier, results) and hand its fetches to crawl-worker "
      "processes"};
  crawler::add_crawl_options(app, options);
  crawler::add_worker_pool_options(app, pool, /*standalone=*/true);
  crawler::add_generate_keypair_option(app);
  // Here --workers only sizes the window of tasks handed out (4 x --concurrency per worker):
  // its help must say so, not crawl's "worker processes".
  app.get_option("--workers")
      ->description(
          "workers expected, to size the tasks handed out: 4 x --concurrency per worker (0 counts "
          "as 1; --max-outstanding overrides); the workers themselves are started apart");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  if (options.check_config) {
    return crawler::check_config(app, [&] {
      options.frontier_options();
      pool.check_curve_flags();
    });
  }
  return crawler::run_coordinator(options, pool);
}
