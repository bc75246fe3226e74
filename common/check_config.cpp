#include "common/check_config.hpp"

#include <cstdio>
#include <set>

extern char** environ;

namespace crawler {

void add_check_config_flag(CLI::App& app, bool& check_config) {
  app.add_flag(
      "--check-config", check_config,
      "parse the flags and CRAWL_* variables, print the effective settings and exit (0 ok, 2 bad)");
}

int check_config(const CLI::App& app, const std::function<void()>& validate) {
  int status = 0;
  std::set<std::string> known;
  for (const CLI::Option* option : app.get_options()) {
    if (!option->get_envname().empty()) known.insert(option->get_envname());
  }
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string var(*entry);
    const std::string name = var.substr(0, var.find('='));
    if (name.rfind("CRAWL_", 0) == 0 && known.count(name) == 0) {
      std::fprintf(stderr, "error: environment variable %s is not a setting of %s\n", name.c_str(),
                   app.get_name().c_str());
      status = 2;
    }
  }
  if (validate) {
    try {
      validate();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      status = 2;
    }
  }
  if (status != 0) return status;
  std::fputs(app.config_to_str(/*default_also=*/true, /*write_description=*/true).c_str(), stdout);
  return 0;
}

}  // namespace crawler
