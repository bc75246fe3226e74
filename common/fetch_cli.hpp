#pragma once
/// Command-line flags of the fetch engine, shared by `crawl` and `crawl-worker`.

#include <CLI/CLI.hpp>

#include "common/fetch_options.hpp"

namespace crawler {

/// Adds the engine's flags (--concurrency, --per-host, --timeout-ms, ...) to `app`, bound to
/// `options`. Each flag can also be set from an environment variable CRAWL_<FLAG_NAME>
/// (upper case, '-' as '_'), e.g. CRAWL_CONCURRENCY.
void add_fetch_options(CLI::App& app, FetchOptions& options);

/// The environment variable that can set `--flag-name`: "CRAWL_FLAG_NAME".
std::string env_name(const std::string& flag_name);

}  // namespace crawler
