#include "simweb/site.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <stdexcept>

#include "simweb/rng.hpp"

namespace simweb {
namespace {

// Salts keep the random streams of different purposes independent.
constexpr std::uint64_t kPathSalt = 1;
constexpr std::uint64_t kLinkSalt = 2;
constexpr std::uint64_t kOrphanSalt = 3;

constexpr int kOrphanOneIn = 40;
constexpr int kPrivatePercent = 35;

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Site::Site(SiteConfig config) : config_(config) {
  validate(config_);
  fanout_ = std::clamp(config_.links / 4, 1, 8);
  build_links();
  build_reachability();
}

void Site::validate(const SiteConfig& c) {
  if (c.pages < 1 || c.pages > 10'000'000)
    throw std::invalid_argument("pages must be in [1, 10000000], got " + std::to_string(c.pages));
  if (c.hosts < 1 || c.hosts > 100'000)
    throw std::invalid_argument("hosts must be in [1, 100000], got " + std::to_string(c.hosts));
  if (c.hosts > c.pages)
    throw std::invalid_argument("hosts (" + std::to_string(c.hosts) + ") must not exceed pages (" +
                                std::to_string(c.pages) + ")");
  if (c.links < 0 || c.links > 1000)
    throw std::invalid_argument("links must be in [0, 1000], got " + std::to_string(c.links));
  if (static_cast<std::uint64_t>(c.pages) * static_cast<std::uint64_t>(c.links + 2) > 200'000'000)
    throw std::invalid_argument("pages * (links + 2) must not exceed 200000000");
}

int Site::host_page_count(int host) const {
  return (config_.pages - host + config_.hosts - 1) / config_.hosts;
}

std::string Site::host_name(int host) const { return "h" + std::to_string(host) + ".sim"; }

std::string Site::origin(int host) const {
  std::string s = "http://" + host_name(host);
  if (config_.port != 80) s += ":" + std::to_string(config_.port);
  return s;
}

std::string Site::page_target(int page) const {
  if (page < config_.hosts) return "/";
  Rng r(Rng::mix(config_.seed, static_cast<std::uint64_t>(page), kPathSalt));
  const auto depth = r.below(3);
  const auto a = r.below(6);
  const auto b = r.below(6);
  const auto query_kind = r.below(10);
  std::string t = "/";
  if (depth >= 1) t += "a" + std::to_string(a) + "/";
  if (depth >= 2) t += "b" + std::to_string(b) + "/";
  t += "page-" + std::to_string(page) + ".html";
  if (query_kind == 0) t += "?view=" + std::to_string(1 + r.below(3));
  if (query_kind == 1) t += "?id=" + std::to_string(page) + "&sort=asc";
  return t;
}

std::string Site::page_url(int page) const { return origin(host_of(page)) + page_target(page); }

std::string Site::private_target(std::uint32_t id) {
  return "/private/p-" + std::to_string(id) + ".html";
}

std::string Site::target_url(int source_page, const LinkTarget& target) const {
  if (target.page >= 0) return page_url(target.page);
  return origin(host_of(source_page)) + private_target(target.private_id);
}

bool Site::is_orphan(int page) const {
  if (page < config_.hosts) return false;  // roots are always reachable
  Rng r(Rng::mix(config_.seed, static_cast<std::uint64_t>(page), kOrphanSalt));
  return r.below(kOrphanOneIn) == 0;
}

std::span<const LinkTarget> Site::links(int page) const {
  const auto p = static_cast<std::size_t>(page);
  return {link_targets_.data() + link_begin_[p], link_begin_[p + 1] - link_begin_[p]};
}

void Site::build_links() {
  const int hosts = config_.hosts;
  link_begin_.reserve(static_cast<std::size_t>(config_.pages) + 1);
  link_targets_.reserve(static_cast<std::size_t>(config_.pages) *
                        static_cast<std::size_t>(config_.links + 2));
  std::vector<LinkTarget> mine;
  for (int page = 0; page < config_.pages; ++page) {
    link_begin_.push_back(link_targets_.size());
    Rng r(Rng::mix(config_.seed, static_cast<std::uint64_t>(page), kLinkSalt));
    const int host = host_of(page);
    const int local = page / hosts;
    const int local_count = host_page_count(host);
    const int want = std::max(1, config_.links + r.between(-config_.links / 4, config_.links / 4));
    mine.clear();
    auto add_page = [&](int target) {
      for (const auto& t : mine)
        if (t.page == target) return false;
      mine.push_back({target, 0});
      return true;
    };
    // Tree children: together they make every non-orphan page reachable from its root.
    for (int c = local * fanout_ + 1; c <= local * fanout_ + fanout_; ++c) {
      if (c >= local_count) break;
      const int child = c * hosts + host;
      if (!is_orphan(child)) add_page(child);
    }
    if (hosts > 1) {
      const int cross = want / 10 + (r.below(10) < static_cast<std::uint64_t>(want % 10) ? 1 : 0);
      for (int n = 0; n < cross; ++n) {
        const int other =
            (host + 1 + static_cast<int>(r.below(static_cast<std::uint64_t>(hosts - 1)))) % hosts;
        const int other_local =
            static_cast<int>(r.below(static_cast<std::uint64_t>(host_page_count(other))));
        add_page(other_local * hosts + other);
      }
    }
    if (want >= 3 && r.chance(kPrivatePercent))
      mine.push_back({-1, static_cast<std::uint32_t>(r.below(1000))});
    // Random pages of the same host (never an orphan). Bounded: small hosts may run out.
    for (int attempts = 0; static_cast<int>(mine.size()) < want && attempts < want * 4;
         ++attempts) {
      const int target =
          static_cast<int>(r.below(static_cast<std::uint64_t>(local_count))) * hosts + host;
      if (!is_orphan(target)) add_page(target);
    }
    for (std::size_t i = mine.size(); i > 1; --i) std::swap(mine[i - 1], mine[r.below(i)]);
    link_targets_.insert(link_targets_.end(), mine.begin(), mine.end());
  }
  link_begin_.push_back(link_targets_.size());
}

void Site::build_reachability() {
  reachable_.assign(static_cast<std::size_t>(config_.pages), 0);
  std::deque<int> queue;
  for (int host = 0; host < config_.hosts; ++host) {
    reachable_[static_cast<std::size_t>(host)] = 1;
    queue.push_back(host);
  }
  while (!queue.empty()) {
    const int page = queue.front();
    queue.pop_front();
    ++reachable_count_;
    for (const auto& t : links(page)) {
      // Same-host scope; /private/ is disallowed by robots.txt.
      if (t.page < 0 || host_of(t.page) != host_of(page)) continue;
      auto& seen = reachable_[static_cast<std::size_t>(t.page)];
      if (seen) continue;
      seen = 1;
      queue.push_back(t.page);
    }
  }
}

int Site::find_host(std::string_view host_header) const {
  if (const auto colon = host_header.rfind(':'); colon != std::string_view::npos)
    host_header = host_header.substr(0, colon);
  std::string name;
  name.reserve(host_header.size());
  for (char c : host_header) name.push_back(lower_ascii(c));
  if (name.size() < 6 || name[0] != 'h' || !name.ends_with(".sim")) return -1;
  const std::string_view digits = std::string_view(name).substr(1, name.size() - 5);
  if (digits.size() > 1 && digits[0] == '0') return -1;
  int host = 0;
  if (!parse_int(digits, host) || host >= config_.hosts) return -1;
  return host;
}

int Site::find_page(int host, std::string_view target) const {
  if (host < 0 || host >= config_.hosts) return -1;
  if (target == "/") return host;
  const auto slash = target.rfind('/', target.find('?'));
  if (slash == std::string_view::npos) return -1;
  std::string_view name = target.substr(slash + 1);
  if (!name.starts_with("page-")) return -1;
  name.remove_prefix(5);
  const auto dot = name.find(".html");
  int page = 0;
  if (dot == std::string_view::npos || !parse_int(name.substr(0, dot), page)) return -1;
  if (page < config_.hosts || page >= config_.pages || host_of(page) != host) return -1;
  return page_target(page) == target ? page : -1;
}

std::vector<std::string> Site::page_urls() const {
  std::vector<std::string> urls;
  urls.reserve(static_cast<std::size_t>(config_.pages));
  for (int page = 0; page < config_.pages; ++page) urls.push_back(page_url(page));
  return urls;
}

std::vector<std::string> Site::root_urls() const {
  std::vector<std::string> urls;
  for (int host = 0; host < config_.hosts; ++host) urls.push_back(origin(host) + "/");
  return urls;
}

void Site::for_each_line(Crawl crawl, const std::function<void(std::string_view)>& sink) const {
  // Sorting by source, then by link, is the byte-wise order of the joined lines: '\t' sorts
  // below every character a URL contains.
  std::vector<std::pair<std::string, int>> sources;
  for (int page = 0; page < config_.pages; ++page)
    if (included(crawl, page)) sources.emplace_back(page_url(page), page);
  std::sort(sources.begin(), sources.end());
  std::vector<std::string> targets;
  std::string line;
  for (const auto& [url, page] : sources) {
    targets.clear();
    for (const auto& t : links(page)) targets.push_back(target_url(page, t));
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (const auto& t : targets) {
      line.assign(url).append("\t").append(t);
      sink(line);
    }
  }
}

std::vector<std::string> Site::expected_lines(Crawl crawl) const {
  std::vector<std::string> lines;
  for_each_line(crawl, [&](std::string_view line) { lines.emplace_back(line); });
  return lines;
}

std::size_t Site::line_count(Crawl crawl) const {
  std::size_t n = 0;
  for (int page = 0; page < config_.pages; ++page)
    if (included(crawl, page)) n += links(page).size();
  return n;
}

}  // namespace simweb
