// `crawl`: fetch the seeds' pages and write every link on them, in one process (--workers 0).
#include <CLI/CLI.hpp>

#include "coordinator/crawl_runner.hpp"
#include "worker/crawl_engine.hpp"

int main(int argc, char** argv) {
  crawler::CrawlOptions options;
  CLI::App app{"crawl: fetch URLs concurrently and write source<TAB>link lines for every link found"};
  crawler::add_crawl_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  return crawler::run_crawl(options, [&](boost::asio::io_context& io) -> std::unique_ptr<crawler::TaskSink> {
    return crawler::CrawlEngine::create(io, options.fetch);
  });
}
