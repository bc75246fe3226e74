#include "worker/worker_client_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "common/fetch_cli.hpp"
#include "proto/zmq_endpoint.hpp"

namespace crawler {

std::string default_worker_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "worker");
  return std::string(host) + "-" + std::to_string(::getpid());
}

std::size_t WorkerClientOptions::capacity() const {
  const auto c = static_cast<std::size_t>(std::max(1, fetch.concurrency));
  return fetch.mode == FetchOptions::Mode::kSync ? c : 4 * c;
}

void WorkerClientOptions::check_curve_flags() const {
  if (curve_server_key_file.empty() != curve_secret_key_file.empty()) {
    throw std::runtime_error(
        "CURVE needs both --curve-server-key-file and --curve-secret-key-file (or neither)");
  }
}

void add_worker_client_options(CLI::App& app, WorkerClientOptions& o) {
  const auto flag = [&](const std::string& name, auto& value, const std::string& help) {
    return app.add_option("--" + name, value, help)->envname(env_name(name))->capture_default_str();
  };
  o.worker_id = default_worker_id();
  app.add_option("--connect", o.connect, "coordinator endpoint, e.g. tcp://127.0.0.1:5555")
      ->envname("CRAWL_CONNECT")
      ->required()
      ->check([](const std::string& value) {
        return zmq_endpoint_problem(value, EndpointUse::kConnect);
      });
  flag("worker-id", o.worker_id, "stable name of this worker (hosts are sharded by it)");
  flag("heartbeat-ms", o.heartbeat_ms, "heartbeat interval towards the coordinator")
      ->check(CLI::Range(10, 600'000));
  flag("liveness-ms", o.liveness_ms, "the coordinator silent this long: connect afresh")
      ->check(CLI::Range(50, 3'600'000));
  flag("max-frame-bytes", o.max_frame_bytes, "larger frames from the coordinator are refused")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  flag("log-level", o.log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  flag("curve-server-key-file", o.curve_server_key_file,
       "connect with CURVE: the coordinator's public key (Z85 text)")
      ->group("Security");
  flag("curve-secret-key-file", o.curve_secret_key_file,
       "with CURVE: this worker's secret key (its public key must be authorized there)")
      ->group("Security");
  const std::string group = "Fetching (this worker's own; the rest comes from the coordinator)";
  add_local_fetch_options(app, o.fetch, group);
  add_guard_options(app, o.fetch);
  add_network_options(app, o.fetch);
}

}  // namespace crawler
