#include "coordinator/worker_pool_options.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "common/fetch_cli.hpp"
#include "proto/zmq_endpoint.hpp"

namespace crawler {

std::int64_t WorkerPoolOptions::auto_task_deadline_ms(const FetchOptions& fetch) const {
  const std::int64_t attempts = 1 + std::max(0, fetch.retries);
  const std::int64_t longest =
      attempts * std::int64_t{fetch.timeout_ms} +
      (attempts - 1) * std::int64_t{std::max(fetch.retry_after_max_ms, fetch.retry_base_ms)};
  return 2 * longest + 30'000;
}

void WorkerPoolOptions::check_curve_flags() const {
  if (curve_secret_key_file.empty() != curve_authorized_keys.empty()) {
    throw std::runtime_error(
        "CURVE needs both --curve-secret-key-file and --curve-authorized-keys (or neither)");
  }
}

void WorkerPoolOptions::load_curve() {
  check_curve_flags();
  if (curve_secret_key_file.empty()) return;
  curve = load_curve_server_keys(curve_secret_key_file, curve_authorized_keys);
}

void add_worker_pool_options(CLI::App& app, WorkerPoolOptions& o, bool standalone) {
  const std::string group = "Workers";
  const auto flag = [&](const std::string& name, auto& value, const std::string& help) {
    return app.add_option("--" + name, value, help)
        ->envname(env_name(name))
        ->capture_default_str()
        ->group(group);
  };
  if (standalone)
    flag("listen", o.listen,
         "ZeroMQ endpoint workers connect to (tcp://HOST:PORT; PORT * picks one)")
        ->check([](const std::string& value) {
          return zmq_endpoint_problem(value, EndpointUse::kBind);
        });
  flag("heartbeat-ms", o.heartbeat_ms, "heartbeat interval towards workers")
      ->check(CLI::Range(10, 600'000));
  flag("liveness-ms", o.liveness_ms,
       "a worker silent this long is lost and its tasks go to the others")
      ->check(CLI::Range(50, 3'600'000));
  flag("task-deadline-ms", o.task_deadline_ms,
       "a task without a result after this long is sent again (0: auto)")
      ->check(CLI::Range(0, 86'400'000));
  flag("max-frame-bytes", o.max_frame_bytes, "larger frames from workers are refused and counted")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  flag("max-losses", o.max_losses, "a task whose worker is lost this many times is failed")
      ->check(CLI::Range(1, 100));
  if (standalone) {
    flag("min-workers", o.min_workers,
         "dispatch nothing until this many workers joined (or --min-workers-wait-ms)")
        ->check(CLI::Range(1, 100'000));
    flag("min-workers-wait-ms", o.min_workers_wait_ms, "how long to wait for --min-workers")
        ->check(CLI::Range(0, 3'600'000));
    flag("curve-secret-key-file", o.curve_secret_key_file,
         "require CURVE: this coordinator's secret key (Z85 text; see --generate-keypair)")
        ->group("Security");
    flag("curve-authorized-keys", o.curve_authorized_keys,
         "with CURVE: the workers' public keys, a file (one a line) or a directory of *.pub files")
        ->group("Security");
  }
  flag("max-outstanding", o.max_outstanding,
       "tasks handed to the workers at most, sent or queued (0: 4 x --concurrency per worker)");
}

void add_generate_keypair_option(CLI::App& app) {
  app.add_option_function<std::string>(
         "--generate-keypair",
         [](const std::string& prefix) {
           try {
             const CurveKeyPair keys = make_curve_key_pair();
             write_curve_key_pair(prefix, keys);
             std::printf("wrote %s.key (secret, mode 0600) and %s.pub (public key %s)\n",
                         prefix.c_str(), prefix.c_str(), keys.public_key.c_str());
           } catch (const std::exception& e) {
             throw CLI::ValidationError("--generate-keypair", e.what());
           }
           throw CLI::Success();
         },
         "write a new CURVE key pair to PREFIX.key (secret) and PREFIX.pub, then exit")
      ->type_name("PREFIX")
      ->trigger_on_parse()
      ->configurable(false)
      ->group("Security");
}

}  // namespace crawler
