#include "bench/model_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace crawler::bench {
namespace {

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t at = text.size();
  for (std::size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

bool in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (::access((std::filesystem::path(dir) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

ModelRunner::ModelRunner(std::filesystem::path bin_dir, std::filesystem::path work_dir)
    : bin_dir_(std::move(bin_dir)), work_dir_(std::move(work_dir)) {}

std::string ModelRunner::curl_unavailable() {
  return in_path("curl") ? std::string() : "curl not found in PATH (Debian package curl)";
}

std::string ModelRunner::wget2_unavailable() {
  if (!in_path("wget2")) return "wget2 not found in PATH (Debian package wget2)";
  if (!in_path("unshare")) return "unshare not found (util-linux): wget2 needs it to resolve hN.sim";
  // wget2 has no --resolve: it runs where a private /etc/hosts can be mounted (root, unshare).
  BenchProcess probe({"unshare", "--mount", "true"}, "", "");
  const ProcessOutcome o = probe.wait(std::chrono::seconds(10));
  if (o.exit_code != 0) return "unshare --mount failed (needs root): wget2 cannot be pointed at simweb";
  return {};
}

std::filesystem::path ModelRunner::curl_config(SimwebSite& site, std::size_t pages) {
  const auto path = site.dir() / ("curl-" + std::to_string(pages) + ".cfg");
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    const auto& seeds = site.seeds();
    for (std::size_t i = 0; i < std::min(pages, seeds.size()); ++i) {
      out << "url = \"" << seeds[i] << "\"\noutput = \"/dev/null\"\n";
    }
  }
  return path;
}

std::filesystem::path ModelRunner::hosts_file(SimwebSite& site) {
  const auto path = site.dir() / "hosts";
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    out << "127.0.0.1 localhost\n";
    for (const auto& host : site.host_names()) out << "127.0.0.1 " << host << "\n";
  }
  return path;
}

std::vector<std::string> ModelRunner::command(const RunSpec& spec, SimwebSite& site) {
  const std::string seeds = site.seed_file(spec.pages).string();
  const std::string c = std::to_string(spec.concurrency);
  if (spec.model == Model::kCurl) {
    return {"curl", "-s", "--compressed", "--parallel", "--parallel-max", c, "--resolve",
            site.resolve_arg(), "-w", "%{http_code}\\n", "-K", curl_config(site, spec.pages).string()};
  }
  if (spec.model == Model::kWget2) {
    return {"unshare", "--mount", "--", "sh", "-c",
            "mount --bind \"$1\" /etc/hosts && shift && exec \"$@\"", "sh", hosts_file(site).string(),
            "wget2", "-q", "--no-robots", "--tries=1", "--max-threads=" + c, "--compression=gzip",
            "-O", "/dev/null", "-i", seeds};
  }
  std::vector<std::string> argv = {(bin_dir_ / "crawl").string(), "--seeds", seeds, "--out",
                                   (work_dir_ / "results.txt").string(), "--resolve", site.resolve_arg(),
                                   "--progress", "never"};
  const bool async = spec.model == Model::kAsync || spec.model == Model::kProcessesAsync;
  const bool processes = spec.model == Model::kProcesses || spec.model == Model::kProcessesAsync;
  argv.insert(argv.end(), {"--workers", std::to_string(processes ? spec.workers : 0)});
  if (async) {
    argv.insert(argv.end(), {"--concurrency", c, "--per-host", std::to_string(spec.per_host)});
  } else {
    argv.insert(argv.end(), {"--mode", "sync"});
  }
  if (spec.think_ms > 0) argv.insert(argv.end(), {"--think-ms", std::to_string(spec.think_ms)});
  return argv;
}

RunRow ModelRunner::run(const RunSpec& spec, SimwebSite& site, int repeat,
                        std::chrono::milliseconds deadline) {
  RunRow row;
  row.spec = spec;
  row.spec.pages = std::min(spec.pages, site.seeds().size());
  row.repeat = repeat;
  const auto out = work_dir_ / "run.out";
  const auto err = work_dir_ / "run.err";
  std::filesystem::remove(work_dir_ / "results.txt");
  {
    BenchProcess process(command(row.spec, site), out.string(), err.string());
    row.outcome = process.wait(deadline);
  }
  const std::string stderr_text = read_output(err);
  if (row.outcome.timed_out) {
    row.error = "killed after " + std::to_string(deadline.count() / 1000) + " s";
  } else if (row.outcome.exit_code != 0) {
    row.error = "exit status " + std::to_string(row.outcome.exit_code) + ": " + tail(stderr_text, 3);
  }
  if (is_crawl(spec.model)) {
    check_crawl(row, site, stderr_text);
  } else if (spec.model == Model::kCurl) {
    std::istringstream codes(read_output(out));
    std::uint64_t ok = 0;
    std::uint64_t all = 0;
    for (std::string code; std::getline(codes, code); ++all) ok += code == "200";
    row.pages_ok = ok;
    if (row.error.empty() && ok != row.spec.pages) {
      row.error = "curl: " + std::to_string(ok) + " of " + std::to_string(row.spec.pages) + " answered 200";
    }
  } else {
    row.pages_ok = row.error.empty() ? row.spec.pages : 0;  // wget2 exits non-zero on any failure
  }
  for (char& ch : row.error) {
    if (ch == '\n' || ch == ',') ch = ' ';
  }
  return row;
}

void ModelRunner::check_crawl(RunRow& row, SimwebSite& site, const std::string& stderr_text) {
  row.report = CrawlReport::parse(stderr_text);
  row.pages_ok = row.report.pages_ok;
  const std::vector<std::string> got = read_sorted_lines(work_dir_ / "results.txt");
  row.lines = got.size();
  row.lines_match = got == site.expected_lines(row.spec.pages) ? "yes" : "no";
  if (!row.error.empty()) return;
  if (!row.report.complete) {
    row.error = "no summary on stderr: " + tail(stderr_text, 3);
  } else if (row.report.pages_failed != 0 || row.report.pages_ok != row.spec.pages) {
    row.error = std::to_string(row.report.pages_ok) + " pages ok and " +
                std::to_string(row.report.pages_failed) + " failed of " + std::to_string(row.spec.pages);
  } else if (row.lines_match != "yes") {
    row.error = "result lines differ from simweb's manifest (" + std::to_string(row.lines) + " lines)";
  }
}

}  // namespace crawler::bench
