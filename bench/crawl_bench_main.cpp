// `crawl-bench`: the concurrency-models benchmark (see bench/bench_cli.hpp and docs/benchmarks.md).
#include "bench/bench_cli.hpp"

int main(int argc, char** argv) { return crawler::bench::run_crawl_bench(argc, argv); }
