#pragma once
/// PNG plots of a benchmark's medians, drawn by gnuplot (Debian package gnuplot-nox).

#include <filesystem>
#include <string>
#include <vector>

#include "bench/result_table.hpp"

namespace crawler::bench {

/// Writes each plot's data (.dat) and script (.gp) next to its PNG in `dir`, then runs
/// gnuplot on the script. Without gnuplot the data and scripts are still written.
class Plotter {
 public:
  explicit Plotter(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// models-concurrency.png (pages/s against C, async and processes-async, at 0 ms and at
  /// `sweep_latency`), models-workers.png (against N) and models-latency.png (every base model
  /// and the tools against latency). Returns one line saying what was drawn or why not.
  std::string models(const std::vector<ConfigSummary>& summaries, int sweep_latency, int base_concurrency,
                     int base_workers) const;

  /// True when `gnuplot` is in PATH.
  static bool available();

 private:
  /// Runs gnuplot on `script`; empty on success, else why not.
  std::string draw(const std::filesystem::path& script) const;

  std::filesystem::path dir_;
};

}  // namespace crawler::bench
