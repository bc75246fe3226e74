#include "simweb/router.hpp"

#include <cctype>
#include <string>

namespace simweb {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kRobots = "User-agent: *\nDisallow: /private/\n";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

// Beast 1.74 hands out boost::string_view.
std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Router::Router(const Site& site, const ServerConfig& config, const StatsRegistry& stats,
               FlakyCounters& flaky)
    : site_(site),
      config_(config),
      stats_(stats),
      renderer_(site),
      gzip_pages_(static_cast<std::size_t>(site.config().pages), config.gzip_cache_mb << 20),
      faults_(flaky) {}

bool Router::accepts_gzip(std::string_view value) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    if (!iequals(coding, "gzip") && !iequals(coding, "x-gzip")) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view param = trim(item.substr(semi + 1));
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') return true;
    param.remove_prefix(2);
    // q=0, q=0.0, q=0.00, q=0.000 refuse; any other weight accepts.
    return param.find_first_not_of("0.") != std::string_view::npos || param.empty();
  }
  return false;
}

bool Router::is_stats(std::string_view target) {
  return target.substr(0, target.find('?')) == "/__stats";
}

void Router::route(const Request& request, int host, const boost::asio::any_io_executor& executor,
                   Done done) const {
  const std::string_view target = sv(request.target());
  const std::string_view path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Reply r = Reply::make(http::status::method_not_allowed, "text/plain; charset=utf-8",
                          "only GET and HEAD\n");
    r.message.set(http::field::allow, "GET, HEAD");
    return done(std::move(r));
  }
  if (path == "/__stats") {
    Reply r = Reply::make(http::status::ok, "application/json", stats_.to_json());
    r.message.set(http::field::cache_control, "no-store");
    return done(std::move(r));
  }
  // Faults answer on any Host, IP literals included: tests point links and redirects at
  // addresses (127.0.0.2, ...) rather than at the site's host names.
  if (path.starts_with("/fault/")) return faults_.route(path, executor, std::move(done));
  if (host < 0)
    return done(
        Reply::make(http::status::not_found, kHtml, PageRenderer::render_not_found(target)));
  if (target == "/robots.txt")
    return done(Reply::make(http::status::ok, "text/plain; charset=utf-8", std::string(kRobots)));

  const bool gzip = config_.gzip && accepts_gzip(sv(request[http::field::accept_encoding]));
  const int page = path.starts_with("/private/") ? -1 : site_.find_page(host, target);
  if (page < 0 && !path.starts_with("/private/"))
    return done(
        Reply::make(http::status::not_found, kHtml, PageRenderer::render_not_found(target)));
  std::string body;
  if (page < 0) {
    body = renderer_.render_private(host, target, gzip);
  } else if (gzip) {
    body = gzip_pages_.get(static_cast<std::size_t>(page), [&] { return renderer_.render_page(page, true); });
  } else {
    body = renderer_.render_page(page, false);
  }
  Reply r = Reply::make(http::status::ok, kHtml, std::move(body));
  if (gzip) r.message.set(http::field::content_encoding, "gzip");
  r.message.set(http::field::vary, "Accept-Encoding");
  done(std::move(r));
}

}  // namespace simweb
