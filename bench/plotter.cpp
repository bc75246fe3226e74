#include "bench/plotter.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "bench/bench_process.hpp"

namespace crawler::bench {
namespace {

/// One line of a plot: a title and its (x, y) points, written as one gnuplot data block.
struct Series {
  std::string title;
  std::vector<std::pair<double, double>> points;
};

void write_plot(const std::filesystem::path& dir, const std::string& name, const std::string& setup,
                const std::vector<Series>& series, const std::string& extra_plot = {}) {
  std::ofstream dat(dir / (name + ".dat"));
  for (const Series& s : series) {
    dat << "# " << s.title << "\n";
    for (const auto& [x, y] : s.points) dat << x << ' ' << y << '\n';
    dat << "\n\n";  // gnuplot: a new index
  }
  std::ofstream gp(dir / (name + ".gp"));
  gp << "set terminal pngcairo size 900,560 font 'sans,10'\n"
     << "set output '" << name << ".png'\n"
     << "set grid\nset key outside right top\n"
     << setup << "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    gp << (i ? ", \\\n     " : "") << "'" << name << ".dat' index " << i
       << " using 1:2 with linespoints lw 2 title '" << series[i].title << "'";
  }
  if (!extra_plot.empty()) gp << ", \\\n     " << extra_plot;
  gp << "\n";
}

}  // namespace

bool Plotter::available() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    if (::access((std::filesystem::path(d) / "gnuplot").c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string Plotter::draw(const std::filesystem::path& script) const {
  // Scripts name their files relative to dir_: the committed .gp files hold no machine paths.
  BenchProcess gnuplot({"gnuplot", "-e", "cd '" + dir_.string() + "'", std::filesystem::absolute(script).string()},
                       "", (dir_ / "gnuplot.err").string());
  const ProcessOutcome o = gnuplot.wait(std::chrono::seconds(60));
  if (o.exit_code != 0) return "gnuplot failed on " + script.string() + " (see " + (dir_ / "gnuplot.err").string() + ")";
  std::filesystem::remove(dir_ / "gnuplot.err");
  return {};
}

std::string Plotter::models(const std::vector<ConfigSummary>& summaries, int sweep_latency, int base_concurrency,
                            int base_workers) const {
  std::map<std::string, Series> by_c, by_n, by_latency;
  std::map<int, int> latency_index;
  for (const ConfigSummary& s : summaries) latency_index.emplace(s.spec.latency_ms, 0);
  int i = 0;
  for (auto& [latency, index] : latency_index) index = i++;

  for (const ConfigSummary& s : summaries) {
    if (s.runs == 0) continue;
    const RunSpec& r = s.spec;
    const std::string at = " @ " + std::to_string(r.latency_ms) + " ms";
    const bool sweep_point = r.latency_ms == 0 || r.latency_ms == sweep_latency;
    if (sweep_point && r.model == Model::kAsync) {
      by_c["a" + at].title = "async" + at;
      by_c["a" + at].points.emplace_back(r.concurrency, s.pages_per_s);
    }
    if (sweep_point && r.model == Model::kProcessesAsync && r.workers == base_workers) {
      by_c["p" + at].title = "processes-async N=" + std::to_string(base_workers) + at;
      by_c["p" + at].points.emplace_back(r.concurrency, s.pages_per_s);
    }
    if (sweep_point && r.model == Model::kProcesses) {
      by_n["s" + at].title = "processes (sync)" + at;
      by_n["s" + at].points.emplace_back(r.workers, s.pages_per_s);
    }
    if (sweep_point && r.model == Model::kProcessesAsync && r.concurrency == base_concurrency) {
      by_n["p" + at].title = "processes-async C=" + std::to_string(base_concurrency) + at;
      by_n["p" + at].points.emplace_back(r.workers, s.pages_per_s);
    }
    if (s.spec.sweep == "base") {
      auto& series = by_latency[std::to_string(static_cast<int>(r.model))];
      series.title = r.label();
      series.points.emplace_back(latency_index[r.latency_ms], s.pages_per_s);
    }
  }
  const auto values = [](std::map<std::string, Series>& m) {
    std::vector<Series> out;
    for (auto& [key, s] : m) {
      std::sort(s.points.begin(), s.points.end());
      out.push_back(s);
    }
    return out;
  };
  std::filesystem::create_directories(dir_);
  std::vector<std::string> drawn;
  if (!by_c.empty()) {
    write_plot(dir_, "models-concurrency",
               "set title 'pages/s against transfers in flight per engine (C)'\n"
               "set logscale xy 2\nset xlabel 'C (concurrency per engine)'\nset ylabel 'pages/s'\n",
               values(by_c),
               "x*1000.0/" + std::to_string(sweep_latency) + " with lines dt 2 lc rgb 'gray' title 'bound C / " +
                   std::to_string(sweep_latency) + " ms (one engine)'");
    drawn.push_back("models-concurrency");
  }
  if (!by_n.empty()) {
    write_plot(dir_, "models-workers",
               "set title 'pages/s against worker processes (N)'\n"
               "set xlabel 'N (worker processes)'\nset ylabel 'pages/s'\nset logscale y\nset xtics 1\n",
               values(by_n));
    drawn.push_back("models-workers");
  }
  if (!by_latency.empty()) {
    std::string tics = "set xtics (";
    for (const auto& [latency, index] : latency_index) {
      tics += (index ? ", '" : "'") + std::to_string(latency) + " ms' " + std::to_string(index);
    }
    tics += ")\n";
    write_plot(dir_, "models-latency",
               "set title 'pages/s against server latency (base configurations)'\n"
               "set xlabel 'server latency per response'\nset ylabel 'pages/s'\nset logscale y\n"
               "set xrange [-0.3:" + std::to_string(latency_index.size() - 1) + ".3]\n" + tics,
               values(by_latency));
    drawn.push_back("models-latency");
  }
  if (!available()) return "plots skipped: gnuplot not found (apt-get install gnuplot-nox); data and scripts in " + dir_.string();
  std::string out = "plots:";
  for (const auto& name : drawn) {
    const std::string why = draw(dir_ / (name + ".gp"));
    out += why.empty() ? " " + (dir_ / (name + ".png")).string() : " (" + why + ")";
  }
  return out;
}

}  // namespace crawler::bench
