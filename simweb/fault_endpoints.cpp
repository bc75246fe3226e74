#include "simweb/fault_endpoints.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "simweb/fault_bodies.hpp"

namespace simweb {
namespace {

namespace http = boost::beast::http;

constexpr std::uint64_t kMaxBytes = 1ull << 30;
constexpr std::uint64_t kMaxCount = 100;
constexpr std::string_view kHtml = "text/html; charset=utf-8";

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto slash = s.find('/', start);
    parts.push_back(s.substr(start, slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

bool all_of(std::string_view s, std::size_t max, std::string_view extra) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

std::string html_with_links(std::string_view title, std::string_view links) {
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + std::string(title) +
         "</title></head>\n<body>\n" + std::string(links) + "\n</body></html>\n";
}

Reply bad_request(std::string_view why) {
  return Reply::make(http::status::bad_request, "text/plain; charset=utf-8",
                     "bad fault parameter: " + std::string(why) + "\n");
}

Reply with_status(unsigned code, std::string body) {
  Reply r = Reply::make(http::int_to_status(code), kHtml, std::move(body));
  r.message.result(code);                                    // keeps codes Beast has no name for
  if (code == 204 || code == 304) r.message.body().clear();  // these never carry a body
  if (code == 429 || code == 503) r.message.set(http::field::retry_after, "1");
  return r;
}

Reply redirect(std::string location) {
  Reply r = Reply::make(http::status::found, kHtml, html_with_links("302 Found", "<p>moved</p>"));
  r.message.set(http::field::location, location);
  return r;
}

Reply stream(http::status status, std::unique_ptr<BodySource> body) {
  Reply r = Reply::make(status, kHtml, {});
  r.kind = Reply::Kind::kStream;
  r.body = std::move(body);
  return r;
}

}  // namespace

std::optional<std::uint64_t> FaultEndpoints::parse_number(std::string_view s, std::uint64_t min,
                                                          std::uint64_t max) {
  std::uint64_t v = 0;
  if (s.empty() || s.size() > 19 || s[0] < '0' || s[0] > '9') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) return std::nullopt;
  return v;
}

void FaultEndpoints::route(std::string_view path, const boost::asio::any_io_executor& executor,
                           Done done) const {
  const auto parts = split(path.substr(std::string_view("/fault/").size()));
  const std::string_view name = parts[0];
  const auto arg = [&](std::size_t i) { return i < parts.size() ? parts[i] : std::string_view(); };
  const auto arity = [&](std::size_t n) { return parts.size() == n + 1; };

  if (name == "status") {
    const auto code = parse_number(arg(1), 200, 599);
    if (!arity(1) || !code) return done(bad_request("status/{200-599}"));
    return done(
        with_status(static_cast<unsigned>(*code),
                    html_with_links("status", "<a href=\"/should-not-be-extracted\">x</a>")));
  }
  if (name == "flaky") {
    const auto n = parse_number(arg(2), 0, kMaxCount);
    const auto code = parse_number(arg(3), 200, 599);
    if (!arity(3) || !all_of(arg(1), 64, "._-") || !n || !code)
      return done(bad_request("flaky/{key}/{0-100}/{200-599}"));
    flaky_.next(std::string(arg(1)), executor,
                [n = *n, code = static_cast<unsigned>(*code),
                 done = std::move(done)](std::optional<std::uint64_t> count) {
                  if (!count) return done(bad_request("too many flaky keys"));
                  if (*count <= n)
                    return done(with_status(code, html_with_links("flaky", "<p>not yet</p>")));
                  done(with_status(200, html_with_links("flaky", "<a href=\"/flaky-ok\">ok</a>")));
                });
    return;
  }
  if (name == "retry-after") {
    const auto seconds = parse_number(arg(1), 0, 86400);
    if (!arity(1) || !seconds) return done(bad_request("retry-after/{0-86400}"));
    Reply r = Reply::make(http::status::too_many_requests, kHtml,
                          html_with_links("429", "<p>slow down</p>"));
    r.message.set(http::field::retry_after, std::to_string(*seconds));
    return done(std::move(r));
  }
  if (name == "reset" && arity(0)) {
    Reply r;
    r.kind = Reply::Kind::kReset;
    return done(std::move(r));
  }
  if (name == "slow") {
    const auto rate = parse_number(arg(1), 1, 100'000'000);
    if (!arity(1) || !rate) return done(bad_request("slow/{1-100000000}"));
    Reply r = stream(http::status::ok, std::make_unique<SlowBody>(*rate));
    r.message.content_length(SlowBody::kBytes);
    return done(std::move(r));
  }
  if (name == "stall" && arity(0)) {
    Reply r = stream(http::status::ok, std::make_unique<StallBody>());
    r.message.content_length(100000);
    return done(std::move(r));
  }
  if (name == "redirect") {
    const auto n = parse_number(arg(1), 0, kMaxCount);
    if (!arity(1) || !n) return done(bad_request("redirect/{0-100}"));
    if (*n > 0) return done(redirect("/fault/redirect/" + std::to_string(*n - 1)));
    return done(Reply::make(http::status::ok, kHtml,
                            html_with_links("redirected",
                                            "<a href=\"target-a.html\">a</a>\n"
                                            "<a href=\"../up.html\">up</a>\n"
                                            "<a href=\"/root.html\">root</a>")));
  }
  if (name == "loop" && arity(0)) return done(redirect("/fault/loop"));
  if (name == "to-scheme") {
    const auto scheme = arg(1);
    if (!arity(1) || !all_of(scheme, 32, "+.-") || !(scheme[0] >= 'a' && scheme[0] <= 'z') ||
        std::any_of(scheme.begin(), scheme.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
      return done(bad_request("to-scheme/{scheme}"));
    return done(redirect(std::string(scheme) + "://h0.sim/x"));
  }
  if (name == "redirect-to" || name == "link-to") {
    // The target host is any host name or IP literal: how tests point a page or a redirect at
    // an address of their choosing (the SSRF guard's tests use 127.0.0.2 and the like).
    const auto port = parse_number(arg(2), 1, 65535);
    const std::string_view host = arg(1);
    if (!arity(2) || !all_of(host, 253, ".-_:") || !port)
      return done(bad_request(std::string(name) + "/{host}/{1-65535}"));
    const std::string target = "http://" +
                               (host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]"
                                                                         : std::string(host)) +
                               ":" + std::to_string(*port) + "/fault/redirect/0";
    if (name == "redirect-to") return done(redirect(target));
    return done(Reply::make(http::status::ok, kHtml,
                            html_with_links("link-to", "<a href=\"" + target + "\">there</a>")));
  }
  if (name == "headers") {
    const auto bytes = parse_number(arg(1), 0, 16u << 20);
    if (!arity(1) || !bytes) return done(bad_request("headers/{0-16777216}"));
    Reply r = Reply::make(http::status::ok, kHtml, html_with_links("headers", "<p>many headers</p>"));
    // Filler headers of at most 1000 bytes each ("X-Filler-N: vvv...\r\n"), summing to `bytes`.
    std::uint64_t left = *bytes;
    for (int i = 0; left > 0; ++i) {
      const std::string field = "X-Filler-" + std::to_string(i);
      const std::uint64_t overhead = field.size() + 4;  // ": " and CRLF
      const std::uint64_t value = std::min<std::uint64_t>(1000, left > overhead + 1 ? left - overhead : 1);
      r.message.set(field, std::string(value, 'v'));
      left = left > value + overhead ? left - value - overhead : 0;
    }
    return done(std::move(r));
  }
  if (name == "links") {
    const auto n = parse_number(arg(1), 0, 100'000);
    const auto length = parse_number(arg(2), 8, 65'536);
    if (!arity(2) || !n || !length) return done(bad_request("links/{0-100000}/{8-65536}"));
    // n distinct root-relative links, each path exactly `length` bytes: "/l{i}-aaa...".
    std::string links;
    for (std::uint64_t i = 0; i < *n; ++i) {
      std::string path = "/l" + std::to_string(i) + "-";
      if (path.size() < *length) path.append(*length - path.size(), 'a');
      links += "<a href=\"" + path + "\">x</a>\n";
    }
    return done(Reply::make(http::status::ok, kHtml, html_with_links("links", links)));
  }
  if (name == "type") {
    constexpr std::string_view kToken = "!#$&^_.+-";
    if (!arity(2) || !all_of(arg(1), 64, kToken) || !all_of(arg(2), 64, kToken))
      return done(bad_request("type/{type}/{subtype}"));
    Reply r = Reply::make(http::status::ok, std::string(arg(1)) + "/" + std::string(arg(2)),
                          html_with_links("typed", "<a href=\"/typed-link.html\">link</a>"));
    return done(std::move(r));
  }
  if (name == "big") {
    const auto bytes = parse_number(arg(1), 0, kMaxBytes);
    if (!arity(1) || !bytes) return done(bad_request("big/{0-1073741824}"));
    Reply r = stream(http::status::ok, std::make_unique<BigBody>(*bytes));
    r.message.chunked(true);
    return done(std::move(r));
  }
  if (name == "bomb") {
    const auto bytes = parse_number(arg(1), 0, kMaxBytes);
    if (!arity(1) || !bytes) return done(bad_request("bomb/{0-1073741824}"));
    Reply r = stream(http::status::ok, std::make_unique<BombBody>(*bytes));
    r.message.set(http::field::content_encoding, "gzip");
    r.message.chunked(true);
    return done(std::move(r));
  }
  done(Reply::make(http::status::not_found, kHtml, html_with_links("404", "<p>no such fault</p>")));
}

}  // namespace simweb
