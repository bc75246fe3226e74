#include "worker/crawl_engine.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "worker/async_engine.hpp"
#include "worker/sync_engine.hpp"

namespace crawler {

namespace {

void require(bool ok, const char* option, const char* rule) {
  if (!ok) throw std::runtime_error(std::string("bad fetch option ") + option + ": " + rule);
}

void validate(const FetchOptions& o) {
  require(o.concurrency >= 1, "concurrency", "must be at least 1");
  require(o.per_host >= 1, "per_host", "must be at least 1");
  require(o.delay_ms >= 0, "delay_ms", "must not be negative");
  require(o.connect_timeout_ms >= 1, "connect_timeout_ms", "must be at least 1");
  require(o.timeout_ms >= 1, "timeout_ms", "must be at least 1");
  require(o.low_speed_limit >= 0, "low_speed_limit", "must not be negative");
  require(o.low_speed_time_s >= 0, "low_speed_time_s", "must not be negative");
  require(o.max_redirects >= 0, "max_redirects", "must not be negative");
  require(o.retries >= 0, "retries", "must not be negative");
  require(o.retry_base_ms >= 0, "retry_base_ms", "must not be negative");
  require(o.retry_after_max_ms >= 0, "retry_after_max_ms", "must not be negative");
  require(o.parse_threads >= 1, "parse_threads", "must be at least 1");
  require(o.think_ms >= 0, "think_ms", "must not be negative");
  // Checked here rather than by the first TLS handshake, which would fail every https page.
  std::error_code ec;
  if (!o.ca_file.empty() &&
      (::access(o.ca_file.c_str(), R_OK) != 0 || std::filesystem::is_directory(o.ca_file, ec))) {
    throw std::runtime_error("--cacert " + o.ca_file + ": not a readable file");
  }
  if (!o.ca_path.empty() && !std::filesystem::is_directory(o.ca_path, ec)) {
    throw std::runtime_error("--capath " + o.ca_path + ": not a directory");
  }
}

}  // namespace

std::unique_ptr<CrawlEngine> CrawlEngine::create(boost::asio::io_context& io,
                                                 const FetchOptions& options) {
  validate(options);
  // Thread-safe in this libcurl (CURL_VERSION_THREADSAFE); later calls only count references.
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(global));
  }
  if (options.insecure) {
    spdlog::warn(
        "--insecure: TLS certificates and host names are NOT verified; anyone on the "
        "path can pose as any site");
  }
  if (options.mode == FetchOptions::Mode::kSync) return std::make_unique<SyncEngine>(io, options);
  return std::make_unique<AsyncEngine>(io, options);
}

}  // namespace crawler
