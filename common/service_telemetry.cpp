#include "common/service_telemetry.hpp"

#include <spdlog/spdlog.h>

#include "common/check_config.hpp"
#include "common/metered_sink.hpp"

namespace crawler {

ServiceTelemetry::ServiceTelemetry(CLI::App& app) {
  add_metrics_listen_option(app, listen_);
  add_check_config_flag(app, check_config_);
}

ServiceTelemetry::~ServiceTelemetry() { stop(); }

std::optional<int> ServiceTelemetry::check_config(const CLI::App& app,
                                                  const std::function<void()>& validate) const {
  if (!check_config_) return std::nullopt;
  return crawler::check_config(app, validate);
}

std::unique_ptr<TaskSink> ServiceTelemetry::meter(std::unique_ptr<TaskSink> sink) {
  return std::make_unique<MeteredSink>(std::move(sink), metrics_);
}

void ServiceTelemetry::start(boost::asio::io_context& io, StatusServer::ReadyCheck ready) {
  if (!lag_) {
    lag_ = std::make_unique<LoopLagProbe>(io, metrics_, kLagProbeInterval);
    lag_->start();
  }
  if (listen_.empty() || server_) return;
  server_ = std::make_unique<StatusServer>(io, listen_, metrics_, std::move(ready));
  server_->start();
  spdlog::info("status server on http://{} (/metrics, /healthz, /readyz)", server_->endpoint());
}

std::string ServiceTelemetry::lag_summary() const {
  return lag_ ? lag_->quantiles().summary() : std::string("no samples");
}

void ServiceTelemetry::stop() {
  if (lag_) lag_->stop();
  if (server_) server_->stop();
}

}  // namespace crawler
