#include "simweb/manifest.hpp"

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace simweb {
namespace {

/// Writes through `fill` into dir/name.tmp, then renames it to dir/name.
void write_file(const std::filesystem::path& dir, const std::string& name,
                const std::function<void(std::FILE*)>& fill) {
  const auto path = dir / name;
  auto tmp = path;
  tmp += ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + tmp.string());
  std::vector<char> buffer(1 << 16);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  fill(f);
  const bool ok = !std::ferror(f);
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("error writing " + tmp.string());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + ": " + ec.message());
}

void put_line(std::FILE* f, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), f);
  std::fputc('\n', f);
}

}  // namespace

Manifest::Counts Manifest::write(const Site& site, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());

  write_file(dir, "seeds.txt", [&](std::FILE* f) {
    for (int page = 0; page < site.page_count(); ++page) put_line(f, site.page_url(page));
  });
  write_file(dir, "seeds-roots.txt", [&](std::FILE* f) {
    for (const auto& url : site.root_urls()) put_line(f, url);
  });
  Counts counts;
  write_file(dir, "expected-depth0.tsv", [&](std::FILE* f) {
    site.for_each_line(Crawl::kDepth0, [&](std::string_view line) {
      put_line(f, line);
      ++counts.lines_depth0;
    });
  });
  write_file(dir, "expected-full.tsv", [&](std::FILE* f) {
    site.for_each_line(Crawl::kFull, [&](std::string_view line) {
      put_line(f, line);
      ++counts.lines_full;
    });
  });
  const auto& c = site.config();
  const std::string json =
      "{\"hosts\":" + std::to_string(c.hosts) + ",\"pages\":" + std::to_string(c.pages) +
      ",\"links\":" + std::to_string(c.links) +
      ",\"pages_reachable_full\":" + std::to_string(site.pages_reachable_full()) +
      ",\"lines_depth0\":" + std::to_string(counts.lines_depth0) +
      ",\"lines_full\":" + std::to_string(counts.lines_full) +
      ",\"port\":" + std::to_string(c.port) + ",\"seed\":" + std::to_string(c.seed) + "}\n";
  write_file(dir, "manifest.json", [&](std::FILE* f) { std::fputs(json.c_str(), f); });
  return counts;
}

}  // namespace simweb
