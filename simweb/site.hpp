#pragma once
/// The simulated web: a deterministic set of hosts and pages built from a seed, and the oracle
/// that knows every link each page contains in canonical form.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace simweb {

/// What the site looks like. The same values give the same site, byte for byte.
struct SiteConfig {
  int pages = 1000;        ///< regular pages, all listed in seeds.txt; at least `hosts`
  int links = 20;          ///< average distinct link targets per page
  int hosts = 10;          ///< hosts h0.sim .. h{hosts-1}.sim
  std::uint64_t seed = 1;  ///< everything random derives from it
  std::uint16_t port = 0;  ///< written into every URL; the server sets it once it has bound
};

/// One canonical link target of a page.
struct LinkTarget {
  int page = -1;                 ///< regular page index, or -1 for a /private/ page
  std::uint32_t private_id = 0;  ///< for page == -1: `/private/p-{id}.html` on the source's host
};

/// Which crawl an expected-lines set describes.
enum class Crawl {
  kDepth0,  ///< every page of seeds.txt fetched, nothing followed
  kFull,    ///< from seeds-roots.txt, unlimited depth, same-host scope, robots.txt obeyed
};

/// The site and its oracle. Immutable after construction, so every method is thread-safe.
/// Memory is O(pages * links) for the link table; page HTML is never stored (see PageRenderer).
///
/// Model: page i lives on host i % hosts; page `h` is host h's root `/`. Local page k of a host
/// (k = i / hosts) links to its tree children k*F+1 .. k*F+F on the same host (F = fanout()),
/// to random pages of the same host, to pages of other hosts (about 10%), and sometimes to a
/// /private/ page that robots.txt disallows. About 1 in 40 non-root pages is an orphan: no
/// page of its own host links to it, so a same-host crawl from the roots misses it.
class Site {
 public:
  /// Builds the link table and the reachability of a full crawl. Throws std::invalid_argument
  /// when `config` fails validate().
  explicit Site(SiteConfig config);

  /// Throws std::invalid_argument naming the bad field: pages in [1, 10'000'000], hosts in
  /// [1, 100'000] and <= pages, links in [0, 1000], (pages * (links + 2)) <= 200'000'000.
  static void validate(const SiteConfig& config);

  const SiteConfig& config() const { return config_; }
  int page_count() const { return config_.pages; }
  int host_count() const { return config_.hosts; }
  /// Tree fan-out F: local page k links to local pages k*F+1 .. k*F+F of its host.
  int fanout() const { return fanout_; }
  /// Host index of a page (page % hosts).
  int host_of(int page) const { return page % config_.hosts; }
  /// Number of regular pages on a host.
  int host_page_count(int host) const;

  /// "h3.sim".
  std::string host_name(int host) const;
  /// "http://h3.sim:PORT" (the port is left out when it is 80, as a URL normaliser would).
  std::string origin(int host) const;
  /// Path and query of a page: "/" for a root, else e.g. "/a3/b1/page-123.html" or
  /// "/a2/page-77.html?id=77&sort=asc" (a query is part of the page's identity).
  std::string page_target(int page) const;
  /// Canonical absolute URL of a page: origin(host_of(page)) + page_target(page).
  std::string page_url(int page) const;
  /// "/private/p-{id}.html".
  static std::string private_target(std::uint32_t id);
  /// Canonical absolute URL of `target` as linked from `source_page`.
  std::string target_url(int source_page, const LinkTarget& target) const;
  /// True when page is not linked by any page of its own host (see the class comment).
  bool is_orphan(int page) const;

  /// The distinct canonical targets of a page, in the order the page first writes them.
  std::span<const LinkTarget> links(int page) const;

  /// Host index for a Host header value ("H3.sim:8080" -> 3, case-insensitive, port ignored);
  /// -1 when it is not a host of this site.
  int find_host(std::string_view host_header) const;
  /// Page index served at `target` (path and query exactly as page_target() writes it) on
  /// `host`; -1 when there is none.
  int find_page(int host, std::string_view target) const;

  /// True when a full crawl (Crawl::kFull) fetches this page.
  bool reachable_full(int page) const { return reachable_[static_cast<std::size_t>(page)] != 0; }
  int pages_reachable_full() const { return reachable_count_; }

  /// Every page URL, by page index (the lines of seeds.txt).
  std::vector<std::string> page_urls() const;
  /// Each host's root URL, by host index (the lines of seeds-roots.txt).
  std::vector<std::string> root_urls() const;

  /// Calls `sink` with each expected "source<TAB>link" line of a crawl, sorted byte-wise
  /// (LC_ALL=C order) and unique. Streams: memory stays O(pages).
  void for_each_line(Crawl crawl, const std::function<void(std::string_view line)>& sink) const;
  /// The same lines in a vector (for tests and small sites).
  std::vector<std::string> expected_lines(Crawl crawl) const;
  /// How many lines for_each_line() produces.
  std::size_t line_count(Crawl crawl) const;

 private:
  void build_links();
  void build_reachability();
  bool included(Crawl crawl, int page) const {
    return crawl == Crawl::kDepth0 || reachable_full(page);
  }

  SiteConfig config_;
  int fanout_ = 1;
  std::vector<std::size_t> link_begin_;  ///< pages + 1 offsets into link_targets_
  std::vector<LinkTarget> link_targets_;
  std::vector<char> reachable_;
  int reachable_count_ = 0;
};

}  // namespace simweb
