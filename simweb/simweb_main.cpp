// simweb: the project's deterministic test web server (see simweb/server.hpp, simweb/site.hpp).
#include <cstdio>
#include <exception>

#include "simweb/command_line.hpp"
#include "simweb/manifest.hpp"
#include "simweb/server.hpp"

int main(int argc, char** argv) {
  simweb::CommandLine options;
  if (const auto exit_code = options.parse(argc, argv)) return *exit_code;
  try {
    simweb::Server server(options.server, options.site);
    const auto port = server.start();
    if (!options.out_dir.empty()) simweb::Manifest::write(server.site(), options.out_dir);
    server.run_until_signal(options.max_seconds, [&] {
      std::printf("listening %s:%u\n", options.server.bind.c_str(), static_cast<unsigned>(port));
      std::fflush(stdout);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simweb: %s\n", e.what());
    return 2;
  }
  return 0;
}
