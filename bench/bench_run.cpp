#include "bench/bench_run.hpp"

namespace crawler::bench {

std::string to_string(Model model) {
  switch (model) {
    case Model::kSync: return "sync";
    case Model::kAsync: return "async";
    case Model::kProcesses: return "processes";
    case Model::kProcessesAsync: return "processes-async";
    case Model::kCurl: return "curl-parallel";
    case Model::kWget2: return "wget2";
  }
  return "?";
}

bool is_crawl(Model model) { return model != Model::kCurl && model != Model::kWget2; }

int RunSpec::in_flight() const {
  switch (model) {
    case Model::kSync: return 1;
    case Model::kAsync: return concurrency;
    case Model::kProcesses: return workers;
    case Model::kProcessesAsync: return workers * concurrency;
    case Model::kCurl:
    case Model::kWget2: return concurrency;
  }
  return 1;
}

std::string RunSpec::label() const {
  std::string out = to_string(model);
  if (model == Model::kProcesses || model == Model::kProcessesAsync) out += " N=" + std::to_string(workers);
  if (model != Model::kSync && model != Model::kProcesses) out += " C=" + std::to_string(concurrency);
  return out;
}

std::string RunSpec::key() const {
  return to_string(model) + "|" + std::to_string(latency_ms) + "|" + std::to_string(concurrency) + "|" +
         std::to_string(workers) + "|" + std::to_string(think_ms);
}

}  // namespace crawler::bench
