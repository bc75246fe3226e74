// `crawl-worker`: fetches pages for a crawl-coordinator (see worker/worker_client.hpp).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/service_telemetry.hpp"
#include "worker/crawl_engine.hpp"
#include "worker/synthetic_web.hpp"
#include "worker/worker_client.hpp"

int main(int argc, char** argv) {
  crawler::WorkerClientOptions options;
  CLI::App app{
      "crawl-worker: connect to a crawl-coordinator, fetch the URLs it sends, return their links"};
  crawler::add_worker_client_options(app, options);
  std::string synthetic;
  app.add_option("--synthetic-web", synthetic,
                 "benchmark the coordinator: fetch nothing, answer every task at once with links into a "
                 "synthetic web of PAGES pages over HOSTS hosts (http://hN.syn/pN; LINKS a page, default 50)")
      ->type_name("PAGES:HOSTS[:LINKS]")
      ->check([](const std::string& spec) {
        return crawler::SyntheticWeb::parse(spec) ? std::string() : "expected PAGES:HOSTS[:LINKS], HOSTS <= PAGES";
      });
  boost::asio::io_context io(1);
  crawler::ServiceTelemetry telemetry(app);  // --metrics-listen, --check-config; dies before io
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  if (auto status = telemetry.check_config(app, [&] { options.check_curve_flags(); })) {
    return *status;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("worker " + options.worker_id));
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  crawler::WorkerClient client(
      io, options,
      [&](boost::asio::io_context& loop,
          const crawler::FetchOptions& fetch) -> std::unique_ptr<crawler::TaskSink> {
        if (!synthetic.empty()) return telemetry.meter(crawler::make_synthetic_engine(loop, *crawler::SyntheticWeb::parse(synthetic)));
        return telemetry.meter(crawler::CrawlEngine::create(loop, fetch));
      },
      [&] {
        telemetry.stop();
        io.stop();
      });
  try {
    client.start();
    telemetry.start(io, [&] { return !client.done(); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  io.run();
  // crawl --workers N lets its workers' stderr through: this line lands before its summary.
  std::fprintf(stderr, "worker %s loop lag %s\n", options.worker_id.c_str(), telemetry.lag_summary().c_str());
  return client.exit_code();
}
