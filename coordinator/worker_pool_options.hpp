#pragma once
/// Settings of the coordinator's side of the worker protocol (the WorkerPool).

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/fetch_options.hpp"
#include "proto/curve_keys.hpp"
#include "proto/wire_codec.hpp"

namespace crawler {

/// How the coordinator talks to its workers. Defaults are the documented flag defaults.
struct WorkerPoolOptions {
  std::string listen =
      "tcp://0.0.0.0:5555";  ///< ZeroMQ endpoint to bind; "tcp://127.0.0.1:*" picks a port
  int heartbeat_ms = 1000;   ///< a Heartbeat to every worker this often
  int liveness_ms = 10'000;  ///< a worker silent this long (at least 5 of its heartbeats) is lost
  int task_deadline_ms =
      0;  ///< a task unanswered this long is sent again; 0: auto_task_deadline_ms()
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;  ///< larger frames are refused and counted
  int max_losses = 3;                ///< a task whose worker is lost this many times fails (kOther)
  int min_workers = 1;               ///< dispatch nothing until this many workers have joined ...
  int min_workers_wait_ms = 30'000;  ///< ... or until this long after the pool started
  int send_hwm = 1000;  ///< messages queued per worker at most (ZMQ_SNDHWM); see WorkerPool
  std::uint64_t max_outstanding =
      0;  ///< tasks the crawl hands to the pool; 0: 4 x concurrency per worker
  std::string curve_secret_key_file;  ///< --curve-secret-key-file: the coordinator's secret key
  std::string curve_authorized_keys;  ///< --curve-authorized-keys: worker public keys (file/dir)
  /// Set: workers must connect with CURVE and an authorized key (see WorkerAuthenticator).
  /// load_curve() fills it from the two files; `crawl --workers N` with keys of its own.
  std::optional<CurveServerKeys> curve;

  /// Throws std::runtime_error when only one of the two --curve-* flags is given (no files read).
  void check_curve_flags() const;
  /// check_curve_flags(), then reads the key files when the flags are given. Throws
  /// std::runtime_error naming the file at fault.
  void load_curve();

  /// The re-dispatch deadline for tasks run with `fetch`: 2 x the longest a task may take with
  /// its retries (each attempt up to timeout_ms, each backoff up to retry_after_max_ms), + 30 s.
  std::int64_t auto_task_deadline_ms(const FetchOptions& fetch) const;
};

/// Adds the pool's flags (--heartbeat-ms, --liveness-ms, --task-deadline-ms, --max-frame-bytes,
/// --max-losses, --max-outstanding) to `app`; and, for the standalone `crawl-coordinator`,
/// --listen, --min-workers, --min-workers-wait-ms, --curve-secret-key-file and
/// --curve-authorized-keys (`crawl --workers N` binds tcp://127.0.0.1:*, waits for its N
/// workers and makes CURVE keys of its own). A --listen that zmq_endpoint_problem refuses
/// (e.g. a tcp port outside 1..65535 and not `*`) fails the parse with that one line.
void add_worker_pool_options(CLI::App& app, WorkerPoolOptions& options, bool standalone);

/// Adds --generate-keypair PREFIX (for `crawl-coordinator`): writes a fresh CURVE key pair to
/// PREFIX.key (secret, mode 0600) and PREFIX.pub, says so on stdout, and ends the parse with
/// CLI::Success (exit 0) before any other flag is required; a file that exists or cannot be
/// written ends it with a CLI::ValidationError naming the file (exit 2).
void add_generate_keypair_option(CLI::App& app);

}  // namespace crawler
