// Tests of simweb's site model and oracle: deterministic, self-consistent, and in agreement
// with an independent HTML5 parser on every page.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <myhtml/api.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "simweb/manifest.hpp"
#include "simweb/page_renderer.hpp"
#include "simweb/site.hpp"
#include "tests/support/simweb_process.hpp"

namespace {

using crawler::test::inflate_gzip;
using simweb::Crawl;

constexpr simweb::SiteConfig kSmallSite{
    .pages = 120, .links = 12, .hosts = 4, .seed = 7, .port = 0};

/// Every link of a page by an independent reference: myhtml's HTML5 tree, <a>/<area> hrefs,
/// the first <base href>, curl's URL resolution. Used to check the oracle, not the crawler.
class ReferenceExtractor {
 public:
  ReferenceExtractor() {
    myhtml_ = myhtml_create();
    myhtml_init(myhtml_, MyHTML_OPTIONS_PARSE_MODE_SINGLE, 1, 0);  // no parser threads
    tree_ = myhtml_tree_create();
    myhtml_tree_init(tree_, myhtml_);
  }
  ~ReferenceExtractor() {
    myhtml_tree_destroy(tree_);
    myhtml_destroy(myhtml_);
  }

  std::set<std::string> links(const std::string& html, const std::string& url) {
    myhtml_parse(tree_, MyENCODING_UTF_8, html.data(), html.size());
    const auto bases = hrefs("base");
    const std::string base = bases.empty() ? url : resolve(url, bases[0]);
    std::set<std::string> out;
    for (const char* tag : {"a", "area"}) {
      for (const auto& href : hrefs(tag)) {
        if (href.empty() || href[0] == '#') continue;
        if (auto link = resolve(base, href); !link.empty()) out.insert(link);
      }
    }
    return out;
  }

 private:
  std::vector<std::string> hrefs(const std::string& tag) {
    std::vector<std::string> out;
    myhtml_collection_t* nodes =
        myhtml_get_nodes_by_name(tree_, nullptr, tag.c_str(), tag.size(), nullptr);
    for (std::size_t i = 0; nodes && i < nodes->length; ++i) {
      myhtml_tree_attr_t* attr = myhtml_attribute_by_key(nodes->list[i], "href", 4);
      if (!attr) continue;
      std::size_t len = 0;
      const char* v = myhtml_attribute_value(attr, &len);
      std::string s;
      for (std::size_t j = 0; v && j < len; ++j)
        if (v[j] != '\t' && v[j] != '\n' && v[j] != '\r') s += v[j];
      const auto b = s.find_first_not_of(" \f"), e = s.find_last_not_of(" \f");
      out.push_back(b == std::string::npos ? "" : s.substr(b, e - b + 1));
    }
    if (nodes) myhtml_collection_destroy(nodes);
    return out;
  }

  static std::string resolve(const std::string& base, const std::string& ref) {
    CURLU* u = curl_url();
    std::string out;
    char* s = nullptr;
    if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref.c_str(), 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, nullptr, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
      out = s;
      curl_free(s);
    }
    curl_url_cleanup(u);
    if (!out.starts_with("http://") && !out.starts_with("https://")) return {};
    const auto host = out.find("//") + 2;
    for (auto i = host; i < out.find_first_of(":/", host); ++i)
      out[i] = static_cast<char>(std::tolower(out[i]));
    return out;
  }

  myhtml_t* myhtml_ = nullptr;
  myhtml_tree_t* tree_ = nullptr;
};

/// Splits "http://hN.sim:PORT/path?q" into host index and target, using the site.
std::pair<int, std::string> host_and_target(const simweb::Site& site, const std::string& url) {
  const auto host_at = url.find("//") + 2, path_at = url.find('/', host_at);
  return {site.find_host(url.substr(host_at, path_at - host_at)), url.substr(path_at)};
}

TEST(SimwebSite, IsDeterministicForASeed) {
  simweb::SiteConfig config = kSmallSite;
  config.port = 8080;
  const simweb::Site a(config), b(config);
  EXPECT_EQ(a.expected_lines(Crawl::kDepth0), b.expected_lines(Crawl::kDepth0));
  EXPECT_EQ(simweb::PageRenderer(a).render_page(17), simweb::PageRenderer(b).render_page(17));
  config.seed = 8;
  EXPECT_NE(a.expected_lines(Crawl::kDepth0), simweb::Site(config).expected_lines(Crawl::kDepth0));
}

TEST(SimwebSite, FindsEveryPageAtItsOwnHostAndTarget) {
  const simweb::Site site(kSmallSite);
  for (int page = 0; page < site.page_count(); ++page) {
    const int host = site.host_of(page);
    EXPECT_EQ(site.find_page(host, site.page_target(page)), page) << site.page_url(page);
    if (page >= site.host_count()) {
      EXPECT_EQ(site.find_page((host + 1) % 4, site.page_target(page)), -1);
    }
  }
  EXPECT_EQ(site.find_host("H2.SIM:8080"), 2);
  EXPECT_EQ(site.find_host("h3.sim"), 3);
  EXPECT_EQ(site.find_host("h4.sim"), -1);
  EXPECT_EQ(site.find_host("h01.sim"), -1);
  EXPECT_EQ(site.find_host("127.0.0.1:80"), -1);
  EXPECT_EQ(site.find_page(0, "/nope.html"), -1);
}

TEST(SimwebSite, RejectsImpossibleConfigs) {
  EXPECT_THROW(simweb::Site({.pages = 0}), std::invalid_argument);
  EXPECT_THROW(simweb::Site({.pages = 5, .links = 3, .hosts = 6}), std::invalid_argument);
  EXPECT_THROW(simweb::Site({.pages = 5, .links = -1, .hosts = 1}), std::invalid_argument);
}

TEST(SimwebSite, OracleMatchesAnHtml5ParserOnEveryPage) {
  for (const std::uint64_t seed : {1, 2, 3}) {
    const simweb::Site site({.pages = 400, .links = 20, .hosts = 5, .seed = seed, .port = 8080});
    const simweb::PageRenderer renderer(site);
    ReferenceExtractor reference;
    std::vector<std::string> found;
    for (int page = 0; page < site.page_count(); ++page) {
      const auto url = site.page_url(page);
      for (const auto& link : reference.links(renderer.render_page(page), url))
        found.push_back(url + "\t" + link);
    }
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, site.expected_lines(Crawl::kDepth0)) << "seed " << seed;
  }
}

TEST(SimwebSite, GzipPagesInflateToThePlainPage) {
  const simweb::Site site(kSmallSite);
  const simweb::PageRenderer renderer(site);
  for (int page = 0; page < site.page_count(); page += 7) {
    const auto plain = renderer.render_page(page);
    EXPECT_GE(plain.size(), 8u * 1024);
    EXPECT_LE(plain.size(), 34u * 1024);
    EXPECT_EQ(inflate_gzip(renderer.render_page(page, true)), plain) << "page " << page;
  }
}

TEST(SimwebSite, ManifestFilesAreConsistent) {
  const simweb::Site site({.pages = 300, .links = 15, .hosts = 3, .seed = 5, .port = 8123});
  const auto dir =
      std::filesystem::temp_directory_path() / ("simweb-manifest-" + std::to_string(::getpid()));
  const auto counts = simweb::Manifest::write(site, dir);
  const auto seeds = crawler::test::read_sorted_lines(dir / "seeds.txt");
  const auto roots = crawler::test::read_sorted_lines(dir / "seeds-roots.txt");
  const auto depth0 = crawler::test::read_sorted_lines(dir / "expected-depth0.tsv");
  const auto full = crawler::test::read_sorted_lines(dir / "expected-full.tsv");
  std::ifstream json_in(dir / "manifest.json");
  const std::string json(std::istreambuf_iterator<char>(json_in), {});
  std::filesystem::remove_all(dir);

  EXPECT_EQ(seeds.size(), 300u);
  EXPECT_EQ(roots, (std::vector<std::string>{"http://h0.sim:8123/", "http://h1.sim:8123/",
                                             "http://h2.sim:8123/"}));
  EXPECT_EQ(depth0.size(), counts.lines_depth0);
  EXPECT_EQ(full.size(), counts.lines_full);
  EXPECT_NE(json.find("\"lines_depth0\":" + std::to_string(depth0.size()) + ","), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"lines_full\":" + std::to_string(full.size()) + ","), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"port\":8123,"), std::string::npos) << json;
  EXPECT_TRUE(std::adjacent_find(depth0.begin(), depth0.end()) == depth0.end())
      << "duplicate lines";
  EXPECT_TRUE(std::includes(depth0.begin(), depth0.end(), full.begin(), full.end()));

  const simweb::PageRenderer renderer(site);
  std::map<std::string, std::string> html;  // source URL -> page HTML
  for (int page = 0; page < site.page_count(); ++page)
    html[site.page_url(page)] = renderer.render_page(page);
  std::set<std::string> sources;
  for (const auto& line : depth0) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string source = line.substr(0, tab), link = line.substr(tab + 1);
    sources.insert(source);
    ASSERT_TRUE(html.count(source)) << "source is not a seed: " << line;
    const auto [host, target] = host_and_target(site, link);
    ASSERT_GE(host, 0) << line;
    const bool is_page = site.find_page(host, target) >= 0;
    EXPECT_TRUE(is_page || target.starts_with("/private/p-")) << "not a page of the site: " << line;
    EXPECT_EQ(link.find('#'), std::string::npos) << line;
    // The page writes the link in some form: its last path segment (query escaped) appears.
    std::string tail = target.substr(target.rfind('/', target.find('?')) + 1);
    if (const auto amp = tail.find('&'); amp != std::string::npos) tail.replace(amp, 1, "&amp;");
    if (!tail.empty()) {
      EXPECT_NE(html[source].find(tail), std::string::npos) << line;
    }
  }
  EXPECT_EQ(sources.size(), seeds.size());
}

TEST(SimwebSite, FullCrawlFollowsOnlySameHostPublicLinks) {
  const simweb::Site site({.pages = 2000, .links = 10, .hosts = 4, .seed = 3, .port = 8123});
  const auto depth0 = site.expected_lines(Crawl::kDepth0);
  std::map<std::string, std::vector<std::string>> graph;
  for (const auto& line : depth0)
    graph[line.substr(0, line.find('\t'))].push_back(line.substr(line.find('\t') + 1));
  // A BFS over the depth-0 lines, as a robots-obeying same-host crawler would do it.
  std::set<std::string> seen;
  std::vector<std::string> queue = site.root_urls();
  seen.insert(queue.begin(), queue.end());
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto [from_host, from_target] = host_and_target(site, queue[i]);
    for (const auto& link : graph[queue[i]]) {
      const auto [host, target] = host_and_target(site, link);
      if (host == from_host && !target.starts_with("/private/") && seen.insert(link).second)
        queue.push_back(link);
    }
  }
  std::vector<std::string> expected;
  for (const auto& line : depth0)
    if (seen.count(line.substr(0, line.find('\t')))) expected.push_back(line);
  EXPECT_EQ(expected, site.expected_lines(Crawl::kFull));
  EXPECT_EQ(static_cast<int>(seen.size()), site.pages_reachable_full());
  EXPECT_LT(site.pages_reachable_full(), site.page_count()) << "the site should have orphans";
}

}  // namespace
