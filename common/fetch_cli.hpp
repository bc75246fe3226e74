#pragma once
/// Command-line flags of the fetch engine, shared by `crawl` and `crawl-worker`.

#include <string>

#include <CLI/CLI.hpp>

#include "common/fetch_options.hpp"

namespace crawler {

/// Adds the engine's flags (--concurrency, --per-host, --timeout-ms, ...) to `app`, bound to
/// `options`. Each flag can also be set from an environment variable CRAWL_<FLAG_NAME>
/// (upper case, '-' as '_'), e.g. CRAWL_CONCURRENCY.
void add_fetch_options(CLI::App& app, FetchOptions& options);

/// Adds the flags each fetching process sets for itself (--mode, --concurrency, --per-host,
/// --parse-threads, --think-ms) to `app`, in help group `group`. add_fetch_options includes
/// them; `crawl-worker` takes only these (the rest of FetchOptions comes from the coordinator).
void add_local_fetch_options(CLI::App& app, FetchOptions& options, const std::string& group);

/// Adds the SSRF guard's flags (--allow-host, --allow-private; env CRAWL_ALLOW_HOST,
/// CRAWL_ALLOW_PRIVATE) to `app`. Only programs that fetch take them (`crawl`, `crawl-worker`):
/// the guard protects the network the fetching process runs in, so a coordinator cannot widen it.
void add_guard_options(CLI::App& app, FetchOptions& options);

/// Adds the TLS, proxy and DNS flags (--cacert, --capath, --insecure, --proxy, --noproxy,
/// --dns-servers; env
/// CRAWL_CACERT, ...) to `app`. Like the guard's, only programs that fetch take them and
/// `crawl --workers N` hands them to its workers: a CA file or a proxy belongs to the network
/// and file system of the fetching process. Files are not checked here (--check-config runs
/// where they may not exist); the engine refuses to start on an unreadable --cacert or --capath.
void add_network_options(CLI::App& app, FetchOptions& options);

/// The environment variable that can set `--flag-name`: "CRAWL_FLAG_NAME".
std::string env_name(const std::string& flag_name);

}  // namespace crawler
