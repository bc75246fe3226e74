#pragma once
/// --check-config: parse every flag and CRAWL_* variable, print the effective settings, exit.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace crawler {

/// Adds --check-config to `app` (no environment variable: it is never set by a manifest).
void add_check_config_flag(CLI::App& app, bool& check_config);

/// For a parsed `app`: runs `validate` (checks that need no files or network, e.g. compiling
/// regexes; it throws std::exception on a bad setting), and refuses CRAWL_* variables in the
/// environment that are no option of `app` (a typo would otherwise be ignored silently).
/// On success prints the effective settings (every option, defaults included, with their
/// descriptions, in CLI11's config format) on stdout and returns 0; otherwise prints
/// "error: ..." lines on stderr and returns 2.
int check_config(const CLI::App& app, const std::function<void()>& validate = {});

}  // namespace crawler
