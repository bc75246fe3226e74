#pragma once
/// `crawl-worker`'s own settings and their flags; the crawl-wide fetch settings come from the
/// coordinator's Welcome (WorkerClient).

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "common/fetch_options.hpp"
#include "proto/curve_keys.hpp"
#include "proto/wire_codec.hpp"

namespace crawler {

/// A worker's own settings. The crawl-wide fetch settings come from the coordinator's Welcome.
struct WorkerClientOptions {
  std::string connect;      ///< coordinator endpoint, e.g. "tcp://127.0.0.1:5555"
  std::string worker_id;    ///< stable name (its rendezvous key); default "<hostname>-<pid>"
  int heartbeat_ms = 1000;  ///< a Heartbeat (with the current credit) this often
  int liveness_ms =
      10'000;           ///< the coordinator silent this long (>= 5 of its heartbeats): reconnect
  int send_hwm = 1000;  ///< messages queued towards the coordinator at most (ZMQ_SNDHWM)
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;  ///< larger received frames are refused
  bool handle_signals = true;  ///< SIGTERM/SIGINT: drain, then exit (a second one: exit now)
  std::string log_level = "warn";
  FetchOptions fetch;  ///< the worker-local part: concurrency, per_host, parse_threads, think_ms,
                       ///< mode, the guard's allow_*, TLS, proxy and DNS; the rest comes in Welcome
  std::string curve_server_key_file;  ///< --curve-server-key-file: the coordinator's public key
  std::string curve_secret_key_file;  ///< --curve-secret-key-file: this worker's secret key
  /// Set: connect with CURVE. WorkerClient::start() fills it from the two files.
  std::optional<CurveClientKeys> curve;

  /// Throws std::runtime_error when only one of the two --curve-* flags is given (no files read).
  void check_curve_flags() const;

  /// Tasks the worker holds at most: 4 x concurrency (async), concurrency (sync).
  std::size_t capacity() const;
};

/// "<hostname>-<pid>": a worker's name when --worker-id gives none.
std::string default_worker_id();

/// Adds --connect (checked by zmq_endpoint_problem: a bad one fails the parse), --worker-id,
/// --heartbeat-ms, --liveness-ms, --max-frame-bytes, --log-level, the CURVE key files and the
/// worker-local fetch flags (--concurrency, --per-host, --parse-threads, --think-ms, --mode, the
/// SSRF guard's, TLS, proxy and DNS) to `app`.
void add_worker_client_options(CLI::App& app, WorkerClientOptions& options);

}  // namespace crawler
