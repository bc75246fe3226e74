#include "coordinator/crawl_options.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <new>
#include <stdexcept>
#include <thread>

#include "common/check_config.hpp"
#include "common/fetch_cli.hpp"
#include "common/status_server.hpp"
#include "coordinator/fingerprint_set.hpp"

namespace crawler {
namespace {

std::vector<std::regex> compile_all(const std::vector<std::string>& patterns, const char* flag) {
  std::vector<std::regex> out;
  for (const auto& p : patterns) {
    try {
      out.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw std::runtime_error(std::string(flag) + " '" + p + "': bad regular expression: " + e.what());
    }
  }
  return out;
}

}  // namespace

int default_workers() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

FrontierOptions CrawlOptions::frontier_options() const {
  FrontierOptions f;
  f.max_depth = depth;
  f.scope = scope == "domain" ? Scope::kDomain : scope == "any" ? Scope::kAny : Scope::kHost;
  f.include = compile_all(include, "--include");
  f.exclude = compile_all(exclude, "--exclude");
  f.max_pages = max_pages;
  f.strict_levels = strict_depth;
  f.memory_bytes = static_cast<std::size_t>(frontier_memory);
  f.store.disk_max = frontier_disk_max;
  f.backoff.base_ms = host_pause_ms;
  // With a journal the store sits beside it, on the disk the user chose for the crawl's state.
  if (!state_dir.empty()) f.store.dir = state_dir + "/frontier";
  return f;
}

CrawlIdDigest::CrawlIdDigest(const CrawlOptions& o) : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
  std::string head = "v1|" + std::to_string(o.depth) + "|" + o.scope + "|" + std::to_string(o.max_pages) + "|" +
                     std::to_string(static_cast<int>(o.format));
  for (const auto& p : o.include) head += "|i:" + p;
  for (const auto& p : o.exclude) head += "|e:" + p;
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), head.data(), head.size());
}

CrawlIdDigest::~CrawlIdDigest() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void CrawlIdDigest::add_seed(std::string_view normalized) {
  auto* state = static_cast<XXH3_state_t*>(state_);
  XXH3_64bits_update(state, "|s:", 3);
  XXH3_64bits_update(state, normalized.data(), normalized.size());
}

std::string CrawlIdDigest::finish() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_))));
  return buf;
}

std::string CrawlOptions::crawl_id(const std::vector<std::string>& normalized_seeds) const {
  CrawlIdDigest digest(*this);
  for (const auto& s : normalized_seeds) digest.add_seed(s);
  return digest.finish();
}

void add_crawl_options(CLI::App& app, CrawlOptions& o) {
  const auto opt = [&](const std::string& name, auto& value, const std::string& help) {
    return app.add_option("--" + name, value, help)->envname(env_name(name))->capture_default_str();
  };
  opt("seeds", o.seeds, "file of seed URLs, one per line ('-' reads stdin)")->required();
  opt("out", o.out, "results file ('-' for stdout)");
  app.add_option("--format", o.format, "tsv: source<TAB>link lines; jsonl: one object per fetched page")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, OutputFormat>{{"tsv", OutputFormat::kTsv}, {"jsonl", OutputFormat::kJsonl}},
          CLI::ignore_case))
      ->envname("CRAWL_FORMAT")
      ->default_str("tsv");
  opt("depth", o.depth, "follow links this many steps from the seeds (0: the seeds only)")->check(CLI::Range(0, 1000));
  opt("scope", o.scope, "which discovered links are followed: host, domain or any (relative to the page)")
      ->check(CLI::IsMember({"host", "domain", "any"}));
  opt("include", o.include, "follow only discovered URLs matching one of these regexes (repeatable)");
  opt("exclude", o.exclude, "never follow discovered URLs matching one of these regexes (repeatable)");
  opt("max-pages", o.max_pages, "fetch at most this many pages (0: no limit)");
  app.add_flag("--strict-depth", o.strict_depth,
               "breadth-first in whole levels: no page of depth d+1 before every page of depth d "
               "is done, so each URL gets its shortest depth and a --depth limit the same pages "
               "with any number of workers (a slow page then holds up the next level)")
      ->envname("CRAWL_STRICT_DEPTH");
  opt("frontier-memory", o.frontier_memory,
      "RAM for queued URLs (bytes; 64MiB, 2GiB... also work); the rest wait on disk, in "
      "--state-dir or else in a private directory under TMPDIR removed at exit")
      ->transform(CLI::AsSizeValue(false));
  opt("frontier-disk-max", o.frontier_disk_max,
      "disk for queued URLs at most (bytes, as --frontier-memory; 0: as much as leaves 1 GiB free); "
      "when both are full, new links are dropped and counted")
      ->transform(CLI::AsSizeValue(false));
  opt("host-pause-ms", o.host_pause_ms,
      "pause a host that answers 429 or 503 or times out (after its retries) this long, doubling "
      "with each incident up to a day, +-10%; forgiven after 30 quiet minutes (0: never pause)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{24} * 3600 * 1000));
  app.add_flag("--skip-bad-seeds", o.skip_bad_seeds, "count and skip malformed seed lines instead of stopping")
      ->envname("CRAWL_SKIP_BAD_SEEDS");
  opt("workers", o.workers, "worker processes (default: one per core); 0 runs the engine in this process")
      ->check(CLI::Range(0, 1024));
  opt("progress", o.progress, "live progress line on stderr: auto (when a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  opt("log-level", o.log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  opt("state-dir", o.state_dir, "keep a journal here so a killed crawl can be resumed (empty: none)");
  app.add_flag("--resume{yes}", o.resume_mode,
               "continue the crawl journaled in --state-dir; --resume=auto continues it when the "
               "journal exists and starts afresh when it does not (for a restarted pod)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, std::string>{{"yes", "yes"},
                                                                              {"true", "yes"},
                                                                              {"1", "yes"},
                                                                              {"no", "no"},
                                                                              {"false", "no"},
                                                                              {"0", "no"},
                                                                              {"auto", "auto"}},
                                          CLI::ignore_case))
      ->envname("CRAWL_RESUME")
      ->default_str("no");
  app.add_flag("--stay-up", o.stay_up,
               "when the crawl is done, keep serving --metrics-listen until SIGTERM instead of "
               "exiting (a StatefulSet restarts a coordinator that exits)")
      ->envname("CRAWL_STAY_UP");
  add_fetch_options(app, o.fetch);
  add_metrics_listen_option(app, o.metrics_listen);
  add_check_config_flag(app, o.check_config);
}

}  // namespace crawler
