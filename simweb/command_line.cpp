#include "simweb/command_line.hpp"

#include <CLI/CLI.hpp>

#include "common/check_config.hpp"

namespace simweb {

std::optional<int> CommandLine::parse(int argc, char** argv) {
  std::string gzip = server.gzip ? "on" : "off";
  CLI::App app{
      "simweb: a deterministic test web (hosts h0.sim, h1.sim, ... on one loopback port)\n"
      "with fault injection under /fault/ and counters at /__stats."};
  app.option_defaults()->always_capture_default();
  app.add_option("--port", server.port, "TCP port; 0 picks a free one");
  app.add_option("--bind", server.bind, "address to listen on");
  app.add_option("--pages", site.pages, "regular pages in the site")
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--links", site.links, "average distinct links per page")
      ->check(CLI::Range(0, 1000));
  app.add_option("--hosts", site.hosts, "hosts h0.sim .. h{N-1}.sim")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--seed", site.seed, "site seed: the same seed gives the same site");
  app.add_option("--threads", server.threads, "io_context threads")->check(CLI::Range(1, 256));
  app.add_option("--latency-ms", server.latency_ms, "delay before every response (a timer)")
      ->check(CLI::Range(0, 600'000));
  app.add_option("--jitter-ms", server.jitter_ms, "uniform +- jitter on that delay")
      ->check(CLI::Range(0, 600'000));
  app.add_option("--gzip", gzip, "gzip pages for clients that accept it")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--gzip-cache-mb", server.gzip_cache_mb,
                 "keep compressed pages up to this many MiB (0: compress on every request)");
  app.add_option("--out-dir", out_dir,
                 "write seeds.txt, seeds-roots.txt, expected-depth0.tsv, expected-full.tsv and "
                 "manifest.json here before serving");
  app.add_option("--max-seconds", max_seconds, "exit 0 after this long; 0 = until SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber);
  bool check = false;
  crawler::add_check_config_flag(app, check);
  app.footer(
      "Prints 'listening ADDR:PORT' as its first stdout line once the manifest is written.\n"
      "Crawl it with curl-style --resolve '*:PORT:127.0.0.1'. Exits 0 on SIGINT/SIGTERM,\n"
      "2 on a bad argument or a startup failure.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help, or the error in one line
    return code == 0 ? 0 : 2;
  }
  server.gzip = gzip == "on";
  if (check) {
    return crawler::check_config(app, [&] { Site::validate(site); });
  }
  return std::nullopt;
}

}  // namespace simweb
