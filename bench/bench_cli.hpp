#pragma once
/// The command line of `crawl-bench`.

namespace crawler::bench {

/// Parses argv, checks that crawl, crawl-worker and simweb are there, runs the subcommand.
/// Exit status: what the subcommand returns (0 ok, 1 a crawl failed or wrote wrong lines),
/// 2 for bad flags, a missing binary or simweb failing to start, 130 when interrupted.
int run_crawl_bench(int argc, char** argv);

}  // namespace crawler::bench
