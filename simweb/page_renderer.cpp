#include "simweb/page_renderer.hpp"

#include <numeric>
#include <vector>

#include "simweb/filler_pool.hpp"
#include "simweb/href_writer.hpp"
#include "simweb/page_writer.hpp"
#include "simweb/rng.hpp"

namespace simweb {
namespace {

constexpr std::uint64_t kRenderSalt = 11;
constexpr std::uint64_t kPrivateSalt = 12;
constexpr std::size_t kMinBytes = 8 * 1024;
constexpr std::size_t kExtraBytes = 20 * 1024;  // pages are 8-30 KB (a little more with many links)

void append_words(std::string& out, Rng& r, int n) { FillerPool::append_words(out, r, n); }

std::size_t pick_filler(Rng& r) { return r.below(FillerPool::instance().size()); }

/// Writes one <a> (or <area>) with a real href, in a random but valid attribute style.
void append_anchor(std::string& out, Rng& r, const std::string& href, int page, bool area) {
  const bool plain =
      !href.empty() && href.find_first_of(" \t\n=") == std::string::npos && href.back() != '/';
  out += area ? "<area shape=\"rect\" coords=\"0,0,80,20\"" : "<a";
  if (r.chance(30)) out += " class=\"lnk\"";
  const auto name_style = r.below(100);
  out += name_style < 5 ? " HREF=" : name_style < 8 ? " Href=" : " href=";
  const auto quote = r.below(100);
  if (plain && quote < 8)
    out += href;
  else if (quote < 20)
    out.append("'").append(href).append("'");
  else
    out.append("\"").append(href).append("\"");
  // A second href attribute: HTML5 keeps the first one only.
  if (!area && r.chance(3)) out += " href=\"/decoy/second-href-" + std::to_string(page) + ".html\"";
  if (r.chance(20)) out += " title=\"details\"";
  if (area) {
    out += " alt=\"map\">";
    return;
  }
  out += '>';
  append_words(out, r, r.between(1, 4));
  out += "</a>";
}

std::vector<std::string> body_decoys(int page, int host) {
  const std::string p = std::to_string(page);
  return {
      "<!-- moved: <a href=\"/decoy/comment-" + p + ".html\">old link</a> -->\n",
      "<textarea name=\"note\" rows=\"3\" cols=\"40\"><a href=\"/decoy/textarea-" + p +
          ".html\">draft</a></textarea>\n",
      "<div class=\"card\" href=\"/decoy/div-" + p + ".html\">a card, not a link</div>\n",
      "<p><a href=\"javascript:void(0)\">menu</a> <a href=\"mailto:webmaster@h" +
          std::to_string(host) + ".sim\">write to us</a></p>\n",
      "<p><a href=\"\">empty</a> <a href=\"#top\">top</a> <a href=\" #s1 \">section</a> "
      "<a>no href</a> <a href>bare</a></p>\n",
      "<script>document.write('<a href=\"/decoy/inline-" + p + ".html\">x</a>');</script>\n",
      "<style>.note::after { content: '<a href=\"/decoy/style-body-" + p + ".html\">'; }</style>\n",
      "<link rel=\"prefetch\" href=\"/decoy/prefetch-" + p + ".html\">\n",
      "<form action=\"/decoy/form-" + p + ".html\"><button>go</button></form>\n",
  };
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::string PageRenderer::render_page(int page, bool gzip) const {
  Rng r(Rng::mix(site_.config().seed, static_cast<std::uint64_t>(page), kRenderSalt));
  const int host = site_.host_of(page);
  const auto links = site_.links(page);
  const std::string self = site_.page_target(page);
  const std::string self_path = self.substr(0, self.find('?'));
  const std::string p = std::to_string(page);

  // Which written anchor shows which target: every target once, a few twice.
  std::vector<int> order(links.size());
  std::iota(order.begin(), order.end(), 0);
  if (order.size() >= 2 && r.chance(30)) {
    for (auto n = r.between(1, 2); n > 0; --n) {
      const auto dup = static_cast<int>(r.below(links.size()));
      order.insert(order.begin() + static_cast<long>(r.below(order.size() + 1)), dup);
    }
  }
  int noscript = -1, area = -1;
  if (order.size() >= 2) noscript = order.back(), order.pop_back();
  if (order.size() >= 3 && r.chance(30)) area = order.back(), order.pop_back();

  // <base href> on some pages: every relative href then resolves against it, also the ones
  // written before it.
  std::string base_dir = self_path.substr(0, self_path.rfind('/') + 1);
  std::string base_tag;
  if (page >= site_.host_count() && links.size() >= 4 && r.chance(15)) {
    base_dir = "/a" + std::to_string(r.below(6)) + "/";
    if (r.chance(50)) base_dir += "b" + std::to_string(r.below(6)) + "/";
    const std::string href = r.chance(50) ? base_dir : site_.origin(host) + base_dir;
    base_tag = "<base href=\"" + href + "\">\n";
  }
  const HrefWriter writer(site_, host, base_dir);
  std::string s;  // scratch for the markup of one element
  auto anchor = [&](int index, bool as_area) -> std::string_view {
    const auto& t = links[static_cast<std::size_t>(index)];
    const std::string href =
        t.page < 0 ? writer.write(host, Site::private_target(t.private_id), r)
                   : writer.write(site_.host_of(t.page), site_.page_target(t.page), r);
    s.clear();
    append_anchor(s, r, href, page, as_area);
    return s;
  };
  auto words = [&](int lo, int hi) -> std::string_view {
    s.clear();
    append_words(s, r, r.between(lo, hi));
    return s;
  };

  const std::size_t target_size = kMinBytes + r.below(kExtraBytes);
  PageWriter out(gzip);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += words(2, 5);
  out += " | " + site_.host_name(host) + " <a href=\"/decoy/title-" + p + ".html\">x</a></title>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<link rel=\"stylesheet\" href=\"/decoy/site-" + p + ".css\">\n";
  out += "<style>\n/* <a href=\"/decoy/style-" + p +
         ".html\">not a link</a> */\n"
         "body { margin: 0 auto; max-width: 48em; font: 16px/1.5 Georgia, serif; }\n"
         "a[href^=\"http\"] { color: #1a0dab; }\n</style>\n";
  out += "<script>\n  // <a href=\"/decoy/script-comment-" + p +
         ".html\">\n"
         "  var tpl = '<a href=\"/decoy/script-" +
         p +
         ".html\">more</a>';\n"
         "  window.sim = { page: " +
         p + ", next: \"/decoy/script-var-" + p +
         ".html\" };\n"
         "</script>\n</head>\n<body>\n<a id=\"top\"></a>\n<header><h1>";
  out += words(2, 6);
  out += "</h1>\n<nav><ul>\n";
  std::size_t next = 0;
  for (; next < order.size() && next < 3; ++next) {
    out += "<li>";
    out += anchor(order[next], false);
    out += "</li>\n";
  }
  out += "</ul></nav></header>\n" + base_tag + "<main>\n";

  auto decoys = body_decoys(page, host);
  for (std::size_t i = decoys.size(); i > 1; --i) std::swap(decoys[i - 1], decoys[r.below(i)]);
  std::size_t next_decoy = 0;
  for (int section = 1; out.size() < target_size || next < order.size(); ++section) {
    out += "<section id=\"s" + std::to_string(section) + "\">\n<h2>";
    out += words(2, 5);
    out += "</h2>\n";
    for (int para = r.between(1, 3); para > 0; --para) {
      // Spread the remaining anchors over the paragraphs the size budget still allows.
      const std::size_t budget = out.size() < target_size ? (target_size - out.size()) / 700 : 0;
      const std::size_t left = order.size() - next;
      const std::size_t take = budget == 0 ? left : (left + budget - 1) / budget;
      out += "<p>";
      out.append_filler(pick_filler(r));
      for (std::size_t i = 0; i < take; ++i, ++next) {
        out += r.chance(50) ? "See " : "Also ";
        out += anchor(order[next], false);
        out += ". ";
        if (r.chance(40)) out.append_filler(pick_filler(r));
      }
      if (r.chance(50)) out.append_filler(pick_filler(r));
      out += "</p>\n";
      if (next_decoy < decoys.size() && r.chance(30)) out += decoys[next_decoy++];
    }
    out += "</section>\n";
  }
  out += "</main>\n";
  while (next_decoy < decoys.size()) out += decoys[next_decoy++];
  if (noscript >= 0) {
    out += "<noscript><p>Without scripts, use the ";
    out += anchor(noscript, false);
    out += ".</p></noscript>\n";
  }
  if (area >= 0) {
    out += "<img src=\"/decoy/map-" + p + ".png\" usemap=\"#m" + p + "\" alt=\"\">\n<map name=\"m" +
           p + "\">";
    out += anchor(area, true);
    out += "</map>\n";
  }
  out +=
      "<footer><p>&copy; 2024 " + site_.host_name(host) +
      " &amp; friends &middot; <a href=\"#top\">back to top</a></p></footer>\n</body>\n</html>\n";
  return out.finish();
}

std::string PageRenderer::render_private(int host, std::string_view target, bool gzip) const {
  Rng r(Rng::mix(site_.config().seed, fnv1a(target), kPrivateSalt));
  const int local =
      static_cast<int>(r.below(static_cast<std::uint64_t>(site_.host_page_count(host))));
  PageWriter out(gzip);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Private</title>"
      "</head>\n<body>\n<h1>Private area</h1>\n<p>";
  out.append_filler(pick_filler(r));
  out += "</p>\n<ul>\n<li><a href=\"/\">home</a></li>\n<li><a href=\"" +
         Site::private_target(static_cast<std::uint32_t>(r.below(1000))) +
         "\">next</a></li>\n<li><a href=\"" +
         HrefWriter::escape(site_.page_target(local * site_.host_count() + host)) +
         "\">a page</a></li>\n</ul>\n</body>\n</html>\n";
  return out.finish();
}

std::string PageRenderer::render_not_found(std::string_view target) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>"
      "<body><h1>Not Found</h1><p>Nothing lives at ";
  for (char c : target) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out + ".</p></body></html>\n";
}

}  // namespace simweb
