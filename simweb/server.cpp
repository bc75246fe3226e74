#include "simweb/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "simweb/flaky_counters.hpp"
#include "simweb/listener.hpp"
#include "simweb/router.hpp"
#include "simweb/session.hpp"
#include "simweb/stats_registry.hpp"

namespace simweb {

namespace net = boost::asio;

struct Server::Impl {
  ServerConfig config;
  SiteConfig site_config;
  // Declared before the io_context: sessions refer to these until the io_context is gone.
  std::unique_ptr<Site> site;
  std::unique_ptr<StatsRegistry> stats;
  std::unique_ptr<Router> router;
  std::unique_ptr<SessionContext> context;
  std::unique_ptr<FlakyCounters> flaky;
  std::unique_ptr<net::io_context> ioc;
  std::shared_ptr<Listener> listener;
  std::optional<net::signal_set> signals;
  std::optional<net::steady_timer> deadline;
  std::vector<std::thread> threads;
};

Server::Server(ServerConfig config, SiteConfig site) : impl_(std::make_unique<Impl>()) {
  if (config.threads < 1 || config.threads > 256)
    throw std::invalid_argument("threads must be in [1, 256], got " +
                                std::to_string(config.threads));
  if (config.latency_ms < 0 || config.latency_ms > 600'000)
    throw std::invalid_argument("latency_ms must be in [0, 600000], got " +
                                std::to_string(config.latency_ms));
  if (config.jitter_ms < 0 || config.jitter_ms > 600'000)
    throw std::invalid_argument("jitter_ms must be in [0, 600000], got " +
                                std::to_string(config.jitter_ms));
  Site::validate(site);
  impl_->config = std::move(config);
  impl_->site_config = site;
}

Server::~Server() { stop(); }

std::uint16_t Server::start() {
  auto& d = *impl_;
  if (d.ioc) throw std::logic_error("simweb::Server::start called twice");
  boost::system::error_code ec;
  const auto address = net::ip::make_address(d.config.bind, ec);
  if (ec) throw std::invalid_argument("bad bind address '" + d.config.bind + "': " + ec.message());

  d.ioc = std::make_unique<net::io_context>(d.config.threads);
  d.listener = std::make_shared<Listener>(*d.ioc, net::ip::tcp::endpoint(address, d.config.port));
  d.site_config.port = d.listener->port();
  d.site = std::make_unique<Site>(d.site_config);
  d.stats = std::make_unique<StatsRegistry>(*d.site);
  d.flaky = std::make_unique<FlakyCounters>(*d.ioc);
  d.router = std::make_unique<Router>(*d.site, d.config, *d.stats, *d.flaky);
  d.context =
      std::make_unique<SessionContext>(SessionContext{d.config, *d.site, *d.router, *d.stats});
  d.listener->run(*d.context);
  for (int i = 0; i < d.config.threads; ++i)
    d.threads.emplace_back([ioc = d.ioc.get()] { ioc->run(); });
  return d.site_config.port;
}

void Server::stop() {
  auto& d = *impl_;
  if (!d.ioc) return;
  d.ioc->stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  // Strands (in these objects) must not outlive the io_context.
  d.signals.reset();
  d.deadline.reset();
  d.flaky.reset();
  d.listener.reset();
  // Destroying the io_context destroys every pending handler, hence every session and socket.
  d.ioc.reset();
}

ServerStats Server::stats() const {
  return impl_->stats ? impl_->stats->snapshot() : ServerStats{};
}

const Site& Server::site() const {
  if (!impl_->site) throw std::logic_error("simweb::Server::site called before start");
  return *impl_->site;
}

int Server::run_until_signal(int max_seconds, const std::function<void()>& on_ready) {
  auto& d = *impl_;
  if (!d.ioc) throw std::logic_error("simweb::Server::run_until_signal called before start");
  std::promise<int> stopped;
  auto result = stopped.get_future();
  bool done = false;  // touched on the strand only
  auto finish = [&](int why) {
    if (!done) stopped.set_value(why);
    done = true;
  };
  // Both waits share one strand; no local copy of it, since it must die before the io_context.
  d.signals.emplace(net::make_strand(*d.ioc), SIGINT, SIGTERM);
  d.signals->async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) finish(signal);
  });
  if (max_seconds > 0) {
    d.deadline.emplace(d.signals->get_executor(), std::chrono::seconds(max_seconds));
    d.deadline->async_wait([&](const boost::system::error_code& ec) {
      if (!ec) finish(0);
    });
  }
  if (on_ready) on_ready();
  const int why = result.get();
  stop();  // joins the threads, so no handler above runs after this frame is gone
  return why;
}

}  // namespace simweb
