#include "simweb/stats_registry.hpp"

namespace simweb {

StatsRegistry::StatsRegistry(const Site& site)
    : site_(site),
      hosts_(std::make_unique<HostCounters[]>(static_cast<std::size_t>(site.host_count()))) {}

void StatsRegistry::count_request(int host) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (host >= 0)
    hosts_[static_cast<std::size_t>(host)].requests.fetch_add(1, std::memory_order_relaxed);
}

void StatsRegistry::open_host_connection(int host) {
  auto& h = hosts_[static_cast<std::size_t>(host)];
  const auto now = h.open.fetch_add(1, std::memory_order_acq_rel) + 1;
  auto peak = h.peak.load(std::memory_order_relaxed);
  while (now > peak && !h.peak.compare_exchange_weak(peak, now, std::memory_order_acq_rel)) {
  }
}

void StatsRegistry::close_host_connection(int host) {
  hosts_[static_cast<std::size_t>(host)].open.fetch_sub(1, std::memory_order_acq_rel);
}

ServerStats StatsRegistry::snapshot() const {
  ServerStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.connections = connections_.load(std::memory_order_relaxed);
  s.absolute_form_requests = absolute_form_.load(std::memory_order_relaxed);
  for (int host = 0; host < site_.host_count(); ++host) {
    const auto& h = hosts_[static_cast<std::size_t>(host)];
    const auto requests = h.requests.load(std::memory_order_relaxed);
    const auto peak = h.peak.load(std::memory_order_relaxed);
    if (requests == 0 && peak == 0) continue;
    s.requests_by_host[site_.host_name(host)] = requests;
    s.max_concurrent_conns_by_host[site_.host_name(host)] = peak;
  }
  return s;
}

std::string StatsRegistry::to_json() const {
  std::string out =
      "{\"requests\":" + std::to_string(requests_.load(std::memory_order_relaxed)) +
      ",\"connections\":" + std::to_string(connections_.load(std::memory_order_relaxed)) +
      ",\"absolute_form_requests\":" +
      std::to_string(absolute_form_.load(std::memory_order_relaxed)) + ",\"hosts\":{";
  bool first = true;
  for (int host = 0; host < site_.host_count(); ++host) {
    const auto& h = hosts_[static_cast<std::size_t>(host)];
    const auto requests = h.requests.load(std::memory_order_relaxed);
    const auto peak = h.peak.load(std::memory_order_relaxed);
    if (requests == 0 && peak == 0) continue;
    if (!first) out += ',';
    first = false;
    out += "\"" + site_.host_name(host) + "\":{\"requests\":" + std::to_string(requests) +
           ",\"max_concurrent_connections\":" + std::to_string(peak) + "}";
  }
  return out + "}}\n";
}

}  // namespace simweb
