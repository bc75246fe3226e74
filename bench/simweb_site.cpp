#include "bench/simweb_site.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_set>

namespace crawler::bench {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

std::vector<std::string> read_sorted_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines = read_lines(file);
  std::sort(lines.begin(), lines.end());
  return lines;
}

SimwebSite::SimwebSite(const std::filesystem::path& simweb, const std::filesystem::path& work_dir,
                       const SiteConfig& config, std::chrono::milliseconds deadline)
    : config_(config), dir_(work_dir / ("site-" + std::to_string(config.latency_ms) + "ms")) {
  std::filesystem::create_directories(dir_);
  const auto out = dir_ / "simweb.out";
  const auto err = dir_ / "simweb.err";
  try {
    process_ = std::make_unique<BenchProcess>(
        std::vector<std::string>{simweb.string(), "--port", "0", "--bind", "127.0.0.1", "--pages",
                                 std::to_string(config.pages), "--hosts",
                                 std::to_string(config.hosts), "--latency-ms",
                                 std::to_string(config.latency_ms), "--threads",
                                 std::to_string(config.threads), "--gzip", "on", "--out-dir",
                                 (dir_ / "out").string(), "--max-seconds", "7200"},
        out.string(), err.string());
  } catch (const std::exception& e) {
    throw SiteStartError(std::string("simweb failed to start: ") + e.what());
  }
  // Wait for the listening line (simweb prints it once the manifest is on disk), with a deadline.
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    const std::string text = read_output(out);
    if (const auto at = text.find("listening "); at != std::string::npos && text.find('\n', at) != std::string::npos) {
      const auto colon = text.rfind(':', text.find('\n', at));
      port_ = static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1)));
      break;
    }
    if (process_->exited() || std::chrono::steady_clock::now() >= until) {
      const std::string why = process_->exited() ? "it exited" : "no listening line in time";
      throw SiteStartError("simweb failed to start (" + why + "): " + read_output(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a file, deadline above
  }
  seeds_ = read_lines(dir_ / "out" / "seeds.txt");
  expected_ = read_sorted_lines(dir_ / "out" / "expected-depth0.tsv");
  if (seeds_.empty()) throw SiteStartError("simweb wrote no seeds.txt in " + (dir_ / "out").string());
}

SimwebSite::~SimwebSite() {
  if (process_) process_->stop();
}

std::string SimwebSite::resolve_arg() const { return "*:" + std::to_string(port_) + ":127.0.0.1"; }

std::filesystem::path SimwebSite::seed_file(std::size_t n) {
  n = std::min(n, seeds_.size());
  const auto path = dir_ / ("seeds-" + std::to_string(n) + ".txt");
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    for (std::size_t i = 0; i < n; ++i) out << seeds_[i] << '\n';
  }
  return path;
}

std::vector<std::string> SimwebSite::expected_lines(std::size_t n) const {
  n = std::min(n, seeds_.size());
  if (n == seeds_.size()) return expected_;
  const std::unordered_set<std::string> sources(seeds_.begin(), seeds_.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<std::string> out;
  for (const auto& line : expected_) {
    if (sources.count(line.substr(0, line.find('\t'))) != 0) out.push_back(line);
  }
  return out;
}

std::vector<std::string> SimwebSite::host_names() const {
  std::vector<std::string> out;
  for (int i = 0; i < config_.hosts; ++i) out.push_back("h" + std::to_string(i) + ".sim");
  return out;
}

}  // namespace crawler::bench
