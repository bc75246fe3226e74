// `crawl-worker`: fetches pages for a crawl-coordinator (see worker/worker_client.hpp).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "worker/worker_client.hpp"

int main(int argc, char** argv) {
  crawler::WorkerClientOptions options;
  CLI::App app{
      "crawl-worker: connect to a crawl-coordinator, fetch the URLs it sends, return their links"};
  crawler::add_worker_client_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("worker " + options.worker_id));
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  boost::asio::io_context io(1);
  crawler::WorkerClient client(io, options, nullptr, [&io] { io.stop(); });
  try {
    client.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  io.run();
  return client.exit_code();
}
