#pragma once
/// Crawls whose fetching runs in worker processes: `crawl-coordinator` (workers connect by
/// themselves) and `crawl --workers N` (N local workers started and supervised here).

#include "coordinator/crawl_options.hpp"
#include "coordinator/worker_pool_options.hpp"

namespace crawler {

/// `crawl-coordinator`: run_crawl over a WorkerPool bound to pool.listen; with the --curve-*
/// files, a CURVE server that accepts only the authorized workers (a bad key file: a line on
/// stderr naming it, status 2). Prints
/// "listening <endpoint>" once bound (on stdout, or stderr when the results go to stdout).
/// The window of tasks handed to the pool is pool.max_outstanding, or 4 x --concurrency for
/// each of --workers expected workers. At the end every worker is sent Shutdown.
/// Returns run_crawl's status.
int run_coordinator(const CrawlOptions& crawl, WorkerPoolOptions pool);

/// `crawl --workers N` (N = crawl.workers >= 1): the same over tcp://127.0.0.1:* with N
/// crawl-worker children from this executable's directory, given the worker-local flags
/// (--concurrency, --per-host, --parse-threads, --mode, --log-level). Dispatch starts when all
/// N joined (or after pool.min_workers_wait_ms). A worker that dies is restarted; SIGINT/SIGTERM
/// is forwarded to the workers (they drain) and tasks not yet sent are cancelled; at the end
/// the workers get Shutdown and are reaped (SIGKILL after a grace period). The workers
/// authenticate with CURVE keys made for this run (see LocalCurveKeys in the source).
/// Returns run_crawl's status (2 when crawl-worker cannot be found).
int run_with_local_workers(const CrawlOptions& crawl, WorkerPoolOptions pool);

}  // namespace crawler
