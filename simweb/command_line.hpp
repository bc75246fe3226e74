#pragma once
/// The `simweb` program's command line.

#include <optional>
#include <string>

#include "simweb/server.hpp"
#include "simweb/site.hpp"

namespace simweb {

/// Options of `simweb`, parsed with CLI11 (`simweb --help` lists them with their defaults).
struct CommandLine {
  ServerConfig server;
  SiteConfig site;
  std::string out_dir;  ///< empty: write no manifest
  int max_seconds = 0;  ///< 0: run until SIGINT/SIGTERM

  /// Fills the fields from argv. Returns std::nullopt to go on, or the exit code to end with:
  /// 0 after --help, 2 after printing one line about a bad or unknown argument; with
  /// --check-config, 0 or 2 after printing the effective settings or what is wrong.
  std::optional<int> parse(int argc, char** argv);
};

}  // namespace simweb
